/**
 * Replay-mix designer: which episodes a training run draws, how often, per curriculum stage.
 *
 * The model (the TS reference in replay-reference.ts computes exactly the same manifest):
 * - Sets: one baseline set and one or more targeted sets, each defined by a tag, a failure mode (targeted
 *   demos that went after it, see targets.ts), a condition value, a SQL WHERE clause, or everything. An
 *   episode belongs to the first targeted set that selects it, else to the baseline if it selects it: new
 *   data is never replayed as baseline twice over.
 * - Stage size: the replay buffer, `bufferMultiple` × the new batch (`newBatchSize`, default: the number of
 *   targeted episodes) samples per stage.
 * - Per stage, the baseline gets round(baselineShare × size) samples and the targeted sets the rest, split by
 *   set weight (default: set size) with largest remainders, so each set's count is exact to ±1 sample.
 * - Within a set, samples go round-robin in a seeded hash order (uniform, reproducible downsampling); each
 *   stage continues where the previous one stopped, so a baseline bigger than its per-stage budget is worked
 *   through across stages rather than cut.
 * - Never dropped: every episode of every set is listed in every stage with weight = its set's share ÷ set
 *   size (> 0), the sampling weight a weighted sampler uses; `samples` is the whole-sample allocation for one
 *   pass over the buffer. A baseline episode with 0 samples in every stage is still reachable by weight, and
 *   `replay_warnings` says how many there are and what buffer would give each one a sample.
 */
import { defaultColumns, episodesInput, validateColumns, type ColumnMap } from './columns.ts';
import { MAX_SEED, mixHashSql } from './hash.ts';
import { int, num, quoteIdent, quoteString, valuesCte } from './sql.ts';
import { defaultTargeting, targetedAtSql, validateTargeting, type TargetingOptions } from './targets.ts';
import { FormErrors } from './validate.ts';

/** How a set of episodes is chosen. */
export type SetDefinition =
  | { name: string; kind: 'tag'; tag: string }
  | { name: string; kind: 'failure_mode'; mode: string }
  | { name: string; kind: 'condition'; column: string; value: string }
  | { name: string; kind: 'where'; where: string }
  | { name: string; kind: 'all' };

/** A targeted set, with an optional relative weight among the targeted sets (default: its episode count). */
export type TargetedSet = SetDefinition & { weight?: number };

/** The mixing schedule: one fixed ratio, or curriculum stages. */
export type MixPolicy = { kind: 'fixed'; baselineShare: number } | { kind: 'curriculum'; stages: { baselineShare: number }[] };

/** The issue's policies: 65/35 (default), 50/50 replay, and the 90/10 → 70/30 → 50/50 curriculum. */
export const MIX_POLICIES: Readonly<Record<'fixed_65_35' | 'replay_50_50' | 'curriculum_90_70_50', MixPolicy>> = {
  fixed_65_35: { kind: 'fixed', baselineShare: 0.65 },
  replay_50_50: { kind: 'fixed', baselineShare: 0.5 },
  curriculum_90_70_50: { kind: 'curriculum', stages: [{ baselineShare: 0.9 }, { baselineShare: 0.7 }, { baselineShare: 0.5 }] },
};

/** When the preview warns about distribution shift. */
export interface MixWarningLimits {
  /** Warn when targeted samples exceed this share of the whole run. */
  maxTargetedShare: number;
  /** Warn when a condition value's share in a stage differs from its share in the baseline by more than this many points. */
  maxDriftPoints: number;
}

/** The replay-mix form. */
export interface ReplayMixForm {
  columns: ColumnMap;
  targeting: TargetingOptions;
  baseline: SetDefinition;
  targeted: TargetedSet[];
  policy: MixPolicy;
  bufferMultiple: number;
  /** Samples of new data per stage that the buffer is a multiple of; null: the number of targeted episodes. */
  newBatchSize: number | null;
  seed: number;
  limits: MixWarningLimits;
  /** Leave out demonstrations the quality gate rejected (`gate = 'reject'`, a column of the episodes view). */
  excludeRejected?: boolean;
}

