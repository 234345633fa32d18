/**
 * Checks shared by the job forms. Forms arrive from the UI and from shared notebooks, so every field is
 * checked at run time even though TypeScript types it: a NaN weight or an empty column name must give a
 * message, not SQL that fails somewhere else.
 */

/** Collects form errors as readable sentences. */
export class FormErrors {
  readonly errors: string[] = [];

  /** A number in [min, max] (inclusive unless `open` says otherwise). */
  number(label: string, x: unknown, min: number, max: number, open: { min?: boolean; max?: boolean } = {}): void {
    const below = open.min ? (x as number) <= min : (x as number) < min;
    const above = open.max ? (x as number) >= max : (x as number) > max;
    if (typeof x !== 'number' || !Number.isFinite(x) || below || above) {
      const lo = open.min ? `more than ${min}` : `at least ${min}`;
      const hi = open.max ? `less than ${max}` : `at most ${max}`;
      this.errors.push(`${label} must be a number ${lo} and ${hi} (got ${describe(x)}).`);
    }
  }

  /** A whole number in [min, max]. */
  integer(label: string, x: unknown, min: number, max: number): void {
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < min || x > max) {
      this.errors.push(`${label} must be a whole number from ${min} to ${max} (got ${describe(x)}).`);
    }
  }

  /** A non-empty string of at most `max` characters. */
  text(label: string, x: unknown, max = 200): void {
    if (typeof x !== 'string' || x.trim() === '' || x.length > max) {
      this.errors.push(`${label} must be non-empty text of at most ${max} characters (got ${describe(x)}).`);
    }
  }

  /** A boolean. */
  boolean(label: string, x: unknown): void {
    if (typeof x !== 'boolean') this.errors.push(`${label} must be true or false (got ${describe(x)}).`);
  }

  /** Adds a message when `bad` is true. */
  check(bad: boolean, message: string): void {
    if (bad) this.errors.push(message);
  }

  /** Throws one Error listing every problem (SQL generators call this before writing any SQL). */
  throwIfAny(what: string): void {
    if (this.errors.length) throw new Error(`Invalid ${what}: ${this.errors.join(' ')}`);
  }
}

/** A short, safe rendering of a bad value for an error message. */
export function describe(x: unknown): string {
  if (x === undefined) return 'nothing';
  if (x === null) return 'null';
  if (typeof x === 'string') return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x);
  if (typeof x === 'number' || typeof x === 'boolean') return String(x);
  return Array.isArray(x) ? 'a list' : 'an object';
}
