/**
 * Where the headless runner reads a notebook's sources from: folder paths and `file:` URLs on disk, http(s) URLs
 * over the network, relative URLs against the app's `static/` folder (where the app serves them from).
 */
import { openAsBlob } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SourceDecl, SourceSpec } from '../ingest/source';
import { datasetUrl, normaliseBase } from '../ingest/source';

/** The app's `static/` folder: relative source URLs resolve here, as they do in the served app. */
export const STATIC = path.resolve(import.meta.dirname, '../../../static');

/** A `file:` or http(s) URL's bytes. */
export async function readUrl(url: string): Promise<Uint8Array> {
  if (url.startsWith('file:')) return new Uint8Array(await readFile(fileURLToPath(url)));
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}.`);
  return new Uint8Array(await res.arrayBuffer());
}

/** A dataset's root as an absolute folder path or an http(s) URL (`hf:` ids become Hub URLs). */
export function datasetRoot(where: string, base: string): string {
  const target = datasetUrl(where);
  if (/^https?:\/\//.test(target)) return normaliseBase(target);
  return path.resolve(base, target);
}

/** A dataset root as the `file:`/http(s) URL its relative files resolve against. */
export function rootUrl(root: string): string {
  return /^https?:\/\//.test(root) ? (root.endsWith('/') ? root : root + '/') : pathToFileURL(root + '/').href;
}

/** A folder path, URL or Hub id as a source the wasm Workspace reads (every file of a folder, as a picked folder). */
export async function sourceSpec(where: string, base: string): Promise<SourceSpec> {
  const root = datasetRoot(where, base);
  if (/^https?:\/\//.test(root)) return { kind: 'url', base: root };
  await requireFolder(root);
  const files: { path: string; file: Blob }[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else files.push({ path: path.relative(root, p), file: await openAsBlob(p) });
    }
  };
  await walk(root);
  return { kind: 'files', label: root, files };
}

/** Fails with a message naming the folder when it does not exist. */
export async function requireFolder(dir: string): Promise<void> {
  if (!(await stat(dir).catch(() => null))?.isDirectory()) throw new Error(`Dataset folder ${dir} does not exist.`);
}

/** A CSV (or other file) source's bytes. */
export async function readSource(s: SourceDecl, base: string): Promise<Uint8Array> {
  const url = s.url ?? '';
  if (/^https?:\/\//.test(url)) return readUrl(url);
  return new Uint8Array(await readFile(path.resolve(base, url)));
}
