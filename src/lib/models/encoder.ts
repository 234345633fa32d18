/**
 * The demo window encoder: a window of state and action around a failure onset → a short embedding.
 *
 * The features are chosen to be invariant to where the object lay (absolute joint angles vary with position and
 * yaw, which says nothing about how an episode failed): per frame, how far each arm joint has moved from the
 * anchor frame, the arm's speed, and the gripper's measured and commanded width. Each block is scaled to equal
 * total variance and projected onto principal axes fitted (unsupervised, no labels) on the demo's failure windows.
 * {@link windowFeatures} computes in TS exactly what the ONNX graph of {@link encoderGraph} computes.
 */
import { fitPca, type Pca } from '../score/pca.ts';
import { int64s, type GraphSpec, type InitSpec, type NodeSpec } from './onnx-build.ts';

/** Shape of the encoder's input: frames per window, anchor frame inside it, values per frame (state 8 + action 8). */
export interface EncoderShape {
  window: number;
  anchor: number;
  channels: number;
  /** Channels of the arm joints in the state (0…joints−1), the measured and the commanded gripper width. */
  joints: number;
  gripState: number;
  gripAction: number;
}

/** The demo's encoder shape: 4 s windows starting 2/3 s before the onset. */
export const DEMO_ENCODER_SHAPE: EncoderShape = { window: 60, anchor: 10, channels: 16, joints: 7, gripState: 7, gripAction: 15 };

/** Length of the feature vector of one window. */
export function featureLength(s: EncoderShape): number {
  return s.window * s.joints + (s.window - 1) + 2 * s.window;
}

/** Block boundaries [start, end) of the feature vector: displacement, speed, gripper state, gripper action. */
function blocks(s: EncoderShape): [number, number][] {
  const a = s.window * s.joints;
  const b = a + s.window - 1;
  return [[0, a], [a, b], [b, b + s.window], [b + s.window, b + 2 * s.window]];
}

/** Features of one window (window × channels floats, frame-major), as the ONNX graph computes them. */
export function windowFeatures(s: EncoderShape, w: Float32Array, out: Float64Array): void {
  const C = s.channels;
  let o = 0;
  // Float32 arithmetic mirrored with Math.fround so TS and ONNX Runtime agree to the bit on the features.
  for (let t = 0; t < s.window; t++) for (let j = 0; j < s.joints; j++) out[o++] = Math.abs(Math.fround(w[t * C + j] - w[s.anchor * C + j]));
  for (let t = 0; t < s.window - 1; t++) {
    let sp = 0;
    for (let j = 0; j < s.joints; j++) sp = Math.fround(sp + Math.abs(Math.fround(w[(t + 1) * C + j] - w[t * C + j])));
    out[o++] = sp;
  }
  for (let t = 0; t < s.window; t++) out[o++] = w[t * C + s.gripState];
  for (let t = 0; t < s.window; t++) out[o++] = w[t * C + s.gripAction];
}

/** A fitted encoder: block scales and a PCA in the scaled feature space. */
export interface FittedEncoder {
  shape: EncoderShape;
  scale: Float64Array;
  pca: Pca;
}

/** Fits block scales and `k` principal axes on `n` windows (n × window × channels floats). */
export function fitEncoder(s: EncoderShape, windows: Float32Array, n: number, k: number): FittedEncoder {
  const D = featureLength(s);
  const feats = new Float64Array(n * D);
  const row = new Float64Array(D);
  const size = s.window * s.channels;
  for (let i = 0; i < n; i++) {
    windowFeatures(s, windows.subarray(i * size, (i + 1) * size), row);
    feats.set(row, i * D);
  }
  // One scale per block so that every block carries the same total variance: the 7-joint displacement block has
  // 7× the dimensions of the gripper blocks and would otherwise decide the principal axes alone.
  const scale = new Float64Array(D);
  for (const [a, b] of blocks(s)) {
    let total = 0;
    for (let j = a; j < b; j++) {
      let m = 0;
      for (let i = 0; i < n; i++) m += feats[i * D + j];
      m /= n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (feats[i * D + j] - m) ** 2;
      total += v / Math.max(1, n - 1);
    }
    const c = 1 / Math.sqrt(Math.max(total, 1e-12));
    for (let j = a; j < b; j++) scale[j] = c;
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) feats[i * D + j] *= scale[j];
  return { shape: s, scale, pca: fitPca(feats, n, D, k) };
}

