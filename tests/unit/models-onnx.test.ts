/**
 * The score worker's logic on the real ONNX Runtime (onnxruntime-web's wasm backend, in Node): models we build
 * with known closed forms give exact outputs; malformed files and mismatched mappings give clear errors; jobs
 * report progress and cancel.
 */
import * as ort from 'onnxruntime-web';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { Scorer } from '../../workers/score/scorer';
import { CancelledError } from '../../workers/score/jobs';
import { buildModel, linear } from '../../src/lib/models/onnx-build';
import { mlpGraph, predictMlp, type Layer } from '../../src/lib/models/mlp';
import { encodeReference, encoderGraph, fitEncoder, type EncoderShape } from '../../src/lib/models/encoder';
import { createRng } from '../../src/lib/demo/rng';
import { resultIpc } from '../../src/lib/score/arrow';
import type { FrameBlock } from '../../src/lib/score/frames';
import type { ModelMapping } from '../../src/lib/score/mapping';

/** y = x·W + b with W = [[1, 2], [3, 4], [5, 6]], b = [0.5, −1]: every output is exact in float32. */
function linearModel(inputName = 'x', inDim = 3): Uint8Array {
  const W = Float32Array.from({ length: inDim * 2 }, (_, i) => i + 1);
  const l = linear('l', inputName, 'y', W, Float32Array.from([0.5, -1]), inDim, 2);
  return buildModel({ name: 'linear', inputs: [{ name: inputName, shape: ['N', inDim] }], outputs: [{ name: 'y', shape: ['N', 2] }], nodes: l.nodes, initializers: l.inits });
}

/** Two episodes of 4 and 3 frames; column `s` has 3 values per frame: frame index, episode index, 1. */
function block(): FrameBlock {
  const ep = [0, 0, 0, 0, 5, 5, 5];
  const fr = [0, 1, 2, 3, 0, 1, 2];
  return {
    length: 7,
    episode: Int32Array.from(ep),
    frame: Int32Array.from(fr),
    columns: { s: { dims: 3, values: Float32Array.from(ep.flatMap((e, i) => [fr[i], e, 1])) } },
  };
}

const MAP: ModelMapping = { version: 1, stride: 1, inputs: [{ input: 'x', features: [{ column: 's' }], window: 1, anchor: 0, normalize: 'none' }], outputs: [{ output: 'y', column: 'y' }] };

