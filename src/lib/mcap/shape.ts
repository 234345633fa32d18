/**
 * The column shape of a decoded message field, independent of the encoding it came from: what Arrow type (and so
 * what DuckDB type) it becomes, and how a decoded JS value turns into that type.
 */
export type Shape =
  | { kind: 'bool' }
  | { kind: 'int'; bits: 8 | 16 | 32 | 64; signed: boolean }
  | { kind: 'float'; bits: 32 | 64 }
  | { kind: 'string' }
  /** Byte arrays (ROS uint8[], protobuf bytes): one BLOB, not a list of numbers (camera frames are megabytes). */
  | { kind: 'bytes' }
  /** A time or duration ({sec, nsec}, {sec, nanosec}, {seconds, nanos}): BIGINT nanoseconds. */
  | { kind: 'time' }
  | { kind: 'struct'; fields: { name: string; shape: Shape }[] }
  | { kind: 'list'; item: Shape }
  /** Anything without a fixed shape (recursive or untyped values): JSON text. */
  | { kind: 'json' };

/** A top-level message shape: its fields become the topic table's columns. */
export type MessageShape = { name: string; shape: Shape }[];

/** Human-readable type of a shape, DuckDB-style (for notes and tests). */
export function describeShape(s: Shape): string {
  switch (s.kind) {
    case 'int':
      return `${s.signed ? '' : 'U'}${{ 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' }[s.bits]}`;
    case 'float':
      return s.bits === 32 ? 'FLOAT' : 'DOUBLE';
    case 'bool':
      return 'BOOLEAN';
    case 'string':
    case 'json':
      return 'VARCHAR';
    case 'bytes':
      return 'BLOB';
    case 'time':
      return 'BIGINT';
    case 'list':
      return `${describeShape(s.item)}[]`;
    case 'struct':
      return `STRUCT(${s.fields.map((f) => `${f.name} ${describeShape(f.shape)}`).join(', ')})`;
  }
}

/**
 * Drops fields that hold nothing (messages with only constants, like test_msgs/Constants, decode to empty
 * structs, which DuckDB cannot store), recursively; a list of them goes too.
 */
export function pruneEmpty(fields: MessageShape): MessageShape {
  const prune = (s: Shape): Shape | null => {
    if (s.kind === 'struct') {
      const f = pruneEmpty(s.fields);
      return f.length ? { kind: 'struct', fields: f } : null;
    }
    if (s.kind === 'list') {
      const item = prune(s.item);
      return item ? { kind: 'list', item } : null;
    }
    return s;
  };
  return fields.flatMap((f) => {
    const shape = prune(f.shape);
    return shape ? [{ name: f.name, shape }] : [];
  });
}
