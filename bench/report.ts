/** Markdown tables of a benchmark result (bench/results/<name>.md, printed at the end of `npm run bench`). */
import type { BenchResults, PathId, ResultRow } from './harness.ts';

const ms = (v: number | null | undefined): string => {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v).toLocaleString('en-US')}`;
};
const mb = (b: number) => (b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(0)} kB`);
const x = (r: number) => `${r >= 10 ? r.toFixed(0) : r.toFixed(1)}×`;
const frames = (n: number) => (n >= 950_000 ? `${(n / 1e6).toFixed(n >= 9.5e6 ? 0 : 1)}M` : `${Math.round(n / 1e3)}k`);

function cell(row: ResultRow | undefined): string {
  if (!row) return '';
  if (row.median === null) return `failed${row.errors[0] ? ` (${row.errors[0].slice(0, 60).replaceAll('|', '/').replaceAll('\n', ' ')})` : ''}`;
  const partial = row.runs.some((r) => !Number.isFinite(r)) ? '*' : '';
  return `${ms(row.median)} (${ms(row.min)})${partial}`;
}

/** Renders every table of a result. */
export function renderMarkdown(r: BenchResults): string {
  const out: string[] = [];
  const get = (w: string, size: string, p: PathId, phase: 'cold' | 'warm' = 'cold') =>
    r.rows.find((x) => x.workload === w && x.size === size && x.path === p && x.phase === phase);
  const sizes = Object.keys(r.datasets);
  const workloads = [...new Set(r.rows.filter((x) => !x.workload.startsWith('floor')).map((x) => x.workload))];
  const m = r.machine;
  out.push(`# Benchmark ${r.name}`);
  out.push('');
  out.push(
    `\`${r.command}\` at ${r.git.short}${r.git.dirty ? ' (with uncommitted changes)' : ''}, ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${Math.round(r.durationS)} s. ` +
      `${m.cpus} × ${m.model}, ${(m.memoryBytes / 2 ** 30).toFixed(0)} GiB, ${m.platform}; load average ${m.loadBefore[0].toFixed(2)} before, max ${m.maxLoad1m.toFixed(2)} during. ` +
      `Node ${r.versions.node}, DuckDB native ${r.versions['duckdb native (engine)'] ?? '?'} (@duckdb/node-api ${r.versions['@duckdb/node-api']}), ` +
      `DuckDB-WASM ${r.versions['duckdb-wasm (engine)'] ?? '?'} (@duckdb/duckdb-wasm ${r.versions['@duckdb/duckdb-wasm']}), parquet-wasm ${r.versions['parquet-wasm']}, Chromium ${r.versions.chromium ?? '–'}.`,
  );
  out.push('');
  out.push(
    `Median (min) in ms of ${r.method.runs} runs after ${r.method.warmup} warm-up. Datasets: ${sizes
      .map((s) => `${s} = ${r.datasets[s].frames.toLocaleString('en-US')} frames, ${r.datasets[s].episodes.toLocaleString('en-US')} episodes, ${mb(r.datasets[s].dataBytes)} of zstd Parquet in ${r.datasets[s].rowGroups} row groups`)
      .join('; ')}. Windows: ${sizes.map((s) => `${s}: ${r.datasets[s].windows ?? '–'}`).join('; ')}.`,
  );
  out.push('');

  out.push('### Cold: first run of each workload in a fresh process or tab');
  out.push('');
  out.push('| workload | frames | native DuckDB 1 thread | native 2 threads | app engine, Node (wasm) | app in Chromium | Chromium, +20 ms/request | Chromium ÷ native 1t |');
  out.push('|---|---|---|---|---|---|---|---|');
  for (const w of workloads) {
    for (const s of sizes) {
      const n1 = get(w, s, 'native-1t');
      const ch = get(w, s, 'app-chromium');
      if (![n1, get(w, s, 'native-2t'), get(w, s, 'app-node'), ch, get(w, s, 'app-chromium-20ms')].some(Boolean)) continue;
      const ratio = n1?.median && ch?.median ? x(ch.median / n1.median) : '';
      out.push(
        `| ${labelOf(r, w)} | ${frames(r.datasets[s].frames)} | ${cell(n1)} | ${cell(get(w, s, 'native-2t'))} | ${cell(get(w, s, 'app-node'))} | ${cell(ch)} | ${cell(get(w, s, 'app-chromium-20ms'))} | ${ratio} |`,
      );
    }
  }
  out.push('');

  out.push(
    'Node paths time the call in a fresh child process; in Chromium each workload is a notebook cell, timed in the page from Shift+Enter to the cell turning done ' +
      '(plan, fetch the needed row groups over HTTP, decode with parquet-wasm, insert into DuckDB-WASM, run, materialise, render). ' +
      'The window extraction\'s copy into a Float32Array happens only in the Node paths: the app has no typed-array export yet, so its Chromium cell stops at the materialised result.',
  );
  out.push('');

  const warmRows = workloads.filter((w) => sizes.some((s) => get(w, s, 'native-1t', 'warm') || get(w, s, 'app-chromium', 'warm')));
  if (warmRows.length) {
    out.push('### Warm: the same query again (app: frame data already loaded; native: second execution)');
    out.push('');
    out.push('| workload | frames | native 1 thread | native 2 threads | app engine, Node (wasm) | app in Chromium |');
    out.push('|---|---|---|---|---|---|');
    for (const w of warmRows) {
      for (const s of sizes) {
        out.push(
          `| ${labelOf(r, w)} | ${frames(r.datasets[s].frames)} | ${cell(get(w, s, 'native-1t', 'warm'))} | ${cell(get(w, s, 'native-2t', 'warm'))} | ${cell(get(w, s, 'app-node', 'warm'))} | ${cell(get(w, s, 'app-chromium', 'warm'))} |`,
        );
      }
    }
    out.push('');
  }

  const split = r.rows.filter((x) => x.path === 'app-node' && x.phase === 'cold' && x.loadMs && x.median !== null);
  if (split.length) {
    out.push('### Where the app engine\'s time goes (Node, cold, medians)');
    out.push('');
    out.push('| workload | frames | total | loading frames (plan, read, decode, insert) | query, materialise, copy out | loaded (compressed) |');
    out.push('|---|---|---|---|---|---|');
    for (const x0 of split) {
      const load = medianOf(x0.loadMs!);
      out.push(
        `| ${labelOf(r, x0.workload)} | ${frames(r.datasets[x0.size].frames)} | ${ms(x0.median)} | ${ms(load)} | ${ms(x0.median! - (load ?? 0))} | ${x0.appLoad ? `${mb(x0.appLoad.bytes)}, ${x0.appLoad.columns.length} columns × ${x0.appLoad.rowGroups} row groups` : ''} |`,
      );
    }
    out.push('');
  }

  if (r.ratios.remote.length) {
    out.push('### Over HTTP: bytes the data server sent ÷ bytes needed (compressed needed column chunks, from the footers)');
    out.push('');
    out.push('| workload | frames | needed | fetched | fetched ÷ needed | requests | time at 0 ms | time at +20 ms/request |');
    out.push('|---|---|---|---|---|---|---|---|');
    for (const x0 of r.ratios.remote.filter((q) => q.path === 'app-chromium')) {
      const l = r.ratios.latency.find((q) => q.workload === x0.workload && q.size === x0.size);
      out.push(
        `| ${labelOf(r, x0.workload)} | ${frames(r.datasets[x0.size].frames)} | ${mb(x0.needed)} | ${mb(x0.fetched)} | ${x0.ratio.toFixed(2)}× | ${Math.round(x0.requests)} | ${ms(l?.at0 ?? get(x0.workload, x0.size, 'app-chromium')?.median)} | ${ms(l?.at20)} |`,
      );
    }
    out.push('');
  }

  const memRows = r.rows.filter((x) => x.path === 'app-chromium' && x.phase === 'cold' && x.peakRendererMb?.some((v) => Number.isFinite(v)));
  if (memRows.length) {
    out.push('### Peak memory of each cell in Chromium (cold run)');
    out.push('');
    out.push('Peak resident memory sampled from /proc every 250 ms while the cell ran: the tab\'s renderer (its JS heaps and every worker\'s wasm memory: DuckDB-WASM, parquet-wasm) and the whole browser (all its processes; shared pages counted once per process). Median of runs.');
    out.push('');
    out.push('| workload | frames | peak tab (renderer) | peak browser |');
    out.push('|---|---|---|---|');
    const med = (xs: number[]) => {
      const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
      return v.length ? v[Math.floor(v.length / 2)] : NaN;
    };
    for (const x of memRows) {
      const mbs = (v: number) => (Number.isFinite(v) ? `${Math.round(v).toLocaleString('en-US')} MB` : '–');
      out.push(`| ${labelOf(r, x.workload)} | ${frames(r.datasets[x.size].frames)} | ${mbs(med(x.peakRendererMb!))} | ${mbs(med(x.peakBrowserMb ?? []))} |`);
    }
    out.push('');
  }

  const fc = r.firstChart;
  if (fc?.median) {
    out.push('### Cold start of the demo notebook (fresh profile each run, ms from navigation)');
    out.push('');
    out.push('| measure | median | min |');
    out.push('|---|---|---|');
    out.push(`| bare page that only starts DuckDB-WASM | ${ms(fc.median.bare)} | ${ms(fc.min?.bare)} |`);
    out.push(`| app: DuckDB-WASM ready (\`flywheel:db-ready\`) | ${ms(fc.median.dbReady)} | ${ms(fc.min?.dbReady)} |`);
    out.push(`| app: first chart drawn | ${ms(fc.median.firstChart)} | ${ms(fc.min?.firstChart)} |`);
    out.push(`| app: every chart of the health notebook | ${ms(fc.median.allCharts)} | ${ms(fc.min?.allCharts)} |`);
    if (fc.median.firstLiveChart !== undefined) {
      out.push(`| app: first chart of this run's own results | ${ms(fc.median.firstLiveChart)} | ${ms(fc.min?.firstLiveChart)} |`);
      out.push(`| app: every chart from this run's own results | ${ms(fc.median.allLiveCharts)} | ${ms(fc.min?.allLiveCharts)} |`);
    }
    if (r.ratios.firstChartOverBare) out.push(`| first chart ÷ bare DuckDB-WASM start | ${r.ratios.firstChartOverBare.toFixed(2)}× | |`);
    out.push('');
  }

  const floors = sizes.filter((s) => get('floor-read', s, 'floor'));
  if (floors.length || fc?.pageFloors) {
    out.push('### Floors');
    out.push('');
    out.push('| floor | frames | median ms | rate |');
    out.push('|---|---|---|---|');
    for (const s of floors) {
      const rd = get('floor-read', s, 'floor')!;
      const mc = get('floor-memcpy', s, 'floor');
      if (rd.median && rd.bytes) out.push(`| read the data files (Node, page cache) | ${frames(r.datasets[s].frames)} | ${ms(rd.median)} | ${(rd.bytes[0] / 1e6 / (rd.median / 1000)).toFixed(0)} MB/s |`);
      if (mc?.median && mc.bytes) out.push(`| copy 256 MiB (Node) | – | ${mc.median.toFixed(1)} | ${(mc.bytes[0] / 1e9 / (mc.median / 1000)).toFixed(1)} GB/s |`);
    }
    if (fc?.pageFloors) {
      if (fc.pageFloors.fetchMBps) out.push(`| loopback fetch() of a data file (page) | – | – | ${fc.pageFloors.fetchMBps.toFixed(0)} MB/s |`);
      out.push(`| copy 256 MiB (page) | – | – | ${fc.pageFloors.memcpyGBps.toFixed(1)} GB/s |`);
    }
    out.push('');
  }

  if (r.ratios.scaling.length) {
    out.push('### Scaling');
    out.push('');
    out.push('| workload | path | sizes | frames × | time × |');
    out.push('|---|---|---|---|---|');
    for (const s of r.ratios.scaling) out.push(`| ${labelOf(r, s.workload)} | ${s.path} | ${s.from} → ${s.to} | ${s.framesRatio.toFixed(1)} | ${s.timeRatio.toFixed(1)} |`);
    out.push('');
  }

  out.push('### Goals (issue 9)');
  out.push('');
  out.push('| goal | target | measured | met |');
  out.push('|---|---|---|---|');
  for (const g of r.goals) out.push(`| ${g.goal} | ${g.target} | ${g.measured} | ${g.met === null ? '–' : g.met ? 'yes' : '**no**'} |`);
  out.push('');
  if (r.notImplemented.length) {
    out.push('### Not yet implemented');
    out.push('');
    out.push('| workload | status |');
    out.push('|---|---|');
    for (const n of r.notImplemented) out.push(`| ${n.workload} | not yet implemented (issue ${n.issue}: ${n.reason}) |`);
    out.push('');
  }
  out.push('ONNX ensemble scoring and clustering are measured by bench/score.ts in the same run: `<this file>-models.md`.');
  out.push('');
  const failed = r.rows.filter((x) => x.errors.length);
  if (failed.length) {
    out.push('### Errors');
    out.push('');
    for (const f of failed) out.push(`- ${f.workload}, ${f.size}, ${f.path} (${f.phase}): ${f.errors[0].slice(0, 300).replaceAll('\n', ' ')}`);
    out.push('');
  }
  return out.join('\n');
}

function medianOf(xs: number[]): number | null {
  const s = xs.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function labelOf(r: BenchResults, w: string): string {
  return r.rows.find((x) => x.workload === w)?.label ?? w;
}
