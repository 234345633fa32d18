import {
  Binary, Bool, Field, Float32, Float64, Int16, Int32, Int64, Int8, List, Struct, Uint16, Uint32, Uint64, Uint8, Utf8,
  Table, makeBuilder, makeVector, tableToIPC, type Builder, type DataType, type Vector,
} from 'apache-arrow';
import { converter, type Convert } from './arrow-convert';
import { pruneEmpty, type MessageShape, type Shape } from './shape';

/** Columns every topic table starts with, before the message's own fields. */
export const MESSAGE_COLUMNS = ['log_time', 'publish_time', 'sequence'] as const;
/** The column saying which file (row of `mcap_files`) a message came from. */
export const FILE_COLUMN = 'mcap_file';

/** The Arrow type of a shape. */
export function arrowType(s: Shape): DataType {
  switch (s.kind) {
    case 'bool':
      return new Bool();
    case 'int':
      return s.signed
        ? { 8: () => new Int8(), 16: () => new Int16(), 32: () => new Int32(), 64: () => new Int64() }[s.bits]()
        : { 8: () => new Uint8(), 16: () => new Uint16(), 32: () => new Uint32(), 64: () => new Uint64() }[s.bits]();
    case 'float':
      return s.bits === 32 ? new Float32() : new Float64();
    case 'string':
    case 'json':
      return new Utf8();
    case 'bytes':
      return new Binary();
    case 'time':
      return new Int64();
    case 'list':
      return new List(new Field('item', arrowType(s.item), true));
    case 'struct':
      return new Struct(s.fields.map((f) => new Field(f.name, arrowType(f.shape), true)));
  }
}

/** Decodes one message's bytes to a plain object (throws on bytes it cannot decode). */
export type DecodeFn = (data: Uint8Array) => Record<string, unknown>;

interface Column {
  name: string;
  builder: Builder;
  convert: Convert;
}

/**
 * Accumulates one topic's messages as Arrow columns and hands them out in batches as Arrow IPC streams (the
 * form DuckDB-WASM inserts without sharing an Arrow instance with it, stack.md G2). With no decoder, the
 * message bytes go into a `data` BLOB column.
 */
export class TopicTableBuilder {
  readonly #columns: Column[];
  readonly #meta: [Builder, Builder, Builder, Builder];
  readonly #decode: DecodeFn | null;
  readonly #fieldNames: { field: string; column: Column }[];
  #rows = 0;
  #bytes = 0;
  /** Messages whose bytes did not decode (kept as a row of nulls). */
  failures = 0;
  firstFailure: string | null = null;
  total = 0;

  /**
   * @param shape the message's fields, or null to keep raw bytes
   * @param strict check every value against the shape (for JSON, whose messages may disagree with each other)
   */
  constructor(shape: MessageShape | null, decode: DecodeFn | null, strict = false) {
    this.#decode = shape ? decode : null;
    const taken = new Set<string>([...MESSAGE_COLUMNS, FILE_COLUMN]);
    const fields = shape ? pruneEmpty(shape) : [{ name: 'data', shape: { kind: 'bytes' } as Shape }];
    this.#fieldNames = [];
    this.#columns = fields.map((f) => {
      // A message field called log_time (or sequence …) must not collide with the record's own columns.
      let name = f.name;
      while (taken.has(name)) name = `msg_${name}`;
      taken.add(name);
      const column = { name, builder: makeBuilder({ type: arrowType(f.shape), nullValues: [null, undefined] }), convert: converter(f.shape, strict) };
      this.#fieldNames.push({ field: f.name, column });
      return column;
    });
    this.#meta = [
      makeBuilder({ type: new Int64(), nullValues: [null] }),
      makeBuilder({ type: new Int64(), nullValues: [null] }),
      makeBuilder({ type: new Uint32(), nullValues: [null] }),
      makeBuilder({ type: new Int32(), nullValues: [null] }),
    ];
  }

  /** Rows buffered since the last flush. */
  get rows(): number {
    return this.#rows;
  }

  /** Message bytes buffered since the last flush (a proxy for memory held). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Decodes and buffers one message. */
  append(file: number, sequence: number, logTime: bigint, publishTime: bigint, data: Uint8Array): void {
    const [lt, pt, seq, f] = this.#meta;
    lt.append(logTime);
    pt.append(publishTime);
    seq.append(sequence);
    f.append(file);
    this.#rows++;
    this.total++;
    this.#bytes += data.length + 24;
    if (!this.#decode) {
      this.#columns[0].builder.append(data);
      return;
    }
    let msg: Record<string, unknown> | null = null;
    try {
      msg = this.#decode(data);
    } catch (e) {
      this.failures++;
      this.firstFailure ??= (e as Error).message;
    }
    for (const { field, column } of this.#fieldNames) column.builder.append(msg ? column.convert(msg[field]) : null);
  }

  /** The buffered rows as an Arrow IPC stream (null when none), and a fresh buffer. */
  flush(): Uint8Array | null {
    if (!this.#rows) return null;
    const vectors: Record<string, Vector> = {};
    const [lt, pt, seq, f] = this.#meta;
    vectors.log_time = makeVector(lt.flush());
    vectors.publish_time = makeVector(pt.flush());
    vectors.sequence = makeVector(seq.flush());
    for (const c of this.#columns) vectors[c.name] = makeVector(c.builder.flush());
    vectors[FILE_COLUMN] = makeVector(f.flush());
    this.#rows = 0;
    this.#bytes = 0;
    return tableToIPC(new Table(vectors), 'stream');
  }
}
