/**
 * The fleet's side files: the deployment log (`episode_id,timestamp,policy_version,outcome,failure_category,notes`,
 * one row per episode, demos included with an empty policy) and the ground truth the tests score against.
 */
import { toCsv } from '../demo/csv.ts';
import { FLEET_FPS, FLEET_JOINTS, LOGGED_CATEGORY, type FleetEpisode } from './fleet.ts';

/** Columns of the fleet's deployment log. */
export const FLEET_LOG_HEADER = ['episode_id', 'timestamp', 'policy_version', 'outcome', 'failure_category', 'notes'] as const;

/** The deployment log as CSV. */
export function fleetLogCsv(eps: readonly FleetEpisode[]): string {
  return toCsv(
    FLEET_LOG_HEADER,
    eps.map((e) => [e.episode_index, e.timestamp, e.policy_version ?? '', e.outcome, e.mechanism ? LOGGED_CATEGORY[e.mechanism] : '', e.notes]),
  );
}

/** Ground truth of one episode (no frames). */
export interface FleetTruthEpisode {
  episode_index: number;
  kind: FleetEpisode['kind'];
  policy_version: string | null;
  outcome: FleetEpisode['outcome'];
  mechanism: FleetEpisode['mechanism'];
  onset_frame: number | null;
  onset_s: number | null;
  placement: FleetEpisode['placement'];
  pan_deg: number;
  length: number;
  ood: [number, number] | null;
}

/** What `ground_truth.json` holds. */
export interface FleetTruth {
  generator: 'flywheel fleet-gen';
  version: 1;
  fps: number;
  joints: readonly string[];
  units: { state: string; actions: string };
  episodes: FleetTruthEpisode[];
}

/** The ground truth document. */
export function fleetTruth(eps: readonly FleetEpisode[]): FleetTruth {
  return {
    generator: 'flywheel fleet-gen',
    version: 1,
    fps: FLEET_FPS,
    joints: FLEET_JOINTS,
    units: { state: 'degrees (gripper: percent open)', actions: 'degrees (gripper: percent open)' },
    episodes: eps.map((e) => ({
      episode_index: e.episode_index,
      kind: e.kind,
      policy_version: e.policy_version,
      outcome: e.outcome,
      mechanism: e.mechanism,
      onset_frame: e.onset_frame,
      onset_s: e.onset_frame === null ? null : Math.round((e.onset_frame / FLEET_FPS) * 1000) / 1000,
      placement: e.placement,
      pan_deg: e.pan_deg,
      length: e.length,
      ood: e.ood,
    })),
  };
}
