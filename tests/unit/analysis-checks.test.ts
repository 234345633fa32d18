/**
 * Broken inputs get messages that say what to map or fill in: a dataset without an outcome column, a log
 * whose episode ids match no episode (joined with the app's own episodes-view builder), a cost sheet with
 * missing rates. Both the input-check rows and the jobs themselves say so; nothing turns into an empty
 * chart or a silent zero.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from './helpers/node-engine';
import type { Engine } from '../../workers/db/engine';
import { buildEpisodesView } from '../../workers/db/episodes-view';
import { EPISODES_META } from '../../workers/db/lerobot';
import {
  checkProblems,
  costSheetChecksSql,
  defaultColumns,
  defaultCostSheet,
  defaultFailureMiningForm,
  failureParetoSql,
  formatProblems,
  inputChecksSql,
  redFlagsSql,
  defaultRedFlagsForm,
  type ChecksForm,
} from '../../src/lib/analysis';

let engine: Engine;

beforeAll(async () => {
  ({ engine } = await createNodeEngine());
  // A 5-episode dataset's metadata, and a log whose ids are strings the dataset does not use.
  await engine.exec(`CREATE TABLE ${EPISODES_META} AS SELECT range AS episode_index, 10 AS length, ['pick'] AS tasks FROM range(5)`);
  await engine.exec(
    `CREATE TABLE deployments AS SELECT * FROM (VALUES ('ep_000001', 'success', 'v1'), ('ep_000002', 'failure', 'v1'), ('ep_000003', 'success', 'v1')) v(episode_id, outcome, policy_version)`,
  );
  await buildEpisodesView(engine, 10, 'deployments');
  // A dataset with a "status" column instead of an outcome.
  await engine.exec(`CREATE TABLE no_outcome AS SELECT range AS episode_index, 'ok' AS status, 'v1' AS policy_version FROM range(3)`);
});

function checksForm(over: Partial<ChecksForm> = {}): ChecksForm {
  return { columns: defaultColumns(), required: ['outcome'], log: null, costSheet: null, ...over };
}

describe('a dataset with no outcome column', () => {
  it('the check lists the columns there are and says what to map', async () => {
    const columns = { ...defaultColumns(), table: 'no_outcome', failureColumn: null, rotationColumn: null, timestampColumn: null, tagColumn: null, notesColumn: null, inDistributionColumn: null, taskColumn: null };
    const rows = await engine.rows(inputChecksSql(checksForm({ columns })));
    expect(checkProblems(rows)).toEqual([
      {
        check: 'missing_column',
        severity: 'error',
        subject: 'outcome',
        message: 'The table "no_outcome" has no column "outcome" (it has: episode_index, status, policy_version). Map the column that says whether each episode succeeded in the form (outcomeColumn).',
      },
    ]);
    expect(formatProblems(rows)).toBe(
      'Error: The table "no_outcome" has no column "outcome" (it has: episode_index, status, policy_version). Map the column that says whether each episode succeeded in the form (outcomeColumn).',
    );
  });

  it('mapping "status" with its success value makes it run', async () => {
    const f = defaultFailureMiningForm();
    f.columns = { ...f.columns, table: 'no_outcome', outcomeColumn: 'status', successValue: 'ok' };
    const rows = await engine.rows(inputChecksSql(checksForm({ columns: { ...f.columns, failureColumn: null, rotationColumn: null, timestampColumn: null, tagColumn: null, notesColumn: null, inDistributionColumn: null, taskColumn: null } })));
    expect(rows.map((r) => r.severity)).toEqual(['ok']);
  });

  it('a wrong success value is named together with the values there are', async () => {
    const columns = { ...defaultColumns(), table: 'no_outcome', outcomeColumn: 'status', failureColumn: null, rotationColumn: null, timestampColumn: null, tagColumn: null, notesColumn: null, inDistributionColumn: null, taskColumn: null };
    const rows = await engine.rows(inputChecksSql(checksForm({ columns })));
    expect(rows.map((r) => r.message)).toEqual(['No episode has status = "success"; the values are: "ok" (3). Set the success value (successValue) to the one that means success.']);
  });
});

describe('a log whose episode ids match no episode', () => {
  it('the check says how many ids, the dataset range, and shows examples', async () => {
    const rows = await engine.rows(inputChecksSql(checksForm({ log: { table: 'deployments', idColumn: 'episode_id' } })));
    const problems = checkProblems(rows).filter((p) => p.check === 'log_ids');
    expect(problems).toEqual([
      {
        check: 'log_ids',
        severity: 'error',
        subject: 'deployments',
        message:
          'None of the 3 episode ids in "deployments" (column episode_id) matches an episode of the dataset (episode_index 0–4, 5 episodes). Examples from the log: "ep_000001", "ep_000002", "ep_000003". Map the column that holds the LeRobot episode index, or fix the ids.',
      },
    ]);
    // The outcome check explains the empty outcome column too.
    expect(checkProblems(rows).find((p) => p.check === 'outcome_values')?.message).toMatch(/^No episode has a value in "outcome" \(5 episodes\)/);
  });

  it('the jobs stop with a message instead of drawing an empty chart', async () => {
    const f = defaultFailureMiningForm();
    await expect(engine.rows(failureParetoSql(f))).rejects.toThrow(/No episode of "episodes" has a value in "outcome"\. If outcomes come from a deployment log, its episode ids probably match no episode: run the input checks\./);
    // The red flags also need a rotation column, which this log lacks: that is said first.
    await expect(engine.rows(redFlagsSql({ ...defaultRedFlagsForm(), costs: null }))).rejects.toThrow(
      'The table "episodes" has no column "rotation" (it has: episode_index, length, duration_s, task, outcome, policy_version, failure_onset_s, review_note, reviewed_by, gate, failure_category). Map the column with the flywheel rotation (iteration) number in the form (rotationColumn).',
    );
  });

  it('partial matches, repeated ids and unlogged episodes are warnings', async () => {
    await engine.exec(`CREATE TABLE log2 AS SELECT * FROM (VALUES ('1', 'success'), ('1', 'failure'), ('2', 'success'), ('77', 'success')) v(episode_id, outcome)`);
    const rows = await engine.rows(inputChecksSql(checksForm({ columns: { ...defaultColumns(), outcomeColumn: 'outcome' }, log: { table: 'log2', idColumn: 'episode_id' }, required: [] })));
    const log = checkProblems(rows).filter((p) => p.check.startsWith('log'));
    expect(log.map((p) => [p.severity, p.message])).toEqual([
      ['warning', '3 of the dataset\'s 5 episodes have no log row, so their outcome is empty.'],
      ['warning', '1 episode ids appear more than once in the log, so those episodes appear more than once in the joined table: keep one row per episode.'],
      ['warning', '1 of 4 log rows match no episode of the dataset (e.g. "77"); they are left out.'],
    ]);
  });

  it('a log without the id column is named, with its columns', async () => {
    const rows = await engine.rows(inputChecksSql(checksForm({ log: { table: 'deployments', idColumn: 'episode' } })));
    expect(checkProblems(rows).find((p) => p.check === 'log_id_column')?.message).toBe(
      'The log "deployments" has no column "episode" (it has: episode_id, outcome, policy_version). Rename or map the column that holds the LeRobot episode index.',
    );
  });
});

describe('a cost sheet with missing rates', () => {
  beforeAll(async () => {
    await engine.exec(
      `CREATE TABLE sheet_holes AS SELECT * FROM (VALUES (1, 'robot time', 4.5, NULL, NULL), (1, 'operator', 4.5, 42, NULL), (2, 'gpu', NULL, 2.4, NULL), (NULL, 'pads', 1, 85, 85)) v(rotation, description, quantity, unit_cost_usd, amount_usd)`,
    );
  });

  it('lists each line without a usable cost and says what to fill in; a computable amount is fine', async () => {
    const rows = await engine.rows(costSheetChecksSql({ ...defaultCostSheet(), table: 'sheet_holes' }));
    expect(rows.map((r) => r.message)).toEqual([
      'Cost sheet line 1 (rotation 1) "robot time": no amount_usd and nothing to compute it from: fill in amount_usd (or quantity and unit_cost_usd).',
      'Cost sheet line 3 (rotation 2) "gpu": no amount_usd and nothing to compute it from: fill in amount_usd (or quantity and unit_cost_usd).',
      'Cost sheet line 4 "pads": no rotation, so its cost cannot be attributed to a rotation: fill in rotation.',
    ]);
  });

  it('a sheet without an amount column is told whether amounts can be computed', async () => {
    await engine.exec(`CREATE TABLE sheet_rates AS SELECT rotation, quantity, unit_cost_usd FROM sheet_holes WHERE rotation IS NOT NULL AND unit_cost_usd IS NOT NULL AND quantity IS NOT NULL`);
    const ok = await engine.rows(costSheetChecksSql({ ...defaultCostSheet(), table: 'sheet_rates' }));
    expect(ok.map((r) => [r.severity, r.message])).toEqual([
      ['warning', 'The cost sheet "sheet_rates" has no column "amount_usd" (it has: rotation, quantity, unit_cost_usd). Amounts are computed as quantity × unit_cost_usd.'],
    ]);
    await engine.exec(`CREATE TABLE sheet_nothing AS SELECT rotation FROM sheet_rates`);
    const bad = await engine.rows(costSheetChecksSql({ ...defaultCostSheet(), table: 'sheet_nothing' }));
    expect(bad[0].severity).toBe('error');
    expect(bad[0].message).toMatch(/has no column "amount_usd" \(it has: rotation\)\. Map the column with each line's amount\./);
    expect(bad.slice(1).map((r) => r.message)).toEqual(['Cost sheet line 1 (rotation 1): no amount_usd and nothing to compute it from: fill in amount_usd (or quantity and unit_cost_usd).']);
  });
});

it('formatProblems puts errors first and reports a clean input plainly', () => {
  expect(formatProblems([])).toBe('No problems found in the inputs.');
  expect(formatProblems([{ check: 'ok', severity: 'ok', subject: 'inputs', message: 'No problems found in the inputs.' }])).toBe('No problems found in the inputs.');
  expect(
    formatProblems([
      { check: 'a', severity: 'warning', subject: 's', message: 'second' },
      { check: 'b', severity: 'error', subject: 's', message: 'first' },
    ]),
  ).toBe('Error: first\nWarning: second');
});
