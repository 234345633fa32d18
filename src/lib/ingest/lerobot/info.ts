/**
 * Parses and normalises LeRobot `meta/info.json` (codebase v2.0, v2.1, v3.0). Pure: no I/O.
 * Everything downstream (paths, columns, feature names) is driven by what this returns.
 */

/** The LeRobot codebase versions this reader understands. */
export type LeRobotVersion = 'v2.0' | 'v2.1' | 'v3.0';

/** One entry of `info.json.features`, normalised. */
export interface FeatureInfo {
  /** Feature key, e.g. `observation.state` (also the Parquet column name unless it is a video). */
  key: string;
  dtype: string;
  shape: number[];
  /** Element names flattened to one list (`names` may be a list, a nested list or a dict in real datasets). */
  names: string[] | null;
  /** Video features live in mp4 files, not in the data Parquet. */
  isVideo: boolean;
  /** True for numeric dtypes (float*, int*, uint*, bool): these become per-frame columns worth analysing. */
  isNumeric: boolean;
}

/** Normalised dataset description. */
export interface DatasetInfo {
  version: LeRobotVersion;
  robotType: string | null;
  fps: number;
  totalEpisodes: number;
  totalFrames: number;
  totalTasks: number;
  chunksSize: number;
  dataPath: string;
  videoPath: string | null;
  features: FeatureInfo[];
  /** The raw JSON, kept for display and for fields this reader does not interpret. */
  raw: Record<string, unknown>;
}

const NUMERIC = /^(float(16|32|64)?|double|int(8|16|32|64)?|uint(8|16|32|64)?|bool|boolean)$/;

/** Flattens `names` in any of its real forms: null, list, nested list `[[...]]`, or dict `{motors: [...]}`. */
export function normaliseNames(names: unknown): string[] | null {
  if (names == null) return null;
  if (Array.isArray(names)) {
    const flat = names.flat(Infinity).map((n) => String(n));
    return flat.length ? flat : null;
  }
  if (typeof names === 'object') {
    const values = Object.values(names as Record<string, unknown>);
    const flat = values.flatMap((v) => (Array.isArray(v) ? v.flat(Infinity).map(String) : [String(v)]));
    return flat.length ? flat : null;
  }
  return [String(names)];
}

/** Error raised for a dataset whose metadata this reader cannot use; the message says what to do. */
export class DatasetFormatError extends Error {
  override name = 'DatasetFormatError';
}

/**
 * Parses `info.json` text (or an already-parsed object).
 * @throws DatasetFormatError with a message naming the missing or wrong field.
 */
export function parseInfo(input: string | unknown): DatasetInfo {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch (e) {
      throw new DatasetFormatError(`meta/info.json is not valid JSON (${(e as Error).message}). Is this a LeRobot dataset root?`);
    }
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new DatasetFormatError('meta/info.json must be a JSON object.');
  }
  const obj = raw as Record<string, unknown>;
  const version = String(obj.codebase_version ?? '');
  if (!['v2.0', 'v2.1', 'v3.0'].includes(version)) {
    throw new DatasetFormatError(
      `Unsupported LeRobot codebase_version "${version || '(missing)'}": Flywheel reads v2.0, v2.1 and v3.0. ` +
        'Convert older datasets with lerobot\'s conversion scripts.',
    );
  }
  const num = (key: string, fallback?: number): number => {
    const v = obj[key];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (fallback !== undefined) return fallback;
    throw new DatasetFormatError(`meta/info.json: "${key}" must be a number (found ${JSON.stringify(v)}).`);
  };
  const dataPath = obj.data_path;
  if (typeof dataPath !== 'string' || !dataPath) {
    throw new DatasetFormatError('meta/info.json: "data_path" template is missing.');
  }
  const featuresRaw = obj.features;
  if (!featuresRaw || typeof featuresRaw !== 'object') {
    throw new DatasetFormatError('meta/info.json: "features" is missing.');
  }
  const features: FeatureInfo[] = Object.entries(featuresRaw as Record<string, unknown>).map(([key, f]) => {
    const spec = (f ?? {}) as Record<string, unknown>;
    const dtype = String(spec.dtype ?? 'unknown');
    const shape = Array.isArray(spec.shape) ? spec.shape.map(Number) : [1];
    return {
      key,
      dtype,
      shape,
      names: normaliseNames(spec.names),
      isVideo: dtype === 'video',
      isNumeric: NUMERIC.test(dtype),
    };
  });
  return {
    version: version as LeRobotVersion,
    robotType: typeof obj.robot_type === 'string' ? obj.robot_type : null,
    fps: num('fps'),
    totalEpisodes: num('total_episodes'),
    totalFrames: num('total_frames'),
    totalTasks: num('total_tasks', 0),
    chunksSize: num('chunks_size', 1000),
    dataPath,
    videoPath: typeof obj.video_path === 'string' ? obj.video_path : null,
    features,
    raw: obj,
  };
}

/** The per-frame columns that are always present in LeRobot data files. */
export const DEFAULT_FRAME_COLUMNS = ['timestamp', 'frame_index', 'episode_index', 'index', 'task_index'] as const;

/** Features stored as columns in the data Parquet (everything but videos). */
export function dataColumns(info: DatasetInfo): FeatureInfo[] {
  return info.features.filter((f) => !f.isVideo);
}
