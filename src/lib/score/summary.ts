/**
 * What each cluster is: its size, the failure category most of it carries, the conditions that set it apart from
 * the other windows, and the episodes closest to its centre (the ones to watch first).
 */
import type { Points } from './cluster.ts';

/** Per window: its episode, optionally a failure category, and any logged conditions. */
export interface WindowMeta {
  episode: ArrayLike<number>;
  category?: ArrayLike<string | null>;
  /** Condition name → one value per window (strings are categories, numbers are compared by mean). */
  conditions?: Record<string, ArrayLike<string | number | null>>;
}

/** A condition that distinguishes a cluster. */
export type Distinguishing =
  | { condition: string; kind: 'category'; value: string; clusterShare: number; overallShare: number; lift: number }
  | { condition: string; kind: 'number'; clusterMean: number; overallMean: number; effect: number };

/** One cluster's summary. */
export interface ClusterSummary {
  cluster: number;
  size: number;
  share: number;
  dominantCategory: string | null;
  dominantShare: number;
  /** Strongest first, at most 3. */
  distinguishing: Distinguishing[];
  /** Episodes of the windows nearest the cluster's centre. */
  representatives: number[];
}

function categorical(values: ArrayLike<string | number | null>, members: number[], name: string, n: number): Distinguishing | null {
  const overall = new Map<string, number>();
  for (let i = 0; i < n; i++) if (values[i] !== null) overall.set(String(values[i]), (overall.get(String(values[i])) ?? 0) + 1);
  const inC = new Map<string, number>();
  for (const i of members) if (values[i] !== null) inC.set(String(values[i]), (inC.get(String(values[i])) ?? 0) + 1);
  let best: Distinguishing | null = null;
  for (const [v, c] of inC) {
    const cs = c / members.length;
    const os = overall.get(v)! / n;
    // Over-representation weighted by how much of the cluster it covers, so a rare value in one window does not win.
    const lift = cs / os;
    if (cs >= 0.3 && lift > 1.2 && (!best || (best.kind === 'category' && cs * lift > best.clusterShare * best.lift))) {
      best = { condition: name, kind: 'category', value: v, clusterShare: cs, overallShare: os, lift };
    }
  }
  return best;
}

function numeric(values: ArrayLike<string | number | null>, members: number[], name: string, n: number): Distinguishing | null {
  let s = 0;
  let s2 = 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== 'number') continue;
    s += v;
    s2 += v * v;
    m++;
  }
  if (m < 2) return null;
  const mean = s / m;
  const sd = Math.sqrt(Math.max(s2 / m - mean * mean, 0));
  let cs = 0;
  let cm = 0;
  for (const i of members) if (typeof values[i] === 'number') {
    cs += values[i] as number;
    cm++;
  }
  if (cm === 0 || sd === 0) return null;
  const effect = (cs / cm - mean) / sd;
  return Math.abs(effect) >= 0.5 ? { condition: name, kind: 'number', clusterMean: cs / cm, overallMean: mean, effect } : null;
}

/** Summaries of every cluster (labels −1, noise, are skipped). */
export function summarizeClusters(p: Points, labels: ArrayLike<number>, meta: WindowMeta, representatives = 3): ClusterSummary[] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < p.n; i++) if (labels[i] >= 0) (groups.get(labels[i]) ?? groups.set(labels[i], []).get(labels[i])!).push(i);
  const out: ClusterSummary[] = [];
  for (const [c, members] of [...groups].sort((a, b) => a[0] - b[0])) {
    const centre = new Float64Array(p.dim);
    for (const i of members) for (let t = 0; t < p.dim; t++) centre[t] += p.values[i * p.dim + t] / members.length;
    const near = members
      .map((i) => {
        let d = 0;
        for (let t = 0; t < p.dim; t++) d += (p.values[i * p.dim + t] - centre[t]) ** 2;
        return [d, i] as const;
      })
      .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const reps: number[] = [];
    for (const [, i] of near) {
      if (!reps.includes(meta.episode[i])) reps.push(meta.episode[i]);
      if (reps.length >= representatives) break;
    }
    let dominant: string | null = null;
    let dominantShare = 0;
    if (meta.category) {
      const counts = new Map<string, number>();
      for (const i of members) {
        const v = meta.category[i];
        if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      for (const [v, k] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
        dominant = v;
        dominantShare = k / members.length;
        break;
      }
    }
    const distinguishing: Distinguishing[] = [];
    for (const [name, values] of Object.entries(meta.conditions ?? {})) {
      const isNum = Array.from({ length: Math.min(values.length, 50) }, (_, i) => values[i]).some((v) => typeof v === 'number');
      const d = isNum ? numeric(values, members, name, p.n) : categorical(values, members, name, p.n);
      if (d) distinguishing.push(d);
    }
    const strength = (d: Distinguishing): number => (d.kind === 'category' ? d.clusterShare * (d.lift - 1) : Math.abs(d.effect) / 2);
    distinguishing.sort((a, b) => strength(b) - strength(a));
    out.push({ cluster: c, size: members.length, share: members.length / p.n, dominantCategory: dominant, dominantShare, distinguishing: distinguishing.slice(0, 3), representatives: reps });
  }
  return out;
}
