import { Binary, Bool, Field, Int32, Int64, List, Map_, Struct, Table, Uint16, Utf8, makeBuilder, makeVector, tableToIPC, type DataType, type Vector } from 'apache-arrow';
import type { AttachmentInfo, McapSummary, Metadata } from '../../src/lib/mcap';

const utf8 = new TextDecoder();
/** Schema encodings whose data is text (shown in `mcap_schemas.text`). */
const TEXT_SCHEMAS = new Set(['ros1msg', 'ros2msg', 'ros2idl', 'jsonschema', 'omgidl']);

/** MAP(VARCHAR, VARCHAR): channel and metadata key-value pairs, queryable as `metadata['key']`. */
const STRING_MAP = (): DataType =>
  new Map_(new Field('entries', new Struct<{ key: Utf8; value: Utf8 }>([new Field('key', new Utf8(), false), new Field('value', new Utf8(), true)]), false));

type Col = [name: string, type: () => DataType, values: unknown[]];

/** An Arrow IPC stream from columns of values (null for missing). */
function toIpc(cols: Col[]): Uint8Array {
  const vectors: Record<string, Vector> = {};
  for (const [name, type, values] of cols) {
    const b = makeBuilder({ type: type(), nullValues: [null, undefined] });
    for (const v of values) b.append(v);
    vectors[name] = makeVector(b.finish().flush());
  }
  return tableToIPC(new Table(vectors), 'stream');
}

/** One opened file, as the metadata tables describe it. */
export interface McapFileRow {
  index: number;
  summary: McapSummary;
  metadata: Metadata[];
  attachments: AttachmentInfo[];
  /** Per channel: the table its messages go to, whether they decode, and why not. */
  channels: Map<number, { table: string; error: string | null; messages: number | null }>;
}

/** `mcap_files`: one row per file, with how it was read and what was wrong with it. */
export function filesIpc(files: McapFileRow[]): Uint8Array {
  const s = (f: McapFileRow) => f.summary;
  const st = (f: McapFileRow) => s(f).statistics;
  return toIpc([
    ['mcap_file', () => new Int32(), files.map((f) => f.index)],
    ['name', () => new Utf8(), files.map((f) => s(f).label)],
    ['bytes', () => new Int64(), files.map((f) => BigInt(s(f).size))],
    ['profile', () => new Utf8(), files.map((f) => s(f).header.profile)],
    ['library', () => new Utf8(), files.map((f) => s(f).header.library)],
    ['read_mode', () => new Utf8(), files.map((f) => s(f).mode)],
    ['messages', () => new Int64(), files.map((f) => st(f)?.messageCount ?? sumMessages(f))],
    ['start_time', () => new Int64(), files.map((f) => (st(f) && st(f)!.messageCount > 0n ? st(f)!.messageStartTime : null))],
    ['end_time', () => new Int64(), files.map((f) => (st(f) && st(f)!.messageCount > 0n ? st(f)!.messageEndTime : null))],
    ['channels', () => new Int32(), files.map((f) => s(f).channels.size)],
    ['schemas', () => new Int32(), files.map((f) => s(f).schemas.size)],
    ['chunks', () => new Int32(), files.map((f) => s(f).chunkIndexes.length || (st(f)?.chunkCount ?? 0))],
    ['compression', () => new List(new Field('item', new Utf8(), true)), files.map((f) => [...new Set(s(f).chunkIndexes.map((c) => c.compression || 'none'))])],
    ['problems', () => new List(new Field('item', new Utf8(), true)), files.map((f) => [...s(f).problems])],
  ]);
}

function sumMessages(f: McapFileRow): bigint | null {
  let n = 0n;
  for (const c of f.channels.values()) {
    if (c.messages === null) return null;
    n += BigInt(c.messages);
  }
  return n;
}

/** `mcap_channels`: every channel of every file, its table, message count, and decoding error if any. */
export function channelsIpc(files: McapFileRow[]): Uint8Array {
  const rows = files.flatMap((f) =>
    [...f.summary.channels.values()].map((c) => {
      const schema = f.summary.schemas.get(c.schemaId);
      const info = f.channels.get(c.id);
      return { f: f.index, c, schema, info };
    }),
  );
  return toIpc([
    ['mcap_file', () => new Int32(), rows.map((r) => r.f)],
    ['channel_id', () => new Uint16(), rows.map((r) => r.c.id)],
    ['topic', () => new Utf8(), rows.map((r) => r.c.topic)],
    ['message_encoding', () => new Utf8(), rows.map((r) => r.c.messageEncoding)],
    ['schema_id', () => new Uint16(), rows.map((r) => r.c.schemaId)],
    ['schema_name', () => new Utf8(), rows.map((r) => r.schema?.name ?? null)],
    ['schema_encoding', () => new Utf8(), rows.map((r) => r.schema?.encoding ?? null)],
    ['metadata', STRING_MAP, rows.map((r) => r.c.metadata)],
    ['table_name', () => new Utf8(), rows.map((r) => r.info?.table ?? null)],
    ['message_count', () => new Int64(), rows.map((r) => (r.info?.messages == null ? null : BigInt(r.info.messages)))],
    ['decoded', () => new Bool(), rows.map((r) => !r.info?.error)],
    ['error', () => new Utf8(), rows.map((r) => r.info?.error ?? null)],
  ]);
}

/** `mcap_schemas`: every schema, its bytes, and its text when the encoding is textual. */
export function schemasIpc(files: McapFileRow[]): Uint8Array {
  const rows = files.flatMap((f) => [...f.summary.schemas.values()].map((s) => ({ f: f.index, s })));
  return toIpc([
    ['mcap_file', () => new Int32(), rows.map((r) => r.f)],
    ['schema_id', () => new Uint16(), rows.map((r) => r.s.id)],
    ['name', () => new Utf8(), rows.map((r) => r.s.name)],
    ['encoding', () => new Utf8(), rows.map((r) => r.s.encoding)],
    ['data', () => new Binary(), rows.map((r) => r.s.data)],
    ['text', () => new Utf8(), rows.map((r) => (TEXT_SCHEMAS.has(r.s.encoding) ? utf8.decode(r.s.data) : null))],
  ]);
}

/** `mcap_metadata`: every metadata record (name and key-value map). */
export function metadataIpc(files: McapFileRow[]): Uint8Array {
  const rows = files.flatMap((f) => f.metadata.map((m) => ({ f: f.index, m })));
  return toIpc([
    ['mcap_file', () => new Int32(), rows.map((r) => r.f)],
    ['name', () => new Utf8(), rows.map((r) => r.m.name)],
    ['metadata', STRING_MAP, rows.map((r) => r.m.metadata)],
  ]);
}

/** `mcap_attachments`: every attachment; `data` only for small ones (large ones are listed, not fetched). */
export function attachmentsIpc(files: McapFileRow[]): Uint8Array {
  const rows = files.flatMap((f) => f.attachments.map((a) => ({ f: f.index, a })));
  return toIpc([
    ['mcap_file', () => new Int32(), rows.map((r) => r.f)],
    ['name', () => new Utf8(), rows.map((r) => r.a.name)],
    ['media_type', () => new Utf8(), rows.map((r) => r.a.mediaType)],
    ['log_time', () => new Int64(), rows.map((r) => r.a.logTime)],
    ['create_time', () => new Int64(), rows.map((r) => r.a.createTime)],
    ['size', () => new Int64(), rows.map((r) => r.a.dataSize)],
    ['data', () => new Binary(), rows.map((r) => r.a.data)],
  ]);
}
