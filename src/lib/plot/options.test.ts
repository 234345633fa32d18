import { describe, expect, it } from 'vitest';
import { buildPlotOptions } from './options.ts';
import { PlotSpecError, renderPlot } from './render.ts';
import { validatePlotSpec, type PlotSpec } from './spec.ts';

type Row = Record<string, unknown>;
interface ChannelLike {
  value: unknown;
  scale?: string;
  type?: string;
}
/** The parts of a Plot mark instance these tests look at (Plot's public types hide them). */
interface MarkLike {
  data: Row[];
  channels: Record<string, ChannelLike>;
  sort: unknown;
  tip: unknown;
  fx: unknown;
  fy: unknown;
  ariaLabel?: string;
}

function build(spec: PlotSpec, rows: Row[]) {
  const checked = validatePlotSpec(spec);
  if (!checked.ok) throw new Error(checked.errors.join('\n'));
  const options = buildPlotOptions(checked.spec, rows);
  return { options, marks: options.marks as unknown as MarkLike[] };
}

/** A channel's source column: a field name, or the label of an accessor/transform. */
function source(channel: ChannelLike | undefined): unknown {
  if (channel === undefined) return undefined;
  const v = channel.value;
  return typeof v === 'string' ? v : (v as { label?: string } | undefined)?.label;
}

const versions: Row[] = [
  { policy: 'v2', task: 'pick', success_rate: 0.71, n: 120 },
  { policy: 'v1', task: 'pick', success_rate: 0.52, n: 80 },
  { policy: 'v2', task: 'place', success_rate: 0.64, n: 110 },
  { policy: 'v1', task: 'place', success_rate: null, n: 75 },
  { policy: 'v3', task: 'place', success_rate: 0.8, n: 15 },
];

