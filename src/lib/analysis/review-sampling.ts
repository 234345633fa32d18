/**
 * Review sampling for auto-collected episodes: a reproducible stratified sample (by default 20% of the episodes
 * tagged auto-collected, stratified by policy version and predicted outcome) to review by hand, and the
 * auto-labeller's precision and recall estimated from the reviewed part of it, with Wilson 95% intervals.
 *
 * - Draw: within each stratum, episodes in a seeded hash order (hash.ts, the same in TS and SQL); the first
 *   round(fraction × stratum size) of them, at least one per stratum. The order is also the review order.
 * - Predicted label: the auto-labeller's outcome as logged (the log table, not `episodes`, whose outcome
 *   reviewers correct); true label: the most recent review of the episode (`annotations`).
 * - Estimates per class (failure, success): precision = right predictions of the class ÷ predictions of it,
 *   recall = right predictions of the class ÷ reviewed episodes that truly are it. Allocation is proportional,
 *   so the sample is self-weighting and unweighted counts estimate the pool's rates.
 */
import { mixHashSql } from './hash.ts';
import { num, quoteIdent, quoteString, wilson, wilsonSql } from './sql.ts';
import { FormErrors } from './validate.ts';

/** The review-sampling form. */
export interface ReviewSamplingForm {
  /** Episodes with tags and strata columns. */
  episodesTable: string;
  /** Which episodes are auto-collected (SQL condition over the episodes table). */
  pool: string;
  /** Columns to stratify by (besides the predicted outcome). */
  strata: string[];
  /** Share of the pool to review (0..1]. */
  fraction: number;
  seed: number;
  /** The auto-labeller's output: a table keyed by `idColumn` with `predictedColumn`. */
  predictedTable: string;
  idColumn: string;
  predictedColumn: string;
  /** The outcome value that means success (case-insensitive). */
  successValue: string;
  /** The reviews (one row per episode and annotator, newest `updated_at_ms` wins). */
  reviewsTable: string;
}

/** Defaults for the demo: 20% of `auto-collected` deployments, by policy version and logged outcome. */
export function defaultReviewSamplingForm(): ReviewSamplingForm {
  return {
    episodesTable: 'episodes',
    pool: `coalesce("tags", '') LIKE '%auto-collected%'`,
    strata: ['policy_version'],
    fraction: 0.2,
    seed: 7,
    predictedTable: 'deployments',
    idColumn: 'episode_id',
    predictedColumn: 'outcome',
    successValue: 'success',
    reviewsTable: 'annotations',
  };
}

/** Problems with the form, as sentences. */
export function validateReviewSamplingForm(f: ReviewSamplingForm): string[] {
  const e = new FormErrors();
  for (const k of ['episodesTable', 'predictedTable', 'idColumn', 'predictedColumn', 'successValue', 'reviewsTable'] as const) e.text(k, f[k]);
  e.text('pool condition', f.pool, 2000);
  e.check(typeof f.pool === 'string' && f.pool.includes(';'), 'The pool condition must not contain ";".');
  e.check(!Array.isArray(f.strata) || f.strata.some((s) => typeof s !== 'string' || s.trim() === ''), 'strata must be a list of column names.');
  e.number('fraction', f.fraction, 0, 1, { min: true });
  e.integer('seed', f.seed, 0, 2 ** 31 - 1);
  return e.errors;
}

function assertValid(f: ReviewSamplingForm): void {
  const p = validateReviewSamplingForm(f);
  if (p.length) throw new Error(`Invalid review-sampling form: ${p.join(' ')}`);
}

/** The predicted outcome, normalised to 'success' / 'failure' (NULL when not logged). */
function predictedSql(f: ReviewSamplingForm, alias: string): string {
  const v = `${alias}.${quoteIdent(f.predictedColumn)}`;
  return `CASE WHEN ${v} IS NULL THEN NULL WHEN lower(CAST(${v} AS VARCHAR)) = lower(${quoteString(f.successValue)}) THEN 'success' ELSE 'failure' END`;
}

