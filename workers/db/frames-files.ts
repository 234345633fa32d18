import type { ParquetFile } from 'parquet-wasm/esm/parquet_wasm.js';
import { quoteIdent } from '../../src/lib/util/sql';
import { compareSchema, DataFileError, describeMismatch, describeRowCount } from './data-file-check';
import type { Engine } from './engine';
import type { DatasetSummary } from './lerobot';
import type { DatasetReader } from './reader';

/** Where a file's footer schema is described (an empty table, dropped right after; one per file, as files open in parallel). */
const PROBE = '_frames_file_schema';
let probes = 0;

/**
 * The data files of a dataset as the frames source opens them: each one's footer is checked against info.json
 * when it is first read (the only time it is read), so a file with other columns or types, or one that is not
 * Parquet at all, is set aside with a sentence that says which file and what is wrong, and the others keep
 * working. Openings are cached; one that failed for a network reason is retried by the next query, one that
 * failed for what the file holds is not (the bytes will not change).
 */
export class DataFiles {
  readonly #engine: Engine;
  readonly #reader: DatasetReader;
  readonly #summary: DatasetSummary;
  readonly #expectedRows: (path: string) => number | null;
  readonly #files = new Map<string, Promise<ParquetFile>>();
  /** Files that cannot be used, each with its sentence. */
  readonly skipped = new Map<string, string>();
  /** Files that are used but differ from the metadata in a way worth saying (row counts). */
  readonly notes = new Map<string, string>();

  constructor(engine: Engine, reader: DatasetReader, summary: DatasetSummary, expectedRows: (path: string) => number | null) {
    this.#engine = engine;
    this.#reader = reader;
    this.#summary = summary;
    this.#expectedRows = expectedRows;
  }

  /** Opens `path` (footer only) and checks it; throws DataFileError when it cannot be used. */
  open(path: string): Promise<ParquetFile> {
    let f = this.#files.get(path);
    if (!f) {
      f = this.#openChecked(path);
      f.catch((e) => {
        // The reader's sentences say what is wrong and what to do; here the file is also set aside.
        if (e instanceof DataFileError) this.skipped.set(path, e.skipped ? e.message : e.message.replace(/\.$/, '; until then it is skipped and the other data files are used.'));
        else this.#files.delete(path);
      });
      this.#files.set(path, f);
    }
    return f;
  }

  async #openChecked(path: string): Promise<ParquetFile> {
    const file = await this.#reader.parquet(path);
    const probe = `${PROBE}_${probes++}`;
    try {
      let columns;
      try {
        await this.#engine.insertIpc(probe, file.schema().intoIPCStream(), true);
        columns = await this.#engine.describe(quoteIdent(probe));
      } finally {
        await this.#engine.drop(probe);
      }
      const declared = this.#summary.info.features.filter((f) => !f.isVideo).length;
      const why = describeMismatch(path, compareSchema(columns, this.#summary.info), declared);
      if (why) throw new DataFileError(why, path, true);
    } catch (e) {
      file.free();
      throw e;
    }
    const expected = this.#expectedRows(path);
    const rows = Number(file.metadata().fileMetadata().numRows());
    const note = expected === null ? null : describeRowCount(path, rows, episodeOf(path), expected);
    if (note) this.notes.set(path, note);
    return file;
  }

  /** Releases the Parquet readers (their footers live in wasm memory). */
  async close(): Promise<void> {
    for (const f of this.#files.values()) (await f.catch(() => null))?.free();
    this.#files.clear();
  }
}

/** The episode index in a v2.x file name (`episode_000042.parquet` → 42), for messages. */
function episodeOf(path: string): number {
  return Number(/episode_(\d+)/.exec(path)?.[1] ?? NaN);
}
