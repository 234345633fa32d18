/**
 * Every job notebook (and the health notebook), built for a user's dataset the way the sidebar builds it (forms fitted
 * to the catalog's columns) and run in the headless runner on the real engine, on the five dataset configurations of
 * issue 17: no cell may fail. Each cell either runs or is disabled with a capability message.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANALYSIS_TEMPLATES } from '../../src/lib/analysis';
import type { Schema } from '../../src/lib/contract';
import { runNotebook } from '../../src/lib/headless/run';
import type { SourceDecl } from '../../src/lib/ingest/source';
import { healthNotebook } from '../../src/lib/notebook/templates';
import { validateNotebook } from '../../src/lib/share/schema';
import { schemaOf } from './helpers/schema';

const REPO = path.resolve(import.meta.dirname, '../..');
const G1 = 'tests/fixtures/samples/lerobot/v21_unitree-g1_G1-policy-train';
const log = (p: string): SourceDecl => ({ name: 'deployments', kind: 'csv', url: p, role: 'episode-log' });
const costs = (p: string): SourceDecl => ({ name: 'costs', kind: 'csv', url: p, role: 'table' });

/** The five configurations: a dataset folder and the CSV sources opened with it. */
export const CONFIGS: Record<string, SourceDecl[]> = {
  'G1, no log': [{ name: 'dataset', kind: 'lerobot', url: G1 }],
  'G1, outcome-only log': [{ name: 'dataset', kind: 'lerobot', url: G1 }, log('tests/fixtures/logs/v21_g1_outcome_only/deployment_log.csv')],
  'G1, full log': [{ name: 'dataset', kind: 'lerobot', url: G1 }, log('tests/fixtures/logs/v21_g1/deployment_log.csv'), costs('tests/fixtures/logs/v21_g1/collection_costs.csv')],
  'DROID schema': [{ name: 'dataset', kind: 'lerobot', url: 'tests/fixtures/datasets/droid_mini' }],
  'SO-101 in degrees': [{ name: 'dataset', kind: 'lerobot', url: 'tests/fixtures/datasets/so101_degrees' }],
};

const templates = [{ id: 'health', build: (s: SourceDecl[], x: Schema) => healthNotebook(s, x) }, ...ANALYSIS_TEMPLATES];

describe('job notebooks on user data: every cell runs or shows a capability message', () => {
  for (const [config, sources] of Object.entries(CONFIGS)) {
    it(config, { timeout: 240_000 }, async () => {
      const schema = await schemaOf(sources);
      const problems: string[] = [];
      let disabled = 0;
      let done = 0;
      for (const t of templates) {
        const checked = validateNotebook(JSON.parse(JSON.stringify(t.build(sources, schema))));
        if (!checked.ok) throw new Error(`${t.id}: ${checked.errors.join(' ')}`);
        const results = await runNotebook(checked.doc, { baseDir: REPO, maxRows: 1 });
        for (const r of results) {
          if (r.status === 'disabled') {
            disabled++;
            expect(r.capability, `${t.id}/${r.name}`).toMatch(/\w/);
          } else if (r.status === 'done') done++;
          else problems.push(`${t.id}/${r.name} (${r.status}): ${r.error}`);
        }
      }
      expect(problems).toEqual([]);
      expect(done).toBeGreaterThan(0);
      console.log(`${config}: ${done} cells ran, ${disabled} disabled`);
    });
  }
});
