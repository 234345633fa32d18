/**
 * The input contract: what a deployment log, a cost sheet and the per-episode columns may hold, which columns are
 * required, the allowed values, and what each optional column adds. This module is the one source of truth: the
 * README's table, the "Log format" notebook cell ({@link logFormatMarkdown}) and the capability messages are made
 * from it, so they cannot disagree.
 */

/** One column of an input file. */
export interface InputColumn {
  name: string;
  required: boolean;
  /** What the values look like. */
  type: string;
  /** Allowed values, when the column is an enumeration. */
  values?: readonly string[];
  /** What the column means. */
  meaning: string;
  /** What having it adds, or what happens without it (for optional columns). */
  adds: string;
}

/** The outcomes every job understands. `intervened` (an operator took over) counts as a failure everywhere. */
export const OUTCOMES = ['success', 'failure', 'intervened'] as const;
/** An outcome value. */
export type Outcome = (typeof OUTCOMES)[number];

/** Tags with a meaning to the jobs (others are kept and shown, e.g. `seed`). */
export const TAG_VOCABULARY: Readonly<Record<string, string>> = {
  'targeted-recovery': 'a demo collected to fix a failure mode (the replay mix, red flags and cost jobs credit it to that mode)',
  calibration: 'a reference-pose run for the hardware-drift watch (left out of the quality gate)',
  'auto-collected': 'an episode labelled automatically; the review-sampling job samples these for human review',
};
/** How several tags share one cell of the `tags` column. */
export const TAG_SEPARATOR = ';';

/** The deployment log (`&log=`), one row per episode, joined onto `episodes` by `episode_id`. */
export const LOG_COLUMNS: readonly InputColumn[] = [
  { name: 'episode_id', required: true, type: 'integer', meaning: "the LeRobot episode_index of the row's episode", adds: 'joins the log onto `episodes`' },
  { name: 'outcome', required: true, type: 'text', values: OUTCOMES, meaning: 'how the episode ended; `intervened` counts as a failure in every rate and count', adds: 'success rates, failure counts (without it: map an outcome, e.g. `next.success` on the last frame)' },
  { name: 'policy_version', required: false, type: 'text', meaning: 'the deployed policy; empty for teleoperated demos', adds: 'per-version success and failure mix; without it every episode with an outcome is one deployment' },
  { name: 'failure_category', required: false, type: 'text', meaning: 'the failure mode of a failed or intervened episode (any words; modes come from your data)', adds: 'failure mining, the failure-mode mix; without it every failure is `failure`' },
  { name: 'timestamp', required: false, type: 'ISO 8601 time', meaning: 'when the episode was recorded', adds: 'cycle time per rotation, drift by week; without it there is no cycle time (said so)' },
  { name: 'notes', required: false, type: 'text', meaning: "the operator's free-text note", adds: 'the review queue shows it; targeted demos are attributed to a mode by it' },
  { name: 'rotation', required: false, type: 'integer', meaning: 'the flywheel rotation (iteration) the episode belongs to', adds: 'red flags, the cost ledger, collection per rotation; without it the jobs derive it from `policy_version` (one rotation per version) or `timestamp` (one per ISO week): the form\'s "rotation from"' },
  { name: 'tags', required: false, type: `text, \`${TAG_SEPARATOR}\`-separated`, values: Object.keys(TAG_VOCABULARY), meaning: 'tags of the episode', adds: 'targeted sets, calibration runs, the review pool; without tags each episode is a deployment or a demo by its policy_version' },
  { name: 'cost_usd', required: false, type: 'number', meaning: 'what collecting the episode cost', adds: 'cost per success without a cost sheet' },
  { name: 'operator', required: false, type: 'text', meaning: 'who ran the episode', adds: 'a stratum for review sampling' },
  { name: 'date', required: false, type: 'date', meaning: 'the day of the episode (when there is no timestamp)', adds: 'shown; map it as the timestamp to get cycle times' },
];

/** The cost sheet (`&costs=`), loaded as `costs`: one line per spend. */
export const COST_COLUMNS: readonly InputColumn[] = [
  { name: 'rotation', required: true, type: 'integer', meaning: 'the rotation the spend belongs to', adds: 'spend per rotation' },
  { name: 'amount_usd', required: true, type: 'number', meaning: 'the amount (or quantity × unit_cost_usd when empty)', adds: 'cost per success from real spend; without a sheet the cost model (or `cost_usd` per episode) is used' },
  { name: 'category', required: false, type: 'text', meaning: 'teleop, compute, review, hardware …', adds: 'shown' },
  { name: 'description', required: false, type: 'text', meaning: 'what was bought', adds: 'named in messages about a line' },
  { name: 'quantity', required: false, type: 'number', meaning: 'how many units', adds: 'amount = quantity × unit_cost_usd when amount_usd is empty' },
  { name: 'unit_cost_usd', required: false, type: 'number', meaning: 'cost of one unit', adds: 'see quantity' },
  { name: 'date', required: false, type: 'date', meaning: 'when it was spent', adds: 'shown' },
];

