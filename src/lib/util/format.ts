/**
 * The one place numbers become text in the app: the result grid, the episode browser, the viewer, the catalog,
 * progress lines and job summaries all format through these, so a count reads "1,794" everywhere (US English,
 * commas for thousands) instead of "1 794" in one place and "1,100" in the next.
 */

// Built once: constructing an Intl.NumberFormat is far slower than using one, and the grid formats every cell.
const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const DECIMALS_4 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });
const SIGNIFICANT_4 = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4, useGrouping: false });
const fixed = new Map<number, Intl.NumberFormat>();
const percents = new Map<number, Intl.NumberFormat>();

/** A formatter with exactly `digits` decimals (cached per digit count). */
function fixedDigits(digits: number): Intl.NumberFormat {
  let f = fixed.get(digits);
  if (!f) fixed.set(digits, (f = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })));
  return f;
}

/** A whole number with thousands separators: 1794 → "1,794"; bigints keep every digit. */
export function formatCount(n: number | bigint): string {
  if (typeof n === 'number' && !Number.isFinite(n)) return formatNumber(n);
  return COUNT.format(n);
}

/**
 * Any number, compactly: integers as counts, at most 4 decimals from 1 up ("1,234.5"), 4 significant digits
 * below 1 ("0.0001235"), exponent notation at the extremes ("1e-7", "1.235e+20") where digits would mislead.
 */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1e15 || abs < 1e-4) return x.toExponential(3).replace(/\.?0+e/, 'e');
  if (Number.isInteger(x)) return COUNT.format(x);
  if (abs < 1) return SIGNIFICANT_4.format(x);
  return DECIMALS_4.format(x);
}

/** A fixed number of decimals with thousands separators: (1234.5, 2) → "1,234.50". */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return formatNumber(x);
  return fixedDigits(digits).format(x);
}

/** A share (0..1) as a percentage: 0.125 → "12.5%", at most `digits` decimals. */
export function formatPercent(share: number, digits = 1): string {
  if (!Number.isFinite(share)) return formatNumber(share);
  let f = percents.get(digits);
  if (!f) percents.set(digits, (f = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: digits })));
  return f.format(share);
}

/** Seconds on a time axis or a playhead: 2.4137 → "2.41 s" (`digits` decimals; 12,345.60 s past a thousand). */
export function formatSeconds(s: number, digits = 2): string {
  return `${formatFixed(s, digits)} s`;
}

/**
 * A length of time in seconds, at the unit a person would say: "850 ms", "12.4 s", "3 min 05 s", "2 h 04 min".
 * For episode and run durations, where "12,400 s" would hide that it is over three hours.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return formatNumber(seconds);
  const neg = seconds < 0 ? '-' : '';
  const s = Math.abs(seconds);
  if (s < 1) return `${neg}${Math.round(s * 1000)} ms`;
  if (s < 60) return `${neg}${formatFixed(s, s < 10 ? 2 : 1)} s`;
  const whole = Math.round(s);
  if (whole < 3600) return `${neg}${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
  const minutes = Math.round(s / 60);
  return `${neg}${formatCount(Math.floor(minutes / 60))} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** Bytes as a short human string: 512 B, 1.2 KB, 3.4 MB, 1.25 GB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${formatCount(n)} B`;
  if (n < 1024 ** 2) return `${formatFixed(n / 1024, 1)} KB`;
  if (n < 1024 ** 3) return `${formatFixed(n / 1024 ** 2, 1)} MB`;
  return `${formatFixed(n / 1024 ** 3, 2)} GB`;
}

/** Milliseconds as `850 ms` or `2.41 s`. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${formatCount(Math.round(ms))} ms` : formatSeconds(ms / 1000);
}
