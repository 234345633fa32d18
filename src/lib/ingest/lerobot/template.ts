/**
 * Formats LeRobot path templates from `info.json` (Python `str.format` syntax), e.g.
 * `data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet`.
 *
 * Real datasets disagree on placeholder names (`episode_chunk` vs `chunk_index` in v2.1 copies), so paths are
 * always formatted from the dataset's own template, never hard-coded.
 */
export function formatTemplate(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{([a-zA-Z_][a-zA-Z0-9_]*)(?::([^}]*))?\}/g, (_m, name: string, spec?: string) => {
    if (!(name in vars)) {
      throw new Error(`Path template "${template}" uses {${name}}, which this reader does not know.`);
    }
    return applyFormatSpec(vars[name], spec);
  });
}

/** Supports the integer specs LeRobot uses (`03d`, `06d`, `d`); other specs fall back to plain text. */
function applyFormatSpec(value: string | number, spec: string | undefined): string {
  if (!spec) return String(value);
  const m = /^(0?)(\d*)d$/.exec(spec);
  if (!m || typeof value !== 'number') return String(value);
  const width = m[2] ? Number(m[2]) : 0;
  const text = String(Math.trunc(Math.abs(value)));
  const padded = m[1] === '0' ? text.padStart(width, '0') : text.padStart(width, ' ');
  return value < 0 ? `-${padded}` : padded;
}

/** The variables a v2.x per-episode path template may reference. */
export function episodeTemplateVars(episodeIndex: number, chunksSize: number): Record<string, number> {
  const chunk = Math.floor(episodeIndex / chunksSize);
  return { episode_index: episodeIndex, episode_chunk: chunk, chunk_index: chunk };
}