describe('buildPlotOptions: marks', () => {
  it('barY: band x, value y, tooltip, zero baseline', () => {
    const { marks } = build({ data: 'r', mark: 'barY', x: 'policy', y: 'success_rate' }, versions);
    expect(marks).toHaveLength(2);
    const [bar, rule] = marks;
    expect(bar.ariaLabel).toBe('bar');
    expect(source(bar.channels.x)).toBe('policy');
    expect(bar.channels.x.type).toBe('band');
    expect(source(bar.channels.y2)).toBe('success_rate');
    // Plot turns `tip: true` into a pointer along the band axis.
    expect(bar.tip).toBe('x');
    expect(rule.ariaLabel).toBe('rule');
  });

  it('skips rows with a null in any plotted column and never mutates the input', () => {
    const before = structuredClone(versions);
    const { marks } = build({ data: 'r', mark: 'barY', x: 'policy', y: 'success_rate' }, versions);
    expect(marks[0].data).toHaveLength(4);
    expect(marks[0].data.every((d) => d.success_rate !== null)).toBe(true);
    expect(versions).toEqual(before);
  });

  it('barY without y counts rows per category', () => {
    const { marks } = build({ data: 'r', mark: 'barY', x: 'task' }, versions);
    expect(source(marks[0].channels.y2)).toBe('Frequency');
    expect(marks[0].data).toHaveLength(5);
  });

  it('barX: categories on y, values on x, vertical zero rule', () => {
    const { marks, options } = build({ data: 'r', mark: 'barX', x: 'n', y: 'policy', percent: true }, versions);
    expect(source(marks[0].channels.y)).toBe('policy');
    expect(marks[0].channels.y.type).toBe('band');
    expect(source(marks[0].channels.x2)).toBe('n');
    expect(Object.keys(marks[1].channels)).toEqual(['x']);
    expect(options.x).toMatchObject({ tickFormat: '~%', grid: true });
  });

  it('line: sorted by x, colored series, tooltips', () => {
    const rows = [
      { step: 3, loss: 0.3, run: 'a' },
      { step: 1, loss: 0.9, run: 'a' },
      { step: 2, loss: Number.NaN, run: 'a' },
      { step: 2, loss: 0.5, run: 'b' },
    ];
    const { marks, options } = build({ data: 'r', mark: 'line', x: 'step', y: 'loss', stroke: 'run' }, rows);
    expect(marks[0].data.map((d) => d.step)).toEqual([1, 2, 3]);
    expect(source(marks[0].channels.stroke)).toBe('run');
    expect(source(marks[0].channels.z)).toBe('run');
    // Lines point along both axes (Plot's 'xy' pointer).
    expect(marks[0].tip).toBe('xy');
    expect(options.color).toEqual({ legend: true });
  });

  it('line: sorts dates chronologically and colors by a fill column', () => {
    const rows = [
      { day: new Date('2024-01-03'), v: 3, arm: 'left' },
      { day: new Date('2024-01-01'), v: 1, arm: 'left' },
    ];
    const { marks } = build({ data: 'r', mark: 'line', x: 'day', y: 'v', fill: 'arm' }, rows);
    expect(marks[0].data.map((d) => d.v)).toEqual([1, 3]);
    expect(source(marks[0].channels.stroke)).toBe('arm');
  });

  it('keeps the query order of string x for lines', () => {
    const rows = [{ m: 'Feb', v: 1 }, { m: 'Jan', v: 2 }];
    const { marks } = build({ data: 'r', mark: 'line', x: 'm', y: 'v' }, rows);
    expect(marks[0].data.map((d) => d.m)).toEqual(['Feb', 'Jan']);
  });

  it('dot: fill, stroke and radius channels', () => {
    const rows = [{ a: 1, b: 2, c: 'x', size: 3 }];
    const { marks } = build({ data: 'r', mark: 'dot', x: 'a', y: 'b', fill: 'c', r: 'size' }, rows);
    expect(source(marks[0].channels.fill)).toBe('c');
    expect(source(marks[0].channels.r)).toBe('size');
  });

  it('reads a column named like a CSS color as a column, not a constant color', () => {
    const rows = [{ a: 1, b: 2, red: 'yes' }];
    const { marks, options } = build({ data: 'r', mark: 'dot', x: 'a', y: 'b', fill: 'red' }, rows);
    expect(source(marks[0].channels.fill)).toBe('red');
    expect(options.color).toMatchObject({ legend: true });
  });

  it('areaY: stacked by default, overlapping when stack is false', () => {
    const rows = [{ t: 1, v: 2, k: 'a' }, { t: 1, v: 3, k: 'b' }];
    const stacked = build({ data: 'r', mark: 'areaY', x: 't', y: 'v', fill: 'k' }, rows).marks[0];
    expect(Object.keys(stacked.channels)).toEqual(expect.arrayContaining(['y1', 'y2', 'fill']));
    const overlapping = build({ data: 'r', mark: 'areaY', x: 't', y: 'v', fill: 'k', stack: false }, rows).marks[0];
    expect(overlapping.channels.y1.value).toBe(0);
    expect(source(overlapping.channels.y2)).toBe('v');
  });

  it('rectY over a numeric column is a histogram (binX)', () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ len: i }));
    const { marks } = build({ data: 'r', mark: 'rectY', x: 'len' }, rows);
    expect(Object.keys(marks[0].channels)).toEqual(expect.arrayContaining(['x1', 'x2', 'y1', 'y2']));
    expect(source(marks[0].channels.y2)).toBe('Frequency');
  });

  it('rectY over strings falls back to counted bars', () => {
    const { marks } = build({ data: 'r', mark: 'rectY', x: 'task' }, versions);
    expect(marks[0].channels.x.type).toBe('band');
  });

  it('cell: heatmap with a sequential scheme by default', () => {
    const rows = [{ a: 'x', b: 'y', v: 0.3 }];
    const { marks, options } = build({ data: 'r', mark: 'cell', x: 'a', y: 'b', fill: 'v', percent: true }, rows);
    expect(marks[0].ariaLabel).toBe('cell');
    expect(options.color).toEqual({ legend: true, scheme: 'YlGnBu', tickFormat: '~%' });
  });

  it('text, tickX and ruleY', () => {
    const rows = [{ a: 1, b: 'x', label: 'hi', thr: 0.5 }];
    expect(source(build({ data: 'r', mark: 'text', x: 'a', y: 'b', text: 'label' }, rows).marks[0].channels.text)).toBe('label');
    const tick = build({ data: 'r', mark: 'tickX', x: 'a', y: 'b' }, rows).marks[0];
    expect(source(tick.channels.x)).toBe('a');
    expect(tick.channels.y.type).toBe('band');
    expect(source(build({ data: 'r', mark: 'ruleY', y: 'thr' }, rows).marks[0].channels.y)).toBe('thr');
  });

  it('facets the main mark with fx/fy and leaves decorations unfaceted', () => {
    const { marks, options } = build({ data: 'r', mark: 'barY', x: 'policy', y: 'n', fx: 'task', fy: 'policy' }, versions);
    expect(marks[0].fx).toBe('task');
    expect(marks[0].fy).toBe('policy');
    expect(marks[1].fx).toBeUndefined();
    expect(options.marginRight).toBeGreaterThanOrEqual(20);
  });
});

