/**
 * The training recipe of models trained in the tab and the mappings that feed them, apart from the trainer so the
 * app's main thread (cells, forms, share-link checks) can use them without bundling the training code.
 */
import type { ModelMapping } from '../score/mapping.ts';

/** How the tab trains its models (saved in the notebook, validated strictly in share links). */
export interface TrainRecipe {
  version: 1;
  seed: number;
  /** State and action columns; null: found in the frames (`observation.state`/`action`, else a column named like them). */
  state: string | null;
  action: string | null;
  /** Ensemble members (uncertainty). */
  members: number;
  hidden: number[];
  steps: number;
  batch: number;
  /** Frames of state per policy input (ending at the frame). */
  window: number;
  /**
   * Reference episodes the policies imitate: a SQL condition over `episodes`, or 'auto': the demos (no
   * `policy_version`) when the log says which those are, else the successful episodes, else every episode.
   */
  reference: string;
  /** Embedding size and window (frames, onset position inside it) of the clustering embedding. */
  embeddingDim: number;
  encoderWindow: number;
  encoderAnchor: number;
}

/** The default recipe: 5 members of 32×32, 600 steps of 64 (about 10 s on two cores for 30k frames). */
export function defaultRecipe(): TrainRecipe {
  return { version: 1, seed: 1, state: null, action: null, members: 5, hidden: [32, 32], steps: 600, batch: 64, window: 2, reference: 'auto', embeddingDim: 8, encoderWindow: 45, encoderAnchor: 5 };
}

const STATE_NAMES = ['observation.state', 'state', 'observation.joint_position', 'joint_position'];
const ACTION_NAMES = ['action', 'actions', 'action.joint_position'];

/** Picks a column: the recipe's, else the first conventional name present, else the first column whose name has `word`. */
function pick(columns: Record<string, number>, chosen: string | null, names: string[], word: RegExp, what: string): string {
  const cols = Object.keys(columns).filter((c) => columns[c] >= 1 && !['episode_index', 'frame_index', 'index', 'task_index', 'timestamp'].includes(c));
  if (chosen) {
    if (columns[chosen] === undefined) throw new Error(`The training recipe's ${what} column \`${chosen}\` is not among the frames' numeric columns (${cols.join(', ') || 'none'}). Pick one of them in the cell.`);
    return chosen;
  }
  const found = names.find((n) => columns[n] !== undefined) ?? cols.find((c) => word.test(c));
  if (!found) throw new Error(`No ${what} column found among the frames' numeric columns (${cols.join(', ') || 'none'}): name the ${what} column in the cell's training recipe.`);
  return found;
}

/** The state and action columns the recipe trains on, with their widths. */
export function resolveColumns(columns: Record<string, number>, r: TrainRecipe): { state: string; action: string; stateDims: number; actionDims: number } {
  const state = pick(columns, r.state, STATE_NAMES, /state|position|qpos/i, 'state');
  const action = pick(columns, r.action, ACTION_NAMES, /action|command/i, 'action');
  return { state, action, stateDims: columns[state], actionDims: columns[action] };
}

/** Mapping of the trained policies: `window` frames of normalised state → normalised action, denormalised back. */
export function trainedPolicyMapping(state: string, action: string, window: number): ModelMapping {
  return {
    version: 1,
    stride: 1,
    inputs: [{ input: 'observation', features: [{ column: state }], window, anchor: window - 1, normalize: 'mean_std' }],
    outputs: [{ output: 'action', column: 'action_pred', denormalize: { column: action, method: 'mean_std' } }],
  };
}

/** Mapping of the trained window embedding: normalised state and action around the onset. */
export function trainedEncoderMapping(state: string, action: string, r: Pick<TrainRecipe, 'encoderWindow' | 'encoderAnchor'>): ModelMapping {
  return {
    version: 1,
    stride: 1,
    inputs: [{ input: 'window', features: [{ column: state }, { column: action }], window: r.encoderWindow, anchor: r.encoderAnchor, normalize: 'mean_std' }],
    outputs: [{ output: 'embedding', column: 'embedding' }],
  };
}

