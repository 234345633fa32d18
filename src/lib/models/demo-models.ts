/**
 * The bundled demo models, built from the demo dataset by a seeded, deterministic procedure (no downloaded weights):
 *
 * - a policy ensemble: 5 MLPs observation → action (state at t−1 and t, normalised with meta/stats.json →
 *   normalised action at t), each trained from its own seed on its own bootstrap sample of the teleoperated demos
 *   (seed and targeted episodes: what the lab would imitate). Their disagreement is the uncertainty signal.
 * - a window encoder: 4 s of state and action around a failure onset → an 8-value embedding (see encoder.ts),
 *   fitted without labels on the windows around every deployment failure's logged onset.
 *
 * The mappings that feed them from the dataset are part of the manifest, so the app can run them as shipped.
 */
import { createRng } from '../demo/rng.ts';
import { episodeRanges, rowOf, type EpisodeRange, type FrameBlock } from '../score/frames.ts';
import { affine, fillBatch, planInput } from '../score/features.ts';
import type { DatasetStats, InputLayout, ModelMapping } from '../score/mapping.ts';
import { DEMO_ENCODER_SHAPE, encoderGraph, fitEncoder, type FittedEncoder } from './encoder.ts';
import { mlpGraph, trainMlp, type Layer } from './mlp.ts';
import { buildModel } from './onnx-build.ts';
import type { DemoEpisodeTruth } from './demo-frames.ts';
import { ENCODER_MAPPING, POLICY_MAPPING } from './demo-mappings.ts';

/** Seed of the demo models (same seed → same bytes). */
export const MODELS_SEED = 7;
/** Ensemble size. */
export const ENSEMBLE_SIZE = 5;

export { POLICY_MAPPING, ENCODER_MAPPING };

/** One file of the demo models. */
export interface DemoModelFile {
  file: string;
  bytes: Uint8Array;
}

/** What `static/demo/models/models.json` says. */
export interface DemoManifest {
  format: 'flywheel-models';
  version: 1;
  seed: number;
  ensembles: { name: string; members: string[]; mapping: ModelMapping; trainedOn: string; trainLoss: number[] }[];
  encoders: { name: string; file: string; mapping: ModelMapping; fittedOn: string; embeddingDim: number }[];
}

/** Knobs (tests use smaller numbers). */
export interface BuildOptions {
  seed: number;
  members: number;
  hidden: number[];
  steps: number;
  batch: number;
  embeddingDim: number;
}

/** The bundled demo's build options. */
export const DEMO_BUILD: BuildOptions = { seed: MODELS_SEED, members: ENSEMBLE_SIZE, hidden: [48, 48], steps: 1500, batch: 128, embeddingDim: 8 };

const SEQ: InputLayout['layout'] = 'sequence';

/** Training pairs of the policy: normalised inputs as the mapping builds them, normalised actions. */
function policyData(block: FrameBlock, ranges: EpisodeRange[], stats: DatasetStats): { x: Float32Array; y: Float32Array; inDim: number } {
  const m = POLICY_MAPPING.inputs[0];
  const plan = planInput(m, { input: m.input, featuresPerFrame: 8, window: 2, layout: 'flat' }, block, stats);
  const rows = new Int32Array(block.length);
  const epOf = new Int32Array(block.length);
  ranges.forEach((r, ri) => {
    for (let i = r.start; i < r.end; i++) {
      rows[i] = i;
      epOf[i] = ri;
    }
  });
  const inDim = 16;
  const x = new Float32Array(block.length * inDim);
  fillBatch(plan, rows, ranges, epOf, 0, block.length, x);
  const act = block.columns['action'];
  const t = Array.from({ length: 8 }, (_, k) => affine('mean_std', stats, 'action', k));
  const y = new Float32Array(block.length * 8);
  for (let i = 0; i < y.length; i++) y[i] = act.values[i] * t[i % 8].scale + t[i % 8].offset;
  return { x, y, inDim };
}