describe('buildPlotOptions: stacking and grouping', () => {
  it('stacks bars by fill by default', () => {
    const { marks, options } = build({ data: 'r', mark: 'barY', x: 'task', y: 'n', fill: 'policy' }, versions);
    expect(source(marks[0].channels.x)).toBe('task');
    expect(source(marks[0].channels.fill)).toBe('policy');
    expect(marks[0].fx).toBeUndefined();
    expect(options.color).toEqual({ legend: true });
  });

  it('stack: false groups bars side by side via fx', () => {
    const { marks, options } = build(
      { data: 'r', mark: 'barY', x: 'task', y: 'n', fill: 'policy', stack: false, xLabel: 'Task' },
      versions,
    );
    expect(marks[0].fx).toBe('task');
    expect(source(marks[0].channels.x)).toBe('policy');
    expect(options.x).toEqual({ axis: null });
    expect(options.fx).toMatchObject({ axis: 'bottom', label: 'Task' });
  });

  it('grouped barX uses fy with its axis on the left', () => {
    const { marks, options } = build({ data: 'r', mark: 'barX', x: 'n', y: 'task', fill: 'policy', stack: false }, versions);
    expect(marks[0].fy).toBe('task');
    expect(options.y).toEqual({ axis: null });
    expect(options.fy).toMatchObject({ axis: 'left' });
  });
});