/**
 * Default form for the demo: baseline = teleop demos and successful deployments (what a lab replays),
 * targeted = the `targeted-recovery` demos, 65/35, buffer 10× the new batch.
 */
export function defaultReplayMixForm(): ReplayMixForm {
  const columns = defaultColumns();
  return {
    columns,
    targeting: defaultTargeting(),
    baseline: { name: 'baseline', kind: 'where', where: `${quoteIdent(columns.policyColumn ?? 'policy_version')} IS NULL OR ${quoteIdent(columns.outcomeColumn)} = ${quoteString(columns.successValue)}` },
    targeted: [{ name: 'targeted', kind: 'tag', tag: columns.targetedTag }],
    policy: MIX_POLICIES.fixed_65_35,
    bufferMultiple: 10,
    newBatchSize: null,
    seed: 1,
    limits: { maxTargetedShare: 0.5, maxDriftPoints: 10 },
    // Off by default: only the canonical episodes view has the gate column; the replay-mix template turns it on.
    excludeRejected: false,
  };
}

/** The baseline share of each stage, in order. */
export function stageShares(p: MixPolicy): number[] {
  return p.kind === 'fixed' ? [p.baselineShare] : p.stages.map((s) => s.baselineShare);
}

function validateSet(label: string, s: SetDefinition, c: ColumnMap, errs: FormErrors): void {
  errs.text(`${label} name`, s?.name, 64);
  switch (s?.kind) {
    case 'tag':
      errs.text(`${label} tag`, s.tag);
      errs.check(c.tagColumn === null, `${label} selects by tag, so map a tag column (tagColumn).`);
      break;
    case 'failure_mode':
      errs.text(`${label} failure mode`, s.mode);
      break;
    case 'condition':
      errs.text(`${label} condition column`, s.column);
      errs.check(typeof s.value !== 'string', `${label} condition value must be text.`);
      break;
    case 'where':
      errs.text(`${label} WHERE clause`, s.where, 2000);
      // A semicolon would end the statement the clause is pasted into.
      errs.check(typeof s.where === 'string' && s.where.includes(';'), `${label} WHERE clause must not contain ";".`);
      break;
    case 'all':
      break;
    default:
      errs.check(true, `${label} kind must be tag, failure_mode, condition, where or all.`);
  }
}

/** Problems with the form, as sentences (empty when it is valid). */
export function validateReplayMixForm(f: ReplayMixForm): string[] {
  const errs = new FormErrors();
  validateColumns(f.columns, errs, []);
  validateTargeting(f.targeting, errs);
  validateSet('The baseline set', f.baseline, f.columns, errs);
  errs.check(!Array.isArray(f.targeted) || f.targeted.length === 0 || f.targeted.length > 50, 'Give between 1 and 50 targeted sets.');
  (Array.isArray(f.targeted) ? f.targeted : []).forEach((s, i) => {
    validateSet(`Targeted set ${i + 1}`, s, f.columns, errs);
    if (s?.weight !== undefined) errs.number(`Targeted set ${i + 1} weight`, s.weight, 0, 1e9, { min: true });
  });
  const names = [f.baseline?.name, ...(Array.isArray(f.targeted) ? f.targeted.map((s) => s?.name) : [])];
  errs.check(new Set(names).size !== names.length, `Set names must differ (got ${names.map((n) => JSON.stringify(n)).join(', ')}).`);
  const p = f.policy;
  if (p?.kind === 'fixed') errs.number('The baseline share', p.baselineShare, 0, 1, { min: true, max: true });
  else if (p?.kind === 'curriculum') {
    errs.check(!Array.isArray(p.stages) || p.stages.length === 0 || p.stages.length > 20, 'A curriculum needs 1 to 20 stages.');
    (Array.isArray(p.stages) ? p.stages : []).forEach((s, i) => errs.number(`Stage ${i + 1} baseline share`, s?.baselineShare, 0, 1, { min: true, max: true }));
  } else errs.check(true, 'The policy kind must be "fixed" or "curriculum".');
  errs.number('bufferMultiple', f.bufferMultiple, 0, 1000, { min: true });
  if (f.newBatchSize !== null) errs.integer('newBatchSize', f.newBatchSize, 1, 1e9);
  errs.integer('seed', f.seed, 0, MAX_SEED);
  errs.number('maxTargetedShare', f.limits?.maxTargetedShare, 0, 1);
  errs.number('maxDriftPoints', f.limits?.maxDriftPoints, 0, 100);
  if (f.excludeRejected !== undefined) errs.boolean('excludeRejected', f.excludeRejected);
  return errs.errors;
}