/** Trains the ensemble; returns each member's layers and training loss. */
export function trainEnsemble(block: FrameBlock, truth: DemoEpisodeTruth[], stats: DatasetStats, o: BuildOptions, log?: (m: string) => void): { members: Layer[][]; losses: number[] } {
  const ranges = episodeRanges(block);
  const { x, y, inDim } = policyData(block, ranges, stats);
  const kind = new Map(truth.map((e) => [e.episode_index, e.kind]));
  // Demonstrations of the task only: not deployments, and not calibration runs (the arm holding reference poses).
  const teleop = ranges.filter((r) => kind.get(r.episode) === 'seed' || kind.get(r.episode) === 'targeted');
  const members: Layer[][] = [];
  const losses: number[] = [];
  for (let m = 0; m < o.members; m++) {
    // Bootstrap over episodes (not frames): frames of one episode are strongly correlated.
    const rng = createRng(o.seed, 100 + m);
    const picked: EpisodeRange[] = [];
    for (let i = 0; i < teleop.length; i++) picked.push(teleop[Math.floor(rng.next() * teleop.length)]);
    let n = 0;
    for (const r of picked) n += r.end - r.start;
    const rows = new Int32Array(n);
    let o2 = 0;
    for (const r of picked) for (let i = r.start; i < r.end; i++) rows[o2++] = i;
    const t0 = performance.now();
    const { layers, loss } = trainMlp(x, y, inDim, 8, rows, { hidden: o.hidden, seed: o.seed * 1000 + m, steps: o.steps, batch: o.batch, learningRate: 3e-3 });
    log?.(`member ${m}: ${picked.length} episodes (${n} frames), loss ${loss.toFixed(5)}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    members.push(layers);
    losses.push(Math.round(loss * 1e6) / 1e6);
  }
  return { members, losses };
}

/** Windows (n × 60 × 16, raw) around the onsets of the given failures, built as the encoder mapping does. */
export function failureWindows(block: FrameBlock, onsets: { episode: number; frame: number }[]): Float32Array {
  const ranges = episodeRanges(block);
  const byEp = new Map(ranges.map((r) => [r.episode, r]));
  const idx = new Map(ranges.map((r, i) => [r.episode, i]));
  const m = ENCODER_MAPPING.inputs[0];
  const plan = planInput(m, { input: m.input, featuresPerFrame: 16, window: m.window, layout: SEQ }, block);
  const rows = Int32Array.from(onsets.map((o) => rowOf(block, byEp, o.episode, o.frame)));
  if (rows.some((r) => r < 0)) throw new Error('a failure onset is not among the frames');
  const epOf = Int32Array.from(onsets.map((o) => idx.get(o.episode)!));
  const out = new Float32Array(onsets.length * m.window * 16);
  fillBatch(plan, rows, ranges, epOf, 0, onsets.length, out);
  return out;
}

/** The deployment failures with a logged onset (what the encoder is fitted on). */
export function failureOnsets(truth: DemoEpisodeTruth[]): { episode: number; frame: number; mechanism: string }[] {
  return truth
    .filter((e) => e.kind === 'deployment' && e.mechanism !== null && e.onset_frame !== null)
    .map((e) => ({ episode: e.episode_index, frame: e.onset_frame!, mechanism: e.mechanism! }));
}

/** Builds every demo model file and the manifest. */
export function buildDemoModels(block: FrameBlock, truth: DemoEpisodeTruth[], stats: DatasetStats, o: BuildOptions = DEMO_BUILD, log?: (m: string) => void): { files: DemoModelFile[]; manifest: DemoManifest; encoder: FittedEncoder; members: Layer[][] } {
  const { members, losses } = trainEnsemble(block, truth, stats, o, log);
  const files: DemoModelFile[] = members.map((layers, m) => {
    const g = mlpGraph(layers, 'observation', 'action');
    const bytes = buildModel({
      name: `policy_member_${m}`,
      inputs: [{ name: 'observation', shape: ['N', 16] }],
      outputs: [{ name: 'action', shape: ['N', 8] }],
      nodes: g.nodes,
      initializers: g.inits,
      metadata: { member: String(m), seed: String(o.seed * 1000 + m), hidden: o.hidden.join('x'), steps: String(o.steps) },
      docString: 'Flywheel demo policy ensemble member: normalised state (t−1, t) → normalised action (t).',
    });
    return { file: `policy-member-${m}.onnx`, bytes };
  });
  const onsets = failureOnsets(truth);
  const windows = failureWindows(block, onsets);
  const encoder = fitEncoder(DEMO_ENCODER_SHAPE, windows, onsets.length, o.embeddingDim);
  log?.(`encoder: ${onsets.length} failure windows, variance ${Array.from(encoder.pca.variance, (v) => v.toFixed(3)).join(' ')}`);
  files.push({ file: 'window-encoder.onnx', bytes: buildModel(encoderGraph(encoder, { windows: String(onsets.length), dim: String(o.embeddingDim) })) });
  const manifest: DemoManifest = {
    format: 'flywheel-models',
    version: 1,
    seed: o.seed,
    ensembles: [
      {
        name: 'demo policy ensemble',
        members: files.slice(0, members.length).map((f) => f.file),
        mapping: POLICY_MAPPING,
        trainedOn: 'teleoperated demos (seed and targeted episodes), one bootstrap sample of episodes per member',
        trainLoss: losses,
      },
    ],
    encoders: [
      {
        name: 'demo failure-window encoder',
        file: 'window-encoder.onnx',
        mapping: ENCODER_MAPPING,
        fittedOn: `${onsets.length} windows around deployment failure onsets (no labels)`,
        embeddingDim: o.embeddingDim,
      },
    ],
  };
  return { files, manifest, encoder, members };
}