/** Per-episode columns the dataset itself may provide (LeRobot `episodes` and `frames`). */
export const EPISODE_COLUMNS: readonly InputColumn[] = [
  { name: 'episode_index, length, duration_s, task', required: true, type: 'from the dataset', meaning: 'every LeRobot dataset has them', adds: 'every job' },
  { name: 'frames: a state and an action vector', required: false, type: 'FLOAT[] per frame', meaning: '`observation.state`/`action`, or other keys such as `state`/`actions`', adds: 'the quality gate and drift watch (map the keys in their forms)' },
  { name: 'frames: a success signal', required: false, type: 'boolean or 0/1 per frame', meaning: '`next.success`, `next.reward`, `is_episode_successful` …', adds: 'an outcome without a log (pick it in the catalog: outcome)' },
];

/** Which job needs which inputs, and what optional columns add to it (one row of the README's table per job). */
export const JOB_INPUTS: readonly { job: string; needs: string; optional: string }[] = [
  { job: 'Flywheel health', needs: 'outcome, policy_version', optional: 'rotation (per rotation), tags (collection by tag; else deployment/demo), a cost sheet or cost_usd (cost per success), timestamp (cycle time), calibration tags (drift)' },
  { job: 'Failure mining', needs: 'outcome', optional: 'policy_version or rotation (grouping), failure_category (modes), notes (review queue)' },
  { job: 'Flywheel red flags', needs: 'outcome, rotation (or policy_version / timestamp to derive it)', optional: 'a cost sheet (cost rising), timestamp (cycle time), tags `targeted-recovery` (persisting modes, coverage), in_distribution (generalisation)' },
  { job: 'Replay-mix designer', needs: 'outcome; the targeted set is the `targeted-recovery` demos with tags, else the failed and intervened deployments', optional: 'failure_category, condition columns, the quality gate verdicts' },
  { job: 'Cost per success', needs: 'outcome, rotation (or policy_version / timestamp to derive it)', optional: 'a cost sheet, else cost_usd per episode, else the cost model; timestamp (cycle time)' },
  { job: 'Annotator agreement', needs: 'reviews by two annotators, or outcome (the example)', optional: 'failure_category, notes, policy_version' },
  { job: 'Demo quality gate', needs: 'a per-frame state vector', optional: 'policy_version, tags (which episodes are demos), notes (recovery exemption)' },
  { job: 'Review sampling', needs: 'the log; the pool is episodes tagged `auto-collected`, else every episode with an outcome', optional: 'policy_version, operator (strata)' },
  { job: 'Hardware-drift watch', needs: 'tags with `calibration`, timestamp, per-frame commanded and measured vectors', optional: 'policy_version (deployments since)' },
];

function table(cols: readonly InputColumn[]): string {
  const rows = cols.map((c) => `| \`${c.name}\` | ${c.required ? 'required' : 'optional'} | ${c.type}${c.values ? `: ${c.values.map((v) => `\`${v}\``).join(', ')}` : ''} | ${c.meaning} | ${c.adds} |`);
  return ['| column | | values | meaning | adds |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** The contract as Markdown tables (the "Log format" cell and the README). */
export function logFormatMarkdown(): string {
  return [
    '## Log format',
    `**Deployment log** (CSV, \`&log=\`): one row per episode, joined onto \`episodes\` by \`episode_id\`. Outcomes: ${OUTCOMES.map((o) => `\`${o}\``).join(' / ')} (case-insensitive; \`intervened\` counts as failed). Tags are \`${TAG_SEPARATOR}\`-separated.`,
    table(LOG_COLUMNS),
    '**Tags with a meaning**: ' + Object.entries(TAG_VOCABULARY).map(([t, m]) => `\`${t}\`: ${m}`).join('; ') + '.',
    '**Cost sheet** (CSV, `&costs=`, loaded as `costs`):',
    table(COST_COLUMNS),
    '**What each job needs**:',
    ['| job | needs | optional: adds |', '|---|---|---|', ...JOB_INPUTS.map((j) => `| ${j.job} | ${j.needs} | ${j.optional} |`)].join('\n'),
    'Columns with other names are mapped, not renamed: each job\'s form has a *Columns* group, and the catalog\'s *outcome* picker maps an outcome from a per-frame column or a SQL rule. Without a `rotation` column, the group\'s *rotation from* derives it: from `policy_version` (each version one rotation, in order of its first episode; demos join the latest version before them) or from `timestamp` (one rotation per ISO week).',
  ].join('\n\n');
}

/** SQL: true when an outcome text means the episode failed (failure or intervened, or any other non-success value). */
export function failedSql(outcomeExpr: string, successValue = 'success'): string {
  return `(${outcomeExpr} IS NOT NULL AND lower(trim(CAST(${outcomeExpr} AS VARCHAR))) <> lower('${successValue.replaceAll("'", "''")}'))`;
}