describe('buildPlotOptions: scales and layout', () => {
  it('labels, title, height, grid and font', () => {
    const { options } = build(
      { data: 'r', mark: 'barY', x: 'policy', y: 'n', title: 'Success by policy', xLabel: 'Policy', yLabel: 'Episodes', height: 240 },
      versions,
    );
    expect(options.title).toBe('Success by policy');
    expect(options.height).toBe(240);
    expect(options.x).toMatchObject({ label: 'Policy' });
    expect(options.y).toEqual({ label: 'Episodes', grid: true, nice: true });
    expect(options.style).toMatchObject({ fontSize: '12px' });
    expect(options.color).toBeUndefined();
  });

  it('grid: false removes grid lines; grid: true adds an x grid to scatter plots', () => {
    expect(build({ data: 'r', mark: 'barY', x: 'policy', y: 'n', grid: false }, versions).options.y).toEqual({ nice: true });
    const dot = build({ data: 'r', mark: 'dot', x: 'n', y: 'success_rate', grid: true }, versions).options;
    expect(dot.x).toMatchObject({ grid: true });
    expect(dot.y).toMatchObject({ grid: true });
  });

  it('percent formats the value axis and the tooltip', () => {
    const { options, marks } = build({ data: 'r', mark: 'barY', x: 'policy', y: 'success_rate', percent: true }, versions);
    expect(options.y).toMatchObject({ tickFormat: '~%' });
    expect(marks[0].tip).toMatchObject({ format: { y: '.1~%' } });
  });

  it('legend follows fill/stroke, and can be turned off', () => {
    expect(build({ data: 'r', mark: 'dot', x: 'n', y: 'success_rate', stroke: 'policy', legend: false }, versions).options.color).toEqual({
      legend: false,
    });
  });

  it('small integer series ids are ordinal colors on line charts, continuous on scatter plots', () => {
    const rows = [
      { step: 1, loss: 1, version: 1 },
      { step: 1, loss: 2, version: 2 },
    ];
    expect(build({ data: 'r', mark: 'line', x: 'step', y: 'loss', stroke: 'version' }, rows).options.color).toEqual({
      legend: true,
      type: 'categorical',
    });
    expect(build({ data: 'r', mark: 'dot', x: 'step', y: 'loss', fill: 'version' }, rows).options.color).toEqual({ legend: true });
  });

  it('gives a short run of integer x values exactly those ticks', () => {
    const rows = [1, 2, 4].map((v) => ({ v, rate: v / 10 }));
    expect(build({ data: 'r', mark: 'line', x: 'v', y: 'rate' }, rows).options.x).toEqual({ ticks: [1, 2, 3, 4], tickFormat: 'd' });
    const sparse = [15, 80, 120].map((v) => ({ v, rate: v / 10 }));
    expect(build({ data: 'r', mark: 'line', x: 'v', y: 'rate' }, sparse).options.x).toBeUndefined();
  });

  it('rotates long bottom labels only when they would not fit at the given width', () => {
    const rows = ['open_drawer_and_put_item', 'pick', 'stack'].map((t) => ({ t, n: 1 }));
    const spec: PlotSpec = { data: 'r', mark: 'barY', x: 't', y: 'n' };
    const checked = validatePlotSpec(spec);
    if (!checked.ok) throw new Error('invalid');
    expect(buildPlotOptions(checked.spec, rows, { width: 1200 }).x).not.toHaveProperty('tickRotate');
    const narrow = buildPlotOptions(checked.spec, rows, { width: 300 });
    expect(narrow.x).toMatchObject({ tickRotate: -30 });
    expect(narrow.marginLeft).toBeGreaterThan(100);
  });

  it('leaves room for 12px labels: bottom axis, date ticks, top facet labels', () => {
    expect(build({ data: 'r', mark: 'barY', x: 'policy', y: 'n' }, versions).options.marginBottom).toBe(36);
    const days = [{ d: new Date('2024-01-01'), v: 1 }];
    expect(build({ data: 'r', mark: 'line', x: 'd', y: 'v' }, days).options.marginBottom).toBe(44);
    expect(build({ data: 'r', mark: 'dot', x: 'n', y: 'n', fx: 'task' }, versions).options.marginTop).toBe(44);
  });

  it('gives heatmaps taller rows unless a height is set', () => {
    const rows = ['a', 'b', 'c'].map((t) => ({ t, v: 'x', z: 1 }));
    expect(build({ data: 'r', mark: 'cell', x: 'v', y: 't', fill: 'z' }, rows).options.height).toBeGreaterThanOrEqual(120);
    expect(build({ data: 'r', mark: 'cell', x: 'v', y: 't', fill: 'z', height: 500 }, rows).options.height).toBe(500);
  });

  it('treats dates on bars as explicit band categories labelled by ISO day', () => {
    const rows = [{ d: new Date('2024-01-02T00:00:00Z'), n: 3 }];
    const x = build({ data: 'r', mark: 'barY', x: 'd', y: 'n' }, rows).options.x as { type?: string; tickFormat?: (d: unknown) => string };
    expect(x.type).toBe('band');
    expect(x.tickFormat?.(rows[0].d)).toBe('2024-01-02');
  });

  it('colorScheme is passed through', () => {
    expect(build({ data: 'r', mark: 'barY', x: 'policy', y: 'n', fill: 'task', colorScheme: 'set2' }, versions).options.color).toMatchObject({
      scheme: 'Set2',
    });
  });

  it('widens the left margin for big numbers and long category labels', () => {
    const small = build({ data: 'r', mark: 'barY', x: 'policy', y: 'n' }, versions).options.marginLeft as number;
    const big = build({ data: 'r', mark: 'barY', x: 'policy', y: 'n' }, [{ policy: 'a', n: 12_345_678 }]).options.marginLeft as number;
    expect(big).toBeGreaterThan(small);
    const names = build({ data: 'r', mark: 'barX', x: 'n', y: 'name' }, [{ name: 'a rather long task description', n: 1 }]).options;
    expect(names.marginLeft).toBeGreaterThan(150);
    expect(typeof (names.y as { tickFormat?: unknown }).tickFormat).toBe('function');
  });

  it('rotates crowded bottom category labels', () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({ episode: `episode_${i}`, n: i }));
    const { options } = build({ data: 'r', mark: 'barY', x: 'episode', y: 'n' }, rows);
    expect(options.x).toMatchObject({ tickRotate: -30 });
    expect(options.marginBottom).toBeGreaterThan(30);
  });
});

