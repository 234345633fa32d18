/**
 * Mapping suggestions: which of the user's columns could play each role a job reads (outcome, failure category,
 * policy version, …), from column names and, for the outcome, its values. Only suggestions: the app shows them
 * with the reason and the user accepts or edits them; nothing is mapped silently.
 */

/** The roles a mapping fills. */
export type MappingRole = 'outcome' | 'failure' | 'policy' | 'rotation' | 'tags' | 'cost' | 'operator' | 'timestamp' | 'notes';

/** One suggestion. */
export interface MappingSuggestion {
  role: MappingRole;
  /** The column (of `episodes`, or of `frames` when `perFrame`). */
  column: string;
  /** For a per-frame outcome: read it on the last frame (`next.success`, `next.reward`) or on any frame. */
  perFrame?: 'last' | 'any';
  /** For an outcome column: the value that means success, read from its values. */
  successValue?: string;
  /** Why, in words ("named like a policy version"). */
  reason: string;
}

const NAME_RULES: readonly [MappingRole, RegExp, string][] = [
  ['outcome', /^(outcome|result|status|episode_success|success|is_success|succeeded|label)$/i, 'named like an outcome'],
  ['failure', /^(failure_(category|mode|type|reason)|failure|error_type|fail_reason)$/i, 'named like a failure category'],
  ['policy', /^(policy(_version|_id|_name)?|model(_version)?|checkpoint)$/i, 'named like a policy version'],
  ['rotation', /^(rotation|iteration|round|cycle|flywheel_round)$/i, 'named like a rotation'],
  ['tags', /^(tags?|labels)$/i, 'named like tags'],
  ['cost', /^(cost(_usd)?|episode_cost(_usd)?|price)$/i, 'named like a cost'],
  ['operator', /^(operator|teleoperator|collector|user)$/i, 'named like an operator'],
  ['timestamp', /^(timestamp|time|recorded_at|start_time|started_at|datetime|date)$/i, 'named like a time'],
  ['notes', /^(notes?|comments?|remarks)$/i, 'named like notes'],
];

/** Values that mean success, in the order they are preferred. */
const SUCCESS_WORDS = ['success', 'succeeded', 'ok', 'pass', 'passed', 'true', 'yes', '1', 'done'];

/** The value among `values` that means success, if one does. */
export function successValueOf(values: readonly string[]): string | undefined {
  const lower = values.map((v) => v.trim().toLowerCase());
  for (const w of SUCCESS_WORDS) {
    const i = lower.indexOf(w);
    if (i >= 0) return values[i].trim();
  }
  return undefined;
}

/**
 * Suggestions for the `episodes` columns (with some of their distinct values, for the outcome) and the per-frame
 * columns (a success signal): at most one per role, the first matching column in the given order.
 */
export function suggestMapping(episodeColumns: readonly string[], frameColumns: readonly string[] = [], values: Readonly<Record<string, readonly string[]>> = {}): MappingSuggestion[] {
  const out: MappingSuggestion[] = [];
  for (const [role, re, reason] of NAME_RULES) {
    const column = episodeColumns.find((c) => re.test(c));
    if (column === undefined) continue;
    const s: MappingSuggestion = { role, column, reason };
    if (role === 'outcome') {
      const sv = successValueOf(values[column] ?? []);
      if (values[column] && sv === undefined) continue; // its values do not say which one is success: not an outcome
      if (sv !== undefined) {
        s.successValue = sv;
        s.reason = `${reason}; "${sv}" reads as success`;
      }
    }
    out.push(s);
  }
  if (!out.some((s) => s.role === 'outcome')) {
    // A per-frame success signal: terminal flags count on the last frame, a success column on any frame.
    const last = frameColumns.find((c) => /^next\.(success|reward|done)$|^is_episode_successful$/i.test(c));
    const any = frameColumns.find((c) => /success/i.test(c));
    if (last) out.push({ role: 'outcome', column: last, perFrame: 'last', reason: `the per-frame "${last}" on an episode's last frame` });
    else if (any) out.push({ role: 'outcome', column: any, perFrame: 'any', reason: `the per-frame "${any}" on any frame` });
  }
  return out;
}

/** One sentence per suggestion, for a capability message or the mapping step. */
export function describeSuggestion(s: MappingSuggestion): string {
  if (s.perFrame) return `outcome ← \`${s.column}\` on the ${s.perFrame === 'last' ? 'last frame' : 'any frame'} (${s.reason}): pick it in the catalog's outcome picker`;
  return `${s.role} ← \`${s.column}\` (${s.reason})`;
}
