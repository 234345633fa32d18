/**
 * Exporting a replay-mix manifest: JSON with an episode list per stage (what a LeRobot training run takes:
 * `--dataset.episodes` for the list, the weights for a weighted sampler) and CSV text. Rows may come from
 * the TS reference or from the `replay_manifest` result (whose integers can arrive as bigint).
 */
import type { ManifestRow } from './replay-reference.ts';

/** The LeRobot-consumable manifest. Stages are in order; `weights[i]` belongs to `episodes[i]`. */
export interface ManifestJson {
  stages: { name: string; episodes: number[]; weights: number[] }[];
}

function toNumber(x: unknown, what: string): number {
  const n = typeof x === 'bigint' ? Number(x) : x;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new Error(`Manifest row has a bad ${what}: ${String(x)}`);
  return n;
}

/** Plain manifest rows from query result rows (stage, episode_index, set, weight, samples). */
export function manifestRows(rows: readonly Record<string, unknown>[]): ManifestRow[] {
  return rows.map((r) => ({
    stage: toNumber(r.stage, 'stage'),
    episode_index: toNumber(r.episode_index, 'episode_index'),
    set: String(r.set),
    weight: toNumber(r.weight, 'weight'),
    samples: toNumber(r.samples, 'samples'),
  }));
}

/** `stage_1`, `stage_2`, … */
export function stageName(stage: number): string {
  return `stage_${stage}`;
}

/** The manifest as `{stages: [{name, episodes, weights}]}`, episodes ascending within a stage. */
export function manifestToJson(rows: readonly ManifestRow[]): ManifestJson {
  const byStage = new Map<number, ManifestRow[]>();
  for (const r of rows) {
    const list = byStage.get(r.stage) ?? [];
    list.push(r);
    byStage.set(r.stage, list);
  }
  return {
    stages: [...byStage.keys()]
      .sort((a, b) => a - b)
      .map((s) => {
        const list = [...byStage.get(s)!].sort((a, b) => a.episode_index - b.episode_index);
        return { name: stageName(s), episodes: list.map((r) => r.episode_index), weights: list.map((r) => r.weight) };
      }),
  };
}

/** CSV quoting: fields with a comma, quote or line break are quoted, quotes doubled. */
function csvField(x: string | number): string {
  const s = String(x);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The manifest as CSV text with header `stage,episode_index,set,weight,samples` (rows in the given order). */
export function manifestToCsv(rows: readonly ManifestRow[]): string {
  const lines = ['stage,episode_index,set,weight,samples'];
  for (const r of rows) lines.push([r.stage, r.episode_index, r.set, r.weight, r.samples].map(csvField).join(','));
  return lines.join('\n') + '\n';
}
