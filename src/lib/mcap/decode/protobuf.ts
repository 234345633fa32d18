import protobuf from 'protobufjs';
// Adds Root.fromDescriptor (reads a binary FileDescriptorSet, MCAP's protobuf schema encoding).
import 'protobufjs/ext/descriptor';
import type { MessageShape, Shape } from '../shape';
import { DecoderError, type ChannelDecoder } from './types';

const SCALARS: Record<string, Shape> = {
  double: { kind: 'float', bits: 64 },
  float: { kind: 'float', bits: 32 },
  int32: { kind: 'int', bits: 32, signed: true },
  sint32: { kind: 'int', bits: 32, signed: true },
  sfixed32: { kind: 'int', bits: 32, signed: true },
  uint32: { kind: 'int', bits: 32, signed: false },
  fixed32: { kind: 'int', bits: 32, signed: false },
  int64: { kind: 'int', bits: 64, signed: true },
  sint64: { kind: 'int', bits: 64, signed: true },
  sfixed64: { kind: 'int', bits: 64, signed: true },
  uint64: { kind: 'int', bits: 64, signed: false },
  fixed64: { kind: 'int', bits: 64, signed: false },
  bool: { kind: 'bool' },
  string: { kind: 'string' },
  bytes: { kind: 'bytes' },
};

/** Well-known types that are times: BIGINT nanoseconds like every other time. */
const TIMES = new Set(['google.protobuf.Timestamp', 'google.protobuf.Duration']);

function typeShape(type: protobuf.Type, seen: string[]): MessageShape {
  return type.fieldsArray.map((f) => ({ name: f.name, shape: fieldShape(f, seen) }));
}

function fieldShape(f: protobuf.Field, seen: string[]): Shape {
  f.resolve();
  let base: Shape;
  if (f instanceof protobuf.MapField) {
    const key = SCALARS[f.keyType] ?? { kind: 'string' };
    const value = valueShape(f, seen);
    return { kind: 'list', item: { kind: 'struct', fields: [{ name: 'key', shape: key }, { name: 'value', shape: value }] } };
  }
  base = valueShape(f, seen);
  return f.repeated ? { kind: 'list', item: base } : base;
}

function valueShape(f: protobuf.Field, seen: string[]): Shape {
  const rt = f.resolvedType;
  if (rt instanceof protobuf.Enum) return { kind: 'string' };
  if (rt instanceof protobuf.Type) {
    const full = rt.fullName.replace(/^\./, '');
    if (TIMES.has(full)) return { kind: 'time' };
    // Recursive messages (google.protobuf.Struct, trees) have no fixed shape: JSON text.
    if (seen.includes(full) || seen.length > 32) return { kind: 'json' };
    return { kind: 'struct', fields: typeShape(rt, [...seen, full]) };
  }
  return SCALARS[f.type] ?? { kind: 'json' };
}

/** Protobuf messages: the schema is a binary FileDescriptorSet, its name the message's fully qualified type. */
export function protobufDecoder(schemaName: string, data: Uint8Array): ChannelDecoder {
  let type: protobuf.Type;
  try {
    const root = (protobuf.Root as unknown as { fromDescriptor(d: Uint8Array): protobuf.Root }).fromDescriptor(data);
    root.resolveAll();
    type = root.lookupType(schemaName);
  } catch (e) {
    throw new DecoderError(`the protobuf schema (FileDescriptorSet) for ${schemaName} does not load: ${(e as Error).message}`);
  }
  const shape = typeShape(type, [type.fullName.replace(/^\./, '')]);
  // 64-bit integers as decimal strings (exact; the converter makes them BIGINT), enums by name, proto3 defaults.
  const opts: protobuf.IConversionOptions = { longs: String, enums: String, defaults: true, arrays: true };
  return {
    shape,
    decode: (b) => type.toObject(type.decode(b), opts),
    strict: false,
  };
}
