/**
 * Checks of one LeRobot data file against what `meta/info.json` declares, in words: which file, which column, what
 * info.json says, and what the user can do. Pure (no DuckDB, no parquet-wasm): callers pass the file's bytes or
 * columns. The frames source calls these when it reads a file's footer, so a file that does not match is skipped
 * with a sentence instead of breaking every query with an engine's message.
 */
import type { DatasetInfo } from '../../src/lib/ingest/lerobot';
import { SourceError } from './source-error';
import type { ColumnInfo } from './types';

/**
 * A data file that cannot be used as it is; the message is one sentence naming the file and the problem. A
 * SourceError (the reader's "this file could not be read"), so callers that catch those keep working.
 */
export class DataFileError extends SourceError {
  override name = 'DataFileError';
  constructor(
    message: string,
    readonly path: string,
    /** True when the message already says the file was skipped. */
    readonly skipped = false,
  ) {
    super(message);
  }
}

const PAR1 = [0x50, 0x41, 0x52, 0x31];
const isPar1 = (b: Uint8Array) => b.length >= 4 && PAR1.every((x, i) => b[i] === x);

/**
 * Why a file parquet-wasm could not open is not usable, from its first and last bytes: not Parquet at all (with
 * what it looks like instead: a Git LFS pointer, HTML, JSON, text), cut off (Parquet's magic at the start but not
 * at the end), or damaged (both magics, a footer that does not decode).
 */
export function describeUnreadableParquet(path: string, head: Uint8Array, tail: Uint8Array, size: number): string {
  if (size === 0) return `${path} is empty (0 bytes): copy or download it again.`;
  if (!isPar1(head)) {
    const text = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, 64));
    if (text.startsWith('version https://git-lfs')) {
      return `${path} is a Git LFS pointer, not the Parquet file itself: fetch the real file with \`git lfs pull\` in the dataset's folder.`;
    }
    const looks = /^\s*</.test(text) ? 'an HTML or XML page' : /^\s*[[{]/.test(text) ? 'JSON' : /^[\x09\x0a\x0d\x20-\x7e]{8}/.test(text) ? 'text' : 'some other binary data';
    return `${path} is not a Parquet file (it holds ${looks}, and Parquet files start with "PAR1"): replace it with the data file info.json describes.`;
  }
  if (!isPar1(tail.subarray(tail.length - 4))) {
    return `${path} is truncated (${size.toLocaleString('en-US')} bytes, its Parquet footer is missing): the copy or download stopped early, so copy it again.`;
  }
  return `${path} is damaged (it starts and ends like Parquet but its footer does not decode): replace it.`;
}

/** DuckDB's name for a LeRobot dtype's element type (null: not checked). */
function elementType(dtype: string): string | null {
  const t: Record<string, string> = {
    float32: 'FLOAT',
    float64: 'DOUBLE',
    int64: 'BIGINT',
    int32: 'INTEGER',
    int16: 'SMALLINT',
    int8: 'TINYINT',
    uint8: 'UTINYINT',
    bool: 'BOOLEAN',
    string: 'VARCHAR',
  };
  return t[dtype] ?? null;
}

/** A column type's element type and whether it is a list/array (`FLOAT[]`, `FLOAT[26]` → FLOAT, true). */
function splitType(type: string): { element: string; list: boolean } {
  const m = /^(.*?)((\[\d*\])+)$/.exec(type.trim());
  return m ? { element: m[1], list: true } : { element: type.trim(), list: false };
}

/** What a file's columns lack or hold differently from info.json's features. */
export interface SchemaMismatch {
  /** Features info.json declares (stored in the data files) that the file lacks. */
  missing: string[];
  /** Columns whose type differs: what the file has and what info.json declares. */
  differing: { column: string; has: string; declared: string }[];
  /** Columns the file has that info.json does not declare (harmless: they are read like any other). */
  extra: string[];
}

/**
 * Compares a data file's columns (as DuckDB reads them) with info.json's features. Video features are not stored
 * in data files and are not expected; a feature of shape [1] may be stored as a scalar or a one-element list.
 */
export function compareSchema(columns: ColumnInfo[], info: Pick<DatasetInfo, 'features'>): SchemaMismatch {
  const have = new Map(columns.map((c) => [c.name, c.type]));
  const out: SchemaMismatch = { missing: [], differing: [], extra: [] };
  const declared = info.features.filter((f) => !f.isVideo);
  for (const f of declared) {
    const type = have.get(f.key);
    if (type === undefined) {
      out.missing.push(f.key);
      continue;
    }
    const want = elementType(f.dtype);
    if (!want) continue;
    const { element, list } = splitType(type);
    const size = f.shape.reduce((a, b) => a * b, 1);
    const shapeOk = list || size <= 1;
    if (element !== want || !shapeOk) {
      out.differing.push({ column: f.key, has: type, declared: `${f.dtype}${f.shape.length && size > 1 ? ` × ${f.shape.join('×')}` : ''}` });
    }
  }
  const keys = new Set(info.features.map((f) => f.key));
  out.extra = columns.map((c) => c.name).filter((c) => !keys.has(c));
  return out;
}

/**
 * The sentence for a file whose columns do not match, or null when it can be used: every declared column present
 * with its declared type. Extra columns alone are fine (real datasets carry undeclared debug columns).
 */
export function describeMismatch(path: string, m: SchemaMismatch, totalDeclared: number): string | null {
  if (!m.missing.length && !m.differing.length) return null;
  const parts: string[] = [];
  if (m.missing.length) {
    const list = m.missing.length > 4 ? `${m.missing.slice(0, 4).join(', ')} and ${m.missing.length - 4} more` : m.missing.join(', ');
    parts.push(
      m.missing.length === totalDeclared
        ? `has none of the ${totalDeclared} columns info.json declares (such as ${m.missing.slice(0, 3).join(', ')})`
        : `lacks ${m.missing.length === 1 ? 'the column' : 'the columns'} ${list} that info.json declares`,
    );
  }
  for (const d of m.differing.slice(0, 3)) parts.push(`stores ${d.column} as ${d.has} where info.json declares ${d.declared}`);
  if (m.differing.length > 3) parts.push(`differs in ${m.differing.length - 3} more columns`);
  return `${path} does not match info.json: it ${parts.join(', and ')}; it was skipped (replace it with a matching file, or fix info.json).`;
}

/** The sentence for a v2.x episode file whose row count differs from the episode's length (it is still read). */
export function describeRowCount(path: string, rows: number, episode: number, length: number): string | null {
  if (rows === length) return null;
  return `${path} holds ${rows.toLocaleString('en-US')} frames where the episode metadata says episode ${episode} has ${length.toLocaleString('en-US')}: it was read as it is, so that episode's frames and its metadata disagree.`;
}
