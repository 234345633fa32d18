/**
 * `npx tsx src/lib/demo/sample-log-cli.ts [OUT_DIR]`: writes the made-up deployment log and cost sheet of the
 * shared LeRobot v2.1 sample (default: tests/fixtures/logs/v21_g1), see sample-log.ts. `npm run demo` runs it too.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sampleCostsCsv, sampleLogCsv } from './sample-log.ts';

const out = resolve(process.argv[2] ?? 'tests/fixtures/logs/v21_g1');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'deployment_log.csv'), sampleLogCsv());
writeFileSync(join(out, 'collection_costs.csv'), sampleCostsCsv());
console.log(`wrote ${join(out, 'deployment_log.csv')} and collection_costs.csv`);
