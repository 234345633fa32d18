/**
 * A small multilayer perceptron (ReLU hidden layers, linear output) trained by minibatch gradient descent with
 * Adam step sizes on mean squared error. Seeded and engine-independent: only + − × ÷ and sqrt (exact in IEEE 754),
 * so the same seed gives the same weights, and the same ONNX bytes, on every machine.
 */
import { createRng, type Rng } from '../demo/rng.ts';
import type { InitSpec, NodeSpec } from './onnx-build.ts';
import { linear } from './onnx-build.ts';

/** Weights of one layer: W is [inDim, outDim] row-major. */
export interface Layer {
  inDim: number;
  outDim: number;
  W: Float64Array;
  b: Float64Array;
}

/** Training knobs. */
export interface TrainOptions {
  hidden: number[];
  seed: number;
  steps: number;
  batch: number;
  learningRate: number;
  /** L2 weight decay (keeps members from drifting apart on the data, not off it). */
  weightDecay?: number;
}

/** He-style initialisation with the seeded rng (its normal() is Irwin–Hall, close enough for init). */
function initLayer(rng: Rng, inDim: number, outDim: number): Layer {
  const W = new Float64Array(inDim * outDim);
  const sd = Math.sqrt(2 / inDim);
  for (let i = 0; i < W.length; i++) W[i] = sd * rng.normal();
  return { inDim, outDim, W, b: new Float64Array(outDim) };
}

/** Forward pass of one sample; `acts[l]` receives layer l's post-activation output. */
function forward(layers: Layer[], x: Float64Array, acts: Float64Array[]): Float64Array {
  let a = x;
  layers.forEach((L, li) => {
    const out = acts[li];
    const last = li === layers.length - 1;
    for (let j = 0; j < L.outDim; j++) {
      let s = L.b[j];
      for (let i = 0; i < L.inDim; i++) s += a[i] * L.W[i * L.outDim + j];
      out[j] = last || s > 0 ? s : 0;
    }
    a = out;
  });
  return a;
}

/**
 * An MLP being trained, one Adam step at a time, so a caller can report progress and stop between steps (the score
 * worker trains in the tab). {@link trainMlp} runs it to the end; both give the same weights for the same seed.
 */
export class MlpTrainer {
  readonly layers: Layer[];
  readonly #rng: Rng;
  readonly #acts: Float64Array[];
  readonly #deltas: Float64Array[];
  readonly #gW: Float64Array[];
  readonly #gb: Float64Array[];
  readonly #mW: Float64Array[];
  readonly #vW: Float64Array[];
  readonly #mb: Float64Array[];
  readonly #vb: Float64Array[];
  readonly #xi: Float64Array;
  #recent = 0;
  #recentN = 0;
  #p1 = 1;
  #p2 = 1;
  /** Steps taken so far. */
  step = 0;

