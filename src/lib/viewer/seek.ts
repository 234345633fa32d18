/**
 * Where an episode's frames sit inside a video file, and the seek arithmetic on top of it. LeRobot v2.x stores one
 * mp4 per episode (the episode starts at 0 s); v3.0 concatenates many episodes per mp4 and records each episode's
 * `[from_timestamp, to_timestamp)` window (formats.md §1.4). Both are a {@link VideoWindow}.
 */

/** An episode's span in its video file, seconds from the file's start. `to` is null when unknown (v2.x). */
export interface VideoWindow {
  from: number;
  to: number | null;
}

/**
 * The `currentTime` to seek to for a frame: the middle of the frame's display interval. Seeking exactly onto a
 * frame's start can land on the previous frame, because the container's timescale rounds `k / fps` (e.g. 1/15 s
 * is not a whole number of ticks of a 1000 Hz timescale); half a frame in is unambiguous either way.
 */
export function seekTime(w: VideoWindow, frame: number, fps: number): number {
  const t = w.from + (frame + 0.5) / fps;
  return w.to == null ? t : Math.min(t, w.to - 0.25 / fps);
}

/**
 * The episode frame a video shows at `currentTime`: frames are displayed for `[k / fps, (k + 1) / fps)` after the
 * window's start. Clamped to the episode (`length` frames). The small epsilon absorbs float error at boundaries.
 */
export function frameAtVideoTime(w: VideoWindow, currentTime: number, fps: number, length: number): number {
  const f = Math.floor((currentTime - w.from) * fps + 1e-6);
  return Math.min(Math.max(0, length - 1), Math.max(0, f));
}

/**
 * Whether playback has left the episode's window: in a v3.0 file the next episode's frames follow at once, so the
 * player must stop at the window's end (or at the episode's last frame when `to` is unknown).
 */
export function pastWindow(w: VideoWindow, currentTime: number, fps: number, length: number): boolean {
  const end = w.to ?? w.from + length / fps;
  return currentTime >= end - 0.5 / fps;
}

/** Whether two displayed times are more than a frame apart (a follower video then re-seeks to the leader). */
export function drifted(a: number, b: number, fps: number): boolean {
  return Math.abs(a - b) > 1 / fps;
}
