import { Field, List, Utf8, Int64, Float64, Bool, tableToIPC, vectorFromArray, Table, type DataType, type Vector } from 'apache-arrow';

/** Column kinds for small tables built from JSON metadata (episodes.jsonl, tasks.jsonl). */
export type ColumnKind = 'int64' | 'float64' | 'utf8' | 'bool' | 'utf8[]';

const TYPES: Record<ColumnKind, () => DataType> = {
  int64: () => new Int64(),
  float64: () => new Float64(),
  utf8: () => new Utf8(),
  bool: () => new Bool(),
  'utf8[]': () => new List(new Field('item', new Utf8(), true)),
};

/**
 * Builds an Arrow IPC stream from row objects with declared column types. Used for JSON metadata, which
 * DuckDB-WASM cannot parse itself offline (its JSON reader is a downloadable extension, stack.md G1).
 */
export function rowsToIpc(rows: Record<string, unknown>[], columns: Record<string, ColumnKind>): Uint8Array {
  const vectors: Record<string, Vector> = {};
  for (const [name, kind] of Object.entries(columns)) {
    const values = rows.map((r) => coerce(r[name], kind));
    vectors[name] = vectorFromArray(values as never[], TYPES[kind]());
  }
  return tableToIPC(new Table(vectors), 'stream');
}

function coerce(v: unknown, kind: ColumnKind): unknown {
  if (v == null) return null;
  switch (kind) {
    case 'int64':
      return BigInt(Math.trunc(Number(v)));
    case 'float64':
      return Number(v);
    case 'utf8':
      return String(v);
    case 'bool':
      return Boolean(v);
    case 'utf8[]':
      return Array.isArray(v) ? v.map(String) : [String(v)];
  }
}

/** Parses JSON Lines, naming the line of a syntax error. */
export function parseJsonl(text: string, fileName: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    try {
      out.push(JSON.parse(line));
    } catch (e) {
      throw new Error(`${fileName} line ${i + 1} is not valid JSON: ${(e as Error).message}`);
    }
  }
  return out;
}
