import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDuration, formatFixed, formatMs, formatNumber, formatPercent, formatSeconds } from './format';

describe('formatCount', () => {
  it('groups thousands with commas, bigints included', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1794)).toBe('1,794');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(-1234)).toBe('-1,234');
    expect(formatCount(12345678901234567890n)).toBe('12,345,678,901,234,567,890');
    expect(formatCount(35_965)).toBe('35,965');
  });
});

describe('formatNumber', () => {
  it('shows up to 4 decimals from 1 up, 4 significant digits below 1, exponents at the extremes', () => {
    expect(formatNumber(3.14159265)).toBe('3.1416');
    expect(formatNumber(2.5)).toBe('2.5');
    expect(formatNumber(2)).toBe('2');
    expect(formatNumber(1234.5)).toBe('1,234.5');
    expect(formatNumber(-1234.56789)).toBe('-1,234.5679');
    expect(formatNumber(-0.000123456)).toBe('-0.0001235');
    expect(formatNumber(0.5)).toBe('0.5');
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(1e-7)).toBe('1e-7');
    expect(formatNumber(1.23456e20)).toBe('1.235e+20');
    expect(formatNumber(Number.NaN)).toBe('NaN');
    expect(formatNumber(-Infinity)).toBe('-∞');
  });
});

describe('fixed, percent, seconds, durations, bytes', () => {
  it('formats each unit the one way', () => {
    expect(formatFixed(1234.5, 2)).toBe('1,234.50');
    expect(formatPercent(0.125)).toBe('12.5%');
    expect(formatPercent(0.1333333, 1)).toBe('13.3%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatSeconds(2.4137)).toBe('2.41 s');
    expect(formatSeconds(12345.6)).toBe('12,345.60 s');
    expect(formatDuration(0.85)).toBe('850 ms');
    expect(formatDuration(2.4137)).toBe('2.41 s');
    expect(formatDuration(12.44)).toBe('12.4 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(2 * 3600 + 4 * 60 + 10)).toBe('2 h 04 min');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.00 GB');
    expect(formatMs(850.2)).toBe('850 ms');
    expect(formatMs(2410)).toBe('2.41 s');
  });
});
