import type { SourceSpec } from './source';

/** A folder chosen with `<input type="file" webkitdirectory>`: paths come from `webkitRelativePath`. */
export function filesFromInput(list: FileList): SourceSpec {
  const files = Array.from(list, (f) => ({ path: f.webkitRelativePath || f.name, file: f as Blob }));
  const label = files[0]?.path.split('/')[0] ?? 'local folder';
  return { kind: 'files', label, files };
}

/**
 * A folder dropped onto the page. Reads the directory tree through the entries API (the only way to get a
 * dropped folder's contents in every current browser); file contents are not read here, only File handles.
 */
export async function filesFromDrop(dt: DataTransfer): Promise<SourceSpec | null> {
  const entries = Array.from(dt.items)
    .map((i) => i.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => !!e);
  if (!entries.length) return null;
  const files: { path: string; file: Blob }[] = [];
  for (const entry of entries) await walk(entry, files);
  const label = entries.length === 1 ? entries[0].name : 'dropped files';
  return { kind: 'files', label, files };
}

async function walk(entry: FileSystemEntry, out: { path: string; file: Blob }[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
    out.push({ path: entry.fullPath.replace(/^\//, ''), file });
  } else if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries returns at most ~100 entries per call; keep reading until it returns none.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
      if (!batch.length) break;
      for (const child of batch) await walk(child, out);
    }
  }
}
