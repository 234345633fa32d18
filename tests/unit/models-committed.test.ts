/**
 * The committed demo models are exactly what `npx tsx src/lib/models/cli.ts` builds from the committed demo
 * dataset: seeded training, engine-independent arithmetic, deterministic ONNX encoding.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDemoModels } from '../../src/lib/models/demo-models';
import { DEMO_DIR, readDemoFrames, readGroundTruth, readStats } from '../../src/lib/models/demo-frames';

describe('the committed demo models', () => {
  it('are byte-identical to a rebuild from the demo dataset', async () => {
    const { files, manifest } = buildDemoModels(await readDemoFrames(), readGroundTruth(), readStats());
    const dir = path.join(DEMO_DIR, 'models');
    for (const f of files) expect(Buffer.from(f.bytes).equals(readFileSync(path.join(dir, f.file))), f.file).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dir, 'models.json'), 'utf8'))).toEqual(manifest);
    // Small enough to ship with the demo.
    expect(files.reduce((a, f) => a + f.bytes.byteLength, 0)).toBeLessThan(300_000);
  }, 300_000);
});