/** Throws with every problem listed when the form is invalid. */
export function assertValidReplayMix(f: ReplayMixForm): void {
  const problems = validateReplayMixForm(f);
  if (problems.length) throw new Error(`Invalid replay-mix form: ${problems.join(' ')}`);
}

/** The SQL predicate of a set over the raw episodes table (aliased `src`). */
export function setPredicate(s: SetDefinition, c: ColumnMap): string {
  switch (s.kind) {
    case 'tag':
      return `list_contains(string_split(coalesce(CAST(src.${quoteIdent(c.tagColumn ?? '')} AS VARCHAR), ''), ${quoteString(c.tagSeparator)}), ${quoteString(s.tag)})`;
    case 'failure_mode':
      return `src.episode_index IN (SELECT episode_index FROM targeted_at WHERE mode = ${quoteString(s.mode)})`;
    case 'condition':
      return `CAST(src.${quoteIdent(s.column)} AS VARCHAR) = ${quoteString(s.value)}`;
    case 'where':
      return `(${s.where})`;
    case 'all':
      return 'true';
  }
}

/** The failure modes the form's sets name. */
export function failureModesOf(f: ReplayMixForm): string[] {
  return [f.baseline, ...f.targeted].flatMap((s) => (s.kind === 'failure_mode' ? [s.mode] : []));
}

/** WITH-clause entries up to `member(episode_index, set)`: each episode's set (NULL: not in the mix). */
function membershipSql(f: ReplayMixForm): string {
  const whens = f.targeted.map((s) => `WHEN ${setPredicate(s, f.columns)} THEN ${quoteString(s.name)}`);
  whens.push(`WHEN ${setPredicate(f.baseline, f.columns)} THEN ${quoteString(f.baseline.name)}`);
  // Rejected by the quality gate: in no set at all.
  if (f.excludeRejected) whens.unshift(`WHEN src."gate" = 'reject' THEN NULL`);
  return `${episodesInput(f.columns, [])},
${targetedAtSql(f.targeting, failureModesOf(f))},
-- Each episode's set: the first targeted set that selects it, else the baseline (NULL: not in the mix)
member AS (
  SELECT src.episode_index,
         CASE ${whens.join('\n              ')} END AS "set"
  FROM ${quoteIdent(f.columns.table)} src
)`;
}

/**
 * SQL of `replay_manifest(stage, episode_index, set, weight, samples)`: every episode of every set in every
 * stage, its sampling weight (weights of a stage sum to 1) and its whole samples in one pass over the buffer.
 */
