import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, planFlywheel } from '../../src/lib/demo/flywheel';
import { DEMO_LAYOUT, writeDataset } from '../../src/lib/demo/lerobot-writer';

const committed = path.resolve(import.meta.dirname, '../../static/demo');
const tmp = mkdtempSync(path.join(tmpdir(), 'flywheel-demo-check-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function hashes(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[path.relative(root, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(root);
  return out;
}

describe('the committed demo dataset', () => {
  it('is exactly what `npm run demo` generates from the default seed', async () => {
    await writeDataset(planFlywheel(DEFAULT_CONFIG), { outDir: tmp, ...DEMO_LAYOUT });
    expect(hashes(committed)).toEqual(hashes(tmp));
  });
});
