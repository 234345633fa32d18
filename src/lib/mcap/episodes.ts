/**
 * How MCAP logs map onto the canonical `episodes` and `frames` tables the notebooks query: where episodes start
 * and end, which topic fields are the state and the action, and the rate frames are resampled to. Pure: the SQL
 * runs in workers/db/mcap-episodes.ts.
 */

/** A field of a topic's messages, e.g. `{ topic: '/joint_states', field: 'position' }` (nested: `pose.position.x`). */
export interface TopicField {
  topic: string;
  field: string;
}

/** Where episodes begin and end. */
export type EpisodeSplit =
  /** Each file is one episode (a deployment log per episode). */
  | { kind: 'file' }
  /** Each message on `topic` starts an episode, which runs to the next one (or the end of its file). */
  | { kind: 'marker'; topic: string }
  /** A pause longer than `seconds` between messages on `topic` ends an episode. */
  | { kind: 'gap'; topic: string; seconds: number };

/** The mapping, as a notebook stores it (with its MCAP source). */
export interface McapEpisodes {
  split: EpisodeSplit;
  /** Concatenated, in order, into `frames."observation.state"` (FLOAT[]). */
  state: TopicField[];
  /** Concatenated, in order, into `frames.action` (FLOAT[]). */
  action: TopicField[];
  /** Frames per second: each frame holds the latest value of every field at or before its time. */
  fps: number;
}

/** One episode per file, 10 frames per second, no state or action chosen. */
export function defaultEpisodes(): McapEpisodes {
  return { split: { kind: 'file' }, state: [], action: [], fps: 10 };
}

/**
 * A mapping guessed from the topics when the user gave none: one episode per file; the state from the first
 * sensor_msgs JointState topic (its `position`); the action from a command topic (`/cmd`, `/command`, `/action`, …)
 * holding a Float64/Float32MultiArray (`data`) or a JointState (`position`). Either stays empty when nothing fits.
 */
export function guessEpisodes(topics: { topic: string; schema: string | null; error: string | null }[], fps = 10): McapEpisodes {
  const ok = topics.filter((t) => !t.error && t.schema);
  const isJoints = (s: string | null) => /(^|\/)JointState$/.test(s ?? '');
  const isCommand = (t: string) => /(^|\/)(cmd|command|commands|action|actions)(_[a-z]+)?$/i.test(t);
  const state = ok.find((t) => isJoints(t.schema) && !isCommand(t.topic));
  const action = ok.find((t) => isCommand(t.topic) && (/MultiArray$/.test(t.schema!) || isJoints(t.schema)));
  return {
    split: { kind: 'file' },
    state: state ? [{ topic: state.topic, field: 'position' }] : [],
    action: action ? [{ topic: action.topic, field: isJoints(action.schema) ? 'position' : 'data' }] : [],
    fps,
  };
}

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const MAX_FIELDS = 64;

/**
 * Validates an untrusted mapping (from a shared link or a file): every key known, every value in range. Returns the
 * problems (empty when valid) and a fresh copy built from known keys only.
 */
