/**
 * Model cells as notebook data: strict validation in shared links and files (known keys, safe URLs, bounded
 * parameters, local files by name only), the hosts the consent banner lists, the dependency scan (a model cell
 * produces several tables and reads what its queries read), and the runner's port (run, note, cancel).
 */
import { describe, expect, it } from 'vitest';
import { dependencyGraph, downstreamOf, namesProduced, namesRead } from '../../src/lib/notebook/deps';
import { NotebookRunner, type NotebookDb } from '../../src/lib/notebook/runner';
import type { CellData, NotebookDoc } from '../../src/lib/notebook/types';
import { ModelRunInfo } from '../../src/lib/score/cell-run';
import { anchorsSql, defaultInputSql } from '../../src/lib/score/cell';
import { failureClusteringNotebook, uncertaintyNotebook } from '../../src/lib/score/templates';
import { hostsContacted } from '../../src/lib/share/hosts';
import { validateNotebook } from '../../src/lib/share/schema';

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const modelCell = (doc: NotebookDoc) => doc.cells.find((c) => c.kind === 'model')! as CellData & { model: NonNullable<CellData['model']> };

function errorsOf(doc: unknown): string[] {
  const v = validateNotebook(doc);
  return v.ok ? [] : v.errors;
}

/** The uncertainty template with its model cell changed by `f`. */
function withModel(f: (m: Record<string, unknown>, cell: Record<string, unknown>) => void): unknown {
  const doc = clone(uncertaintyNotebook()) as unknown as { cells: Record<string, unknown>[] };
  const cell = doc.cells.find((c) => c.kind === 'model')!;
  f(cell.model as Record<string, unknown>, cell);
  return doc;
}

describe('model cell validation', () => {
  it('accepts both templates and returns a copy equal to them', () => {
    for (const doc of [uncertaintyNotebook(), failureClusteringNotebook()]) {
      const v = validateNotebook(clone(doc));
      expect(v.ok).toBe(true);
      if (v.ok) expect(modelCell(v.doc as NotebookDoc).model).toEqual(modelCell(doc).model);
    }
  });

  it.each([
    ['an unknown key', (m: Record<string, unknown>) => (m.code = 'alert(1)'), /cells\[1\] \("policy_scores"\)\.model has an unknown key "code"/],
    ['a javascript: model URL', (m: Record<string, unknown>) => (m.model = { kind: 'url', urls: ['javascript:alert(1)'] }), /model\.urls must be http\(s\) URLs/],
    ['a model URL with credentials', (m: Record<string, unknown>) => (m.model = { kind: 'url', urls: ['https://huggingface.co@evil.example/m.onnx'] }), /model\.urls must be http\(s\) URLs/],
    ['a data: manifest', (m: Record<string, unknown>) => (m.model = { kind: 'demo', manifest: 'data:application/json,{}' }), /model\.manifest must be an http\(s\) URL/],
    ['an unknown task', (m: Record<string, unknown>) => (m.task = 'train'), /model\.task must be "uncertainty" or "cluster"/],
    ['a quantile of 1', (m: Record<string, unknown>) => ((m.params as Record<string, unknown>).quantile = 1), /params\.quantile must be a number between 0 and 1/],
    ['two statements in a condition', (m: Record<string, unknown>) => ((m.params as Record<string, unknown>).reference = 'true; DROP TABLE episodes'), /params\.reference must be one condition/],
    ['an anchor outside the window', (m: Record<string, unknown>) => (((m.mapping as { inputs: Record<string, unknown>[] }).inputs[0].anchor = 2)), /mapping\.inputs\[0\]\.anchor must be in 0…window − 1/],
    ['a bad result column', (m: Record<string, unknown>) => (((m.mapping as { outputs: Record<string, unknown>[] }).outputs[0].column = 'a b')), /mapping\.outputs\[0\]\.column must be a column name/],
    ['17 models', (m: Record<string, unknown>) => (m.model = { kind: 'url', urls: Array(17).fill('m.onnx') }), /model\.urls must list 1–16 models/],
  ])('refuses %s', (_, f, message) => {
    const errors = errorsOf(withModel(f));
    expect(errors.some((e) => message.test(e)), errors.join('\n')).toBe(true);
  });

  it('refuses a model spec on another kind of cell, and a model cell without one', () => {
    const doc = clone(uncertaintyNotebook()) as unknown as { cells: Record<string, unknown>[] };
    doc.cells[2].model = doc.cells[1].model;
    delete doc.cells[1].model;
    const errors = errorsOf(doc);
    expect(errors).toContain('cells[2] ("uncertainty_by_group").model is only allowed on model cells (this one is "sql").');
    expect(errors).toContain('cells[1] ("policy_scores").model must be an object {task, model, mapping, params}.');
  });

  it('checks clustering parameters: k, eps, names', () => {
    const doc = clone(failureClusteringNotebook()) as unknown as { cells: Record<string, unknown>[] };
    const params = (doc.cells[1].model as { params: Record<string, unknown> }).params;
    params.k = 1;
    params.eps = -1;
    params.names = { '0': 'collision', x: 'bad' };
    const errors = errorsOf(doc);
    expect(errors).toEqual([
      'cells[1] ("failure_clusters").model.params.k must be "auto" or a whole number in 2…50.',
      'cells[1] ("failure_clusters").model.params.eps must be "auto" or a positive number.',
      'cells[1] ("failure_clusters").model.params.names entry "x" must map a cluster number to a name of at most 60 characters.',
    ]);
    params.k = 5;
    params.eps = 0.8;
    params.names = { '0': 'collision', '3': 'slips' };
    const v = validateNotebook(doc);
    expect(v.ok && (v.doc.cells[1].model as { params: unknown }).params).toMatchObject({ k: 5, eps: 0.8, names: { '0': 'collision', '3': 'slips' } });
  });

  it('keeps local model files by name only', () => {
    const v = validateNotebook(withModel((m) => (m.model = { kind: 'file', names: ['member-a.onnx', 'member-b.onnx'] })));
    expect(v.ok && modelCell(v.doc as NotebookDoc).model.model).toEqual({ kind: 'file', names: ['member-a.onnx', 'member-b.onnx'] });
  });

  it('lists model hosts among the hosts a notebook contacts', () => {
    const doc = withModel((m) => (m.model = { kind: 'url', urls: ['https://models.example/a.onnx', '//cdn.example/b.onnx', 'models/c.onnx'] })) as NotebookDoc;
    expect(hostsContacted(doc, 'https://app.example/')).toEqual(['cdn.example', 'models.example']);
    expect(hostsContacted(uncertaintyNotebook(), 'https://app.example/')).toEqual([]);
    const demoElsewhere = withModel((m) => (m.model = { kind: 'demo', manifest: 'https://other.example/models.json' })) as NotebookDoc;
    expect(hostsContacted(demoElsewhere, 'https://app.example/')).toEqual(['other.example']);
  });
});

