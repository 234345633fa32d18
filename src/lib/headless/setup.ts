import type { LocalScore } from '../score/local';

/** What an engine needs to open a notebook's sources. */
export interface EngineSetup {
  /** Where relative source URLs resolve (the app's `static/` folder by default). */
  base: string;
  /** A dataset root used instead of the notebook's LeRobot source. */
  dataset?: string;
  /** Native DuckDB threads. */
  threads?: number;
  /** Native DuckDB memory limit (e.g. `4GB`). */
  memoryLimit?: string;
  /** The model scorer, created on first use (only notebooks with a model cell load ONNX Runtime). */
  score: () => Promise<LocalScore>;
}
