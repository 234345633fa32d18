import { describe, expect, test } from 'vitest';
import { FORMS, JOBS, jobSql, validateForm, type FormKind } from '../../src/lib/analysis/jobs';
import { fieldPaths, getPath, setPath } from '../../src/lib/analysis/form-fields';
import { ANALYSIS_TEMPLATES, failureMiningNotebook } from '../../src/lib/analysis';
import { formCells, formOf, matchesForm, regenerate, setEdited } from '../../src/lib/notebook/analysis-cells';
import { validateNotebook } from '../../src/lib/share/schema';

describe('form fields', () => {
  test('setPath copies along the path and leaves the original alone', () => {
    const a = { t: { x: 1, y: 2 }, z: [1] };
    const b = setPath(a, 't.x', 5);
    expect(b).toEqual({ t: { x: 5, y: 2 }, z: [1] });
    expect(a.t.x).toBe(1);
    expect(b.z).toBe(a.z);
    expect(getPath(b, 't.x')).toBe(5);
    expect(getPath(b, 't.nope.deeper')).toBeUndefined();
    expect(() => setPath(a, '__proto__.polluted', 1)).toThrow(/Refusing/);
  });

  test("every field of every form points at a value the form's defaults have", () => {
    for (const [kind, def] of Object.entries(FORMS) as [FormKind, (typeof FORMS)[FormKind]][]) {
      const form = def.defaults();
      for (const path of fieldPaths(def.fields)) expect(getPath(form, path), `${kind}: ${path}`).not.toBeUndefined();
      expect(validateForm(kind, form), kind).toEqual([]);
    }
  });
});

describe('analysis cells', () => {
  test('the job templates hold one form per job and their SQL is what the form generates', () => {
    for (const t of ANALYSIS_TEMPLATES) {
      const doc = t.build();
      const owners = doc.cells.filter((c) => c.analysis && 'form' in c.analysis);
      expect(owners.length, t.id).toBe(1);
      for (const c of doc.cells.filter((c) => c.analysis)) {
        expect(matchesForm(doc, c), `${t.id}/${c.name}`).toBe(true);
        expect(formOf(doc, c)?.owner).toBe(owners[0]);
      }
    }
  });

  test('a form edit regenerates the owner and its followers, except SQL edited by hand', () => {
    const doc = failureMiningNotebook();
    const owner = doc.cells.find((c) => c.name === 'failure_priority')!;
    const pareto = doc.cells.find((c) => c.name === 'failure_pareto')!;
    expect(formCells(doc, owner).map((c) => c.name)).toEqual(['failure_priority', 'failure_pareto']);
    const form = (owner.analysis as { form: any }).form;
    owner.analysis = { job: 'failure_priority', form: { ...form, groupBy: 'rotation', modes: { ...form.modes, collision: { ...form.modes.collision, fixability: 0.95 } } } };
    const r = regenerate(doc, owner);
    expect(r).toEqual({ changed: ['failure_priority', 'failure_pareto'] });
    expect(owner.source).toContain("'collision', 0.95");
    expect(pareto.source).toContain('"rotation"');

    setEdited(pareto, true);
    pareto.source = 'SELECT 1';
    owner.analysis = { job: 'failure_priority', form: { ...form, groupBy: 'policy_version' } };
    expect(regenerate(doc, owner)).toEqual({ changed: ['failure_priority', 'failure_pareto'].slice(0, 1) });
    expect(pareto.source).toBe('SELECT 1');
  });

  test('an invalid form changes nothing and says what is wrong', () => {
    const doc = failureMiningNotebook();
    const owner = doc.cells.find((c) => c.name === 'failure_priority')!;
    const before = owner.source;
    const form = (owner.analysis as { form: any }).form;
    owner.analysis = { job: 'failure_priority', form: { ...form, modes: { collision: { fixability: 2, impact: 1, addressableByData: false } } } };
    const r = regenerate(doc, owner);
    expect('problems' in r && r.problems.join(' ')).toMatch(/"collision" fixability must be a number at least 0 and at most 1 \(got 2\)/);
    expect(owner.source).toBe(before);
    expect(() => jobSql('failure_priority', { nonsense: true }, 'x')).toThrow(/failure mining form has problems/);
  });

  test('share links keep forms, and refuse unknown jobs, invalid forms and forms on other cell kinds', () => {
    const doc = failureMiningNotebook();
    const ok = validateNotebook(JSON.parse(JSON.stringify(doc)));
    expect(ok.ok).toBe(true);
    if (ok.ok) expect(ok.doc.cells.find((c) => c.name === 'failure_priority')?.analysis).toEqual(doc.cells.find((c) => c.name === 'failure_priority')?.analysis);
    const bad = (mutate: (d: any) => void): string => {
      const d = JSON.parse(JSON.stringify(doc));
      mutate(d);
      const v = validateNotebook(d);
      return v.ok ? '' : v.errors.join(' ');
    };
    expect(bad((d) => (d.cells[2].analysis.job = 'drop_tables'))).toMatch(/analysis\.job must be one of/);
    expect(bad((d) => (d.cells[2].analysis.form.modes.collision.impact = 'high'))).toMatch(/"collision" impact must be a number/);
    expect(bad((d) => (d.cells[2].analysis.of = 'x'))).toMatch(/not both/);
    expect(bad((d) => (d.cells[0].analysis = { job: 'red_flags', of: 'x' }))).toMatch(/only allowed on SQL cells/);
    expect(bad((d) => (d.cells[2].analysis.extra = 1))).toMatch(/extra/);
  });
});
