/**
 * A tiny ONNX graph builder: initializers, nodes and typed inputs/outputs as plain objects, encoded with
 * {@link encodeModel}. Enough for MLPs, linear projections and the window feature ops of the demo models.
 */
import { DataType, encodeModel } from './onnx-proto.ts';

/** A graph input or output: name, element type and shape (a string is a symbolic dimension such as 'N'). */
export interface ValueSpec {
  name: string;
  type?: 'float32' | 'int64';
  shape: (number | string)[];
}

/** An attribute value: int, float, ints or floats (all the ops used here need). */
export type AttrValue = number | number[] | { float: number } | { floats: number[] };

/** One graph node. */
export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
}

/** A constant tensor stored in the model. */
export interface InitSpec {
  name: string;
  dims: number[];
  /** float32 data (written as little-endian raw bytes) or int64 data. */
  data: Float32Array | BigInt64Array;
}

/** Everything a model needs. */
export interface GraphSpec {
  name: string;
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  initializers: InitSpec[];
  /** Default opset of the ai.onnx domain (13 covers every op used here). */
  opset?: number;
  /** Free-form key/value metadata stored in the model (e.g. how it was trained). */
  metadata?: Record<string, string>;
  docString?: string;
}

const ATTR = { FLOAT: 1, INT: 2, FLOATS: 6, INTS: 7 } as const;

function attribute(name: string, v: AttrValue): Record<string, unknown> {
  if (typeof v === 'number') return { name, type: ATTR.INT, i: v };
  if (Array.isArray(v)) return { name, type: ATTR.INTS, ints: v };
  if ('float' in v) return { name, type: ATTR.FLOAT, f: v.float };
  return { name, type: ATTR.FLOATS, floats: v.floats };
}

function valueInfo(v: ValueSpec): Record<string, unknown> {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: v.type === 'int64' ? DataType.INT64 : DataType.FLOAT,
        shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function tensor(t: InitSpec): Record<string, unknown> {
  const n = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== n) throw new Error(`initializer ${t.name}: dims ${t.dims.join('×')} need ${n} values, got ${t.data.length}`);
  // Raw little-endian bytes, written through a DataView so the file is the same on any host.
  const isFloat = t.data instanceof Float32Array;
  const raw = new Uint8Array(n * (isFloat ? 4 : 8));
  const view = new DataView(raw.buffer);
  for (let i = 0; i < n; i++) {
    if (isFloat) view.setFloat32(i * 4, (t.data as Float32Array)[i], true);
    else view.setBigInt64(i * 8, (t.data as BigInt64Array)[i], true);
  }
  return { name: t.name, dims: t.dims, dataType: isFloat ? DataType.FLOAT : DataType.INT64, rawData: raw };
}

/** Encodes a graph as ONNX ModelProto bytes (IR version 8). */
export function buildModel(g: GraphSpec): Uint8Array {
  return encodeModel({
    irVersion: 8,
    producerName: 'flywheel',
    producerVersion: '1',
    opsetImport: [{ domain: '', version: g.opset ?? 13 }],
    docString: g.docString ?? '',
    graph: {
      name: g.name,
      node: g.nodes.map((n, i) => ({
        name: `${n.op.toLowerCase()}_${i}`,
        opType: n.op,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      initializer: g.initializers.map(tensor),
      input: g.inputs.map(valueInfo),
      output: g.outputs.map(valueInfo),
    },
    metadataProps: Object.entries(g.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
}

/** int64 initializer from plain numbers (shapes, axes, slice bounds). */
export function int64s(name: string, values: number[]): InitSpec {
  return { name, dims: [values.length], data: BigInt64Array.from(values.map((v) => BigInt(v))) };
}

/** A linear layer y = x·W + b as MatMul + Add nodes; W is [inDim, outDim] row-major. */
export function linear(prefix: string, x: string, y: string, w: Float32Array, b: Float32Array, inDim: number, outDim: number): { nodes: NodeSpec[]; inits: InitSpec[] } {
  return {
    nodes: [
      { op: 'MatMul', inputs: [x, `${prefix}_W`], outputs: [`${prefix}_xw`] },
      { op: 'Add', inputs: [`${prefix}_xw`, `${prefix}_b`], outputs: [y] },
    ],
    inits: [
      { name: `${prefix}_W`, dims: [inDim, outDim], data: w },
      { name: `${prefix}_b`, dims: [outDim], data: b },
    ],
  };
}
