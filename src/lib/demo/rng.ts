/**
 * Seeded pseudo-random numbers for the demo generator.
 *
 * Why our own ten lines instead of a dependency or `Math.random`: the demo dataset is committed, and
 * `npm run demo` must reproduce it byte for byte on any machine. `Math.random` cannot be seeded, and a
 * package would be a dependency for something this small. sfc32 uses only 32-bit integer operations,
 * which JavaScript defines exactly, so the stream is the same on every engine and platform.
 *
 * Normal deviates use the Irwin–Hall sum of four uniforms rather than Box–Muller: Box–Muller needs
 * `Math.log`/`Math.cos`, whose last bits the spec lets engines choose; adds and multiplies are exact.
 */

/** A seeded random stream. All methods advance the stream. */
export interface Rng {
  /** Uniform float in [0, 1), 32 bits of randomness. */
  next(): number;
  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Approximately standard normal (Irwin–Hall, 4 uniforms; bounded at ±3.46). */
  normal(): number;
  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** One index, with probability proportional to `weights[i]` (weights ≥ 0, not all 0). */
  weighted(weights: readonly number[]): number;
}

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hash a seed and any number of integer stream ids into one 32-bit value.
 * Used to give every episode its own independent stream, so changing one episode's draws never
 * shifts the randomness of the others (and episodes can be generated in any order, e.g. streamed).
 */
export function hashSeed(seed: number, ...streams: number[]): number {
  let h = fmix32((seed >>> 0) ^ 0x9e3779b9);
  for (const s of streams) h = fmix32((h ^ fmix32((s >>> 0) + 0x7f4a7c15)) + 0x165667b1);
  return h;
}

/** Create an sfc32 stream from a seed and optional stream ids (see {@link hashSeed}). */
export function createRng(seed: number, ...streams: number[]): Rng {
  let a = hashSeed(seed, ...streams, 1);
  let b = hashSeed(seed, ...streams, 2);
  let c = hashSeed(seed, ...streams, 3);
  let d = 1;
  const next32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Discard the first outputs: sfc32 needs a few rounds to mix a low-entropy state.
  for (let i = 0; i < 12; i++) next32();
  const next = (): number => next32() / 4294967296;
  return {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    normal: () => (next() + next() + next() + next() - 2) * 1.7320508075688772,
    pick: (items) => items[Math.floor(next() * items.length)],
    weighted: (weights) => {
      let total = 0;
      for (const w of weights) total += w;
      let u = next() * total;
      for (let i = 0; i < weights.length; i++) {
        u -= weights[i];
        if (u < 0) return i;
      }
      // Rounding can leave u ≥ 0 after the loop: fall back to the last index with positive weight.
      for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
      return weights.length - 1;
    },
  };
}
