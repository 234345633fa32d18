/**
 * How the demo dataset feeds the demo models. Apart from the builder so the app (templates) can use the mappings
 * without bundling the training code; `models.json` carries the same mappings.
 */
import type { ModelMapping } from '../score/mapping.ts';

/** The policy members' mapping: two frames of state (t−1, t), normalised; the action comes back denormalised. */
export const POLICY_MAPPING: ModelMapping = {
  version: 1,
  stride: 1,
  inputs: [{ input: 'observation', features: [{ column: 'observation.state' }], window: 2, anchor: 1, normalize: 'mean_std' }],
  outputs: [{ output: 'action', column: 'action_pred', denormalize: { column: 'action', method: 'mean_std' } }],
};

/** The encoder's mapping: 60 frames of state and action, the failure onset 10 frames in, raw units. */
export const ENCODER_MAPPING: ModelMapping = {
  version: 1,
  stride: 1,
  inputs: [{ input: 'window', features: [{ column: 'observation.state' }, { column: 'action' }], window: 60, anchor: 10, normalize: 'none' }],
  outputs: [{ output: 'embedding', column: 'embedding' }],
};
