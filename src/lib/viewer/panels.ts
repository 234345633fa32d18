/**
 * The viewer's synced plot panels: which signals each panel shows, how joints are grouped into small multiples,
 * and how series are told apart. Pure: EpisodePanel reads the data and ViewerTrace draws it.
 */
import { columnId, seriesLabel, traceSql, type TraceColumn } from './columns';

/** One signal of a panel: a column, restricted to some of its elements (1-based), drawn solid or dashed. */
export interface PanelPart {
  column: TraceColumn;
  /** Elements shown (1-based vector positions), or null for all of them. */
  elements: number[] | null;
  /** Dashed: the paired action drawn over its state. */
  paired: boolean;
}

/** One drawn point of a panel: its series' label, colour and dash come with it (vector order, not alphabetical). */
export interface TracePoint {
  t: number;
  value: number;
  series: string;
  color: string;
  dash: string;
}

/** A panel's content, and the id its picker shows. */
export interface PanelChoice {
  id: string;
  label: string;
  parts: PanelPart[];
}

/** Words of a joint name: `kLeftShoulderPitch` → k, left, shoulder, pitch; `panda_joint1` → panda, joint, 1. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([a-zA-Z])(\d)/g, '$1 $2')
    .split(/[\s_.\-/]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/**
 * Groups a vector's element names into panels of related joints, in vector order: consecutive elements whose
 * names share their first meaningful word (`left`, `right`, `panda`, `joint`) stay together; a one-letter prefix
 * such as the G1's `k` is skipped. A run longer than `max` is split evenly, so no panel needs more colours than a
 * categorical palette has. Returns 1-based element indexes.
 */
export function jointGroups(names: readonly string[], max = 8): number[][] {
  const key = (n: string): string => {
    const w = words(n);
    const first = w.find((x) => x.length > 1 && !/^\d+$/.test(x)) ?? w[0] ?? n;
    // Limb words split a side into arm and hand (kLeftShoulderPitch … kLeftWristYaw vs kLeftHandPinky …).
    const limb = w.find((x) => ['hand', 'leg', 'arm', 'head', 'finger', 'foot', 'waist', 'gripper'].includes(x)) ?? '';
    return `${first}|${limb}`;
  };
  const runs: number[][] = [];
  let last = '';
  names.forEach((n, i) => {
    const k = key(n);
    if (runs.length && k === last) runs[runs.length - 1].push(i + 1);
    else runs.push([i + 1]);
    last = k;
  });
  // Names without shared words (x, y, z, roll, pitch, yaw) are one group, not one panel each.
  const merged: number[][] = [];
  let singles = false;
  for (const run of runs) {
    if (run.length === 1 && singles) merged[merged.length - 1].push(run[0]);
    else merged.push([...run]);
    singles = run.length === 1;
  }
  return merged.flatMap((run) => {
    if (run.length <= max) return [run];
    const parts = Math.ceil(run.length / max);
    const size = Math.ceil(run.length / parts);
    return Array.from({ length: parts }, (_, p) => run.slice(p * size, (p + 1) * size));
  });
}

/** A short title for a group of joints: their shared name prefix, or the first and last names. */
export function groupLabel(names: readonly string[]): string {
  if (names.length === 1) return names[0];
  let p = names[0];
  for (const n of names) while (!n.startsWith(p)) p = p.slice(0, -1);
  p = p.replace(/[_\-.]+$/, '');
  return p.length >= 3 ? `${p}… (${names.length})` : `${names[0]} … ${names[names.length - 1]}`;
}

/** The action column that pairs with a state column (same element names), if any. */
function pairOf(state: TraceColumn, columns: readonly TraceColumn[]): TraceColumn | null {
  if (!state.names || !/^observation\.state$/.test(state.column)) return null;
  const a = columns.find((c) => c.table === state.table && c.column === 'action' && c.names && c.names.length === state.names!.length);
  return a && a.names!.every((n, i) => n === state.names![i]) ? a : null;
}

/**
 * Everything a panel's picker offers: each named vector's joint groups (state paired with its action), then every
 * column whole (as the single-plot viewer did).
 */
export function panelChoices(columns: readonly TraceColumn[]): PanelChoice[] {
  const out: PanelChoice[] = [];
  for (const c of columns) {
    if (c.width < 2 || !c.names || c.names.length !== c.width) continue;
    const groups = jointGroups(c.names);
    if (groups.length < 2) continue;
    const pair = pairOf(c, columns);
    for (const g of groups) {
      const names = g.map((i) => c.names![i - 1]);
      const parts: PanelPart[] = [{ column: c, elements: g, paired: false }];
      if (pair) parts.push({ column: pair, elements: g, paired: true });
      out.push({ id: `${columnId(c)}#${g[0]}-${g[g.length - 1]}`, label: `${c.column}${pair ? ' + action' : ''}: ${groupLabel(names)}`, parts });
    }
  }
  for (const c of columns) {
    out.push({ id: columnId(c), label: c.table === 'frames' ? c.column : `${c.table}.${c.column}`, parts: [{ column: c, elements: null, paired: false }] });
  }
  return out;
}

/**
 * The panels the viewer opens with: when the first vector has more elements than the palette has colours (the G1's
 * 26 joints), its joint groups as small multiples (at most `max`); otherwise the first column whole in one panel, as
 * the single-plot viewer showed it (a 7-joint arm and its gripper are easy to tell apart in one plot).
 */
