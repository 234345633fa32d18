/**
 * Reviews on the real engine: annotations written as the app writes them (Arrow IPC into `annotations`) correct
 * the `episodes` view every job reads, sidecar rows map back to annotations (and bad files say why), and the
 * agreement notebook computes kappa over two annotators' reviews exactly as the TS reference does.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { createNodeEngine, initParquetForNode } from './helpers/node-engine';
import { engineNotebookDb } from './helpers/node-notebook-db';
import { folderSource } from './helpers/fs-source';
import { createReader } from '../../workers/db/reader';
import { openLeRobot } from '../../workers/db/lerobot';
import { buildEpisodesView } from '../../workers/db/episodes-view';
import { loadCsv } from '../../workers/db/csv-load';
import type { Engine } from '../../workers/db/engine';
import { NotebookRunner } from '../../src/lib/notebook/runner';
import { agreementNotebook, cohensKappa } from '../../src/lib/analysis';
import { annotationsToIpc, labelOf, sidecarRows } from '../../src/lib/review/sidecar';
import type { Annotation } from '../../src/lib/store/annotations';

const DEMO = path.resolve(import.meta.dirname, '../../static/demo');
let engine: Engine;

async function writeAnnotations(rows: Annotation[]): Promise<void> {
  await engine.drop('annotations');
  await engine.insertIpc('annotations', annotationsToIpc(rows), true);
}

const ann = (episodeIndex: number, annotator: string, outcome: string | undefined, failureCategory?: string, updatedAt = 1000, extra: Partial<Annotation> = {}): Annotation => ({
  datasetKey: 'demo',
  episodeIndex,
  annotator,
  outcome,
  failureCategory,
  updatedAt,
  ...extra,
});

beforeAll(async () => {
  await initParquetForNode();
  ({ engine } = await createNodeEngine());
  const summary = await openLeRobot(engine, createReader(await folderSource(DEMO)));
  await loadCsv(engine, 'deployments', readFileSync(path.join(DEMO, 'deployment_log.csv')));
  await buildEpisodesView(engine, summary.info.fps, 'deployments');
});

describe('reviews correct the episodes view', () => {
  it('starts with an empty annotations table and the log as it is', async () => {
    expect(await engine.rows('SELECT count(*)::INT AS n FROM annotations')).toEqual([{ n: 0 }]);
    const [e] = await engine.rows('SELECT outcome, failure_category, reviewed_by FROM episodes WHERE episode_index = 1033');
    expect(e).toEqual({ outcome: 'failure', failure_category: 'timeout', reviewed_by: null });
  });

  it('applies the most recent annotation of each episode: outcome, category, onset, note', async () => {
    const logged = await engine.rows('SELECT episode_index, outcome, failure_category FROM episodes WHERE episode_index IN (1033, 1034, 1035) ORDER BY 1');
    await writeAnnotations([
      ann(1033, 'me', 'failure', 'grasp_failure', 2000, { onsetS: 8.4, note: 'closed early' }),
      ann(1033, 'bo', 'failure', 'timeout', 1500),
      ann(1034, 'me', 'success', undefined, 1000),
      ann(1035, 'me', undefined, 'collision', 1000),
    ]);
    const rows = await engine.rows('SELECT episode_index, outcome, failure_category, failure_onset_s, review_note, reviewed_by FROM episodes WHERE episode_index IN (1033, 1034, 1035) ORDER BY 1');
    expect(rows[0]).toEqual({ episode_index: 1033, outcome: 'failure', failure_category: 'grasp_failure', failure_onset_s: 8.4, review_note: 'closed early', reviewed_by: 'me' });
    // A reviewed success drops the log's failure category.
    expect(rows[1]).toMatchObject({ episode_index: 1034, outcome: 'success', failure_category: null, reviewed_by: 'me' });
    // Only a category: the outcome stays the log's.
    expect(rows[2]).toMatchObject({ episode_index: 1035, outcome: logged[2].outcome, failure_category: logged[2].outcome === 'success' ? null : 'collision' });
    // Everything else is untouched.
    const [{ n }] = await engine.rows(`SELECT count(*)::INT AS n FROM episodes e JOIN deployments d ON d.episode_id = e.episode_index WHERE e.episode_index NOT IN (1033, 1034, 1035) AND e.outcome IS DISTINCT FROM d.outcome`);
    expect(n).toBe(0);
  });

  it('kappa over two annotators in the agreement notebook equals the TS reference', async () => {
    const me: Annotation[] = [];
    const bo: Annotation[] = [];
    const eps = (await engine.rows(`SELECT e.episode_index, e.outcome, e.failure_category FROM deployments d JOIN episodes e ON d.episode_id = e.episode_index WHERE d.policy_version = 'v3' ORDER BY 1`)) as { episode_index: number; outcome: string; failure_category: string | null }[];
    eps.forEach((e, i) => {
      me.push(ann(e.episode_index, 'me', e.outcome, e.failure_category ?? undefined));
      // bo disagrees on every 7th episode: flips the outcome.
      const flip = i % 7 === 0;
      bo.push(ann(e.episode_index, 'bo', flip ? (e.outcome === 'success' ? 'failure' : 'success') : e.outcome, flip ? 'grasp_failure' : (e.failure_category ?? undefined)));
    });
    await writeAnnotations([...me, ...bo]);
    const doc = agreementNotebook();
    const runner = new NotebookRunner(doc, engineNotebookDb(engine));
    await runner.runAll();
    for (const c of doc.cells) expect(runner.runtime[c.id].status, `${c.name}: ${runner.runtime[c.id].error}`).not.toBe('error');
    const [k] = await engine.rows('SELECT annotator_a, annotator_b, n, kappa FROM agreement_outcome');
    const collapse = (a: Annotation) => (a.outcome === 'success' ? 'success' : 'failure');
    const ref = cohensKappa(bo.map(collapse), me.map(collapse));
    expect(k).toMatchObject({ annotator_a: 'bo', annotator_b: 'me', n: eps.length });
    expect(k.kappa).toBeCloseTo(ref.kappa!, 12);
    const [kl] = await engine.rows('SELECT kappa FROM agreement');
    expect(kl.kappa).toBeCloseTo(cohensKappa(bo.map(labelOf), me.map(labelOf)).kappa!, 12);
  });
});

describe('sidecar rows', () => {
  it('map back to annotations of the open dataset, with the file name as the default annotator', () => {
    const r = sidecarRows(
      [{ episode_index: 3n, annotator: null, outcome: 'failure', failure_category: 7, onset_s: 1.5, note: '', updated_at_ms: 99n, label: 'x' }],
      ['episode_index', 'annotator', 'outcome', 'failure_category', 'onset_s', 'note', 'updated_at_ms', 'label'],
      'key',
      'labels_bo',
    );
    expect(r).toEqual({ ok: true, rows: [{ datasetKey: 'key', episodeIndex: 3, annotator: 'labels_bo', outcome: 'failure', failureCategory: '7', onsetS: 1.5, updatedAt: 99 }] });
  });

  it('refuse a file without episode_index, or with columns a sidecar does not have', () => {
    expect(sidecarRows([], ['episode', 'outcome'], 'k', 'a')).toEqual({ ok: false, error: expect.stringMatching(/no episode_index column \(it has: episode, outcome\)/) });
    expect(sidecarRows([], ['episode_index', 'price'], 'k', 'a')).toEqual({ ok: false, error: expect.stringMatching(/columns a sidecar does not: price/) });
  });
});
