/**
 * The fleet generator (src/lib/fleet-gen): regenerating it reproduces the committed fixture byte for byte, and the
 * fixture carries what its story says (four mechanisms with onsets, shelf OOD stretches, three outcomes, degrees).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFleet } from '../../src/lib/fleet-gen/cli';
import { FLEET_MECHANISMS, type FleetTruth } from '../../src/lib/fleet-gen';

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/datasets/so101_fleet');
const tmp = mkdtempSync(path.join(tmpdir(), 'fleet-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function files(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p, base) : [path.relative(base, p)];
  }).sort();
}

describe('the fleet generator', () => {
  it('regenerates the committed fixture byte for byte', async () => {
    await writeFleet(tmp);
    const want = files(FIXTURE);
    expect(files(tmp)).toEqual(want);
    for (const f of want) expect(readFileSync(path.join(tmp, f)).equals(readFileSync(path.join(FIXTURE, f))), f).toBe(true);
  }, 120_000);

  it('plants its mechanisms, outcomes and out-of-distribution stretches', () => {
    const t = JSON.parse(readFileSync(path.join(FIXTURE, 'ground_truth.json'), 'utf8')) as FleetTruth;
    const info = JSON.parse(readFileSync(path.join(FIXTURE, 'meta/info.json'), 'utf8'));
    expect(info.codebase_version).toBe('v2.1');
    expect(info.fps).toBe(30);
    expect(Object.keys(info.features)).toEqual(expect.arrayContaining(['state', 'actions']));
    expect(info.features.state.shape).toEqual([6]);
    for (const m of FLEET_MECHANISMS) expect(t.episodes.filter((e) => e.mechanism === m).length).toBeGreaterThanOrEqual(8);
    for (const e of t.episodes) if (e.mechanism) expect(e.onset_frame! > 0 && e.onset_frame! < e.length).toBe(true);
    expect(new Set(t.episodes.map((e) => e.outcome))).toEqual(new Set(['success', 'failure', 'intervened']));
    const shelf = t.episodes.filter((e) => e.placement === 'shelf');
    expect(shelf.length).toBeGreaterThan(5);
    for (const e of shelf) expect(e.kind === 'deployment' && e.ood![0] < e.ood![1] && e.ood![1] <= e.length).toBe(true);
    const log = readFileSync(path.join(FIXTURE, 'deployment_log.csv'), 'utf8').split('\n');
    expect(log[0]).toBe('episode_id,timestamp,policy_version,outcome,failure_category,notes');
  });
});
