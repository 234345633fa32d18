/**
 * Makes a plain object deeply reactive with Svelte's `$state`, for classes written in plain TypeScript (the
 * notebook runner) that the UI observes. Class instances inside (e.g. `ResultData`) stay unproxied.
 */
export function reactive<T extends object>(value: T): T {
  const state = $state(value);
  return state;
}