export function defaultPanels(choices: readonly PanelChoice[], max = 4): string[] {
  const whole = choices.find((c) => !c.id.includes('#'));
  const first = whole?.parts[0].column;
  if (first && first.width > PALETTE.length) {
    const groups = choices.filter((g) => g.id.includes('#') && g.parts[0].column === first);
    if (groups.length) return groups.slice(0, max).map((g) => g.id);
  }
  return whole ? [whole.id] : choices.length ? [choices[0].id] : [];
}

/** Tableau 10: the categorical palette Plot uses, kept explicit so colours can be assigned by vector position. */
export const PALETTE = ['#4e79a7', '#f28e2c', '#e15759', '#76b7b2', '#59a14f', '#edc949', '#af7aa1', '#ff9da7', '#9c755f', '#bab0ab'];
/** Dash patterns that multiply the palette: 10 colours × 4 dashes keep 40 series apart in one panel. */
export const DASHES = ['', '7 3', '2 2', '10 3 2 3'];

/**
 * Colour and dash of the `i`-th series (0-based, vector order) of a panel. Paired actions take their joint's
 * colour and are told apart by a dash instead, so they never use the plain solid line.
 */
export function seriesStyle(i: number, paired = false): { color: string; dash: string } {
  const color = PALETTE[i % PALETTE.length];
  const d = Math.floor(i / PALETTE.length) % DASHES.length;
  if (paired) return { color, dash: d === 0 ? '5 3' : DASHES[(d + 1) % DASHES.length] || '5 3' };
  return { color, dash: DASHES[d] };
}

/**
 * The time window after zooming `domain` by `factor` (< 1 zooms in) around `at`, kept inside [0, end] and no
 * narrower than `minSpan` seconds (a few frames).
 */
export function zoomWindow(domain: [number, number], factor: number, at: number, end: number, minSpan: number): [number, number] {
  const span = Math.min(end, Math.max(minSpan, (domain[1] - domain[0]) * factor));
  const c = Math.min(domain[1], Math.max(domain[0], at));
  const k = domain[1] > domain[0] ? (c - domain[0]) / (domain[1] - domain[0]) : 0.5;
  let lo = c - span * k;
  lo = Math.max(0, Math.min(end - span, lo));
  return [lo, lo + span];
}

/**
 * One query for every column the panels show, long format `(part, t, element, value)` with `part` the column's
 * position in `columns`. One query, not one per panel: `frames` is loaded per query, so the state of one panel and
 * the action of the next are fetched together instead of evicting each other.
 */
export function panelsSql(columns: readonly TraceColumn[], episode: number, fps: number, hasTimestamp: (table: string) => boolean): string {
  return (
    columns.map((c, i) => `SELECT ${i} AS part, t, element, value FROM (${traceSql(c, episode, fps, hasTimestamp(c.table))})`).join(' UNION ALL ') +
    ' ORDER BY part, element, t'
  );
}

/** The distinct columns (by id) the given panels read, in first-use order. */
export function panelColumns(panels: readonly PanelChoice[]): TraceColumn[] {
  const seen = new Map<string, TraceColumn>();
  for (const p of panels) for (const part of p.parts) if (!seen.has(columnId(part.column))) seen.set(columnId(part.column), part.column);
  return [...seen.values()];
}

/**
 * A panel's points and legend from the rows of {@link panelsSql}: series in vector order; a state and its paired
 * action share the joint's colour, the action dashed.
 */
export function panelSeries(
  panel: PanelChoice,
  rows: readonly { part: number; t: number; element: number; value: number }[],
  columns: readonly TraceColumn[],
): { points: TracePoint[]; legend: { label: string; color: string; dash: string }[] } {
  const points: TracePoint[] = [];
  const legend: { label: string; color: string; dash: string }[] = [];
  const ids = columns.map(columnId);
  for (const part of panel.parts) {
    const idx = ids.indexOf(columnId(part.column));
    const wanted = part.elements;
    const order = new Map<number, number>();
    if (wanted) wanted.forEach((e, i) => order.set(e, i));
    const styled = new Map<number, { label: string; color: string; dash: string }>();
    for (const r of rows) {
      if (r.part !== idx) continue;
      if (wanted && !order.has(r.element)) continue;
      let s = styled.get(r.element);
      if (!s) {
        const pos = wanted ? order.get(r.element)! : r.element - 1;
        const name = seriesLabel(part.column, r.element);
        const label = part.paired ? `${name} (${part.column.column})` : name;
        s = { label, ...seriesStyle(pos, part.paired) };
        styled.set(r.element, s);
      }
      if (Number.isFinite(r.value)) points.push({ t: r.t, value: r.value, series: s.label, color: s.color, dash: s.dash });
    }
    // A paired action repeats its joints' colours: one legend entry says what the dash means.
    if (part.paired) {
      if (styled.size) legend.push({ label: `${part.column.column} (dashed)`, color: '#6b7280', dash: '5 3' });
    } else {
      legend.push(...[...styled.entries()].sort((a, b) => (order.get(a[0]) ?? a[0]) - (order.get(b[0]) ?? b[0])).map(([, s]) => s));
    }
  }
  return { points, legend };
}
