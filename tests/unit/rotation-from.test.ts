/**
 * The rotation derived when a log has no rotation column (`rotationFrom`), in the jobs' SQL on the real engine
 * (headless DuckDB-WASM) over the G1 sample and its full log. The log's own `rotation` column follows the flywheel
 * convention (seed demos 0; rotation r deploys policy version r, then collects demos for it), so the rotation
 * derived from `policy_version` must equal it for every episode; the one derived from `timestamp` must be the rank
 * of the episode's ISO week, computed here from the CSV.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANALYSIS_TEMPLATES, defaultColumns, episodesInput, type ColumnMap } from '../../src/lib/analysis';
import { has } from '../../src/lib/contract';
import { runNotebook } from '../../src/lib/headless/run';
import type { SourceDecl } from '../../src/lib/ingest/source';
import { schemaOf } from './helpers/schema';

const REPO = path.resolve(import.meta.dirname, '../..');
const LOG = 'tests/fixtures/logs/v21_g1/deployment_log.csv';
const sources: SourceDecl[] = [
  { name: 'dataset', kind: 'lerobot', url: 'tests/fixtures/samples/lerobot/v21_unitree-g1_G1-policy-train' },
  { name: 'deployments', kind: 'csv', url: LOG, role: 'episode-log' },
];

/** The log's rows by episode id, from the CSV itself. */
function logRows(): Map<number, Record<string, string>> {
  const [head, ...lines] = readFileSync(path.join(REPO, LOG), 'utf8').trim().split('\n');
  const names = head.split(',');
  return new Map(lines.map((l) => {
    const cells = l.split(',');
    const row = Object.fromEntries(names.map((n, i) => [n, cells[i] ?? '']));
    return [Number(row.episode_id), row];
  }));
}

/** `rot` per episode from the jobs' normalised input, with the given column map. */
async function derived(c: ColumnMap): Promise<Map<number, number | null>> {
  const sql = `WITH ${episodesInput(c, ['outcome', 'rotation'])}\nSELECT episode_index, rot FROM ep ORDER BY episode_index`;
  const [r] = await runNotebook({ version: 1, title: 'rot', sources, cells: [{ id: 'r', kind: 'sql', name: 'r', source: sql }] }, { baseDir: REPO, maxRows: 100_000 });
  expect(r.error ?? '').toBe('');
  return new Map((r.rows ?? []).map((x) => [Number(x.episode_index), x.rot === null ? null : Number(x.rot)]));
}

/** Monday of the ISO week of an ISO time, as a day number. */
function isoWeek(ts: string): number {
  const d = new Date(ts);
  const day = Math.floor(d.getTime() / 86_400_000);
  return day - ((d.getUTCDay() + 6) % 7);
}

describe('rotation derived without a rotation column', () => {
  it('from the policy version equals the rotation the log records, for every episode', { timeout: 120_000 }, async () => {
    const log = logRows();
    const rot = await derived({ ...defaultColumns(), rotationColumn: null, rotationFrom: 'policy' });
    expect(rot.size).toBeGreaterThan(0);
    const versions = new Set([...log.values()].map((r) => r.policy_version).filter(Boolean));
    expect(versions.size).toBeGreaterThan(1);
    for (const [ep, row] of log) if (rot.has(ep)) expect(rot.get(ep), `episode ${ep}`).toBe(Number(row.rotation));
    // Without a timestamp mapped, versions are ordered by their first episode: the same answer on this log.
    const byIndex = await derived({ ...defaultColumns(), rotationColumn: null, rotationFrom: 'policy', timestampColumn: null });
    expect([...byIndex]).toEqual([...rot]);
  });

  it('from the timestamp is the rank of the ISO week', { timeout: 120_000 }, async () => {
    const log = logRows();
    const rot = await derived({ ...defaultColumns(), rotationColumn: null, rotationFrom: 'timestamp' });
    const weeks = [...new Set([...log.values()].map((r) => isoWeek(r.timestamp)))].sort((a, b) => a - b);
    expect(weeks.length).toBeGreaterThan(1);
    for (const [ep, row] of log) if (rot.has(ep)) expect(rot.get(ep), `episode ${ep}`).toBe(weeks.indexOf(isoWeek(row.timestamp)) + 1);
  });

  it('reads the rotation column unchanged by default (the demo keeps its SQL)', () => {
    const sql = episodesInput(defaultColumns(), ['outcome', 'rotation']);
    expect(sql).toContain('TRY_CAST("rotation" AS BIGINT) AS rot');
    expect(sql).not.toContain('_versions');
  });
});

describe('jobs on a log with no rotation and no tags (the SO-101 fleet)', () => {
  const FLEET = 'tests/fixtures/datasets/so101_fleet';
  const fleet: SourceDecl[] = [{ name: 'dataset', kind: 'lerobot', url: FLEET }, { name: 'deployments', kind: 'csv', url: `${FLEET}/deployment_log.csv`, role: 'episode-log' }];

  it('derive the rotation from the policy version and target the failed deployments in the replay mix', { timeout: 180_000 }, async () => {
    const schema = await schemaOf(fleet);
    expect(has(schema, 'episodes', 'rotation') || has(schema, 'episodes', 'tags')).toBe(false);
    const rows = readFileSync(path.join(REPO, FLEET, 'deployment_log.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const failedDeployments = rows.filter((r) => r[2] !== '' && r[3] !== 'success').length;
    const versions = new Set(rows.map((r) => r[2]).filter(Boolean)).size;

    const red = ANALYSIS_TEMPLATES.find((t) => t.id === 'red-flags')!.build(fleet, schema);
    expect(JSON.stringify(red)).toContain('"rotationFrom":"policy"');
    const redRun = await runNotebook(red, { baseDir: REPO, maxRows: 1000 });
    expect(redRun.filter((r) => r.status === 'error').map((r) => `${r.name}: ${r.error}`)).toEqual([]);
    expect(redRun.find((r) => r.name === 'red_flags')?.status).toBe('done');

    const cost = ANALYSIS_TEMPLATES.find((t) => t.id === 'cost-per-success')!.build(fleet, schema);
    const costRun = await runNotebook(cost, { baseDir: REPO, maxRows: 1000 });
    const ledger = costRun.find((r) => r.name === 'cost_ledger')!;
    expect(ledger.status).toBe('done');
    // One ledger row per derived rotation: the seed demos (0) and one per policy version.
    expect((ledger.rows ?? []).map((r) => Number(r.rotation))).toEqual(Array.from({ length: versions + 1 }, (_, i) => i));

    const mix = ANALYSIS_TEMPLATES.find((t) => t.id === 'replay-mix')!.build(fleet, schema);
    expect(mix.cells.find((c) => c.name === 'intro')?.source).toMatch(/no tag column.*targeted set "failed"/);
    const mixRun = await runNotebook(mix, { baseDir: REPO, maxRows: 100_000 });
    expect(mixRun.filter((r) => r.status === 'error').map((r) => `${r.name}: ${r.error}`)).toEqual([]);
    const manifest = mixRun.find((r) => r.name === 'replay_manifest')!;
    expect(manifest.status).toBe('done');
    const targeted = new Set((manifest.rows ?? []).filter((r) => r.set === 'failed').map((r) => Number(r.episode_index)));
    expect(targeted.size).toBe(failedDeployments);
  });
});