describe('model cells in the dependency scan', () => {
  const doc = uncertaintyNotebook();
  const clusters = failureClusteringNotebook();

  it('a model cell produces its result tables and reads what its queries read', () => {
    const m = modelCell(doc);
    expect(namesProduced(m)).toEqual(['policy_scores', 'policy_scores_episodes', 'policy_scores_collect']);
    // Like a SQL cell's, the scan over-approximates (every identifier); only names of tables and cells matter.
    expect([...namesRead(m)]).toEqual(expect.arrayContaining(['episodes', 'frames']));
    expect(namesProduced(modelCell(clusters))).toEqual(['failure_clusters', 'failure_clusters_clusters']);
    expect([...namesRead(modelCell(clusters))]).toEqual(expect.arrayContaining(['episodes', 'frames']));
  });

  it('SQL cells reading any of its tables depend on it, and so do their charts', () => {
    const { upstream, problems } = dependencyGraph(doc.cells);
    expect(problems).toEqual([]);
    expect(upstream.get('collect_here')).toEqual(['policy_scores']);
    expect(upstream.get('uncertainty_by_group')).toEqual(['policy_scores']);
    expect(downstreamOf(doc.cells, 'policy_scores')).toEqual(['uncertainty_by_group', 'flagged_chart', 'collect_here', 'episode_uncertainty', 'top_episode_trace', 'trace_chart', 'shadow_mode', 'shadow_chart']);
    const { upstream: up2 } = dependencyGraph(clusters.cells);
    expect(up2.get('cluster_summary')).toEqual(['failure_clusters']);
  });

  it('a cell above the model cell that reads its tables is an order problem', () => {
    const moved = [doc.cells[5], ...doc.cells.filter((c) => c !== doc.cells[5])];
    expect(dependencyGraph(moved).problems).toEqual([{ cellId: 'collect_here', message: 'Uses "policy_scores", which is defined further down. Move this cell below it.' }]);
  });

  it('the input query reads only the mapped columns, and clustering only the failed episodes', () => {
    expect(modelCell(doc).source).toBe('SELECT episode_index, frame_index, "observation.state", action\nFROM frames\nORDER BY episode_index, frame_index');
    expect(defaultInputSql(modelCell(clusters).model)).toContain(`WHERE episode_index IN (SELECT episode_index FROM episodes WHERE outcome = 'failure')`);
    const spec = modelCell(clusters).model;
    if (spec.task !== 'cluster') throw new Error('expected a clustering cell');
    expect(anchorsSql({ ...spec.params, onsets: 'annotated' }, 'observation.state')).not.toContain('list_distance');
  });
});

