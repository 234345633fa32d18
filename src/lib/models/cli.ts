/**
 * `npx tsx src/lib/models/cli.ts [--demo DIR] [--out DIR]`: build the bundled demo models from the demo dataset
 * (default static/demo → static/demo/models). Seeded: the same dataset gives byte-identical files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildDemoModels } from './demo-models.ts';
import { DEMO_DIR, readDemoFrames, readGroundTruth, readStats } from './demo-frames.ts';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (flag: string, fallback: string): string => {
    const i = args.indexOf(flag);
    return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
  };
  const demo = path.resolve(opt('--demo', DEMO_DIR));
  const out = path.resolve(opt('--out', path.join(demo, 'models')));
  const t0 = performance.now();
  const block = await readDemoFrames(demo);
  const { files, manifest } = buildDemoModels(block, readGroundTruth(demo), readStats(demo), undefined, (m) => console.log('  ' + m));
  mkdirSync(out, { recursive: true });
  let total = 0;
  for (const f of files) {
    writeFileSync(path.join(out, f.file), f.bytes);
    total += f.bytes.byteLength;
  }
  writeFileSync(path.join(out, 'models.json'), JSON.stringify(manifest, null, 2) + '\n');
  console.log(`wrote ${files.length} models (${total} bytes) and models.json to ${out} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
