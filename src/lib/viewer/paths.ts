/**
 * Which mp4 holds each camera of an episode, formatted from `info.json`'s own `video_path` template (real datasets
 * disagree on placeholder names, so nothing is hard-coded; see ingest/lerobot/template.ts).
 */
import { episodeTemplateVars, formatTemplate } from '../ingest/lerobot/template';
import type { VideoWindow } from './seek';

/** The parts of a dataset's info the video paths depend on. */
export interface VideoInfo {
  version: string;
  chunksSize: number;
  videoPath: string | null;
  features: { key: string; isVideo: boolean }[];
}

/** One camera of one episode: the file (relative to the dataset root) and the episode's window in it. */
export interface EpisodeVideo extends VideoWindow {
  key: string;
  path: string;
}

/** Result of {@link episodeVideos}: the cameras found, and why any camera could not be placed. */
export interface EpisodeVideos {
  videos: EpisodeVideo[];
  problems: string[];
}

/** The camera keys of a dataset (its `video` features), in info.json order. */
export function videoKeys(info: VideoInfo): string[] {
  return info.features.filter((f) => f.isVideo).map((f) => f.key);
}

/** The episodes-table columns that place a camera in v3.0's concatenated files. */
export function videoColumns(key: string): { chunk: string; file: string; from: string; to: string } {
  const p = `videos/${key}/`;
  return { chunk: `${p}chunk_index`, file: `${p}file_index`, from: `${p}from_timestamp`, to: `${p}to_timestamp` };
}

function num(v: unknown): number | null {
  if (v == null) return null;
  const n = typeof v === 'bigint' ? Number(v) : Number(v);
  return Number.isFinite(n) ? n : null;
}

/**
 * Every camera of episode `episode`. For v2.x the file is the episode's own (window starts at 0); for v3.0 the
 * `meta` row of the raw episodes table must carry `videos/<key>/{chunk_index, file_index, from_timestamp,
 * to_timestamp}`.
 */
export function episodeVideos(info: VideoInfo, episode: number, meta: Record<string, unknown> | null): EpisodeVideos {
  const keys = videoKeys(info);
  const problems: string[] = [];
  if (!keys.length) return { videos: [], problems };
  if (!info.videoPath) return { videos: [], problems: [`info.json declares cameras (${keys.join(', ')}) but no video_path template.`] };
  const videos: EpisodeVideo[] = [];
  for (const key of keys) {
    try {
      if (info.version !== 'v3.0') {
        const vars = { ...episodeTemplateVars(episode, info.chunksSize), video_key: key };
        videos.push({ key, path: formatTemplate(info.videoPath, vars), from: 0, to: null });
        continue;
      }
      const c = videoColumns(key);
      const chunk = num(meta?.[c.chunk]);
      const file = num(meta?.[c.file]);
      const from = num(meta?.[c.from]);
      if (chunk == null || file == null || from == null) {
        problems.push(`Camera ${key}: the episodes table has no ${c.chunk} / ${c.file} / ${c.from} for episode ${episode}.`);
        continue;
      }
      const path = formatTemplate(info.videoPath, { video_key: key, chunk_index: chunk, file_index: file, episode_index: episode });
      videos.push({ key, path, from, to: num(meta?.[c.to]) });
    } catch (e) {
      problems.push(`Camera ${key}: ${(e as Error).message}`);
    }
  }
  return { videos, problems };
}

/** Where a dataset's files are: a root URL, or the files of a local folder (paths start with the folder's name). */
export type FileSource = { kind: 'url'; base: string } | { kind: 'files'; files: { path: string; file: Blob }[] };

/** The URL or local file of a path inside the dataset, or null when a local folder lacks it. */
export function locateFile(src: FileSource, path: string): { url: string } | { blob: Blob } | null {
  if (src.kind === 'url') return { url: new URL(path, src.base.endsWith('/') ? src.base : `${src.base}/`).href };
  // A picked folder's paths carry the folder's own name first (`demo/videos/…`), a dropped one may not.
  const hit = src.files.find((f) => f.path === path || f.path.endsWith(`/${path}`));
  return hit ? { blob: hit.file } : null;
}
