/**
 * Node I/O: the demo's camera videos in LeRobot v3.0's layout, several episodes concatenated per mp4, each
 * episode's place in its file recorded as `videos/<key>/{chunk_index, file_index, from_timestamp, to_timestamp}` in
 * the episodes Parquet (formats.md §1.4).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FlywheelPlan } from './flywheel.ts';
import { fileLocation, formatPath } from './lerobot-meta.ts';
import { createRng } from './rng.ts';
import { renderTrajectory } from './trajectory.ts';
import { DEMO_VIDEO, VideoWriter } from './video-encode.ts';
import { SCENE_SIZE, drawBackground, drawFrame, sceneTrack } from './video-scene.ts';

/** The demo's one camera: a top-down view of the bin, the tray and the hand. */
export const DEMO_VIDEO_KEY = 'observation.images.top';
/** LeRobot v3.0's video path template. */
export const VIDEO_PATH = 'videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4';

/** Random stream the trajectories are rendered with (lerobot-writer.ts's STREAM_RENDER): the video shows the same motion. */
const STREAM_RENDER = 5;

/** Where one episode's frames sit in the concatenated videos. */
export interface EpisodeVideo {
  chunk: number;
  file: number;
  /** Seconds from the start of the mp4 to the episode's first frame, and to just after its last. */
  from: number;
  to: number;
}

/** The `features` entry of a video key in info.json, as LeRobot writes it. */
export function videoFeature(fps: number, size = SCENE_SIZE): Record<string, unknown> {
  return {
    dtype: 'video',
    shape: [size, size, 3],
    names: ['height', 'width', 'channels'],
    info: {
      'video.height': size,
      'video.width': size,
      'video.codec': 'h264',
      'video.pix_fmt': 'yuv420p',
      'video.is_depth_map': false,
      'video.fps': fps,
      'video.channels': 3,
      has_audio: false,
    },
  };
}

/**
 * Renders and encodes every episode's camera into the mp4 of its data file (`fileOf[k]`, as the data Parquet is
 * split), replacing `root/videos`. Returns each episode's location and the files written.
 */
export async function writeDemoVideos(
  plan: FlywheelPlan,
  root: string,
  fileOf: readonly number[],
  fps: number,
  log: (msg: string) => void = () => {},
): Promise<{ episodes: EpisodeVideo[]; files: Array<{ path: string; bytes: number }> }> {
  rmSync(join(root, 'videos'), { recursive: true, force: true });
  const episodes: EpisodeVideo[] = [];
  const files: Array<{ path: string; bytes: number }> = [];
  const rgba = new Uint8Array(SCENE_SIZE * SCENE_SIZE * 4);
  const eps = plan.episodes;
  for (let first = 0; first < eps.length; ) {
    let last = first;
    while (last < eps.length && fileOf[last] === fileOf[first]) last++;
    const loc = fileLocation(fileOf[first]);
    const video = await VideoWriter.open({ width: SCENE_SIZE, height: SCENE_SIZE, fps, ...DEMO_VIDEO });
    for (let k = first; k < last; k++) {
      const ep = eps[k];
      const { state } = renderTrajectory(ep.script, createRng(plan.config.seed, STREAM_RENDER, ep.episode_index));
      // Timestamps are frame counts over fps, as LeRobot's encoder writes them: every frame lasts exactly 1/fps.
      const from = video.frames / fps;
      const background = drawBackground(ep.conditions.lighting);
      for (const frame of sceneTrack(ep.script, ep.conditions, state)) {
        drawFrame(rgba, background, ep.conditions, frame);
        video.add(rgba);
      }
      episodes.push({ chunk: loc.chunk, file: loc.file, from, to: video.frames / fps });
    }
    const bytes = video.finish();
    const rel = formatPath(VIDEO_PATH.replace('{video_key}', DEMO_VIDEO_KEY), loc.chunk, loc.file);
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), bytes);
    files.push({ path: rel, bytes: bytes.length });
    log(`${rel}: episodes ${first}–${last - 1}, ${bytes.length} bytes`);
    first = last;
  }
  return { episodes, files };
}
