/**
 * A random id for a stored notebook. `crypto.randomUUID` exists only in secure contexts, and the app is
 * also served over plain http on a LAN, so fall back to `getRandomValues` (available everywhere).
 */
export function newNotebookId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
