import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { createNodeEngine, initParquetForNode } from '../../tests/unit/helpers/node-engine';
import { folderSource } from '../../tests/unit/helpers/fs-source';
import { Workspace } from './workspace';
import { ipcToRows } from '../../src/lib/db/arrow';

const FIXTURES = path.resolve(import.meta.dirname, '../../tests/fixtures/datasets');

async function open(dir: string): Promise<Workspace> {
  await initParquetForNode();
  const { engine } = await createNodeEngine();
  const ws = new Workspace(engine);
  await ws.openDataset(await folderSource(dir));
  return ws;
}

async function rows(ws: Workspace, sql: string): Promise<Record<string, unknown>[]> {
  return ipcToRows((await ws.query(sql, 1)).ipc);
}

describe('outcome labels from wherever they live', () => {
  it('from a per-frame column (DROID is_episode_successful), reading only that column', async () => {
    const ws = await open(path.join(FIXTURES, 'droid_mini'));
    expect(ws.outcomeColumns()).toContain('is_episode_successful');
    await ws.linkEpisodes(undefined, { kind: 'frame-column', column: 'is_episode_successful', rule: 'any' });
    const counts = await rows(ws, `SELECT outcome, count(*)::INT AS n FROM episodes GROUP BY 1 ORDER BY 1`);
    // The fixture's README: 8 of 24 episodes are unsuccessful.
    expect(counts).toEqual([
      { outcome: 'failure', n: 8 },
      { outcome: 'success', n: 16 },
    ]);
  });

  it('from next.success on the last frame (v2.0 sim datasets)', async () => {
    const ws = await open(path.join(FIXTURES, 'v20_mini'));
    await ws.linkEpisodes(undefined, { kind: 'frame-column', column: 'next.success', rule: 'last' });
    const ok = await rows(ws, `SELECT episode_index FROM episodes WHERE outcome = 'success' ORDER BY 1`);
    expect(ok.map((r) => r.episode_index)).toEqual([0, 2, 3, 5]);
  });

  it('from a SQL rule, and a bad rule says which columns exist', async () => {
    const ws = await open(path.join(FIXTURES, 'v20_mini'));
    await ws.linkEpisodes(undefined, { kind: 'sql', expression: 'length > 0 AND episode_index % 2 = 0' });
    const ok = await rows(ws, `SELECT count(*)::INT AS n FROM episodes WHERE outcome = 'success'`);
    expect(ok).toEqual([{ n: 3 }]);
    await expect(ws.linkEpisodes(undefined, { kind: 'sql', expression: 'no_such_column = 1' })).rejects.toThrow(/not a valid condition over episodes \(episode_index, length/);
  });

  it('from the deployment log, by default', async () => {
    const demo = path.resolve(import.meta.dirname, '../../static/demo');
    const ws = await open(demo);
    await ws.loadCsv('deployments', readFileSync(path.join(demo, 'deployment_log.csv')));
    await ws.linkEpisodes('deployments');
    // Every episode has the log's outcome, except the calibration runs, which are not task attempts.
    const [r] = await rows(ws, `SELECT count(*) FILTER (WHERE outcome IS NULL AND tags <> 'calibration')::INT AS missing, count(*) FILTER (WHERE outcome IS NULL)::INT AS none FROM episodes`);
    expect(r.missing).toBe(0);
    expect(r.none).toBe(14);
  });
});