/** SQL of `review_sample(episode_index, <strata>, predicted, stratum_size, draw, review_order)`. */
export function reviewSampleSql(f: ReviewSamplingForm): string {
  assertValid(f);
  const strata = f.strata.map((s) => `e.${quoteIdent(s)}`);
  const strataOut = f.strata.map((s) => quoteIdent(s));
  const by = [...strataOut, 'predicted'].join(', ');
  return `-- A seeded stratified sample of the auto-collected episodes: review them in this order
WITH pool AS (
  SELECT e.episode_index${strata.length ? ', ' + strata.join(', ') : ''}, ${predictedSql(f, 'p')} AS predicted
  -- The pool condition sees the episodes table alone (the log may have columns of the same names)
  FROM (SELECT * FROM ${quoteIdent(f.episodesTable)} WHERE (${f.pool})) e
  LEFT JOIN ${quoteIdent(f.predictedTable)} p ON TRY_CAST(p.${quoteIdent(f.idColumn)} AS BIGINT) = e.episode_index
),
hashed AS (SELECT *, ${mixHashSql('episode_index', f.seed, 'h')} FROM pool),
ranked AS (
  SELECT * EXCLUDE (_h0, _h1, _h2, h), row_number() OVER (PARTITION BY ${by} ORDER BY h, episode_index) AS draw,
         count(*) OVER (PARTITION BY ${by}) AS stratum_size
  FROM hashed
)
SELECT *, row_number() OVER (ORDER BY draw, ${by}, episode_index) AS review_order
FROM ranked
WHERE draw <= greatest(1, round(${num(f.fraction)} * stratum_size))
ORDER BY review_order`;
}

/**
 * SQL of `review_estimate(class, reviewed, predicted, actual, correct, precision, precision_low, precision_high,
 * recall, recall_low, recall_high)`: per class, from the sample's reviewed episodes.
 */
export function reviewEstimateSql(f: ReviewSamplingForm, sample = 'review_sample'): string {
  assertValid(f);
  const interval = (k: string, n: string, sign: '-' | '+') => (sign === '-' ? wilsonSql(k, n).low : wilsonSql(k, n).high);
  return `-- The auto-labeller's precision and recall per class, from the reviewed part of the sample (Wilson 95% intervals)
WITH reviews AS (
  SELECT episode_index, arg_max(outcome, updated_at_ms) AS outcome FROM ${quoteIdent(f.reviewsTable)} WHERE outcome IS NOT NULL GROUP BY ALL
),
reviewed AS (
  SELECT s.episode_index, s.predicted, CASE WHEN lower(r.outcome) = lower(${quoteString(f.successValue)}) THEN 'success' ELSE 'failure' END AS actual
  FROM ${quoteIdent(sample)} s JOIN reviews r USING (episode_index)
  WHERE s.predicted IS NOT NULL
),
counts AS (
  SELECT c.class, count(*) AS reviewed,
         count(*) FILTER (WHERE predicted = c.class) AS predicted,
         count(*) FILTER (WHERE actual = c.class) AS actual,
         count(*) FILTER (WHERE predicted = c.class AND actual = c.class) AS correct
  FROM (VALUES ('failure'), ('success')) c(class) LEFT JOIN reviewed ON true
  GROUP BY ALL
)
SELECT class, (SELECT count(*) FROM ${quoteIdent(sample)}) AS sampled, reviewed, predicted, actual, correct,
       correct / nullif(predicted, 0) AS precision, ${interval('correct', 'predicted', '-')} AS precision_low, ${interval('correct', 'predicted', '+')} AS precision_high,
       correct / nullif(actual, 0) AS recall, ${interval('correct', 'actual', '-')} AS recall_low, ${interval('correct', 'actual', '+')} AS recall_high
FROM counts
ORDER BY class`;
}

/** Wilson 95% score interval of k successes in n trials (defined beside its SQL twin, in sql.ts). */
export { wilson };

