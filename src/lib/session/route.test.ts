import { describe, expect, it } from 'vitest';
import { routeFromUrl } from './route';

describe('routeFromUrl', () => {
  it('opens the demo health notebook by default, contacting no other host', () => {
    const r = routeFromUrl('http://localhost:5173/');
    expect(r.doc.title).toBe('Flywheel health');
    expect(r.doc.sources.map((s) => s.url)).toEqual(['demo/', 'demo/deployment_log.csv', 'demo/collection_costs.csv']);
    expect(r.foreignHosts).toEqual([]);
  });
  it('opens ?dataset= with the overview notebook; same-origin needs no consent', () => {
    const r = routeFromUrl('http://localhost:5173/?dataset=samples/x');
    expect(r.doc.title).toBe('Dataset overview');
    expect(r.foreignHosts).toEqual([]);
  });
  it('opens ?dataset= with &log= alone (no cost sheet) with the health notebook, which ends with the log format', () => {
    const r = routeFromUrl('http://localhost:5173/?dataset=samples/x&log=logs/deployment_log.csv');
    expect(r.doc.title).toBe('Flywheel health');
    expect(r.doc.sources.map((s) => s.name)).toEqual(['dataset', 'deployments']);
    expect(r.doc.cells.at(-1)?.name).toBe('log_format');
    expect(r.doc.cells.find((c) => c.name === 'cost_per_success')?.needs).toBeDefined();
  });
  it('opens a Hub id at its resolve URL and asks before contacting huggingface.co', () => {
    const r = routeFromUrl('http://localhost:5173/?dataset=hf:lerobot/droid_100@v3.0');
    expect(r.doc.sources[0].url).toBe('https://huggingface.co/datasets/lerobot/droid_100/resolve/v3.0/');
    expect(r.foreignHosts).toEqual(['huggingface.co']);
  });
  it('lists every foreign host a link would contact', () => {
    const r = routeFromUrl(
      'http://localhost:5173/?dataset=https://huggingface.co/datasets/lerobot/droid_100/resolve/main/&log=https://example.org/log.csv&costs=https://example.org/c.csv',
    );
    expect(r.doc.title).toBe('Flywheel health');
    expect(r.foreignHosts.sort()).toEqual(['example.org', 'huggingface.co']);
  });
});