describe('buildPlotOptions: sort', () => {
  it('sorts categories by a channel through Plot', () => {
    const { marks } = build({ data: 'r', mark: 'barY', x: 'policy', y: 'n', sort: { x: 'n', descending: true } }, versions);
    expect(marks[0].sort).toEqual({ x: 'y', reverse: true });
  });

  it('sorts counted bars by their count', () => {
    const { marks } = build({ data: 'r', mark: 'barY', x: 'task', sort: { x: 'y', descending: true } }, versions);
    expect(marks[0].sort).toEqual({ x: 'y', reverse: true });
  });

  it('sorts horizontal bars along y', () => {
    const { marks } = build({ data: 'r', mark: 'barX', x: 'n', y: 'policy', sort: { x: 'n' } }, versions);
    expect(marks[0].sort).toEqual({ y: 'x', reverse: false });
  });

  it('sorts grouped bars by facet', () => {
    const { marks } = build({ data: 'r', mark: 'barY', x: 'task', y: 'n', fill: 'policy', stack: false, sort: { x: 'y' } }, versions);
    expect(marks[0].sort).toEqual({ fx: 'y', reverse: false });
  });

  it('sorts by a column no channel draws with an explicit domain (max per category)', () => {
    const { options, marks } = build({ data: 'r', mark: 'barY', x: 'policy', y: 'success_rate', sort: { x: 'n', descending: true } }, versions);
    expect(marks[0].sort).toBeNull();
    expect((options.x as { domain: unknown[] }).domain).toEqual(['v2', 'v1', 'v3']);
  });

  it('descending own values', () => {
    const { options } = build({ data: 'r', mark: 'barY', x: 'policy', y: 'n', sort: { descending: true } }, versions);
    expect((options.x as { domain: unknown[] }).domain).toEqual(['v3', 'v2', 'v1']);
  });

  it('ignores sort on continuous axes', () => {
    const { options, marks } = build({ data: 'r', mark: 'line', x: 'n', y: 'success_rate', sort: { x: 'y' } }, versions);
    expect(marks[0].sort).toBeNull();
    expect(options.x).toBeUndefined();
  });
});

describe('buildPlotOptions: purity', () => {
  it('gives the same options for the same input and handles empty results', () => {
    const spec: PlotSpec = { data: 'r', mark: 'barY', x: 'policy', y: 'n', fill: 'task', sort: { x: 'n' } };
    const a = build(spec, versions).options;
    const b = build(spec, versions).options;
    expect({ ...a, marks: undefined }).toEqual({ ...b, marks: undefined });
    expect(() => build(spec, [])).not.toThrow();
  });
});

describe('renderPlot', () => {
  it('rejects an invalid spec before touching the DOM', () => {
    const bad = { data: 'r', mark: 'pie' } as unknown as PlotSpec;
    expect(() => renderPlot(bad, [], { width: 400 })).toThrow(PlotSpecError);
    try {
      renderPlot(bad, [], { width: 400 });
    } catch (e) {
      expect((e as PlotSpecError).errors[0]).toMatch(/"mark" must be one of/);
    }
  });
});
