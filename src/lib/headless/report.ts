/**
 * A notebook run as one static HTML page (e.g. a nightly "flywheel health" page a CI job publishes): the Markdown
 * (sanitised as in the app), each result's first rows as a table, and each chart as SVG drawn by Observable Plot
 * from the same spec the app draws, in a jsdom document. No script, no external resource: the page works offline.
 */
import { JSDOM } from 'jsdom';
import { renderMarkdown } from '../notebook/markdown';
import type { NotebookDoc } from '../notebook/types';
import type { WindowLike } from 'dompurify';
import { checkColumns, renderPlot } from '../plot';
import type { NotebookRunner } from '../notebook/runner';
import type { HeadlessCellResult } from './run';
import { formatCount, formatNumber } from '../util/format';

/** What the page says about the run besides the cells. */
export interface ReportMeta {
  engine: string;
  ranAt: string;
  ms: number;
  /** Rows shown per table. */
  rows: number;
  warnings: string[];
}

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function cellValue(v: unknown): string {
  if (v == null) return '<span class="null">null</span>';
  if (typeof v === 'number') return esc(formatNumber(v));
  if (Array.isArray(v)) {
    const items = v.slice(0, 8).map((x) => (typeof x === 'number' && !Number.isInteger(x) ? Number(x.toPrecision(4)) : x));
    return esc(`[${items.join(', ')}${v.length > 8 ? ', …' : ''}]`);
  }
  if (typeof v === 'object') return esc(JSON.stringify(v));
  return esc(v);
}

function table(r: HeadlessCellResult, n: number): string {
  const cols = r.columns ?? [];
  const rows = (r.rows ?? []).slice(0, n);
  // Numbers right-aligned so digits line up; text left, as in the app's grid.
  const cls = cols.map((c) => (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U\w*INT|FLOAT|DOUBLE|DECIMAL)/.test(c.type) ? ' class="n"' : ''));
  const head = cols.map((c, j) => `<th${cls[j]} title="${esc(c.type)}">${esc(c.name)}</th>`).join('');
  const body = rows.map((row) => `<tr>${cols.map((c, j) => `<td${cls[j]}>${cellValue(row[c.name])}</td>`).join('')}</tr>`).join('\n');
  const more = (r.rowCount ?? 0) > rows.length ? `<p class="more">${rows.length} of ${formatCount(r.rowCount ?? 0)} rows</p>` : '';
  return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>${more}`;
}

/**
 * The report page. `runner` holds each chart's rows (read by the run), so charts are drawn from exactly the data
 * the run produced.
 */
export function reportHtml(doc: NotebookDoc, runner: NotebookRunner, results: HeadlessCellResult[], meta: ReportMeta): string {
  const dom = new JSDOM('<!doctype html><html><body></body></html>');
  const window = dom.window as unknown as Window & typeof globalThis;
  const parts: string[] = [];
  doc.cells.forEach((c, i) => {
    const r = results[i];
    const rt = runner.runtime[c.id];
    if (c.kind === 'markdown') {
      parts.push(`<section class="md">${renderMarkdown(c.source, { window: window as unknown as WindowLike })}</section>`);
      return;
    }
    const head = `<h3><code>${esc(c.name)}</code> <span class="status ${esc(r.status)}">${esc(r.status)}</span>${r.ms != null ? ` <span class="ms">${Math.round(r.ms)} ms</span>` : ''}</h3>`;
    if (r.status === 'error') {
      parts.push(`<section>${head}<pre class="error">${esc(r.error ?? '')}</pre></section>`);
      return;
    }
    if (c.kind === 'plot' && c.plot && rt.output) {
      const rows = rt.output.rows;
      const problems = checkColumns(c.plot, rt.output.columns);
      let svg: string;
      if (problems.length) svg = `<pre class="error">${esc(problems.join(' '))}</pre>`;
      else {
        try {
          svg = renderPlot(c.plot, rows, { width: 760, document: window.document }).outerHTML;
        } catch (e) {
          svg = `<pre class="error">${esc((e as Error).message)}</pre>`;
        }
      }
      parts.push(`<section>${head}<figure class="chart">${svg}</figure></section>`);
      return;
    }
    if (r.columns) parts.push(`<section>${head}${table(r, meta.rows)}</section>`);
    else parts.push(`<section>${head}</section>`);
  });
  dom.window.close();
  const warn = meta.warnings.length ? `<ul class="warn">${meta.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : '';
  const failed = results.filter((r) => r.status === 'error').length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.title)}</title>
<style>
body{font:14px/1.5 system-ui,sans-serif;max-width:900px;margin:2rem auto;padding:0 1rem;color:#1b1b1f}
header p{color:#555;margin:.2rem 0}
section{margin:1.5rem 0}
h3{font-size:14px;margin:.5rem 0;display:flex;gap:.6rem;align-items:baseline}
.status{font-size:12px;padding:0 .4rem;border-radius:3px;background:#e6f4ea;color:#14532d}
.status.error{background:#fde8e8;color:#7f1d1d}.status.cancelled{background:#fff4d6;color:#6b4e00}
.ms{color:#777;font-size:12px;font-weight:normal}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:12px;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid #e3e3e8;padding:2px 8px;text-align:left;white-space:nowrap}
.n{text-align:right}
th{background:#f5f5f8;position:sticky;top:0}
.null{color:#aaa}.more{color:#777;font-size:12px;margin:.2rem 0}
pre.error{background:#fde8e8;color:#7f1d1d;padding:.5rem;white-space:pre-wrap}
.warn{color:#6b4e00}
figure.chart{margin:0}
</style></head>
<body>
<header><h1>${esc(doc.title)}</h1>
<p>Ran ${esc(meta.ranAt)} on ${esc(meta.engine)} in ${(meta.ms / 1000).toFixed(1)} s: ${results.length} cells, ${failed} failed.</p>${warn}</header>
${parts.join('\n')}
</body></html>
`;
}
