/**
 * A small SQL lexer for what the notebook needs before a query runs: split a cell into statements and find
 * the names it references. Hand-written (about 80 lines) because it must be synchronous and available before
 * DuckDB has booted (the first run is scheduled while the engine starts), and no maintained JS SQL parser
 * understands DuckDB's dialect (FROM-first queries, list literals, `$$` strings). It never decides semantics:
 * DuckDB still parses every statement.
 */

/** A token of interest: identifiers (bare or quoted) and statement separators. */
export interface SqlToken {
  kind: 'ident' | 'semicolon' | 'word';
  text: string;
  start: number;
  end: number;
}

/** Tokenises SQL, skipping strings, comments and numbers. */
export function scanSql(sql: string): SqlToken[] {
  const out: SqlToken[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (c === '-' && sql[i + 1] === '-') {
      const j = sql.indexOf('\n', i);
      i = j < 0 ? n : j + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const j = sql.indexOf('*/', i + 2);
      i = j < 0 ? n : j + 2;
    } else if (c === "'") {
      i = skipQuoted(sql, i, "'");
    } else if (c === '$' && sql[i + 1] === '$') {
      const j = sql.indexOf('$$', i + 2);
      i = j < 0 ? n : j + 2;
    } else if (c === '"') {
      const end = skipQuoted(sql, i, '"');
      out.push({ kind: 'ident', text: sql.slice(i + 1, end - 1).replaceAll('""', '"'), start: i, end });
      i = end;
    } else if (c === ';') {
      out.push({ kind: 'semicolon', text: ';', start: i, end: i + 1 });
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$]/.test(sql[j])) j++;
      out.push({ kind: 'word', text: sql.slice(i, j), start: i, end: j });
      i = j;
    } else {
      i++;
    }
  }
  return out;
}

function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

/** Splits SQL into statements at top-level semicolons, dropping empty ones. */
export function splitStatements(sql: string): string[] {
  const cuts = scanSql(sql).filter((t) => t.kind === 'semicolon');
  const parts: string[] = [];
  let from = 0;
  for (const t of cuts) {
    parts.push(sql.slice(from, t.start));
    from = t.end;
  }
  parts.push(sql.slice(from));
  return parts.map((p) => p.trim()).filter((p) => scanSql(p).length > 0 || /\S/.test(stripComments(p)));
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

/** Names (bare words and quoted identifiers) used in the SQL, lower-cased for bare words as DuckDB does. */
export function referencedNames(sql: string): Set<string> {
  const names = new Set<string>();
  for (const t of scanSql(sql)) {
    if (t.kind === 'word') names.add(t.text.toLowerCase());
    else if (t.kind === 'ident') names.add(t.text);
  }
  return names;
}

const QUERY_START = /^(select|with|from|values|table|pivot|unpivot|\()/i;
const WRAP_START = /^(describe|summarize|show)\b/i;

/** How a statement's result can be materialised under a cell's name. */
export function queryShape(statement: string): 'query' | 'wrap' | 'command' {
  const s = stripComments(statement).trimStart();
  if (QUERY_START.test(s)) return 'query';
  if (WRAP_START.test(s)) return 'wrap';
  return 'command';
}
