/**
 * Issue 17, "no job's default form names a column the open dataset lacks": every job notebook built for a user's
 * dataset the way the sidebar builds it (forms fitted to the catalog's columns), on the schemas of the real fixtures
 * (read from `information_schema` after opening them in the headless runner on the real engine). Walks every string
 * field of every form that is a column reference (`…Column`, `column`, column lists, and the double-quoted names of
 * SQL conditions) and requires the column in the table it is read from. A table the data lack (no cost sheet, no
 * log) is the capability check's business: it must be a known source table, which has a sentence saying what to add.
 */
import { describe, expect, it } from 'vitest';
import { ANALYSIS_TEMPLATES } from '../../src/lib/analysis';
import { TABLE_HELP, has, quotedIdents, type Schema } from '../../src/lib/contract';
import type { SourceDecl } from '../../src/lib/ingest/source';
import { healthNotebook } from '../../src/lib/notebook/templates';
import { schemaOf } from './helpers/schema';

const G1 = 'tests/fixtures/samples/lerobot/v21_unitree-g1_G1-policy-train';
const log = (p: string): SourceDecl => ({ name: 'deployments', kind: 'csv', url: p, role: 'episode-log' });
const CONFIGS: Record<string, SourceDecl[]> = {
  'G1, no log': [{ name: 'dataset', kind: 'lerobot', url: G1 }],
  'G1, outcome-only log': [{ name: 'dataset', kind: 'lerobot', url: G1 }, log('tests/fixtures/logs/v21_g1_outcome_only/deployment_log.csv')],
  'G1, full log': [{ name: 'dataset', kind: 'lerobot', url: G1 }, log('tests/fixtures/logs/v21_g1/deployment_log.csv'), { name: 'costs', kind: 'csv', url: 'tests/fixtures/logs/v21_g1/collection_costs.csv', role: 'table' }],
  'DROID schema': [{ name: 'dataset', kind: 'lerobot', url: 'tests/fixtures/datasets/droid_mini' }],
  'SO-101 in degrees': [{ name: 'dataset', kind: 'lerobot', url: 'tests/fixtures/datasets/so101_degrees' }],
  'SO-101 fleet with its log': [{ name: 'dataset', kind: 'lerobot', url: 'tests/fixtures/datasets/so101_fleet' }, log('tests/fixtures/datasets/so101_fleet/deployment_log.csv')],
};

/** A column a form reads, where in the form it is named, and the tables it may come from. */
interface Ref {
  at: string;
  column: string;
  tables: string[];
}

/** Keys whose string value names a table. */
const TABLE_KEY = /^(table|\w+Table)$/;
/** Keys whose string value is a SQL condition (its double-quoted names are columns). */
const SQL_KEYS = new Set(['where', 'gate', 'reApproachExempt', 'goalCondition', 'calibration', 'deployments', 'pool']);
/** Keys whose value is a list of column names. */
const LIST_KEYS = new Set(['conditionColumns', 'strata']);

/** Columns read from a table other than the object's main one, by key. */
const TABLE_OF: Record<string, string> = {
  idColumn: 'predictedTable',
  predictedColumn: 'predictedTable',
  stateColumn: 'framesTable',
  measuredColumn: 'framesTable',
  commandedColumn: 'framesTable',
};

/**
 * Every column reference in a form, with the table it is read from: the table its key says (`TABLE_OF`), else its
 * object's `table` (a column map, a cost sheet) or `episodesTable` (a gate's conditions), else its parent's (a
 * replay set reads the table of the form's column map).
 */
function columnRefs(x: unknown, at: string, inherited: string[], out: Ref[]): Ref[] {
  if (Array.isArray(x)) {
    x.forEach((v, i) => columnRefs(v, `${at}[${i}]`, inherited, out));
    return out;
  }
  if (x === null || typeof x !== 'object') return out;
  const obj = x as Record<string, unknown>;
  const str = (k: string) => (typeof obj[k] === 'string' ? [obj[k] as string] : []);
  const child = obj.columns && typeof obj.columns === 'object' && !Array.isArray(obj.columns) ? (obj.columns as Record<string, unknown>).table : undefined;
  const main = str('table').length ? str('table') : str('episodesTable').length ? str('episodesTable') : typeof child === 'string' ? [child] : inherited;
  const tablesOf = (k: string) => (TABLE_OF[k] && str(TABLE_OF[k]).length ? str(TABLE_OF[k]) : main);
  for (const [k, v] of Object.entries(obj)) {
    const where = `${at}.${k}`;
    if (typeof v === 'string' && (/Column$/.test(k) || k === 'column')) out.push({ at: where, column: v, tables: tablesOf(k) });
    else if (typeof v === 'string' && SQL_KEYS.has(k)) for (const c of quotedIdents(v)) out.push({ at: where, column: c, tables: main });
    else if (LIST_KEYS.has(k) && Array.isArray(v)) v.forEach((c, i) => typeof c === 'string' && out.push({ at: `${where}[${i}]`, column: c, tables: main }));
    else if (typeof v === 'object') columnRefs(v, where, main, out);
  }
  return out;
}

const templates = [{ id: 'health', build: (s: SourceDecl[], x: Schema) => healthNotebook(s, x) }, ...ANALYSIS_TEMPLATES];

describe('fitted job forms name only columns the open data have', () => {
  it('the walker finds the column references of a form, each with the table it is read from', () => {
    const refs = columnRefs({ columns: { table: 'episodes', outcomeColumn: 'outcome', tagColumn: null, conditionColumns: ['lighting'] }, baseline: { kind: 'where', where: `"policy_version" IS NULL AND x = '"no"'` } }, 'f', [], []);
    expect(refs.map((r) => [r.column, r.tables[0]])).toEqual([['outcome', 'episodes'], ['lighting', 'episodes'], ['policy_version', 'episodes']]);
    const gate = columnRefs({ episodesTable: 'episodes', framesTable: 'frames', stateColumn: 'state', gate: '"tags" IS NULL', predictedTable: 'deployments', idColumn: 'episode_id' }, 'g', [], []);
    expect(gate.map((r) => [r.column, r.tables[0]])).toEqual([['state', 'frames'], ['tags', 'episodes'], ['episode_id', 'deployments']]);
  });

  for (const [config, sources] of Object.entries(CONFIGS)) {
    it(config, { timeout: 120_000 }, async () => {
      const schema = await schemaOf(sources);
      const missing: string[] = [];
      let forms = 0;
      let refs = 0;
      for (const t of templates) {
        const doc = t.build(sources, schema);
        const produced = new Set(doc.cells.map((c) => c.name.toLowerCase()));
        for (const cell of doc.cells) {
          if (!cell.analysis || !('form' in cell.analysis)) continue;
          forms++;
          for (const r of columnRefs(cell.analysis.form, `${t.id}/${cell.name}`, [], [])) {
            const present = r.tables.filter((table) => has(schema, table));
            // An absent table is another cell's result (checked when that cell runs) or a source table whose need
            // has a sentence saying what to add (no cost sheet, no log).
            for (const table of r.tables.filter((x) => !has(schema, x))) if (!produced.has(table.toLowerCase()) && !(table.toLowerCase() in TABLE_HELP)) missing.push(`${r.at}: unknown table ${table}`);
            if (present.length === 0) continue;
            refs++;
            if (!present.some((table) => has(schema, table, r.column))) missing.push(`${r.at}: ${r.column} (not in ${present.join(', ')})`);
          }
        }
      }
      expect(forms).toBeGreaterThanOrEqual(8);
      expect(refs).toBeGreaterThan(10);
      expect(missing).toEqual([]);
    });
  }
});
