/**
 * Time ↔ frame arithmetic of one episode. A LeRobot frame `k` is stamped `k / fps` seconds from the episode's
 * start (formats.md §1.3), so the playhead lives on frames and every view derives its time from the frame.
 */

/** The frame shown at `t` seconds: the nearest frame, clamped to the episode (`length` frames). */
export function frameAt(t: number, fps: number, length: number): number {
  if (!(length > 0)) return 0;
  const f = Number.isFinite(t) ? Math.round(t * fps) : 0;
  return Math.min(length - 1, Math.max(0, f));
}

/** The timestamp of frame `frame` in seconds from the episode's start. */
export function timeOfFrame(frame: number, fps: number): number {
  return frame / fps;
}

/** `frame` moved by `delta` frames, kept inside the episode. */
export function stepFrame(frame: number, delta: number, length: number): number {
  return Math.min(Math.max(0, length - 1), Math.max(0, Math.trunc(frame) + Math.trunc(delta)));
}

/** Episode duration in seconds: `length` frames of `1 / fps` each. */
export function episodeDuration(length: number, fps: number): number {
  return length / fps;
}

/** `m:ss.cc` for a time in seconds (the transport's clock). */
export function formatClock(t: number): string {
  const s = Math.max(0, t);
  const m = Math.floor(s / 60);
  const rest = s - m * 60;
  return `${m}:${rest.toFixed(2).padStart(5, '0')}`;
}
