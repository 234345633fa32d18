/**
 * Peak memory of a browser run, sampled from /proc (Linux): the resident set of every process of the Chromium whose
 * `--user-data-dir` is the run's profile (browser, renderer, GPU/utility), so it includes the tab's JS heaps and
 * every worker's wasm memory (DuckDB-WASM, parquet-wasm). Shared pages are counted once per process, so the sum
 * is an upper bound; the renderer alone (the tab) is reported beside it.
 */
import { readdirSync, readFileSync } from 'node:fs';

function read(p: string): string | null {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return null;
  }
}

/** Resident bytes of each process of the Chromium using `profile`, keyed by pid, with whether it is a renderer. */
function sample(profile: string): { total: number; renderer: number } {
  const parent = new Map<number, number>();
  let root = -1;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const stat = read(`/proc/${d}/stat`);
    if (!stat) continue;
    // Fields after the parenthesised command name: state ppid …
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    parent.set(Number(d), ppid);
    if (root < 0 && read(`/proc/${d}/cmdline`)?.includes(`--user-data-dir=${profile}`)) root = Number(d);
  }
  if (root < 0) return { total: 0, renderer: 0 };
  const inTree = (pid: number) => {
    for (let p = pid, i = 0; p > 1 && i < 16; p = parent.get(p) ?? 0, i++) if (p === root) return true;
    return false;
  };
  let total = 0;
  let renderer = 0;
  for (const pid of parent.keys()) {
    if (!inTree(pid)) continue;
    const pages = Number(read(`/proc/${pid}/statm`)?.split(' ')[1] ?? 0);
    const bytes = pages * 4096;
    total += bytes;
    if (read(`/proc/${pid}/cmdline`)?.includes('--type=renderer')) renderer = Math.max(renderer, bytes);
  }
  return { total, renderer };
}

/** Samples every `everyMs` until stopped; returns the peaks (bytes). */
export function watchMemory(profile: string, everyMs = 250): { stop(): { peakTotal: number; peakRenderer: number } } {
  let peakTotal = 0;
  let peakRenderer = 0;
  const tick = () => {
    const s = sample(profile);
    peakTotal = Math.max(peakTotal, s.total);
    peakRenderer = Math.max(peakRenderer, s.renderer);
  };
  const timer = setInterval(tick, everyMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return { peakTotal, peakRenderer };
    },
  };
}
