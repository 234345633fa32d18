/**
 * A seeded 32-bit hash of an episode index, identical in TS and in DuckDB SQL, used to put a set's episodes
 * in a random-looking but reproducible order (uniform downsampling without a random generator).
 *
 * The mixer is the well-known "hash32" integer finaliser (xor-shift, multiply by 0x45d9f3b, twice). The
 * multiplier is below 2^27, so in SQL the product of a 32-bit value and it stays below 2^59 and fits a
 * BIGINT without overflow; masking to 32 bits then gives exactly what `Math.imul(...) >>> 0` gives in TS.
 */

const MULT = 0x45d9f3b;
const MASK = 4294967295;

/** Largest accepted seed (seeds are xor-ed into the low 31 bits). */
export const MAX_SEED = 2 ** 31 - 1;

/** The hash of `episode` under `seed` (an integer in [0, 2^32)). */
export function mixHash(episode: number, seed: number): number {
  let x = ((episode % 2 ** 32) ^ seed) >>> 0;
  x = Math.imul((x ^ (x >>> 16)) >>> 0, MULT) >>> 0;
  x = Math.imul((x ^ (x >>> 16)) >>> 0, MULT) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * The same hash as DuckDB select-list items over the BIGINT expression `episode`, ending in column `out`.
 * Written as a chain of aliases (DuckDB lets a select item use an earlier item's alias) so the SQL stays
 * readable instead of nesting the expression eight times.
 */
export function mixHashSql(episode: string, seed: number, out: string): string {
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > MAX_SEED) throw new Error(`The seed must be a whole number from 0 to ${MAX_SEED}.`);
  return [
    `xor(${episode} & ${MASK}, ${seed}) AS _h0`,
    `(xor(_h0, _h0 >> 16) * ${MULT}) & ${MASK} AS _h1`,
    `(xor(_h1, _h1 >> 16) * ${MULT}) & ${MASK} AS _h2`,
    `xor(_h2, _h2 >> 16) AS ${out}`,
  ].join(', ');
}