/** The ONNX graph: window [N, window, channels] → embedding [N, k]. */
export function encoderGraph(e: FittedEncoder, metadata: Record<string, string>): GraphSpec {
  const s = e.shape;
  const D = featureLength(s);
  const k = e.pca.k;
  // Fold the block scales and the centring into one affine map: emb = f · (diag(scale)·P) − (mean · P).
  const W = new Float32Array(D * k);
  const b = new Float32Array(k);
  for (let j = 0; j < k; j++) {
    let c = 0;
    for (let a = 0; a < D; a++) {
      W[a * k + j] = e.scale[a] * e.pca.components[a * k + j];
      c += e.pca.mean[a] * e.pca.components[a * k + j];
    }
    b[j] = -c;
  }
  const nodes: NodeSpec[] = [
    { op: 'Slice', inputs: ['window', 'anc_s', 'anc_e', 'ax1'], outputs: ['anchor'] },
    { op: 'Slice', inputs: ['window', 'j_s', 'j_e', 'ax2'], outputs: ['joints'] },
    { op: 'Slice', inputs: ['anchor', 'j_s', 'j_e', 'ax2'], outputs: ['anchor_joints'] },
    { op: 'Sub', inputs: ['joints', 'anchor_joints'], outputs: ['disp_signed'] },
    { op: 'Abs', inputs: ['disp_signed'], outputs: ['disp'] },
    { op: 'Flatten', inputs: ['disp'], outputs: ['f_disp'], attrs: { axis: 1 } },
    { op: 'Slice', inputs: ['joints', 't1_s', 't1_e', 'ax1'], outputs: ['next'] },
    { op: 'Slice', inputs: ['joints', 't0_s', 't0_e', 'ax1'], outputs: ['prev'] },
    { op: 'Sub', inputs: ['next', 'prev'], outputs: ['step_signed'] },
    { op: 'Abs', inputs: ['step_signed'], outputs: ['step'] },
    { op: 'ReduceSum', inputs: ['step', 'ax2'], outputs: ['f_speed'], attrs: { keepdims: 0 } },
    { op: 'Slice', inputs: ['window', 'gs_s', 'gs_e', 'ax2'], outputs: ['grip_state'] },
    { op: 'Flatten', inputs: ['grip_state'], outputs: ['f_gs'], attrs: { axis: 1 } },
    { op: 'Slice', inputs: ['window', 'ga_s', 'ga_e', 'ax2'], outputs: ['grip_action'] },
    { op: 'Flatten', inputs: ['grip_action'], outputs: ['f_ga'], attrs: { axis: 1 } },
    { op: 'Concat', inputs: ['f_disp', 'f_speed', 'f_gs', 'f_ga'], outputs: ['features'], attrs: { axis: 1 } },
    { op: 'MatMul', inputs: ['features', 'proj_W'], outputs: ['proj'] },
    { op: 'Add', inputs: ['proj', 'proj_b'], outputs: ['embedding'] },
  ];
  const inits: InitSpec[] = [
    int64s('ax1', [1]),
    int64s('ax2', [2]),
    int64s('anc_s', [s.anchor]),
    int64s('anc_e', [s.anchor + 1]),
    int64s('j_s', [0]),
    int64s('j_e', [s.joints]),
    int64s('t1_s', [1]),
    int64s('t1_e', [s.window]),
    int64s('t0_s', [0]),
    int64s('t0_e', [s.window - 1]),
    int64s('gs_s', [s.gripState]),
    int64s('gs_e', [s.gripState + 1]),
    int64s('ga_s', [s.gripAction]),
    int64s('ga_e', [s.gripAction + 1]),
    { name: 'proj_W', dims: [D, k], data: W },
    { name: 'proj_b', dims: [k], data: b },
  ];
  return {
    name: 'window_encoder',
    inputs: [{ name: 'window', shape: ['N', s.window, s.channels] }],
    outputs: [{ name: 'embedding', shape: ['N', k] }],
    nodes,
    initializers: inits,
    metadata,
    docString: 'Flywheel demo window encoder: joint displacement from the anchor frame, arm speed, gripper widths → PCA.',
  };
}

/** Embeds windows in TS (reference for tests): same maths as the ONNX graph, in float64 after the features. */
export function encodeReference(e: FittedEncoder, windows: Float32Array, n: number): Float32Array {
  const s = e.shape;
  const D = featureLength(s);
  const k = e.pca.k;
  const f = new Float64Array(D);
  const out = new Float32Array(n * k);
  const size = s.window * s.channels;
  for (let i = 0; i < n; i++) {
    windowFeatures(s, windows.subarray(i * size, (i + 1) * size), f);
    for (let j = 0; j < k; j++) {
      let acc = 0;
      for (let a = 0; a < D; a++) acc += (f[a] * e.scale[a] - e.pca.mean[a]) * e.pca.components[a * k + j];
      out[i * k + j] = acc;
    }
  }
  return out;
}
