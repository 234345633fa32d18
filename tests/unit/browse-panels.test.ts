/**
 * The episode browser's SQL on the real engine over the demo (log joined): stats of a named joint equal an
 * independent aggregate, facets and WHERE combine, a saved selection is a table of episodes rows; and the viewer's
 * pure panel logic (joint groups, vector-order styles, shared zoom window).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { createNodeEngine, initParquetForNode } from './helpers/node-engine';
import { folderSource } from './helpers/fs-source';
import { Workspace } from '../../workers/db/workspace';
import { ipcToResult } from '../../src/lib/db/arrow';
import { BROWSE_TABLE, browseSql, defaultBrowse, facetCandidates, selectionSql, validSelectionName } from '../../src/lib/browse';
import { defaultPanels, jointGroups, panelChoices, panelSeries, seriesStyle, zoomWindow, frameColumns, type TraceColumn } from '../../src/lib/viewer';

const DEMO = path.resolve(import.meta.dirname, '../../static/demo');
let ws: Workspace;
let id = 1;
const rows = async (sql: string) => ipcToResult((await ws.query(sql, id++)).ipc).rows;

describe('episode browser SQL on the demo', () => {
  beforeAll(async () => {
    await initParquetForNode();
    const { engine } = await createNodeEngine();
    ws = new Workspace(engine);
    await ws.openDataset(await folderSource(DEMO));
    await ws.loadCsv('deployments', readFileSync(path.join(DEMO, 'deployment_log.csv')));
    await ws.linkEpisodes('deployments');
  });

  it('lists every episode by default, reading no frame data', async () => {
    const r = await ws.runCell(BROWSE_TABLE, browseSql(defaultBrowse()), id++);
    expect(r.rowCount).toBe(1100);
    expect(r.fetched).toBeUndefined();
  });

  it('per-episode stats of a named joint equal an aggregate of the vector element', async () => {
    const spec = { ...defaultBrowse(), stat: 'observation.state.panda_joint4', sort: { column: 'stat_max', desc: true } };
    const r = await ws.runCell(BROWSE_TABLE, browseSql(spec), id++);
    expect(r.rowCount).toBe(1100);
    expect(r.fetched).toBeDefined();
    const bad = await rows(`SELECT count(*)::INT AS n FROM ${BROWSE_TABLE} b JOIN (SELECT episode_index, max("observation.state"[4])::DOUBLE AS m FROM frames GROUP BY 1) f USING (episode_index) WHERE abs(b.stat_max - f.m) > 1e-9`);
    expect(bad).toEqual([{ n: 0 }]);
    const top = await rows(`SELECT stat_max FROM ${BROWSE_TABLE}`);
    const maxes = top.map((t) => Number(t.stat_max));
    expect(maxes).toEqual([...maxes].sort((a, b) => b - a));
  });

  it('facets (OR within, AND across) and a WHERE combine like the equivalent SQL', async () => {
    const spec = { ...defaultBrowse(), facets: { outcome: ['failure'], policy_version: ['v5', 'v6'] }, where: 'length > 100' };
    const r = await ws.runCell(BROWSE_TABLE, browseSql(spec), id++);
    const [{ n }] = await rows(`SELECT count(*)::INT AS n FROM episodes WHERE outcome = 'failure' AND policy_version IN ('v5', 'v6') AND length > 100`);
    expect(r.rowCount).toBe(n);
    expect(n).toBeGreaterThan(0);
    const cols = (await rows(`DESCRIBE episodes`)).map((c) => ({ name: String(c.column_name), type: String(c.column_type) }));
    expect(facetCandidates(cols)).toEqual(expect.arrayContaining(['task', 'outcome', 'policy_version']));
    expect(facetCandidates(cols)).not.toContain('length');
  });

  it('saves a selection, or everything listed, as a table of episodes rows', async () => {
    await ws.query(selectionSql('selected_episodes', [7, 3, 900]), id++);
    expect((await rows('SELECT episode_index::INT AS e FROM selected_episodes')).map((r) => r.e)).toEqual([3, 7, 900]);
    await ws.query(selectionSql('listed', 'all'), id++);
    const [{ n }] = await rows('SELECT count(*)::INT AS n FROM listed');
    expect(n).toBe((await ws.runCell('x', `SELECT * FROM ${BROWSE_TABLE}`, id++)).rowCount);
    expect(validSelectionName('selected_episodes', ['deployments'])).toBeNull();
    expect(validSelectionName('deployments', ['deployments'])).toMatch(/source table/);
    expect(validSelectionName('1bad', [])).toMatch(/letters/);
    expect(validSelectionName('_mine', [])).toMatch(/app/);
  });
});

describe('viewer panels', () => {
  const g1 = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../fixtures/samples/lerobot/v21_unitree-g1_G1-policy-train/meta/info.json'), 'utf8')).features['observation.state'].names[0] as string[];
  const vec = (column: string, names: string[]): TraceColumn => ({ table: 'frames', column, names, width: names.length });

  it('groups the G1 joints into arms and hands, and names without shared words into one group', () => {
    expect(jointGroups(g1).map((g) => g.length)).toEqual([7, 7, 6, 6]);
    expect(jointGroups(['x', 'y', 'z', 'roll', 'pitch', 'yaw'])).toEqual([[1, 2, 3, 4, 5, 6]]);
    expect(jointGroups(Array.from({ length: 20 }, (_, i) => `m${i}`)).map((g) => g.length)).toEqual([7, 7, 6]);
  });

  it('pairs state and action by joint, opens with the joint groups, and styles series in vector order', () => {
    const cols = [vec('observation.state', g1), vec('action', g1)];
    const choices = panelChoices(cols);
    const first = defaultPanels(choices);
    expect(first).toHaveLength(4);
    const panel = choices.find((c) => c.id === first[0])!;
    expect(panel.parts.map((p) => [p.column.column, p.paired])).toEqual([['observation.state', false], ['action', true]]);
    const rows = [4, 1, 6].flatMap((e) => [0, 1].flatMap((part) => [0, 0.1].map((t) => ({ part, t, element: e, value: e + part }))));
    const { points, legend } = panelSeries(panel, rows, cols);
    expect(legend.map((l) => l.label)).toEqual(['kLeftShoulderPitch', 'kLeftElbow', 'kLeftWristPitch', 'action (dashed)']);
    const colour = (s: string) => points.find((p) => p.series === s)!.color;
    expect(colour('kLeftElbow')).not.toBe(colour('kLeftWristPitch'));
    expect(colour('kLeftElbow (action)')).toBe(colour('kLeftElbow'));
    expect(points.find((p) => p.series === 'kLeftElbow (action)')!.dash).not.toBe('');
    // A vector the palette covers opens whole in one panel, as the single-plot viewer did (its groups stay offered).
    const arm = ['panda_joint1', 'panda_joint2', 'panda_joint3', 'panda_joint4', 'panda_joint5', 'panda_joint6', 'panda_joint7', 'gripper_width'];
    const armChoices = panelChoices([vec('observation.state', arm), vec('action', arm)]);
    expect(defaultPanels(armChoices)).toEqual(['frames.observation.state']);
    expect(armChoices.filter((c) => c.id.startsWith('frames.observation.state#'))).toHaveLength(2);
    // A vector without names gets no groups: one whole-column panel, as before.
    expect(defaultPanels(panelChoices(frameColumns([{ key: 'action', isVideo: false, isNumeric: true, shape: [4], names: null }])))).toEqual(['frames.action']);
  });

  it('keeps 40 series apart with colour × dash', () => {
    const styles = Array.from({ length: 40 }, (_, i) => seriesStyle(i));
    expect(new Set(styles.map((s) => `${s.color}|${s.dash}`)).size).toBe(40);
  });

  it('zooms around a time, inside the episode and never narrower than the minimum', () => {
    expect(zoomWindow([0, 10], 0.5, 5, 10, 0.1)).toEqual([2.5, 7.5]);
    expect(zoomWindow([0, 10], 0.5, 0, 10, 0.1)).toEqual([0, 5]);
    expect(zoomWindow([2.5, 7.5], 4, 5, 10, 0.1)).toEqual([0, 10]);
    const tiny = zoomWindow([0, 0.2], 0.01, 0.1, 10, 0.1);
    expect(tiny[1] - tiny[0]).toBeCloseTo(0.1, 9);
  });
});
