/**
 * The `.flywheel.json` file: `{"format": "flywheel-notebook", "version": 1, "notebook": {…}}`, pretty-printed.
 * The envelope says what the file is, so a stray JSON file gets a clear error, and its version lets the
 * file layout change independently of the notebook document inside.
 */
import { ShareError } from './errors.ts';
import { notebookFromJson, parseJson } from './parse.ts';
import type { SharedNotebook } from './types.ts';
import { formatFixed } from '../util/format.ts';

/** Value of the envelope's `format` field. */
export const FILE_FORMAT = 'flywheel-notebook';
/** Current envelope version. */
export const FILE_VERSION = 1;
/** File name suffix of notebook files. */
export const FILE_EXTENSION = '.flywheel.json';
/** MIME type of notebook files. */
export const FILE_MIME = 'application/json';
/**
 * Longest file text read. Files are not decompressed, so this only bounds memory: it is above the largest
 * valid notebook (500 cells × 100k characters), so any notebook the app can hold can be saved and read back.
 */
export const MAX_FILE_CHARS = 64 * 1024 * 1024;

/** The JSON shape of a notebook file. */
export interface NotebookFile {
  format: typeof FILE_FORMAT;
  version: typeof FILE_VERSION;
  notebook: SharedNotebook;
}

/**
 * A notebook as a `.flywheel.json` file. Deliberately not validated: export is the way out when storage
 * fails, so it must work even for a notebook with a half-edited chart (reading it back reports the problem).
 */
export function notebookToFile(doc: SharedNotebook): Blob {
  const file: NotebookFile = { format: FILE_FORMAT, version: FILE_VERSION, notebook: doc };
  return new Blob([`${JSON.stringify(file, null, 2)}\n`], { type: FILE_MIME });
}

/** A file name for `doc`: its title made safe for file systems, plus `.flywheel.json`. */
export function notebookFileName(doc: Pick<SharedNotebook, 'title'>): string {
  const stem = doc.title
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/[\s_-]+/g, '-')
    .toLowerCase()
    .slice(0, 80)
    .replace(/-+$/, '');
  return `${stem || 'notebook'}${FILE_EXTENSION}`;
}

/**
 * The notebook in a file's text, migrated and validated. Also accepts a bare notebook document (no
 * envelope), as someone may write or host one by hand. Throws a {@link ShareError} on anything else.
 */
export function notebookFromFile(text: string): SharedNotebook {
  if (text.length > MAX_FILE_CHARS) {
    throw new ShareError('too-large', `This file is too large to be a Flywheel notebook (${formatFixed(text.length / 1024 / 1024, 0)} MB).`);
  }
  // A BOM is what some editors put in front of UTF-8 files; JSON.parse refuses it.
  const json = parseJson(text.replace(/^\uFEFF/, ''), 'file');
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ShareError('format', 'This file is not a Flywheel notebook (expected a JSON object).');
  }
  const record = json as Record<string, unknown>;
  if (!Object.hasOwn(record, 'format')) {
    if (Object.hasOwn(record, 'cells')) return notebookFromJson(record, 'file');
    throw new ShareError('format', `This file is not a Flywheel notebook (no "format": "${FILE_FORMAT}").`);
  }
  if (record.format !== FILE_FORMAT) {
    throw new ShareError('format', `This file is not a Flywheel notebook ("format" is ${JSON.stringify(String(record.format).slice(0, 40))}, expected "${FILE_FORMAT}").`);
  }
  if (record.version !== FILE_VERSION) {
    throw new ShareError('version', typeof record.version === 'number' && record.version > FILE_VERSION
      ? 'This notebook file was made by a newer version of Flywheel. Reload the page to get the latest version.'
      : `This notebook file has an unknown version (${JSON.stringify(record.version)}).`);
  }
  const unknown = Object.keys(record).filter((k) => k !== 'format' && k !== 'version' && k !== 'notebook');
  if (unknown.length > 0) {
    throw new ShareError('invalid', 'This notebook file has unexpected fields.', unknown.map((k) => `Unknown key "${k.slice(0, 40)}" in the file (allowed: format, version, notebook).`));
  }
  return notebookFromJson(record.notebook, 'file');
}