export function replayManifestSql(f: ReplayMixForm): string {
  assertValidReplayMix(f);
  const sets = valuesCte(
    'sets',
    [
      { name: 'set_name', type: 'VARCHAR' },
      { name: 'role', type: 'VARCHAR' },
      { name: 'set_order', type: 'BIGINT' },
      { name: 'set_weight', type: 'DOUBLE' },
    ],
    [[f.baseline.name, 'baseline', 0, null], ...f.targeted.map((s, i) => [s.name, 'targeted', i + 1, s.weight ?? null] as const)],
  );
  const stages = valuesCte('stages', [{ name: 'stage', type: 'BIGINT' }, { name: 'baseline_share', type: 'DOUBLE' }], stageShares(f.policy).map((b, i) => [i + 1, b]));
  const newBatch = f.newBatchSize === null ? `(SELECT count(*) FROM member WHERE "set" IN (SELECT set_name FROM sets WHERE role = 'targeted'))` : int(f.newBatchSize);
  return `-- Replay mix: ${describePolicy(f.policy)}, buffer ${f.bufferMultiple}× the new batch, seed ${f.seed}
WITH ${membershipSql(f)},
${sets},
${stages},
sized AS (SELECT s.*, (SELECT count(*) FROM member m WHERE m."set" = s.set_name) AS n FROM sets s),
params AS (SELECT new_batch, CAST(round(${num(f.bufferMultiple)} * new_batch) AS BIGINT) AS stage_size FROM (SELECT ${newBatch} AS new_batch)),
_mix_guard AS (SELECT CASE
    WHEN (SELECT n FROM sized WHERE role = 'baseline') = 0 THEN error(${quoteString(`The baseline set "${f.baseline.name}" selects no episode (or only episodes a targeted set took first). Change its definition.`)})
    WHEN (SELECT sum(n) FROM sized WHERE role = 'targeted') = 0 THEN error('The targeted sets select no episode. Change their definitions.')
    WHEN (SELECT stage_size FROM params) = 0 THEN error('The buffer holds no samples: raise bufferMultiple or newBatchSize.')
    ELSE true END AS ok),
targeted_weight AS (SELECT sum(coalesce(set_weight, n)) AS total FROM sized WHERE role = 'targeted' AND n > 0),
-- Samples per set and stage: baseline = round(share × size); targeted sets split the rest by largest remainder
split AS (
  SELECT st.stage, s.set_name, s.role, s.set_order, s.n, p.stage_size,
         CASE WHEN s.role = 'baseline' THEN st.baseline_share ELSE (1 - st.baseline_share) * coalesce(s.set_weight, s.n) / w.total END AS share,
         CAST(round(st.baseline_share * p.stage_size) AS BIGINT) AS baseline_samples,
         (p.stage_size - baseline_samples) * coalesce(s.set_weight, s.n) / w.total AS exact
  FROM stages st, sized s, params p, targeted_weight w
  WHERE s.n > 0
),
alloc AS (
  SELECT *, CAST(CASE WHEN role = 'baseline' THEN baseline_samples
                      ELSE floor(exact) + CASE WHEN row_number() OVER (PARTITION BY stage, role ORDER BY exact - floor(exact) DESC, set_order)
                                                    <= stage_size - baseline_samples - sum(floor(exact)) OVER (PARTITION BY stage, role) THEN 1 ELSE 0 END END AS BIGINT) AS set_samples
  FROM split
),
-- Each stage starts where the previous stage's samples of the set stopped (round-robin over the hash order)
offsets AS (
  SELECT *, coalesce(sum(set_samples) OVER (PARTITION BY set_name ORDER BY stage ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) % n AS start_pos
  FROM alloc
),
hashed AS (SELECT episode_index, "set", ${mixHashSql('episode_index', f.seed, 'h')} FROM member WHERE "set" IS NOT NULL),
ranked AS (SELECT episode_index, "set" AS set_name, row_number() OVER (PARTITION BY "set" ORDER BY h, episode_index) - 1 AS pos FROM hashed)
SELECT o.stage, r.episode_index, r.set_name AS "set", o.share / o.n AS weight,
       o.set_samples // o.n + CASE WHEN (r.pos - o.start_pos + o.n) % o.n < o.set_samples % o.n THEN 1 ELSE 0 END AS samples
FROM offsets o JOIN ranked r USING (set_name)
WHERE (SELECT ok FROM _mix_guard)
ORDER BY o.stage, r.episode_index`;
}

/** "65/35" or "curriculum 90/10 → 70/30 → 50/50". */
export function describePolicy(p: MixPolicy): string {
  const ratio = (b: number): string => `${+(100 * b).toFixed(1)}/${+(100 - 100 * b).toFixed(1)}`;
  return p.kind === 'fixed' ? `fixed ${ratio(p.baselineShare)} baseline/targeted` : `curriculum ${stageShares(p).map(ratio).join(' → ')}`;
}
