/**
 * A lab calendar: episodes happen on weekdays during working hours, in sessions, with resets between
 * episodes. All times are UTC milliseconds on whole seconds; formatting never depends on the locale or
 * the machine's time zone.
 */
import type { Rng } from './rng.ts';

/** Milliseconds per day. */
export const DAY_MS = 86_400_000;
const HOUR_S = 3600;
/** Sessions start at 08:00 UTC and normally end by 18:00. */
const WORKDAY_START_S = 8 * HOUR_S;
const WORKDAY_S = 10 * HOUR_S;
/** Hard stop for a day's session when a large run must squeeze many episodes in. */
const LATEST_END_S = 23 * HOUR_S;

/** Milliseconds since the epoch of a 'YYYY-MM-DD' date at 00:00 UTC. */
export function parseDate(ymd: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) throw new Error(`expected YYYY-MM-DD, got ${ymd}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

/** ISO-8601 UTC timestamp with seconds, e.g. 2026-03-02T14:05:11Z. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

/** ISO-8601 date, e.g. 2026-03-02. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Midnights (UTC) of the weekdays in [startMs, endMs). */
export function workdays(startMs: number, endMs: number): number[] {
  const days: number[] = [];
  for (let d = startMs; d < endMs; d += DAY_MS) {
    const wd = new Date(d).getUTCDay();
    if (wd !== 0 && wd !== 6) days.push(d);
  }
  return days;
}

/**
 * Start times for consecutive episodes spread evenly over the given days. Each episode takes its
 * duration plus a reset (the operator puts the object back, re-homes the robot). When a large run has
 * more episodes than a day can hold, resets shrink and sessions run late, like a lab running shifts.
 * Returned times are strictly increasing whole seconds after `notBeforeMs`.
 */
export function scheduleEpisodes(
  rng: Rng,
  days: readonly number[],
  durationsS: readonly number[],
  resetS: readonly [number, number],
  notBeforeMs: number,
): number[] {
  const out: number[] = [];
  const n = durationsS.length;
  if (n === 0) return out;
  if (days.length === 0) throw new Error('no working days to schedule episodes on');
  const perDay = Math.ceil(n / days.length);
  const meanDur = durationsS.reduce((a, b) => a + b, 0) / n;
  const meanCycle = meanDur + (resetS[0] + resetS[1]) / 2;
  const squeeze = Math.min(1, (WORKDAY_S - 3600) / (perDay * meanCycle));
  let last = notBeforeMs;
  let i = 0;
  for (let d = 0; d < days.length && i < n; d++) {
    // Spread the remainder evenly over the remaining days.
    const today = Math.ceil((n - i) / (days.length - d));
    let t = WORKDAY_START_S + Math.floor(rng.uniform(0, 90) * 60 * squeeze);
    for (let e = 0; e < today && i < n; e++, i++) {
      const ms = Math.max(days[d] + t * 1000, last + 1000);
      out.push(ms);
      last = ms;
      t += Math.max(1, Math.round((durationsS[i] + rng.uniform(resetS[0], resetS[1])) * squeeze));
      // A lunch break in the middle of a normal session.
      if (squeeze === 1 && t > WORKDAY_START_S + 4 * HOUR_S && t < WORKDAY_START_S + 4.5 * HOUR_S) t += 45 * 60;
      if (t > LATEST_END_S) t = LATEST_END_S;
    }
  }
  return out;
}
