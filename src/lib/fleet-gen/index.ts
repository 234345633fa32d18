/**
 * The second flywheel generator (an SO-101-like arm fleet, 30 fps, degrees, LeRobot v2.1 with `state`/`actions`
 * keys): pure planning and rendering; the Node writer is `cli.ts` (`npm run fleet`).
 */
export { FLEET_CONFIG, FLEET_DIM, FLEET_FPS, FLEET_JOINTS, FLEET_MECHANISMS, FLEET_TASK, LOGGED_CATEGORY, planFleet, type FleetConfig, type FleetEpisode, type FleetMechanism } from './fleet.ts';
export { FLEET_LOG_HEADER, fleetLogCsv, fleetTruth, type FleetTruth, type FleetTruthEpisode } from './logs.ts';
