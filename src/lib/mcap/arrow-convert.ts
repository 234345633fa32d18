import type { Shape } from './shape';

const NS = 1_000_000_000n;

/** Converts a decoded value to what the Arrow builder of its shape accepts; null when it does not fit. */
export type Convert = (v: unknown) => unknown;

/** A time-like value as nanoseconds: {sec, nsec|nanosec}, {seconds, nanos} (protobuf), a bigint or a number of ns. */
export function toNanos(v: unknown): bigint | null {
  if (v == null) return null;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : null;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const sec = o.sec ?? o.seconds ?? o.secs;
    const nsec = o.nsec ?? o.nanosec ?? o.nanos ?? o.nsecs ?? 0;
    const s = toBigInt(sec);
    const n = toBigInt(nsec);
    return s === null || n === null ? null : s * NS + n;
  }
  return null;
}

/** Integers as bigint from number, bigint, decimal string or protobufjs Long. */
function toBigInt(v: unknown): bigint | null {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : null;
  if (typeof v === 'string') {
    try {
      return BigInt(v);
    } catch {
      return null;
    }
  }
  if (v && typeof v === 'object' && 'low' in v && 'high' in v) return BigInt(String(v));
  return null;
}

const id: Convert = (v) => v;

/** JSON text of any value (bigints as numbers, byte arrays as arrays). */
export function jsonText(v: unknown): string | null {
  if (v === undefined) return null;
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : ArrayBuffer.isView(x) ? Array.from(x as unknown as ArrayLike<number>) : x));
}

/**
 * Builds the converter for a shape once per channel (not per message). Decoders for binary encodings already
 * produce the right JS types, so `strict` false (ROS, protobuf) skips per-value type checks where it can; JSON
 * messages are checked value by value (`strict`), since any message may disagree with the inferred shape.
 */
export function converter(shape: Shape, strict: boolean): Convert {
  switch (shape.kind) {
    case 'bool':
      return strict ? (v) => (typeof v === 'boolean' ? v : null) : id;
    case 'int':
      if (shape.bits === 64) return toBigInt;
      return strict ? (v) => (typeof v === 'number' && Number.isInteger(v) ? v : null) : (v) => (typeof v === 'number' ? v : v == null ? null : Number(v));
    case 'float':
      return strict ? (v) => (typeof v === 'number' ? v : null) : id;
    case 'string':
      return (v) => (typeof v === 'string' ? v : v == null ? null : String(v));
    case 'json':
      return jsonText;
    case 'bytes':
      return (v) => (v instanceof Uint8Array ? v : Array.isArray(v) ? Uint8Array.from(v as number[]) : null);
    case 'time':
      return toNanos;
    case 'list': {
      const item = converter(shape.item, strict);
      const plain = !strict && item === id;
      // Protobuf map fields decode to plain objects; their shape is a list of {key, value} entries.
      const entries = shape.item.kind === 'struct' && shape.item.fields.length === 2 && shape.item.fields[0].name === 'key' && shape.item.fields[1].name === 'value';
      // Typed arrays from ROS decoders go to the list builder as they are.
      return (v) => {
        if (v == null) return null;
        if (entries && typeof v === 'object' && !Array.isArray(v)) return Object.entries(v).map(([key, value]) => item({ key, value }));
        if (plain && ArrayBuffer.isView(v)) return v;
        if (!Array.isArray(v) && !ArrayBuffer.isView(v)) return null;
        return Array.from(v as ArrayLike<unknown>, item);
      };
    }
    case 'struct': {
      const fields = shape.fields.map((f) => ({ name: f.name, convert: converter(f.shape, strict) }));
      return (v) => {
        if (v == null || typeof v !== 'object' || Array.isArray(v)) return null;
        const o = v as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const f of fields) out[f.name] = f.convert(o[f.name]);
        return out;
      };
    }
  }
}