  constructor(
    readonly x: Float32Array,
    readonly y: Float32Array,
    readonly inDim: number,
    readonly outDim: number,
    readonly rows: Int32Array,
    readonly o: TrainOptions,
  ) {
    this.#rng = createRng(o.seed, 1);
    const sizes = [inDim, ...o.hidden, outDim];
    this.layers = sizes.slice(1).map((d, i) => initLayer(this.#rng, sizes[i], d));
    const L = this.layers;
    this.#acts = L.map((l) => new Float64Array(l.outDim));
    this.#deltas = L.map((l) => new Float64Array(l.outDim));
    this.#gW = L.map((l) => new Float64Array(l.W.length));
    this.#gb = L.map((l) => new Float64Array(l.b.length));
    this.#mW = L.map((l) => new Float64Array(l.W.length));
    this.#vW = L.map((l) => new Float64Array(l.W.length));
    this.#mb = L.map((l) => new Float64Array(l.b.length));
    this.#vb = L.map((l) => new Float64Array(l.b.length));
    this.#xi = new Float64Array(inDim);
  }

  /** Whether every step has been taken. */
  get done(): boolean {
    return this.step >= this.o.steps;
  }

  /** Mean training loss over the last 100 steps. */
  get loss(): number {
    return this.#recent / Math.max(1, this.#recentN);
  }

  /** Takes up to `n` more steps. */
  run(n: number): void {
    const { x, y, inDim, outDim, rows, o, layers } = this;
    const [acts, deltas, gW, gb, mW, vW, mb, vb, xi, rng] = [this.#acts, this.#deltas, this.#gW, this.#gb, this.#mW, this.#vW, this.#mb, this.#vb, this.#xi, this.#rng];
    const b1 = 0.9;
    const b2 = 0.999;
    const last = Math.min(o.steps, this.step + n);
    while (this.step < last) {
      const step = ++this.step;
      for (let l = 0; l < layers.length; l++) {
        gW[l].fill(0);
        gb[l].fill(0);
      }
      let loss = 0;
      for (let s = 0; s < o.batch; s++) {
        const r = rows[Math.floor(rng.next() * rows.length)];
        for (let i = 0; i < inDim; i++) xi[i] = x[r * inDim + i];
        const out = forward(layers, xi, acts);
        const dOut = deltas[layers.length - 1];
        for (let j = 0; j < outDim; j++) {
          const e = out[j] - y[r * outDim + j];
          loss += e * e;
          dOut[j] = (2 * e) / (o.batch * outDim);
        }
        for (let l = layers.length - 1; l >= 0; l--) {
          const L = layers[l];
          const inp = l === 0 ? xi : acts[l - 1];
          const d = deltas[l];
          for (let i = 0; i < L.inDim; i++) {
            let back = 0;
            for (let j = 0; j < L.outDim; j++) {
              gW[l][i * L.outDim + j] += inp[i] * d[j];
              back += L.W[i * L.outDim + j] * d[j];
            }
            // ReLU derivative of the layer below (its output is `inp`).
            if (l > 0) deltas[l - 1][i] = inp[i] > 0 ? back : 0;
          }
          for (let j = 0; j < L.outDim; j++) gb[l][j] += d[j];
        }
      }
      this.#p1 *= b1;
      this.#p2 *= b2;
      const lr = (o.learningRate * Math.sqrt(1 - this.#p2)) / (1 - this.#p1);
      const wd = o.weightDecay ?? 0;
      for (let l = 0; l < layers.length; l++) {
        const L = layers[l];
        for (let i = 0; i < L.W.length; i++) {
          const g = gW[l][i] + wd * L.W[i];
          mW[l][i] = b1 * mW[l][i] + (1 - b1) * g;
          vW[l][i] = b2 * vW[l][i] + (1 - b2) * g * g;
          L.W[i] -= (lr * mW[l][i]) / (Math.sqrt(vW[l][i]) + 1e-8);
        }
        for (let j = 0; j < L.b.length; j++) {
          const g = gb[l][j];
          mb[l][j] = b1 * mb[l][j] + (1 - b1) * g;
          vb[l][j] = b2 * vb[l][j] + (1 - b2) * g * g;
          L.b[j] -= (lr * mb[l][j]) / (Math.sqrt(vb[l][j]) + 1e-8);
        }
      }
      if (step > o.steps - 100) {
        this.#recent += loss / (o.batch * outDim);
        this.#recentN++;
      }
    }
  }
}

/**
 * Trains an MLP on rows of `x` (n × inDim) → `y` (n × outDim), drawing minibatches from `rows` (indices into x/y,
 * e.g. a bootstrap sample). Returns the layers and the final training loss (mean over the last 100 steps).
 */
export function trainMlp(x: Float32Array, y: Float32Array, inDim: number, outDim: number, rows: Int32Array, o: TrainOptions): { layers: Layer[]; loss: number } {
  const t = new MlpTrainer(x, y, inDim, outDim, rows, o);
  t.run(o.steps);
  return { layers: t.layers, loss: t.loss };
}

/** Predicts rows of x with trained layers (reference implementation for tests). */
export function predictMlp(layers: Layer[], x: Float32Array, n: number): Float32Array {
  const inDim = layers[0].inDim;
  const outDim = layers[layers.length - 1].outDim;
  const acts = layers.map((L) => new Float64Array(L.outDim));
  const xi = new Float64Array(inDim);
  const out = new Float32Array(n * outDim);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < inDim; i++) xi[i] = x[r * inDim + i];
    out.set(forward(layers, xi, acts), r * outDim);
  }
  return out;
}

/** ONNX nodes and initializers of an MLP from `input` to `output` (MatMul + Add, Relu between layers). */
export function mlpGraph(layers: Layer[], input: string, output: string): { nodes: NodeSpec[]; inits: InitSpec[] } {
  const nodes: NodeSpec[] = [];
  const inits: InitSpec[] = [];
  let x = input;
  layers.forEach((L, i) => {
    const last = i === layers.length - 1;
    const y = last ? output : `h${i}`;
    const lin = linear(`fc${i}`, x, last ? y : `${y}_pre`, Float32Array.from(L.W), Float32Array.from(L.b), L.inDim, L.outDim);
    nodes.push(...lin.nodes);
    inits.push(...lin.inits);
    if (!last) nodes.push({ op: 'Relu', inputs: [`${y}_pre`], outputs: [y] });
    x = y;
  });
  return { nodes, inits };
}
