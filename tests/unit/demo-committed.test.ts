import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, planFlywheel } from '../../src/lib/demo/flywheel';
import { DEMO_LAYOUT, writeDataset } from '../../src/lib/demo/lerobot-writer';
import { hashTree } from './helpers/hash-tree';

const committed = path.resolve(import.meta.dirname, '../../static/demo');
const tmp = mkdtempSync(path.join(tmpdir(), 'flywheel-demo-check-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));


describe('the committed demo dataset', () => {
  it('is exactly what `npm run demo` generates from the default seed', async () => {
    await writeDataset(planFlywheel(DEFAULT_CONFIG), { outDir: tmp, ...DEMO_LAYOUT });
    // models/ is built from this dataset by src/lib/models/cli.ts and checked by tests/unit/models-committed.test.ts;
    // results/ is the health notebook's run over it, checked by tests/unit/demo-results.test.ts.
    const dataset = Object.fromEntries(Object.entries(hashTree(committed)).filter(([f]) => !f.startsWith('models/') && !f.startsWith('results/')));
    expect(dataset).toEqual(hashTree(tmp));
    // Encoding the camera videos (143k frames of H.264 in wasm) takes ~40 s on its own.
  }, 240_000);
});
