/**
 * Issue 17's bug: the health notebook's `failure_mix` on the G1 sample with an outcome-only log failed with the
 * Binder error `column "outcome" must appear in the GROUP BY clause` (the label derived from `outcome` was named
 * `failure_category`, a column the canonical episodes view always has, so GROUP BY bound to the column). Run on the
 * real engine (headless DuckDB-WASM) with the real fixture files, whatever the schema the notebook was built from.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Schema } from '../../src/lib/contract';
import { runNotebook } from '../../src/lib/headless/run';
import type { SourceDecl } from '../../src/lib/ingest/source';
import { healthNotebook } from '../../src/lib/notebook/templates';
import { schemaOf } from './helpers/schema';

const REPO = path.resolve(import.meta.dirname, '../..');
const LOG = 'tests/fixtures/logs/v21_g1_outcome_only/deployment_log.csv';
const sources: SourceDecl[] = [
  { name: 'dataset', kind: 'lerobot', url: 'tests/fixtures/samples/lerobot/v21_unitree-g1_G1-policy-train' },
  { name: 'deployments', kind: 'csv', url: LOG, role: 'episode-log' },
];

/** Failed and intervened episodes of the log, counted from the CSV itself. */
function logCounts(): { failed: number; intervened: number } {
  const outcomes = readFileSync(path.join(REPO, LOG), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[1].trim());
  return { failed: outcomes.filter((o) => o !== 'success').length, intervened: outcomes.filter((o) => o === 'intervened').length };
}

const realSchema = (): Promise<Schema> => schemaOf(sources);

/** The schema without one column of `episodes` (a catalog listing that does not show it). */
function without(schema: Schema, column: string): Schema {
  const out = new Map(schema);
  out.set('episodes', new Set([...(schema.get('episodes') ?? [])].filter((c) => c !== column)));
  return out;
}

describe('health failure-mode mix on an outcome-only log', () => {
  it('runs on the real engine and counts every failure, labelled by outcome when there is no category', { timeout: 120_000 }, async () => {
    const schema = await realSchema();
    expect(schema.get('episodes')?.has('failure_category')).toBe(true);
    const want = logCounts();
    expect(want.failed).toBeGreaterThan(0);
    for (const x of [schema, without(schema, 'failure_category')]) {
      const doc = healthNotebook(sources, x);
      const results = await runNotebook(doc, { baseDir: REPO, maxRows: 100 });
      const mix = results.find((r) => r.name === 'failure_mix')!;
      expect(mix.error ?? '').toBe('');
      expect(mix.status).toBe('done');
      const total = (mix.rows ?? []).reduce((s, r) => s + Number(r.failures), 0);
      expect(total).toBe(want.failed);
      expect((mix.rows ?? []).reduce((s, r) => s + Number(r.intervened), 0)).toBe(want.intervened);
      // No log category: each failed episode is `failure` or `intervened`, never an empty bar.
      for (const r of mix.rows ?? []) expect(['failure', 'intervened']).toContain(r.failure_category);
      expect(mix.rows?.[0]).toMatchObject({ policy_version: 'all episodes', share_of_failures: 1 });
      expect(results.filter((r) => r.status === 'error').map((r) => `${r.name}: ${r.error}`)).toEqual([]);
    }
  });
});
