/**
 * Building ONNX models in TS: a minimal ONNX protobuf schema, a graph builder, an MLP trainer and the demo window
 * encoder. The demo models' build (`cli.ts`, Node) reads the dataset from disk and is not exported here.
 */
export { ModelProto, checkOnnxBytes, encodeModel, type DecodedModel } from './onnx-proto.ts';
export { buildModel, linear, int64s, type GraphSpec, type NodeSpec, type InitSpec, type ValueSpec } from './onnx-build.ts';
export { trainMlp, predictMlp, mlpGraph, type Layer, type TrainOptions } from './mlp.ts';
export { DEMO_ENCODER_SHAPE, encoderGraph, fitEncoder, windowFeatures, encodeReference, type EncoderShape, type FittedEncoder } from './encoder.ts';
