import { afterEach, describe, expect, it } from 'vitest';
import { lang } from '../src/i18n';
import { addDays, axisMax, formatChartValue, formatMetric, lastFullWeek } from '../src/pages/analytics_model';

afterEach(() => lang.set('en'));

describe('the analytics page', () => {
  it('defaults to the last full Monday-to-Friday week before today', () => {
    // 2026-11-23 is a Monday.
    expect(lastFullWeek('2026-11-28')).toEqual({ from: '2026-11-23', to: '2026-11-27' }); // Saturday
    expect(lastFullWeek('2026-11-29')).toEqual({ from: '2026-11-23', to: '2026-11-27' }); // Sunday
    expect(lastFullWeek('2026-11-30')).toEqual({ from: '2026-11-23', to: '2026-11-27' }); // Monday
    expect(lastFullWeek('2026-11-27')).toEqual({ from: '2026-11-16', to: '2026-11-20' }); // Friday: not over yet
    expect(lastFullWeek('2027-01-01')).toEqual({ from: '2026-12-21', to: '2026-12-25' }); // across a year
  });

  it('adds calendar days across months', () => {
    expect(addDays('2026-02-27', 2)).toBe('2026-03-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('writes no data for a null metric, never zero', () => {
    expect(formatMetric('rate', null)).toBe('no data');
    expect(formatMetric('minutes', null)).toBe('no data');
    expect(formatMetric('rate', 0)).toBe('0%');
    lang.set('es');
    expect(formatMetric('grade', null)).toBe('sin datos');
  });

  it('writes rates with at most one decimal, minutes and grades out of 100', () => {
    expect(formatMetric('rate', 0.8254)).toBe('82.5%');
    expect(formatMetric('rate', 1)).toBe('100%');
    expect(formatMetric('minutes', 41.26)).toBe('41.3 min');
    expect(formatMetric('grade', 87)).toBe('87 / 100');
    expect(formatChartValue('grade', 87.25)).toBe('87.3');
    expect(formatChartValue('minutes', null)).toBe('no data');
    lang.set('es');
    expect(formatMetric('rate', 0.8254)).toMatch(/^82,5\s?%$/);
  });

  it('puts the top of a minutes axis at a round number above the largest value', () => {
    expect(axisMax('rate', [0.2])).toBe(1);
    expect(axisMax('grade', [40])).toBe(100);
    expect(axisMax('minutes', [41.3, null, 12])).toBe(50);
    expect(axisMax('minutes', [180])).toBe(200);
    expect(axisMax('minutes', [20])).toBe(20);
    expect(axisMax('minutes', [null])).toBe(10);
  });
});
