/**
 * The subset of ONNX's protobuf schema (onnx/onnx.proto3, IR version 8) that Flywheel writes and checks.
 *
 * Why a hand-written JSON descriptor instead of a package: `onnx-proto` pulls in a second protobufjs (v6) next
 * to the installed 8.8.1, and the app only needs a dozen messages. Field numbers are copied from onnx.proto3;
 * unknown fields (sparse initializers, training info, functions) are skipped by the decoder, so any valid ONNX
 * file still decodes for the structural check in {@link checkOnnxBytes}.
 */
import protobuf from 'protobufjs';

const DESCRIPTOR = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
          },
        },
        OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
        StringStringEntryProto: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            docString: { type: 'string', id: 10 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
            valueInfo: { rule: 'repeated', type: 'ValueInfoProto', id: 13 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            domain: { type: 'string', id: 7 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            docString: { type: 'string', id: 6 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'int32', id: 20 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            floats: { rule: 'repeated', type: 'float', id: 7, options: { packed: true } },
            ints: { rule: 'repeated', type: 'int64', id: 8, options: { packed: true } },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1, options: { packed: true } },
            dataType: { type: 'int32', id: 2 },
            floatData: { rule: 'repeated', type: 'float', id: 4, options: { packed: true } },
            int64Data: { rule: 'repeated', type: 'int64', id: 7, options: { packed: true } },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
          },
        },
        ValueInfoProto: {
          fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 }, docString: { type: 'string', id: 3 } },
        },
        TypeProto: { fields: { tensorType: { type: 'TypeProtoTensor', id: 1 } } },
        TypeProtoTensor: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
        TensorShapeProto: { fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } } },
        Dimension: { fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } } },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(DESCRIPTOR);
/** The ModelProto message type (encode/decode). */
export const ModelProto = root.lookupType('onnx.ModelProto');

/** ONNX TensorProto.DataType codes used here. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, DOUBLE: 11 } as const;

/** ONNX element type code → the type name ONNX Runtime reports. */
export const ELEM_TYPE_NAMES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64',
};

/** Plain-object ONNX model as protobufjs decodes it (only the fields Flywheel reads). */
export interface DecodedModel {
  irVersion?: number;
  producerName?: string;
  opsetImport?: { domain?: string; version?: number }[];
  graph?: {
    name?: string;
    node?: { opType?: string }[];
    input?: { name?: string }[];
    output?: { name?: string }[];
    initializer?: { name?: string }[];
  };
  metadataProps?: { key?: string; value?: string }[];
}

/** Encodes a ModelProto given as a plain object (camelCase field names). */
export function encodeModel(model: Record<string, unknown>): Uint8Array {
  const err = ModelProto.verify(model);
  if (err) throw new Error(`Invalid ONNX model object: ${err}`);
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

/**
 * Decodes bytes as an ONNX model and checks it has the parts every model needs. Throws an Error whose message
 * says what is wrong (not protobuf, no graph, no inputs/outputs) before ONNX Runtime sees the bytes: its own
 * messages for garbage input are codes such as "failed:Protobuf parsing failed".
 */
export function checkOnnxBytes(bytes: Uint8Array, label = 'model'): DecodedModel {
  if (bytes.byteLength === 0) throw new Error(`${label} is empty (0 bytes): not an ONNX model.`);
  let decoded: DecodedModel;
  try {
    decoded = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, defaults: false }) as DecodedModel;
  } catch (e) {
    throw new Error(`${label} is not an ONNX model: its ${bytes.byteLength} bytes are not a valid ONNX protobuf (${(e as Error).message}).`);
  }
  if (!decoded.irVersion || !decoded.graph) {
    throw new Error(`${label} is not an ONNX model: no ${!decoded.irVersion ? 'IR version' : 'graph'} in its ${bytes.byteLength} bytes.`);
  }
  const initializers = new Set((decoded.graph.initializer ?? []).map((t) => t.name));
  const inputs = (decoded.graph.input ?? []).filter((i) => !initializers.has(i.name));
  if (inputs.length === 0) throw new Error(`${label} has no graph inputs: nothing to feed it.`);
  if ((decoded.graph.output ?? []).length === 0) throw new Error(`${label} has no graph outputs.`);
  return decoded;
}
