import type { MessageDefinition, MessageDefinitionField } from '@foxglove/message-definition';
import { parse as parseRosmsg } from '@foxglove/rosmsg';
import { parseRos2idl } from '@foxglove/ros2idl-parser';
import { MessageReader as Ros1Reader } from '@foxglove/rosmsg-serialization';
import { MessageReader as Ros2Reader } from '@foxglove/rosmsg2-serialization';
import type { MessageShape, Shape } from '../shape';
import { DecoderError, type ChannelDecoder } from './types';

const PRIMITIVES: Record<string, Shape> = {
  bool: { kind: 'bool' },
  int8: { kind: 'int', bits: 8, signed: true },
  uint8: { kind: 'int', bits: 8, signed: false },
  byte: { kind: 'int', bits: 8, signed: false },
  char: { kind: 'int', bits: 8, signed: false },
  int16: { kind: 'int', bits: 16, signed: true },
  uint16: { kind: 'int', bits: 16, signed: false },
  int32: { kind: 'int', bits: 32, signed: true },
  uint32: { kind: 'int', bits: 32, signed: false },
  int64: { kind: 'int', bits: 64, signed: true },
  uint64: { kind: 'int', bits: 64, signed: false },
  float32: { kind: 'float', bits: 32 },
  float64: { kind: 'float', bits: 64 },
  string: { kind: 'string' },
  wstring: { kind: 'string' },
  time: { kind: 'time' },
  duration: { kind: 'time' },
};

/** The table shape of a ROS message definition (its first definition is the message; the rest its dependencies). */
export function rosShape(defs: MessageDefinition[], root: MessageDefinition = defs[0]): MessageShape {
  const byName = new Map(defs.map((d) => [d.name ?? '', d]));
  const fieldShape = (f: MessageDefinitionField, depth: number): Shape => {
    let base: Shape;
    if (f.isComplex) {
      const def = byName.get(f.type);
      if (!def) throw new DecoderError(`the definition of ${f.type} is missing from the schema`);
      // builtin_interfaces/Time (ROS 2 IDL) is a time even when not normalised to the `time` primitive.
      base = /(^|\/)(Time|Duration)$/.test(f.type) && /builtin_interfaces/.test(f.type) ? { kind: 'time' } : { kind: 'struct', fields: fields(def, depth + 1) };
    } else {
      base = PRIMITIVES[f.type] ?? { kind: 'json' };
    }
    if (!f.isArray) return base;
    // uint8[] is binary data (images, serialized blobs): one BLOB, not a list of numbers.
    if (base.kind === 'int' && base.bits === 8 && !base.signed) return { kind: 'bytes' };
    return { kind: 'list', item: base };
  };
  const fields = (def: MessageDefinition, depth: number): MessageShape => {
    if (depth > 32) throw new DecoderError('the message definition nests more than 32 levels deep');
    return def.definitions.filter((f) => !f.isConstant).map((f) => ({ name: f.name, shape: fieldShape(f, depth) }));
  };
  return fields(root, 0);
}

const utf8 = new TextDecoder();

/** ROS 2 CDR messages with a `ros2msg` (concatenated .msg text) or `ros2idl` schema. */
export function ros2Decoder(schemaName: string, encoding: 'ros2msg' | 'ros2idl', data: Uint8Array): ChannelDecoder {
  let defs: MessageDefinition[];
  const text = utf8.decode(data);
  try {
    defs = encoding === 'ros2msg' ? parseRosmsg(text, { ros2: true }) : parseRos2idl(text);
  } catch (e) {
    throw new DecoderError(`the ${encoding} schema of ${schemaName} does not parse: ${(e as Error).message}`);
  }
  if (encoding === 'ros2idl') {
    // IDL files list their types in any order; the reader takes the schema's own type first.
    const rootIdx = defs.findIndex((d) => d.name === schemaName);
    if (rootIdx > 0) defs = [defs[rootIdx], ...defs.slice(0, rootIdx), ...defs.slice(rootIdx + 1)];
    else if (rootIdx < 0) throw new DecoderError(`the ros2idl schema does not define ${schemaName}`);
  }
  const reader = new Ros2Reader(defs);
  return { shape: rosShape(defs), decode: (b) => reader.readMessage(b) as Record<string, unknown>, strict: false };
}

/** ROS 1 messages with a `ros1msg` schema. */
export function ros1Decoder(schemaName: string, data: Uint8Array): ChannelDecoder {
  let defs: MessageDefinition[];
  try {
    defs = parseRosmsg(utf8.decode(data));
  } catch (e) {
    throw new DecoderError(`the ros1msg schema of ${schemaName} does not parse: ${(e as Error).message}`);
  }
  const reader = new Ros1Reader(defs);
  return { shape: rosShape(defs), decode: (b) => reader.readMessage(b) as Record<string, unknown>, strict: false };
}
