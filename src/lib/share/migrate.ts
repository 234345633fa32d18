/**
 * Upgrades notebook JSON written by older versions of the app to the current version, one step at a time,
 * so links and files never stop opening. Each step is a pure function from version n to n + 1.
 */
import { ShareError } from './errors.ts';
import { NOTEBOOK_VERSION } from './schema.ts';

/** One upgrade step: takes a document of version n (a plain object) and returns one of version n + 1. */
export type Migration = (doc: Record<string, unknown>) => Record<string, unknown>;

/**
 * Upgrade steps keyed by the version they upgrade from. Empty: version 1 is the first shipped format.
 * When v2 comes, add `[1, (doc) => …]` here and bump {@link NOTEBOOK_VERSION}.
 */
export const MIGRATIONS: ReadonlyMap<number, Migration> = new Map();

/**
 * Bring parsed notebook JSON up to the current version. Input that is not an object with a numeric
 * `version` is returned unchanged for the validator to report. Throws a {@link ShareError} (`version`)
 * for a version newer than this app or one with no upgrade path. Never mutates its input.
 *
 * @param steps Upgrade steps (tests pass synthetic ones).
 * @param current The version to upgrade to.
 */
export function migrate(json: unknown, steps: ReadonlyMap<number, Migration> = MIGRATIONS, current = NOTEBOOK_VERSION): unknown {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return json;
  let doc = json as Record<string, unknown>;
  const version = doc.version;
  if (typeof version !== 'number' || !Number.isInteger(version)) return json;
  if (version > current) {
    throw new ShareError(
      'version',
      `This notebook was made by a newer version of Flywheel (format ${version}; this page reads up to ${current}). Reload the page to get the latest version.`,
    );
  }
  for (let v = version; v < current; v++) {
    const step = steps.get(v);
    if (!step) throw new ShareError('version', `Notebook format ${version} is not supported (no upgrade from format ${v}).`);
    // The mechanism, not each step, owns the version number, so a step cannot forget to bump it.
    doc = { ...step(doc), version: v + 1 };
  }
  return doc;
}
