import { describe, expect, it } from 'vitest';
import { marginForChars, quantitativeTickChars, tickStep } from './layout.ts';

describe('tick label widths', () => {
  it('steps like d3: 1, 2 or 5 × a power of ten', () => {
    expect(tickStep(0, 1)).toBe(0.1);
    expect(tickStep(12.4, 12.47)).toBeCloseTo(0.005, 12);
    expect(tickStep(0, 1794)).toBe(200);
  });

  it('a narrow range far from zero needs its decimals (2.470, not 2)', () => {
    // 12.400–12.470 s on a tight axis: labels like "12.470" (6 characters).
    expect(quantitativeTickChars(12.47, false, false, { min: 12.4, max: 12.47 })).toBe(6);
    expect(quantitativeTickChars(2.47, false, false, { min: 2.4, max: 2.47 })).toBe(5);
    expect(marginForChars(6)).toBeGreaterThan(56);
  });

  it('percent axes that reach 100% budget four characters', () => {
    expect(quantitativeTickChars(1, false, true, { min: 0.2, max: 1 })).toBe(4);
    expect(quantitativeTickChars(0.42, false, true, { min: 0, max: 0.42 })).toBe(3);
  });

  it('large values get their thousands separators', () => {
    expect(quantitativeTickChars(1794, false, false, { min: 0, max: 1794 })).toBe(5);
  });
});
