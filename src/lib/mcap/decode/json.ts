import type { MessageShape, Shape } from '../shape';
import { DecoderError, type ChannelDecoder } from './types';

const utf8 = new TextDecoder();

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; items?: JsonSchema; title?: string };

/** The shape a JSON Schema describes; anything it leaves open (unions, no type) becomes JSON text. */
export function schemaShape(s: JsonSchema, depth = 0): Shape {
  if (depth > 32) return { kind: 'json' };
  const type = Array.isArray(s.type) ? s.type.filter((t) => t !== 'null') : s.type;
  const t = Array.isArray(type) ? (type.length === 1 ? type[0] : undefined) : type;
  switch (t) {
    case 'boolean':
      return { kind: 'bool' };
    case 'integer':
      return { kind: 'int', bits: 64, signed: true };
    case 'number':
      return { kind: 'float', bits: 64 };
    case 'string':
      return { kind: 'string' };
    case 'array':
      return { kind: 'list', item: s.items ? schemaShape(s.items, depth + 1) : { kind: 'json' } };
    case 'object':
      if (!s.properties) return { kind: 'json' };
      // Foxglove's schemas describe times as {sec, nsec} objects: keep them as nanoseconds like ROS times.
      if (isTimeObject(Object.keys(s.properties))) return { kind: 'time' };
      return { kind: 'struct', fields: Object.entries(s.properties).map(([name, p]) => ({ name, shape: schemaShape(p, depth + 1) })) };
    default:
      return { kind: 'json' };
  }
}

function isTimeObject(keys: string[]): boolean {
  return keys.length === 2 && keys.includes('sec') && (keys.includes('nsec') || keys.includes('nanosec'));
}

/** The shape of a JSON value, inferred from one example (schemaless channels). Numbers become DOUBLE. */
export function inferShape(v: unknown, depth = 0): Shape {
  if (depth > 32 || v === null || v === undefined) return { kind: 'json' };
  if (typeof v === 'boolean') return { kind: 'bool' };
  if (typeof v === 'number') return { kind: 'float', bits: 64 };
  if (typeof v === 'string') return { kind: 'string' };
  if (Array.isArray(v)) return { kind: 'list', item: v.length ? inferShape(v[0], depth + 1) : { kind: 'json' } };
  const keys = Object.keys(v as object);
  if (isTimeObject(keys)) return { kind: 'time' };
  return { kind: 'struct', fields: keys.map((k) => ({ name: k, shape: inferShape((v as Record<string, unknown>)[k], depth + 1) })) };
}

function parse(b: Uint8Array): Record<string, unknown> {
  const v = JSON.parse(utf8.decode(b));
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('a JSON message must be an object');
  return v as Record<string, unknown>;
}

/**
 * JSON messages. With a `jsonschema` schema the columns come from it; without one, from the first message
 * (`sample`), and later messages that disagree get NULL where they differ.
 */
export function jsonDecoder(schema: { name: string; encoding: string; data: Uint8Array } | null, sample: Uint8Array | null): ChannelDecoder {
  let shape: Shape;
  if (schema && schema.encoding === 'jsonschema') {
    try {
      shape = schemaShape(JSON.parse(utf8.decode(schema.data)) as JsonSchema);
    } catch (e) {
      throw new DecoderError(`the JSON Schema of ${schema.name} does not parse: ${(e as Error).message}`);
    }
  } else {
    if (!sample) throw new DecoderError('a JSON channel without a schema needs a message to infer its columns from');
    try {
      shape = inferShape(parse(sample));
    } catch (e) {
      throw new DecoderError(`its first message is not a JSON object: ${(e as Error).message}`);
    }
  }
  const fields: MessageShape = shape.kind === 'struct' ? shape.fields : [{ name: 'value', shape }];
  const wrap = shape.kind !== 'struct';
  return { shape: fields, decode: wrap ? (b) => ({ value: JSON.parse(utf8.decode(b)) }) : parse, strict: true };
}
