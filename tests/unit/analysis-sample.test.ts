/**
 * A dataset that has nothing but an outcome: the real v2.1 sample (100 episodes) with a log of episode ids
 * and outcomes only. Failure mining and the input checks run on it once the other roles are unmapped; the
 * jobs that need rotations say so in the form check rather than producing empty results.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createNodeEngine, initParquetForNode } from './helpers/node-engine';
import { engineNotebookDb } from './helpers/node-notebook-db';
import { folderSource, SAMPLES } from './helpers/fs-source';
import { createReader } from '../../workers/db/reader';
import { openLeRobot } from '../../workers/db/lerobot';
import { buildEpisodesView } from '../../workers/db/episodes-view';
import type { Engine } from '../../workers/db/engine';
import { NotebookRunner } from '../../src/lib/notebook/runner';
import {
  defaultColumns,
  defaultFailureMiningForm,
  defaultRedFlagsForm,
  failureMiningNotebook,
  failureParetoSql,
  failurePrioritySql,
  inputChecksSql,
  redFlagsNotebook,
  validateRedFlagsForm,
  type ColumnMap,
} from '../../src/lib/analysis';

let engine: Engine;

/** Only the outcome is mapped. */
const outcomeOnly: ColumnMap = {
  ...defaultColumns(),
  failureColumn: null,
  rotationColumn: null,
  policyColumn: null,
  timestampColumn: null,
  tagColumn: null,
  notesColumn: null,
  inDistributionColumn: null,
  conditionColumns: [],
};

beforeAll(async () => {
  await initParquetForNode();
  ({ engine } = await createNodeEngine());
  const summary = await openLeRobot(engine, createReader(await folderSource(path.join(SAMPLES, 'lerobot/v21_unitree-g1_G1-policy-train'))));
  // Every fourth episode failed.
  await engine.exec(`CREATE TABLE deployments AS SELECT range AS episode_id, CASE WHEN range % 4 = 0 THEN 'failure' ELSE 'success' END AS outcome FROM range(100)`);
  await buildEpisodesView(engine, summary.info.fps, 'deployments');
});

describe('a dataset with only an outcome column (the v2.1 sample)', () => {
  it('failure mining puts all 25 failures in one group, unlabelled', async () => {
    const f = { ...defaultFailureMiningForm(), columns: outcomeOnly };
    const pareto = await engine.rows(failureParetoSql(f));
    expect(pareto.map((r) => [r.policy_version, r.failure_mode, Number(r.failures), Number(r.episodes), Number(r.share)])).toEqual([['all', '(unlabelled)', 25, 100, 1]]);
    const priority = await engine.rows(failurePrioritySql(f));
    const unlabelled = priority.find((r) => r.failure_mode === '(unlabelled)')!;
    // 25/100 × the other-modes weights 0.5 × 0.5.
    expect(Number(unlabelled.priority)).toBeCloseTo(0.0625, 15);
    expect(Number(unlabelled.rank)).toBe(1);
  });

  it('the checks find nothing wrong with the outcome and the log', async () => {
    const rows = await engine.rows(inputChecksSql({ columns: outcomeOnly, required: ['outcome'], log: { table: 'deployments', idColumn: 'episode_id' }, costSheet: null }));
    expect(rows.map((r) => r.message)).toEqual(['No problems found in the inputs.']);
  });

  it('the failure-mining notebook runs end to end', async () => {
    const doc = failureMiningNotebook([], { ...defaultFailureMiningForm(), columns: outcomeOnly });
    const nb = new NotebookRunner(doc, engineNotebookDb(engine));
    await nb.runAll();
    for (const c of doc.cells.filter((x) => x.kind !== 'markdown')) expect(nb.runtime[c.id].error, c.name).toBeUndefined();
  });

  it('jobs that need rotations say what to add, in the capability check rather than as a form error', async () => {
    const form = { ...defaultRedFlagsForm(), columns: outcomeOnly, costs: null };
    // The form stays valid (and shareable): the rotation is a capability of the data, not a mistake in the form.
    expect(validateRedFlagsForm(form)).toEqual([]);
    const doc = redFlagsNotebook([], form);
    const nb = new NotebookRunner(doc, engineNotebookDb(engine));
    await nb.runAll();
    const cell = doc.cells.find((c) => c.name === 'red_flags')!;
    expect(nb.runtime[cell.id].status).toBe('disabled');
    expect(nb.runtime[cell.id].capability).toMatch(/no rotation is mapped: add `rotation` to the deployment log, or a `policy_version`.*`timestamp`/);
    for (const c of doc.cells) expect(nb.runtime[c.id].error, c.name).toBeUndefined();
  });
});
