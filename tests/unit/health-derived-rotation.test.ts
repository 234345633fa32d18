/**
 * The health notebook on a log with policy versions but no rotation column (the usual user log): its per-rotation
 * cells derive the rotation from the policy version instead of being disabled. On the G1 sample's full log with its
 * `rotation` column removed, the derived rotations give exactly the cells the log's own column gives (the log follows
 * the flywheel convention the derivation assumes), on the real engine.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaFromRows } from '../../src/lib/contract';
import { runNotebook, type HeadlessCellResult } from '../../src/lib/headless/run';
import type { SourceDecl } from '../../src/lib/ingest/source';
import { healthNotebook } from '../../src/lib/notebook/templates';
import { schemaOf } from './helpers/schema';

const REPO = path.resolve(import.meta.dirname, '../..');
const G1 = 'tests/fixtures/samples/lerobot/v21_unitree-g1_G1-policy-train';
const LOG = path.join(REPO, 'tests/fixtures/logs/v21_g1/deployment_log.csv');

/** The log without one column (a naive split is enough: the G1 log has no quoted commas). */
function withoutColumn(file: string, column: string): string {
  const [head, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  const names = head.split(',');
  const drop = names.indexOf(column);
  expect(drop).toBeGreaterThanOrEqual(0);
  for (const r of rows) expect(r.split(',').length).toBe(names.length);
  const keep = (line: string) => line.split(',').filter((_, i) => i !== drop).join(',');
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'flywheel-log-')), 'deployment_log.csv');
  writeFileSync(out, [keep(head), ...rows.map(keep)].join('\n') + '\n');
  return out;
}

async function run(log: string): Promise<Map<string, HeadlessCellResult>> {
  const sources: SourceDecl[] = [{ name: 'dataset', kind: 'lerobot', url: G1 }, { name: 'deployments', kind: 'csv', url: log, role: 'episode-log' }];
  const schema = await schemaOf(sources);
  const results = await runNotebook(healthNotebook(sources, schema), { baseDir: REPO, maxRows: 10_000 });
  return new Map(results.map((r) => [r.name, r]));
}

describe('health notebook, log without a rotation column', () => {
  it('derives the rotation from the policy version, giving the cells the log\'s own rotation gives', async () => {
    const full = await run(LOG);
    const derived = await run(withoutColumn(LOG, 'rotation'));
    for (const name of ['collected_by_rotation', 'cycle_time']) {
      const a = full.get(name)!;
      const b = derived.get(name)!;
      expect(a.status, `${name} (full log)`).toBe('done');
      expect(b.status, `${name} (derived): ${b.capability ?? b.error ?? ''}`).toBe('done');
      expect(b.rows!.length).toBeGreaterThan(2);
      expect(b.rows).toEqual(a.rows);
    }
    // The SQL says the rotation is derived.
    expect(healthNotebook([], schemaFromRows([{ table_name: 'episodes', column_name: 'policy_version' }, { table_name: 'episodes', column_name: 'timestamp' }]))
      .cells.find((c) => c.name === 'cycle_time')!.source).toMatch(/No rotation column in the log: each policy version is one rotation/);
    // Nothing else changed: every cell that ran on the full log runs or says why on the derived one.
    for (const [name, r] of derived) expect(['done', 'disabled'], `${name}: ${r.error ?? ''}`).toContain(r.status);
  }, 240_000);
});