describe('score worker logic on the real ONNX Runtime', () => {
  it('loads a model and reports its inputs and outputs (names, types, shapes)', async () => {
    const s = new Scorer(ort);
    const info = await s.models.load(linearModel(), 'linear.onnx');
    expect(info.inputs).toEqual([{ name: 'x', type: 'float32', shape: ['N', 3] }]);
    expect(info.outputs).toEqual([{ name: 'y', type: 'float32', shape: ['N', 2] }]);
    expect(info.opset).toBe(13);
    // Same bytes: same cached session and id.
    expect((await s.models.load(linearModel(), 'again.onnx')).id).toBe(info.id);
  });

  it('a linear layer with given weights gives exact outputs, through frames → mapping → batches → Arrow', async () => {
    const s = new Scorer(ort);
    const { id } = await s.models.load(linearModel(), 'linear.onnx');
    // Batch size 3 splits 7 frames into 3 batches, so batch boundaries are exercised too.
    const r = await s.scoreBlock(1, block(), { models: [id], mapping: MAP, fps: 15, batchSize: 3 });
    const t = tableFromIPC(r.frames);
    expect(t.getChild('episode_index')!.toArray()).toEqual(Int32Array.from([0, 0, 0, 0, 5, 5, 5]));
    const y = Array.from(t.getChild('y')!.toArray() as Iterable<{ toArray(): Float32Array }>, (v) => Array.from(v.toArray()));
    // x = (f, e, 1): y0 = f + 3e + 5 + 0.5, y1 = 2f + 4e + 6 − 1.
    const expected = [0, 1, 2, 3, 0, 1, 2].map((f, i) => {
      const e = i < 4 ? 0 : 5;
      return [f + 3 * e + 5.5, 2 * f + 4 * e + 5];
    });
    expect(y).toEqual(expected);
    expect(r.members).toBe(1);
    expect(t.getChild('uncertainty')).toBeNull();
  });

  it('windows with edge padding and mean_std normalisation feed the model exactly as documented', async () => {
    const s = new Scorer(ort);
    // Window 2 (previous frame, this frame) of one feature (index 0 = frame number), normalised (x − 1) / 2.
    const { id } = await s.models.load(linearModel('x', 2), 'win.onnx');
    const mapping: ModelMapping = { ...MAP, inputs: [{ input: 'x', features: [{ column: 's', indices: [0] }], window: 2, anchor: 1, normalize: 'mean_std' }] };
    const stats = { s: { mean: [1, 0, 0], std: [2, 1, 1] } };
    const r = await s.scoreBlock(1, block(), { models: [id], mapping, fps: 15, stats });
    const y = Array.from(tableFromIPC(r.frames).getChild('y')!.toArray() as Iterable<{ toArray(): Float32Array }>, (v) => Array.from(v.toArray()));
    // W = [[1, 2], [3, 4]]: y0 = a + 3b + 0.5, y1 = 2a + 4b − 1 with a = norm(prev), b = norm(this); the first
    // frame of each episode repeats itself as "previous".
    const f = [0, 1, 2, 3, 0, 1, 2];
    const prev = [0, 0, 1, 2, 0, 0, 1];
    const n = (v: number) => (v - 1) / 2;
    expect(y).toEqual(f.map((v, i) => [n(prev[i]) + 3 * n(v) + 0.5, 2 * n(prev[i]) + 4 * n(v) - 1]));
  });

  it('an ensemble of two linear models disagrees by exactly half their difference', async () => {
    const s = new Scorer(ort);
    const a = await s.models.load(linearModel(), 'a.onnx');
    const W = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const lb = linear('l', 'x', 'y', W, Float32Array.from([2.5, 1]), 3, 2); // biases +2 over model a
    const bBytes = buildModel({ name: 'b', inputs: [{ name: 'x', shape: ['N', 3] }], outputs: [{ name: 'y', shape: ['N', 2] }], nodes: lb.nodes, initializers: lb.inits });
    const b = await s.models.load(bBytes, 'b.onnx');
    const r = await s.scoreBlock(1, block(), { models: [a.id, b.id], mapping: MAP, fps: 15, threshold: 0.5 });
    const t = tableFromIPC(r.frames);
    // Two members 2 apart in every dimension: population std 1 in each, mean over dims 1.
    expect(Array.from(t.getChild('uncertainty')!.toArray() as Float32Array)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(r.collect.map((c) => [c.episode_index, c.start_frame, c.end_frame])).toEqual([[0, 0, 3], [5, 0, 2]]);
    const ep = tableFromIPC(r.episodes);
    expect(ep.numRows).toBe(2);
    expect(Array.from(ep.getChild('flagged_frames')!.toArray() as Int32Array)).toEqual([4, 3]);
  });

  it('an MLP and the window encoder run in ONNX Runtime as their TS reference computes them', async () => {
    const rng = createRng(3, 1);
    const layer = (i: number, o: number): Layer => ({ inDim: i, outDim: o, W: Float64Array.from({ length: i * o }, () => rng.normal()), b: Float64Array.from({ length: o }, () => rng.normal()) });
    const layers = [layer(4, 5), layer(5, 3)];
    const g = mlpGraph(layers, 'x', 'y');
    const s = new Scorer(ort);
    const mlp = await s.models.load(buildModel({ name: 'mlp', inputs: [{ name: 'x', shape: ['N', 4] }], outputs: [{ name: 'y', shape: ['N', 3] }], nodes: g.nodes, initializers: g.inits }), 'mlp');
    const x = Float32Array.from({ length: 40 }, () => rng.normal());
    const out = await s.models.get(mlp.id).session.run({ x: new ort.Tensor('float32', x, [10, 4]) });
    const ref = predictMlp(layers, x, 10);
    (out.y.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(ref[i], 4));

    const shape: EncoderShape = { window: 6, anchor: 2, channels: 4, joints: 2, gripState: 2, gripAction: 3 };
    const windows = Float32Array.from({ length: 20 * 24 }, () => rng.normal());
    const enc = fitEncoder(shape, windows, 20, 3);
    const e = await s.models.load(buildModel(encoderGraph(enc, {})), 'encoder');
    const got = await s.models.get(e.id).session.run({ window: new ort.Tensor('float32', windows, [20, 6, 4]) });
    const want = encodeReference(enc, windows, 20);
    (got.embedding.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(want[i], 4));
  });

  it('reads frames from Arrow IPC (FixedSizeList columns, as DuckDB returns them) and embeds windows at anchors', async () => {
    const s = new Scorer(ort);
    const { id } = await s.models.load(linearModel(), 'linear.onnx');
    const b = block();
    const frames = resultIpc([
      { name: 'episode_index', values: b.episode },
      { name: 'frame_index', values: b.frame },
      { name: 's', values: b.columns.s.values, dims: 3 },
    ]);
    const r = await s.embedWindows(1, { model: id, mapping: MAP, frames, anchors: { episode: Int32Array.from([5, 0]), frame: Int32Array.from([2, 1]) } });
    expect(r.dim).toBe(2);
    expect(Array.from(r.embeddings)).toEqual([2 + 15 + 5.5, 4 + 20 + 5, 1 + 5.5, 2 + 5]);
    await expect(s.embedWindows(2, { model: id, mapping: MAP, frames, anchors: { episode: Int32Array.from([7]), frame: Int32Array.from([0]) } })).rejects.toThrow(
      'window 0: episode 7 frame 0 is not among the frames given.',
    );
  });
});

describe('clear errors', () => {
  const s = new Scorer(ort);

  it('for files that are not ONNX models', async () => {
    await expect(s.models.load(new Uint8Array(0), 'empty.onnx')).rejects.toThrow('`empty.onnx` is empty (0 bytes): not an ONNX model.');
    await expect(s.models.load(new TextEncoder().encode('<!doctype html><title>404</title>'), 'page.onnx')).rejects.toThrow(
      /^`page\.onnx` is not an ONNX model: its 33 bytes are not a valid ONNX protobuf/,
    );
    const good = linearModel();
    await expect(s.models.load(good.subarray(0, good.length - 40), 'truncated.onnx')).rejects.toThrow(/^`truncated\.onnx` is not an ONNX model/);
    // Valid protobuf, but the graph refers to an initializer that is not there: ONNX Runtime's own check, named.
    const l = linear('l', 'x', 'y', new Float32Array(6), new Float32Array(2), 3, 2);
    const broken = buildModel({ name: 'broken', inputs: [{ name: 'x', shape: ['N', 3] }], outputs: [{ name: 'y', shape: ['N', 2] }], nodes: l.nodes, initializers: l.inits.slice(1) });
    await expect(s.models.load(broken, 'broken.onnx')).rejects.toThrow(/^`broken\.onnx` could not be loaded by ONNX Runtime: /);
  });

  it('for mappings that do not fit the model or the dataset', async () => {
    const twelve = linear('l', 'obs', 'y', new Float32Array(14 * 2), new Float32Array(2), 14, 2);
    const m = await s.models.load(buildModel({ name: 'obs14', inputs: [{ name: 'obs', shape: ['N', 14] }], outputs: [{ name: 'y', shape: ['N', 2] }], nodes: twelve.nodes, initializers: twelve.inits }), 'obs14.onnx');
    const columns = { 'observation.state': 12, action: 8 };
    const base = { version: 1, stride: 1, inputs: [{ input: 'obs', features: [{ column: 'observation.state' }], window: 1, anchor: 0, normalize: 'none' }], outputs: [{ output: 'y', column: 'pred' }] };
    expect(s.checkMapping([m.id], base, columns)).toEqual(['model input `obs` expects 14 features, mapping gives 12 (observation.state 12).']);
    expect(s.checkMapping([m.id], { ...base, inputs: [{ ...base.inputs[0], window: 2, anchor: 1 }] }, columns)).toEqual([
      'model input `obs` expects 14 values per sample, mapping gives 24 (window 2 × 12 features: observation.state 12).',
    ]);
    const bad = {
      version: 1,
      stride: 0,
      inputs: [{ input: 'obsv', features: [{ column: 'state' }], window: 1, anchor: 0, normalize: 'zscore', extra: true }],
      outputs: [{ output: 'z', column: '1pred' }],
    };
    expect(s.checkMapping([m.id], bad, columns)).toEqual([
      'stride must be an integer ≥ 1 (frames between samples).',
      'inputs[0] has an unknown key `extra` (allowed: input, features, window, anchor, normalize).',
      'inputs[0].input `obsv` is not an input of the model (inputs: obs).',
      "inputs[0].features[0]: the dataset has no numeric column `state` (columns: observation.state, action).",
      "inputs[0].normalize must be 'none', 'mean_std' or 'min_max'.",
      'model input `obs` is not mapped.',
      'outputs[0].output `z` is not an output of the model (outputs: y).',
      'outputs[0].column must be a column name (letters, digits, _ and .; not starting with a digit).',
    ]);
    const noStats = { ...base, inputs: [{ ...base.inputs[0], normalize: 'mean_std' }] };
    expect(s.checkMapping([m.id], noStats, { 'observation.state': 14 })).toEqual([
      "inputs[0]: normalisation `mean_std` needs stats for `observation.state`, and the dataset's stats have none.",
    ]);
    // Scoring with a bad mapping throws the same sentences.
    const frames = resultIpc([{ name: 'episode_index', values: Int32Array.from([0]) }, { name: 'frame_index', values: Int32Array.from([0]) }, { name: 'observation.state', values: new Float32Array(12), dims: 12 }]);
    await expect(s.scoreFrames(1, { models: [m.id], mapping: base, frames, fps: 15 })).rejects.toThrow('model input `obs` expects 14 features, mapping gives 12 (observation.state 12).');
  });
});

describe('jobs', () => {
  it('report progress per batch and stop when cancelled', async () => {
    const s = new Scorer(ort);
    const { id } = await s.models.load(linearModel(), 'linear.onnx');
    const n = 20_000;
    const big: FrameBlock = { length: n, episode: new Int32Array(n), frame: Int32Array.from({ length: n }, (_, i) => i), columns: { s: { dims: 3, values: new Float32Array(n * 3) } } };
    const seen: number[] = [];
    const run = s.scoreBlock(7, big, { models: [id], mapping: MAP, fps: 15, batchSize: 100 }, (p) => {
      seen.push(p.done);
      if (p.done > 0.2) s.jobs.cancel(7);
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(seen.length).toBeGreaterThan(0);
    expect(Math.max(...seen)).toBeLessThan(0.5);
    // The id is free again: a new job with it runs to the end.
    const done: number[] = [];
    const ok = await s.scoreBlock(7, big, { models: [id], mapping: MAP, fps: 15, batchSize: 5000 }, (p) => done.push(p.done));
    expect(ok.samples).toBe(n);
    expect(done[done.length - 1]).toBe(1);
  });
});
