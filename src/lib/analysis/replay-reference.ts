/**
 * The replay-mix manifest computed in TS from plain episode lists: the reference the SQL is tested
 * against, and a way to design a mix without a database. Same rules as replay-mix.ts, step for step, with
 * the same floating-point operations in the same order, so the two agree exactly.
 */
import { mixHash } from './hash.ts';
import { stageShares, type MixPolicy } from './replay-mix.ts';

/** One set of episodes as plain data. */
export interface PlainSet {
  name: string;
  episodes: readonly number[];
  /** Targeted sets only: relative weight (default: the set's episode count after overlaps are resolved). */
  weight?: number;
}

/** What {@link designMix} needs. */
export interface MixInput {
  baseline: PlainSet;
  targeted: readonly PlainSet[];
  policy: MixPolicy;
  bufferMultiple: number;
  newBatchSize?: number | null;
  seed: number;
  /** Warn when targeted samples exceed this share of the run (default 0.5). */
  maxTargetedShare?: number;
}

/** One manifest row, as in `replay_manifest`. */
export interface ManifestRow {
  stage: number;
  episode_index: number;
  set: string;
  weight: number;
  samples: number;
}

/** Per stage and set: how many episodes and samples it got. */
export interface StageSetSummary {
  stage: number;
  set: string;
  episodes: number;
  samples: number;
  share: number;
}

/** The manifest, per-stage summary and warnings. */
export interface MixDesign {
  rows: ManifestRow[];
  stages: StageSetSummary[];
  stageSize: number;
  warnings: string[];
}

/**
 * Design the mix. Throws when the baseline or the targeted sets end up empty, or the buffer holds no
 * samples (the SQL stops with the same conditions).
 */
export function designMix(input: MixInput): MixDesign {
  // Overlaps: the first targeted set that lists an episode keeps it; the baseline keeps what is left.
  const taken = new Set<number>();
  const targeted = input.targeted.map((s) => {
    const eps = [...new Set(s.episodes)].filter((e) => !taken.has(e));
    eps.forEach((e) => taken.add(e));
    return { name: s.name, episodes: eps, weight: s.weight };
  });
  const baseline = { name: input.baseline.name, episodes: [...new Set(input.baseline.episodes)].filter((e) => !taken.has(e)) };
  if (baseline.episodes.length === 0) throw new Error(`The baseline set "${baseline.name}" selects no episode (or only episodes a targeted set took first).`);
  const nTargeted = targeted.reduce((s, t) => s + t.episodes.length, 0);
  if (nTargeted === 0) throw new Error('The targeted sets select no episode.');
  const newBatch = input.newBatchSize ?? nTargeted;
  const stageSize = Math.round(input.bufferMultiple * newBatch);
  if (stageSize === 0) throw new Error('The buffer holds no samples: raise bufferMultiple or newBatchSize.');

  const live = targeted.filter((t) => t.episodes.length > 0).map((t, i) => ({ ...t, order: i, w: t.weight ?? t.episodes.length }));
  const total = live.reduce((s, t) => s + t.w, 0);
  // Hash order within each set (ties by episode index, as the SQL's ORDER BY h, episode_index).
  const order = (eps: number[]): number[] => [...eps].sort((a, b) => mixHash(a, input.seed) - mixHash(b, input.seed) || a - b);
  const sets = [{ name: baseline.name, eps: order(baseline.episodes), w: 0, order: -1, baseline: true }, ...live.map((t) => ({ name: t.name, eps: order(t.episodes), w: t.w, order: t.order, baseline: false }))];
  const used = new Map<string, number>(sets.map((s) => [s.name, 0]));

  const rows: ManifestRow[] = [];
  const stages: StageSetSummary[] = [];
  stageShares(input.policy).forEach((b, si) => {
    const stage = si + 1;
    const baselineSamples = Math.round(b * stageSize);
    const rest = stageSize - baselineSamples;
    // Largest remainder over the targeted sets, ties by set order.
    const exact = live.map((t) => (rest * t.w) / total);
    const floors = exact.map((x) => Math.floor(x));
    let left = rest - floors.reduce((s, x) => s + x, 0);
    const byRemainder = exact.map((x, i) => ({ r: x - Math.floor(x), i })).sort((p, q) => q.r - p.r || live[p.i].order - live[q.i].order);
    for (const { i } of byRemainder) if (left-- > 0) floors[i]++;
    for (const set of sets) {
      const n = set.eps.length;
      const setSamples = set.baseline ? baselineSamples : floors[live.findIndex((t) => t.name === set.name)];
      const share = set.baseline ? b : ((1 - b) * set.w) / total;
      const start = used.get(set.name)! % n;
      const q = Math.floor(setSamples / n);
      const r = setSamples % n;
      set.eps.forEach((episode, pos) => {
        rows.push({ stage, episode_index: episode, set: set.name, weight: share / n, samples: q + ((pos - start + n) % n < r ? 1 : 0) });
      });
      used.set(set.name, used.get(set.name)! + setSamples);
      stages.push({ stage, set: set.name, episodes: n, samples: setSamples, share });
    }
  });
  rows.sort((x, y) => x.stage - y.stage || x.episode_index - y.episode_index);
  return { rows, stages, stageSize, warnings: mixWarnings(rows, stages, baseline.name, input, newBatch) };
}

/** The warnings that need no episode attributes: targeted share of the run, and unsampled baseline episodes. */
function mixWarnings(rows: ManifestRow[], stages: StageSetSummary[], baseline: string, input: MixInput, newBatch: number): string[] {
  const out: string[] = [];
  const all = stages.reduce((s, x) => s + x.samples, 0);
  const base = stages.filter((x) => x.set === baseline).reduce((s, x) => s + x.samples, 0);
  const limit = input.maxTargetedShare ?? 0.5;
  const targetedShare = (all - base) / all;
  if (targetedShare > limit) {
    out.push(`Targeted data is ${(100 * targetedShare).toFixed(1)}% of all samples over the run (limit ${(100 * limit).toFixed(0)}%): the policy may forget what the baseline taught.`);
  }
  const perEpisode = new Map<number, number>();
  for (const r of rows) if (r.set === baseline) perEpisode.set(r.episode_index, (perEpisode.get(r.episode_index) ?? 0) + r.samples);
  const unsampled = [...perEpisode.values()].filter((s) => s === 0).length;
  if (unsampled > 0) {
    // Σ stage baseline samples ≈ Σ shares × multiple × new batch must reach the baseline's size.
    const shares = stageShares(input.policy).reduce((s, b) => s + b, 0);
    const needed = Math.ceil((10 * perEpisode.size) / (shares * newBatch)) / 10;
    out.push(`${unsampled} of ${perEpisode.size} baseline episodes get no whole sample in any stage; they stay reachable through their weight. bufferMultiple ≥ about ${needed.toFixed(1)} gives each one a sample.`);
  }
  return out;
}