export function validateEpisodes(x: unknown, path = 'episodes'): { errors: string[]; value?: McapEpisodes } {
  const errors: string[] = [];
  const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
  const only = (v: Record<string, unknown>, keys: string[], where: string) => {
    for (const k of Object.keys(v)) if (!keys.includes(k)) errors.push(`Unknown key "${k.slice(0, 40)}" in ${where} (allowed: ${keys.join(', ')}).`);
  };
  const topic = (v: unknown, where: string): string | undefined => {
    if (typeof v === 'string' && v.length > 0 && v.length <= 256 && !/[\u0000-\u001f]/.test(v)) return v;
    errors.push(`${where} must be a topic name (1–256 characters), got ${JSON.stringify(v)?.slice(0, 40)}.`);
  };
  if (!obj(x)) return { errors: [`${path} must be an object.`] };
  only(x, ['split', 'state', 'action', 'fps'], path);
  let split: EpisodeSplit | undefined;
  if (!obj(x.split)) errors.push(`${path}.split must be an object.`);
  else if (x.split.kind === 'file') {
    only(x.split, ['kind'], `${path}.split`);
    split = { kind: 'file' };
  } else if (x.split.kind === 'marker') {
    only(x.split, ['kind', 'topic'], `${path}.split`);
    const t = topic(x.split.topic, `${path}.split.topic`);
    if (t) split = { kind: 'marker', topic: t };
  } else if (x.split.kind === 'gap') {
    only(x.split, ['kind', 'topic', 'seconds'], `${path}.split`);
    const t = topic(x.split.topic, `${path}.split.topic`);
    const s = x.split.seconds;
    if (typeof s !== 'number' || !Number.isFinite(s) || s <= 0 || s > 86_400) errors.push(`${path}.split.seconds must be a number of seconds in (0, 86400].`);
    else if (t) split = { kind: 'gap', topic: t, seconds: s };
  } else errors.push(`${path}.split.kind must be one of "file", "marker", "gap".`);
  const fields = (v: unknown, key: string): TopicField[] => {
    if (!Array.isArray(v) || v.length > MAX_FIELDS) {
      errors.push(`${path}.${key} must be a list of at most ${MAX_FIELDS} {topic, field} objects.`);
      return [];
    }
    return v.flatMap((f, i) => {
      const where = `${path}.${key}[${i}]`;
      if (!obj(f)) {
        errors.push(`${where} must be an object.`);
        return [];
      }
      only(f, ['topic', 'field'], where);
      const t = topic(f.topic, `${where}.topic`);
      if (typeof f.field !== 'string' || !FIELD.test(f.field) || f.field.length > 256) {
        errors.push(`${where}.field must be a field name or dotted path (e.g. position, pose.position.x).`);
        return [];
      }
      return t ? [{ topic: t, field: f.field }] : [];
    });
  };
  const state = fields(x.state, 'state');
  const action = fields(x.action, 'action');
  const fps = x.fps;
  if (typeof fps !== 'number' || !Number.isFinite(fps) || fps <= 0 || fps > 10_000) errors.push(`${path}.fps must be a number of frames per second in (0, 10000].`);
  if (errors.length || !split) return { errors };
  return { errors, value: { split, state, action, fps: fps as number } };
}

/**
 * Reads a mapping from page parameters: `split=file|marker:<topic>|gap:<seconds>:<topic>`, `state=<topic>.<field>`
 * and `action=…` (repeatable, in order), `fps=<n>`. Null when none is given; throws with the reason when malformed.
 */
export function episodesFromParams(params: URLSearchParams): McapEpisodes | null {
  const keys = ['split', 'state', 'action', 'fps'];
  if (!keys.some((k) => params.has(k))) return null;
  const field = (s: string): TopicField => {
    // The field follows the topic's last segment: `/joint_states.position` → topic `/joint_states`, field `position`.
    const slash = s.lastIndexOf('/');
    const dot = s.indexOf('.', slash + 1);
    if (dot < 0) throw new Error(`"${s}" names no field: write <topic>.<field>, e.g. /joint_states.position.`);
    return { topic: s.slice(0, dot), field: s.slice(dot + 1) };
  };
  const split = params.get('split') ?? 'file';
  let parsed: EpisodeSplit;
  if (split === 'file') parsed = { kind: 'file' };
  else if (split.startsWith('marker:')) parsed = { kind: 'marker', topic: split.slice(7) };
  else if (/^gap:[\d.]+:/.test(split)) {
    const [, s, ...t] = split.split(':');
    parsed = { kind: 'gap', seconds: Number(s), topic: t.join(':') };
  } else throw new Error(`split=${split} is not file, marker:<topic> or gap:<seconds>:<topic>.`);
  const value = { split: parsed, state: params.getAll('state').map(field), action: params.getAll('action').map(field), fps: Number(params.get('fps') ?? 10) };
  const v = validateEpisodes(value);
  if (!v.value) throw new Error(v.errors.join(' '));
  return v.value;
}
