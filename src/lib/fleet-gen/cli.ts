/**
 * `npm run fleet [-- --out DIR] [--seed N]`: writes the fleet dataset (LeRobot v2.1) with `deployment_log.csv` and
 * `ground_truth.json` beside it. Default: `tests/fixtures/datasets/so101_fleet` (the committed fixture).
 *
 * The Parquet/JSONL layout is written by the project's generic LeRobot fixture writer (tests/fixtures/gen/writer.ts,
 * the one the DROID fixture uses), so the two generators share one implementation of lerobot's file format.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeLeRobot } from '../../../tests/fixtures/gen/writer.ts';
import { FLEET_CONFIG, FLEET_FPS, FLEET_JOINTS, FLEET_TASK, planFleet } from './fleet.ts';
import { fleetLogCsv, fleetTruth } from './logs.ts';

/** Writes the fleet into `out` (replacing it); returns the files written. */
export async function writeFleet(out: string, seed = FLEET_CONFIG.seed): Promise<string[]> {
  const eps = planFleet({ ...FLEET_CONFIG, seed });
  rmSync(out, { recursive: true, force: true });
  const names = { motors: FLEET_JOINTS.map((j) => `${j}.pos`) };
  const r = await writeLeRobot(out, {
    version: 'v2.1',
    robotType: 'so101_follower',
    fps: FLEET_FPS,
    features: {
      state: { dtype: 'float32', shape: [FLEET_JOINTS.length], names },
      actions: { dtype: 'float32', shape: [FLEET_JOINTS.length], names },
    },
    episodes: eps.map((e) => ({ length: e.length, task: FLEET_TASK, columns: () => ({ state: e.state, actions: e.actions }) })),
  });
  writeFileSync(join(out, 'deployment_log.csv'), fleetLogCsv(eps));
  writeFileSync(join(out, 'ground_truth.json'), JSON.stringify(fleetTruth(eps), null, 1) + '\n');
  return [...r.files.map((f) => f.path), 'deployment_log.csv', 'ground_truth.json'];
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('fleet-gen/cli.ts')) {
  const argv = process.argv.slice(2);
  const at = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  const out = resolve(at('--out') ?? 'tests/fixtures/datasets/so101_fleet');
  const seed = at('--seed') ? Number(at('--seed')) : FLEET_CONFIG.seed;
  const files = await writeFleet(out, seed);
  console.log(`wrote ${files.length} files to ${out}`);
}
