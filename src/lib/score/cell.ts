/**
 * The model cell's saved data: which model, which job (uncertainty scoring or failure clustering), the mapping
 * and the job's parameters. Plain JSON (notebooks keep it in IndexedDB and share it in links), so it is validated
 * strictly here, and everything it makes the app do is visible: the SQL it runs is in the cell (`source`, the
 * input query) or generated from the parameters by the functions below, and the only URLs it fetches are the
 * model URLs it names (listed by the consent banner).
 */
import { quoteIdent } from '../util/sql';
import type { TrainRecipe } from '../models/recipe';
import type { ModelMapping } from './mapping';

/** What a model cell does with its model. */
export type ModelTask = 'uncertainty' | 'cluster';

/**
 * Where the model comes from. A demo manifest (`models.json`: an ensemble for uncertainty, an encoder for
 * clustering), one or more URLs (several: an ensemble), or local files, which a shared link cannot carry:
 * only their names are saved and the cell asks for the files again.
 */
export type ModelSource = { kind: 'demo'; manifest: string } | { kind: 'url'; urls: string[] } | { kind: 'file'; names: string[] } | { kind: 'trained'; recipe: TrainRecipe };

/**
 * The mapping of a cell whose models are trained in the tab: empty, because it is sized from the data when the
 * models are trained (the run reports the mapping it used).
 */
export const TRAINED_MAPPING: ModelMapping = { version: 1, stride: 1, inputs: [], outputs: [] };

/** Uncertainty scoring: which frames set the collect-here threshold, and shadow mode. */
export interface UncertaintyParams {
  /** Quantile of the reference frames' disagreement above which a frame is flagged (0.99: their top 1%). */
  quantile: number;
  /** SQL condition over `episodes` choosing the reference episodes (e.g. the training demos); null: all scored frames. */
  reference: string | null;
  /** Shadow mode: the result column of the ensemble's prediction and the logged column it is compared with. */
  shadow: { column: string; operatorColumn: string } | null;
  /** Collect-here stretches kept, strongest first. */
  collectLimit: number;
}

/** Where failure onsets come from: reviewers' `episodes.failure_onset_s`, a detector, or reviews with the detector filling gaps. */
export type OnsetSource = 'annotated' | 'detected' | 'annotated-or-detected';

/** Failure clustering: which episodes, where their windows are anchored, k, DBSCAN and cluster names. */
export interface ClusterParams {
  /** SQL condition over `episodes` choosing the failed episodes. */
  failures: string;
  onsets: OnsetSource;
  /** Number of k-means clusters, or 'auto' (the best silhouette over 2…10). */
  k: number | 'auto';
  /** DBSCAN radius, or 'auto' (the 0.9 quantile of k-distances). */
  eps: number | 'auto';
  /** `episodes` columns whose values describe each cluster in its summary (object, lighting, …). */
  conditions: string[];
  /** Names given to k-means clusters (cluster number → name); they become the result's `cluster_name`. */
  names: Record<string, string>;
}

/** A model cell's data (`CellData.model`); its input query is the cell's `source`. */
export type ModelSpec =
  | { task: 'uncertainty'; model: ModelSource; mapping: ModelMapping; params: UncertaintyParams }
  | { task: 'cluster'; model: ModelSource; mapping: ModelMapping; params: ClusterParams };

/** The bundled demo models' manifest, relative to the page (and to `static/` in Node). */
export const DEMO_MANIFEST = 'demo/models/models.json';

/** Defaults of an uncertainty cell: flag the top 1% of the training demos' frames, shadow mode on `action`. */
export function defaultUncertaintyParams(): UncertaintyParams {
  return { quantile: 0.99, reference: 'policy_version IS NULL', shadow: { column: 'action_pred', operatorColumn: 'action' }, collectLimit: 200 };
}

/** Defaults of a clustering cell: failed episodes, reviewed onsets where there are any, k and eps chosen for you. */
export function defaultClusterParams(): ClusterParams {
  return { failures: `outcome = 'failure'`, onsets: 'annotated-or-detected', k: 'auto', eps: 'auto', conditions: [], names: {} };
}

/** The result tables of a model cell named `name`, main table first. */
export function modelTables(name: string, task: ModelTask): string[] {
  return task === 'uncertainty' ? [name, `${name}_episodes`, `${name}_collect`] : [name, `${name}_clusters`];
}

/** Failed episodes by default when the models are trained in the tab: failures and operator interventions. */
export const TRAINED_FAILURES = `outcome IN ('failure', 'intervened')`;

/** The dataset columns a mapping reads (inputs' features, plus the shadow mode's logged column); null: not known before the run. */
export function mappedColumns(spec: ModelSpec): string[] | null {
  if (spec.model.kind === 'trained') {
    const r = spec.model.recipe;
    return r.state && r.action ? [...new Set([r.state, r.action])] : null;
  }
  const cols = spec.mapping.inputs.flatMap((i) => i.features.map((f) => f.column));
  if (spec.task === 'uncertainty' && spec.params.shadow) cols.push(spec.params.shadow.operatorColumn);
  return [...new Set(cols)];
}

/**
 * The default input query: only the columns the mapping needs (lazy frame loading then fetches just those column
 * chunks), in the order the scorer wants. A clustering cell reads only the failed episodes' frames.
 */
export function defaultInputSql(spec: ModelSpec): string {
  const mapped = mappedColumns(spec);
  // Columns found at training time: every column (lazy loading still skips images and videos, which are not columns).
  const cols = mapped === null ? ['*'] : ['episode_index', 'frame_index', ...mapped].map((c) => (/^[a-z_][a-z0-9_]*$/.test(c) ? c : quoteIdent(c)));
  const where = spec.task === 'cluster' ? `\nWHERE episode_index IN (SELECT episode_index FROM episodes WHERE ${spec.params.failures})` : '';
  return `SELECT ${cols.join(', ')}\nFROM frames${where}\nORDER BY episode_index, frame_index`;
}

