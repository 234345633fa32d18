import { describe, expect, it } from 'vitest';
import { ShareError } from './errors.ts';
import { MIGRATIONS, migrate, type Migration } from './migrate.ts';
import { validateNotebook } from './schema.ts';

/** A hypothetical v0 where cells kept their text in `sql` (for every kind) instead of `source`. */
const v0ToV1: Migration = (doc) => ({
  ...doc,
  cells: Array.isArray(doc.cells)
    ? doc.cells.map((cell: Record<string, unknown>) => {
        const { sql, ...rest } = cell;
        return { ...rest, source: sql ?? '' };
      })
    : doc.cells,
});
const steps = new Map([[0, v0ToV1]]);

const v0 = {
  version: 0,
  title: 'Old notebook',
  sources: [{ name: 'dataset', kind: 'lerobot', url: 'demo/' }],
  cells: [
    { id: 'a', kind: 'sql', name: 'lengths', sql: 'SELECT length FROM episodes' },
    { id: 'b', kind: 'markdown', name: 'notes', sql: '# Hi' },
  ],
};

describe('migrate', () => {
  it('upgrades a synthetic v0 document to a valid v1 one', () => {
    const input = structuredClone(v0);
    const migrated = migrate(input, steps);
    expect(validateNotebook(migrated)).toEqual({
      ok: true,
      doc: {
        version: 1,
        title: 'Old notebook',
        sources: [{ name: 'dataset', kind: 'lerobot', url: 'demo/' }],
        cells: [
          { id: 'a', kind: 'sql', name: 'lengths', source: 'SELECT length FROM episodes' },
          { id: 'b', kind: 'markdown', name: 'notes', source: '# Hi' },
        ],
      },
    });
    expect(input).toEqual(v0); // input untouched
  });

  it('chains steps and sets each version itself', () => {
    const seen: unknown[] = [];
    const chain = new Map<number, Migration>([
      [0, (d) => (seen.push(d.version), { ...d, a: 1 })],
      [1, (d) => (seen.push(d.version), { ...d, b: 2 })],
    ]);
    expect(migrate({ version: 0 }, chain, 2)).toEqual({ version: 2, a: 1, b: 2 });
    expect(seen).toEqual([0, 1]);
  });

  it('leaves current documents alone (same object)', () => {
    const doc = { version: 1, title: '', sources: [], cells: [] };
    expect(migrate(doc)).toBe(doc);
  });

  it('passes through what it cannot read, for the validator to report', () => {
    for (const x of [null, 'x', [1], { title: 'no version' }, { version: '1' }, { version: 0.5 }]) expect(migrate(x)).toBe(x);
  });

  it('refuses newer versions and versions with no upgrade path', () => {
    expect(() => migrate({ version: 2 })).toThrow(/newer version of Flywheel/);
    expect(() => migrate({ version: 0 })).toThrow(ShareError);
    expect(() => migrate({ version: -3 }, steps)).toThrow(/format -3 is not supported/);
  });

  it('ships no steps yet (v1 is the first format)', () => {
    expect(MIGRATIONS.size).toBe(0);
  });
});
