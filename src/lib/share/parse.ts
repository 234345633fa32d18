import { ShareError } from './errors.ts';
import { migrate } from './migrate.ts';
import { validateNotebook } from './schema.ts';
import type { SharedNotebook } from './types.ts';

/**
 * Parsed JSON → a validated notebook of the current version (migrating older ones).
 * Throws a {@link ShareError}: `version` for an unreadable version, `invalid` (with every problem in
 * `details`) for the wrong shape.
 *
 * @param what How to name the input in the message ("link", "file").
 */
export function notebookFromJson(json: unknown, what = 'notebook'): SharedNotebook {
  const result = validateNotebook(migrate(json));
  if (!result.ok) {
    throw new ShareError('invalid', `This ${what} does not hold a valid Flywheel notebook.`, result.errors);
  }
  return result.doc;
}

/** JSON text → parsed value, or a {@link ShareError} (`json`). */
export function parseJson(text: string, what = 'notebook'): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ShareError('json', `This ${what} is not valid JSON (${(e as Error).message}).`, [], { cause: e });
  }
}