/** The query listing reference episodes (null when every scored frame is the reference). */
export function referenceSql(p: UncertaintyParams): string | null {
  return p.reference ? `SELECT episode_index FROM episodes WHERE ${p.reference} ORDER BY episode_index` : null;
}

/**
 * The query anchoring one window per failed episode: `episode_index, frame_index, onset_s, onset_source` plus the
 * summary conditions. Reviewed onsets come from `episodes.failure_onset_s`. Episodes left to the detector get a NULL
 * `frame_index` when `detector` is 'frames' (the run fills it from the frames it read: `detectOnsets` in onsets.ts,
 * the start of the first strong, sustained break of a one-step model of the state); with 'jump' (the fallback when the
 * input query lacks the state column) this query picks the frame where the state jumps most from the previous one.
 */
export function anchorsSql(p: ClusterParams, stateColumn: string, episodeColumns?: string[], detector: 'frames' | 'jump' = 'frames'): string {
  const fps = `(SELECT max(length / duration_s) FROM episodes WHERE duration_s > 0)`;
  // With the episodes' columns known (at run time), columns a dataset lacks read as NULL instead of failing.
  const has = (c: string) => !episodeColumns || episodeColumns.includes(c);
  const extra = p.conditions.map((c) => (has(c) ? `, e.${quoteIdent(c)}` : `, NULL AS ${quoteIdent(c)}`)).join('');
  const category = has('failure_category') ? 'CAST(e.failure_category AS VARCHAR)' : 'NULL::VARCHAR';
  const q = quoteIdent(stateColumn);
  const prev = `lag(${q}) OVER (PARTITION BY episode_index ORDER BY frame_index)`;
  // At run time (columns known), frames with missing values are skipped: list_distance refuses NULL elements.
  const jump = episodeColumns
    ? `CASE WHEN list_count(${q}) = len(${q}) AND list_count(${prev}) = len(${prev}) THEN list_distance(${q}, ${prev}) END AS jump`
    : `list_distance(${q}, ${prev}) AS jump`;
  const onsetCol = has('failure_onset_s') ? 'failure_onset_s' : 'NULL::DOUBLE AS failure_onset_s';
  const detected =
    p.onsets === 'annotated'
      ? 'SELECT NULL::INTEGER AS episode_index, NULL::INTEGER AS frame_index WHERE false'
      : detector === 'frames'
        ? 'SELECT episode_index, NULL::INTEGER AS frame_index FROM failed'
        : `SELECT episode_index, arg_max(frame_index, jump) AS frame_index FROM (
    SELECT episode_index, frame_index,
           ${jump}
    FROM frames WHERE episode_index IN (SELECT episode_index FROM failed)
  ) GROUP BY episode_index`;
  const onset =
    p.onsets === 'annotated'
      ? `CAST(round(f.failure_onset_s * ${fps}) AS INTEGER)`
      : p.onsets === 'detected'
        ? 'd.frame_index'
        : `coalesce(CAST(round(f.failure_onset_s * ${fps}) AS INTEGER), d.frame_index)`;
  const source = p.onsets === 'detected' ? `'detected'` : p.onsets === 'annotated' ? `'annotated'` : `CASE WHEN f.failure_onset_s IS NULL THEN 'detected' ELSE 'annotated' END`;
  // Rows the frames-side detector fills keep a NULL onset here; every other row needs one.
  const keep = detector === 'frames' && p.onsets !== 'annotated' ? `${onset} IS NOT NULL OR d.episode_index IS NOT NULL` : `${onset} IS NOT NULL`;
  return `WITH failed AS (SELECT episode_index, ${onsetCol} FROM episodes WHERE ${p.failures}),
detected AS (${detected})
SELECT f.episode_index, ${onset} AS frame_index, ${onset} / ${fps} AS onset_s, ${source} AS onset_source, ${category} AS failure_category${extra}
FROM failed f JOIN episodes e USING (episode_index) LEFT JOIN detected d USING (episode_index)
WHERE ${keep}
ORDER BY f.episode_index`;
}

/** Every SQL text a model cell runs (input, reference or anchors), for the dependency scan and the consent banner. */
export function modelCellSql(source: string, spec: ModelSpec | undefined): string[] {
  if (!spec) return [source];
  if (spec.task === 'uncertainty') return [source, referenceSql(spec.params)].filter((s): s is string => s !== null);
  return [source, anchorsSql(spec.params, anchorColumn(spec))];
}

/**
 * The columns the onset detector reads: the state (the first mapped feature: the state, for the demo encoder) and
 * the command (the second feature of that input, when there is one).
 */
export function anchorColumns(spec: ModelSpec): { state: string; action: string | null } {
  if (spec.model.kind === 'trained') return { state: spec.model.recipe.state ?? 'state', action: spec.model.recipe.action ?? null };
  const f = spec.mapping.inputs[0]?.features ?? [];
  return { state: f[0]?.column ?? 'observation.state', action: f[1]?.column ?? null };
}

/** The column the onset detector reads the state from (see {@link anchorColumns}). */
export function anchorColumn(spec: ModelSpec): string {
  return anchorColumns(spec).state;
}

/** URLs a model cell fetches (demo manifests and model URLs; relative ones resolve against the page). */
export function modelUrls(spec: ModelSpec | undefined): string[] {
  if (!spec) return [];
  if (spec.model.kind === 'demo') return [spec.model.manifest];
  if (spec.model.kind === 'url') return [...spec.model.urls];
  return [];
}
