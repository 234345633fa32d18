/**
 * The input contract: capability checks (pure and through the runner on the real engine), forms fitted to the open
 * data, mapping suggestions, share-link validation of needs, and intervened episodes counted as failures.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultColumns, defaultQualityGateForm } from '../../src/lib/analysis';
import { fitColumns, fitCostModel, fitFailureMining, fitQualityGate, fitRedFlags } from '../../src/lib/analysis/fit';
import { jobNeeds } from '../../src/lib/analysis/needs';
import { LOG_COLUMNS, OUTCOMES, logFormatMarkdown, quotedIdents, schemaFromRows, suggestMapping, unmetNeeds } from '../../src/lib/contract';
import { runNotebook } from '../../src/lib/headless/run';
import { healthNotebook } from '../../src/lib/notebook/templates';
import { failureMiningNotebook } from '../../src/lib/analysis/templates';
import type { NotebookDoc } from '../../src/lib/notebook/types';
import { validateNotebook } from '../../src/lib/share/schema';
import { schemaOf } from './helpers/schema';

const REPO = path.resolve(import.meta.dirname, '../..');
const SO101 = 'tests/fixtures/datasets/so101_degrees';
const schema = schemaFromRows([
  { table_name: 'episodes', column_name: 'episode_index' },
  { table_name: 'episodes', column_name: 'Outcome' },
  { table_name: 'episodes', column_name: 'policy_version' },
  { table_name: 'frames', column_name: 'state' },
]);

describe('capability checks', () => {
  it('report each unmet need once, case-insensitively', () => {
    const needs = [
      { table: 'episodes', columns: ['outcome'], message: 'ok' },
      { table: 'episodes', columns: ['tags'], message: 'add tags' },
      { table: 'episodes', columns: ['tags', 'notes'], message: 'add tags' },
      { table: 'costs', message: 'add a cost sheet' },
    ];
    expect(unmetNeeds(needs, schema)).toEqual(['add tags', 'add a cost sheet']);
  });

  it('read the columns a form condition names, not string literals', () => {
    expect(quotedIdents(`"policy_version" IS NULL AND coalesce("tags", '') NOT LIKE '%"x"%'`)).toEqual(['policy_version', 'tags']);
  });

  it("derive a job's needs from its form: the demo's quality gate needs policy_version, tags, notes", () => {
    const msgs = unmetNeeds(jobNeeds('quality_checks', defaultQualityGateForm()), schema);
    expect(msgs.join(' ')).toMatch(/observation\.state/);
    expect(msgs.join(' ')).toMatch(/`tags`/);
    expect(msgs.join(' ')).toMatch(/`notes`/);
    expect(msgs.join(' ')).not.toMatch(/policy_version/);
  });

  it('disable cells in the runner on the real engine, with their dependants, and run the rest', async () => {
    const doc: NotebookDoc = {
      version: 1,
      title: 't',
      sources: [{ name: 'dataset', kind: 'lerobot', url: SO101 }],
      cells: [
        { id: 'a', kind: 'sql', name: 'spend', source: 'SELECT rotation, sum(amount_usd) AS usd FROM costs GROUP BY ALL' },
        { id: 'b', kind: 'sql', name: 'per_rotation', source: 'SELECT * FROM spend' },
        { id: 'c', kind: 'sql', name: 'rates', source: 'SELECT avg((outcome = \'success\')::INT) AS r FROM episodes', needs: [{ table: 'episodes', columns: ['outcome'], values: true, message: 'Map an outcome.' }] },
        // The canonical episodes always have an (empty) outcome column for reviews: only a values need tells.
        { id: 'f', kind: 'sql', name: 'has_column', source: 'SELECT count(outcome) AS n FROM episodes', needs: [{ table: 'episodes', columns: ['outcome'], message: 'never shown' }] },
        { id: 'd', kind: 'sql', name: 'lengths', source: 'SELECT count(*) AS n, sum(length) AS frames FROM episodes' },
        { id: 'e', kind: 'plot', name: 'chart', source: '', plot: { data: 'spend', mark: 'barY', x: 'rotation', y: 'usd' } },
      ],
    };
    const r = await runNotebook(doc, { baseDir: REPO });
    const by = Object.fromEntries(r.map((x) => [x.name, x]));
    expect(by.spend.status).toBe('disabled');
    expect(by.spend.capability).toMatch(/no cost sheet.*&costs=/);
    expect(by.per_rotation.status).toBe('disabled');
    expect(by.per_rotation.capability).toMatch(/reads "spend"/);
    expect(by.chart.status).toBe('disabled');
    expect(by.rates).toMatchObject({ status: 'disabled', capability: 'Map an outcome.' });
    expect(by.has_column).toMatchObject({ status: 'done', rows: [{ n: 0 }] });
    expect(by.lengths.status).toBe('done');
    expect(by.lengths.rows?.[0]).toMatchObject({ n: 12, frames: 2455 });
    expect(r.some((x) => x.error)).toBe(false);
  });
});

describe('forms fitted to the open data', () => {
  it('set every role the data lack to none and derive the rotation from the policy version', () => {
    const c = fitColumns(defaultColumns(), schema);
    expect(c).toMatchObject({ outcomeColumn: 'outcome', policyColumn: 'policy_version', rotationColumn: null, rotationFrom: 'policy', tagColumn: null, notesColumn: null, timestampColumn: null, failureColumn: null, conditionColumns: [] });
  });

  it('derive the rotation from the timestamp when there is no policy version, else leave it to the capability check', () => {
    const ts = schemaFromRows([{ table_name: 'episodes', column_name: 'outcome' }, { table_name: 'episodes', column_name: 'timestamp' }]);
    expect(fitColumns(defaultColumns(), ts)).toMatchObject({ rotationColumn: null, rotationFrom: 'timestamp', timestampColumn: 'timestamp' });
    const bare = schemaFromRows([{ table_name: 'episodes', column_name: 'outcome' }]);
    const f = fitRedFlags(bare);
    expect(f.columns).toMatchObject({ rotationColumn: null, rotationFrom: 'column', policyColumn: null, timestampColumn: null });
    expect(unmetNeeds(jobNeeds('red_flags', f), bare).join(' ')).toMatch(/no rotation is mapped: add `rotation`.*`policy_version`.*`timestamp`/);
    // With a rotation column, it is read as before.
    const rot = schemaFromRows([{ table_name: 'episodes', column_name: 'outcome' }, { table_name: 'episodes', column_name: 'rotation' }, { table_name: 'episodes', column_name: 'policy_version' }]);
    expect(fitColumns(defaultColumns(), rot)).toMatchObject({ rotationColumn: 'rotation', rotationFrom: 'column' });
  });

  it('start failure modes neutral, with no demo priors', () => {
    const f = fitFailureMining(schema);
    expect(f.modes).toEqual({});
    expect(JSON.stringify(failureMiningNotebook(undefined, f, schema))).not.toMatch(/collision|grasp_failure|collisions with the bin wall/);
  });

  it('use the cost model with a per-episode cost_usd when there is no cost sheet', () => {
    const withCost = schemaFromRows([{ table_name: 'episodes', column_name: 'cost_usd' }]);
    expect(fitCostModel(withCost)).toMatchObject({ costSheet: null, costSource: 'model', perEpisodeCostColumn: 'cost_usd' });
    expect(fitCostModel(schema)).toMatchObject({ costSheet: null, costSource: 'model', perEpisodeCostColumn: null });
  });

  it('gate demonstrations by the columns there are and read the dataset\'s own state key', () => {
    const f = fitQualityGate(schema);
    expect(f).toMatchObject({ gate: '"policy_version" IS NULL', stateColumn: 'state', gripperIndex: null, reApproachExempt: 'false' });
    expect(unmetNeeds(jobNeeds('quality_checks', f), schema)).toEqual([]);
  });
});

describe('mapping suggestions', () => {
  it('read roles from column names and the success value from the values', () => {
    const s = suggestMapping(['episode_index', 'result', 'model', 'round', 'episode_cost', 'operator', 'started_at', 'failure_reason'], [], { result: ['fail', 'ok'] });
    expect(s.map((x) => [x.role, x.column])).toEqual([
      ['outcome', 'result'], ['failure', 'failure_reason'], ['policy', 'model'], ['rotation', 'round'], ['cost', 'episode_cost'], ['operator', 'operator'], ['timestamp', 'started_at'],
    ]);
    expect(s[0].successValue).toBe('ok');
    expect(suggestMapping(['status'], [], { status: ['0', '1'] })[0]).toMatchObject({ role: 'outcome', successValue: '1' });
  });

  it('do not take a column for the outcome when its values do not say which is success', () => {
    expect(suggestMapping(['status'], [], { status: ['queued', 'sent'] }).some((x) => x.role === 'outcome')).toBe(false);
  });

  it('fall back to a per-frame success signal on the last frame', () => {
    expect(suggestMapping(['episode_index', 'task'], ['state', 'actions', 'next.success'])).toEqual([
      { role: 'outcome', column: 'next.success', perFrame: 'last', reason: `the per-frame "next.success" on an episode's last frame` },
    ]);
    expect(suggestMapping([], ['is_episode_successful'])[0]).toMatchObject({ column: 'is_episode_successful', perFrame: 'last' });
  });
});

describe('the contract', () => {
  it('documents every outcome and the required log columns in the Log format cell', () => {
    const md = logFormatMarkdown();
    for (const o of OUTCOMES) expect(md).toContain(`\`${o}\``);
    for (const c of LOG_COLUMNS) expect(md).toContain(`\`${c.name}\``);
    expect(LOG_COLUMNS.filter((c) => c.required).map((c) => c.name)).toEqual(['episode_id', 'outcome']);
  });

  it('share links carry needs, validated strictly', () => {
    const doc = healthNotebook([{ name: 'dataset', kind: 'lerobot', url: 'https://example.org/d/' }, { name: 'deployments', kind: 'csv', url: 'https://example.org/log.csv', role: 'episode-log' }]);
    const ok = validateNotebook(JSON.parse(JSON.stringify(doc)));
    expect(ok.ok && ok.doc.cells.find((c) => c.name === 'cycle_time')?.needs?.[0].columns).toEqual(['timestamp']);
    const bad = JSON.parse(JSON.stringify(doc));
    bad.cells[1].needs = [{ table: 'episodes', columns: [3], message: 'x', extra: 1 }];
    const r = validateNotebook(bad);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.join(' ')).toMatch(/Unknown key "extra".*needs\[0\]/);
  });
});

describe('intervened episodes count as failures', () => {
  it('in the health failure-mode mix and in failure mining, and are shown apart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flywheel-log-'));
    const rows = ['episode_id,policy_version,outcome,failure_category,rotation'];
    for (let e = 0; e < 12; e++) rows.push(`${e},v1,${e < 6 ? 'success' : e < 9 ? 'failure' : 'intervened'},${e < 6 ? '' : e < 8 ? 'drop' : 'stall'},1`);
    writeFileSync(path.join(dir, 'log.csv'), rows.join('\n') + '\n');
    const sources = [
      { name: 'dataset', kind: 'lerobot' as const, url: path.join(REPO, SO101) },
      { name: 'deployments', kind: 'csv' as const, url: path.join(dir, 'log.csv'), role: 'episode-log' as const },
    ];
    const x = await schemaOf(sources, { baseDir: '/' });
    const health = await runNotebook(healthNotebook(sources, x), { baseDir: '/', maxRows: 100 });
    const mix = health.find((r) => r.name === 'failure_mix')!;
    expect(mix.status).toBe('done');
    const got = Object.fromEntries((mix.rows ?? []).map((r) => [r.failure_category, [Number(r.failures), Number(r.intervened)]]));
    // drop: 2 failures; stall: 1 failure + 3 intervened (episodes 8..11).
    expect(got).toEqual({ drop: [2, 0], stall: [4, 3] });
    expect(health.find((r) => r.name === 'success_by_version')?.rows?.[0]).toMatchObject({ n: 12, success_rate: 0.5 });
    expect(health.find((r) => r.name === 'cycle_time')).toMatchObject({ status: 'disabled' });
    expect(health.find((r) => r.name === 'cycle_time')?.capability).toMatch(/no cycle time/);
    const mining = await runNotebook(failureMiningNotebook(sources, fitFailureMining(x), x), { baseDir: '/', maxRows: 100 });
    const pareto = mining.find((r) => r.name === 'failure_pareto')!;
    expect(pareto.status).toBe('done');
    const failures = (pareto.rows ?? []).reduce((s, r) => s + Number(r.failures), 0);
    expect(failures).toBe(6);
    expect(mining.filter((r) => r.status === 'error')).toEqual([]);
  });
});
