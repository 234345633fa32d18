/** The viewer's keyboard shortcuts: one table drives both the key handling and the list shown in the UI. */

/** What a key press asks the viewer to do. */
export type ViewerAction =
  | { kind: 'step'; frames: number }
  | { kind: 'toggle-play' }
  | { kind: 'mark-onset' }
  | { kind: 'failure'; direction: 1 | -1 }
  | { kind: 'speed'; direction: 1 | -1 }
  | { kind: 'edge'; end: 'start' | 'end' };

/** The shortcuts as listed in the UI. */
export const SHORTCUTS: readonly { keys: string; does: string }[] = [
  { keys: 'Space', does: 'play / pause' },
  { keys: '← / →', does: 'one frame back / forward' },
  { keys: 'Shift + ← / →', does: '10 frames back / forward' },
  { keys: 'Home / End', does: 'first / last frame' },
  { keys: '- / +', does: 'slower / faster' },
  { keys: 'o', does: 'mark the failure onset at the playhead' },
  { keys: '[ / ]', does: 'previous / next failed episode' },
];

/** The action of a key press, or null when the viewer does not handle that key. */
export function actionForKey(e: { key: string; shiftKey?: boolean; ctrlKey?: boolean; metaKey?: boolean; altKey?: boolean }): ViewerAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  switch (e.key) {
    case ' ':
      return { kind: 'toggle-play' };
    case 'ArrowRight':
      return { kind: 'step', frames: e.shiftKey ? 10 : 1 };
    case 'ArrowLeft':
      return { kind: 'step', frames: e.shiftKey ? -10 : -1 };
    case 'Home':
      return { kind: 'edge', end: 'start' };
    case 'End':
      return { kind: 'edge', end: 'end' };
    case 'o':
    case 'O':
      return { kind: 'mark-onset' };
    case ']':
      return { kind: 'failure', direction: 1 };
    case '[':
      return { kind: 'failure', direction: -1 };
    case '+':
    case '=':
      return { kind: 'speed', direction: 1 };
    case '-':
    case '_':
      return { kind: 'speed', direction: -1 };
    default:
      return null;
  }
}

/** Playback speeds offered. */
export const SPEEDS = [0.25, 0.5, 1, 2, 4] as const;

/** The next speed up or down from `rate` (staying at the ends). */
export function nextSpeed(rate: number, direction: 1 | -1): number {
  const i = SPEEDS.findIndex((s) => s >= rate - 1e-9);
  const at = i < 0 ? SPEEDS.length : i;
  // A rate between two offered speeds goes to the nearer one in the asked direction.
  const exact = at < SPEEDS.length && Math.abs(SPEEDS[at] - rate) < 1e-9;
  const next = direction === 1 ? (exact ? at + 1 : at) : at - 1;
  return SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, next))];
}
