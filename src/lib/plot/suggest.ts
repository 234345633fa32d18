/**
 * "Did you mean …?" hints for typos in plot specs (unknown keys, misspelt column names).
 */

/**
 * Edit distance counting insertions, deletions, substitutions and adjacent transpositions
 * ("hieght" → "height" is 1), case-insensitive. Small inputs only (names ≤ 200 chars).
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  if (s === t) return 0;
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= t.length; j++) d[0][j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[s.length][t.length];
}

/** Edits tolerated before a name stops looking like a typo: none for 1–2 letters (any pair would match). */
function tolerance(length: number): number {
  if (length < 3) return 0;
  if (length <= 5) return 1;
  if (length <= 10) return 2;
  return 3;
}

/**
 * The candidate closest to `name` if it is close enough to be a plausible typo (a case-only
 * difference always is); otherwise undefined.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const limit = tolerance(name.length);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** ` Did you mean "x"?` or the empty string, ready to append to an error message. */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const hit = closestName(name, candidates);
  return hit === undefined ? '' : ` Did you mean "${hit}"?`;
}
