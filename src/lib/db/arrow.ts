import { tableFromIPC, Type, type Field, type Table } from 'apache-arrow';

/**
 * Converts Arrow values into plain JS for charts, grids and JSON: BIGINT → number (when it fits; else string,
 * so no precision is silently lost), DECIMAL → number, timestamps/dates → Date, lists → arrays, structs → objects.
 * Observable Plot and the grid cannot use bigint or Arrow's decimal words directly.
 */
export function tableToRows(table: Table): Record<string, unknown>[] {
  const fields = table.schema.fields;
  const converters = fields.map((f) => converterFor(f));
  const columns = fields.map((_, i) => table.getChildAt(i));
  const out: Record<string, unknown>[] = new Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < fields.length; c++) {
      const v = columns[c]?.get(r);
      row[fields[c].name] = v == null ? null : converters[c](v);
    }
    out[r] = row;
  }
  return out;
}

/** Decodes an Arrow IPC stream (or file) into plain rows. */
export function ipcToRows(ipc: Uint8Array): Record<string, unknown>[] {
  return tableToRows(tableFromIPC(ipc));
}

/** Decodes an Arrow IPC stream into plain rows plus column names and Arrow type names. */
export function ipcToResult(ipc: Uint8Array): { rows: Record<string, unknown>[]; columns: { name: string; type: string }[] } {
  const table = tableFromIPC(ipc);
  return { rows: tableToRows(table), columns: table.schema.fields.map((f) => ({ name: f.name, type: String(f.type) })) };
}

type Convert = (v: unknown) => unknown;

function converterFor(field: Field): Convert {
  const t = field.type;
  switch (t.typeId) {
    case Type.Int:
      return (v) => (typeof v === 'bigint' ? bigintToNumber(v) : v);
    case Type.Decimal: {
      const scale = (t as unknown as { scale: number }).scale;
      return (v) => decimalToNumber(v, scale);
    }
    case Type.Timestamp:
    case Type.Date:
      return (v) => (typeof v === 'number' ? new Date(v) : v instanceof Date ? v : new Date(Number(v)));
    case Type.List:
    case Type.FixedSizeList: {
      const child = (t as unknown as { children: Field[] }).children[0];
      const inner = child ? converterFor(child) : (x: unknown) => x;
      return (v) => Array.from(v as Iterable<unknown>, (x) => (x == null ? null : inner(x)));
    }
    case Type.Struct: {
      const children = (t as unknown as { children: Field[] }).children;
      const inner = children.map((c) => [c.name, converterFor(c)] as const);
      return (v) => {
        const src = v as Record<string, unknown>;
        const o: Record<string, unknown> = {};
        for (const [name, conv] of inner) o[name] = src[name] == null ? null : conv(src[name]);
        return o;
      };
    }
    default:
      return (v) => (typeof v === 'bigint' ? bigintToNumber(v) : v);
  }
}

function bigintToNumber(v: bigint): number | string {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
}

function decimalToNumber(v: unknown, scale: number): number {
  // Arrow JS returns decimals as a Uint32Array of little-endian 32-bit words (two's complement).
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v) / 10 ** scale;
  const words = v as Uint32Array;
  let big = 0n;
  for (let i = words.length - 1; i >= 0; i--) big = (big << 32n) | BigInt(words[i]);
  const bits = BigInt(words.length * 32);
  if (words.length && words[words.length - 1] & 0x80000000) big -= 1n << bits;
  return Number(big) / 10 ** scale;
}