describe('model cells in the runner', () => {
  function fakeDb(over: Partial<NotebookDb> = {}): NotebookDb & { cancelled: number[] } {
    let id = 1;
    const cancelled: number[] = [];
    return {
      cancelled,
      nextId: () => id++,
      runCell: async (name) => ({ name, columns: [{ name: 'x', type: 'INTEGER' }], rowCount: 1, rows: [{ x: 1 }], ms: 1 }),
      // No catalog: the runner's capability check cannot tell, so it lets every cell run (these tests are about the port).
      query: async (sql) => {
        if (/information_schema/.test(sql)) throw new Error('This test double has no catalog.');
        return { rows: [], columns: [], ms: 1 };
      },
      cancel: async (i) => (cancelled.push(i), true),
      page: async () => [],
      ...over,
    };
  }

  it('runs a model cell through the port, shows its notes, keeps its report, and runs what reads it', async () => {
    const notes: string[] = [];
    const ran: string[] = [];
    const db = fakeDb({
      runModel: async (cell, ctx) => {
        ctx.onNote('Scoring frames 50%');
        notes.push(nb.runtime[cell.id].note!);
        const info = new ModelRunInfo({ task: 'uncertainty', models: [], columns: {}, tables: [{ name: cell.name, rows: 3, columns: [{ name: 'u', type: 'FLOAT' }] }], statsFrom: 'none', samples: 3, ms: 1 });
        return { output: { name: cell.name, columns: [{ name: 'u', type: 'FLOAT' }], rowCount: 3, rows: [{ u: 1 }], ms: 1 }, info };
      },
      runCell: async (name) => (ran.push(name), { name, columns: [], rowCount: 0, rows: [], ms: 1 }),
    });
    const nb = new NotebookRunner(clone(uncertaintyNotebook()), db);
    await nb.runCell('policy_scores');
    expect(notes).toEqual(['Scoring frames 50%']);
    expect(nb.runtime.policy_scores).toMatchObject({ status: 'done', output: { rowCount: 3, truncated: true } });
    expect(nb.runtime.policy_scores.model?.data.tables[0].name).toBe('policy_scores');
    expect(ran).toEqual(['uncertainty_by_group', 'collect_here', 'episode_uncertainty', 'top_episode_trace', 'shadow_mode']);
  });

  it('cancel reaches the running model cell by its query id', async () => {
    let release!: () => void;
    const db = fakeDb({
      runModel: (_cell, ctx) =>
        new Promise((_, reject) => {
          release = () => {
            const e = new Error('Scoring job 1 was cancelled.');
            e.name = 'CancelledError';
            reject(e);
          };
          expect(ctx.id).toBeGreaterThan(0);
        }),
    });
    const nb = new NotebookRunner(clone(uncertaintyNotebook()), db);
    const run = nb.runCell('policy_scores');
    await new Promise((r) => setTimeout(r, 10));
    await nb.cancel('policy_scores');
    expect(db.cancelled.length).toBe(1);
    release();
    await run;
    expect(nb.runtime.policy_scores).toMatchObject({ status: 'cancelled', error: 'Cancelled.' });
    expect(nb.runtime.collect_here.status).toBe('error');
  });

  it('says so where model cells cannot run', async () => {
    const nb = new NotebookRunner(clone(uncertaintyNotebook()), fakeDb());
    await nb.runCell('policy_scores');
    expect(nb.runtime.policy_scores).toMatchObject({ status: 'error', error: 'Model cells cannot run here.' });
  });
});
