/** The made-up log of the v2.1 sample: reproducible, committed as generated, and shaped as its plan says. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { G1_PLAN, sampleCostsCsv, sampleLog, sampleLogCsv } from '../../src/lib/demo/sample-log';
import { parseCsv } from '../../src/lib/demo/csv';

const DIR = path.resolve(import.meta.dirname, '../fixtures/logs/v21_g1');

describe('the v2.1 sample deployment log', () => {
  it('is committed exactly as the generator writes it (regenerate: npx tsx src/lib/demo/sample-log-cli.ts)', () => {
    expect(readFileSync(path.join(DIR, 'deployment_log.csv'), 'utf8')).toBe(sampleLogCsv());
    expect(readFileSync(path.join(DIR, 'collection_costs.csv'), 'utf8')).toBe(sampleCostsCsv());
  });

  it('covers the 100 episodes once each, in the plan\'s rotations', () => {
    const [header, ...rows] = parseCsv(sampleLogCsv());
    const col = (n: string) => header.indexOf(n);
    expect(rows.map((r) => Number(r[col('episode_id')]))).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const deployments = G1_PLAN.rotations.map((_, k) => rows.filter((r) => r[col('rotation')] === String(k + 1) && r[col('policy_version')] !== '').length);
    expect(deployments).toEqual(G1_PLAN.rotations.map((r) => r.deployments));
    // Every failure has a category; no success has one.
    for (const r of rows) expect(r[col('failure_category')] !== '').toBe(r[col('outcome')] === 'failure');
    expect(sampleLog().rows.length).toBe(100);
  });
});
