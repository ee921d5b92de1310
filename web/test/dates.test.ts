import { afterEach, describe, expect, it } from 'vitest';
import {
  applyUserLang, dayKey, districtInput, districtZone, formatCalendarDay, formatDateTime, formatDay, formatNumber, formatTime,
  isLang, lang, setLang, weekdayName, zoneLabel,
} from '../src/i18n';

afterEach(() => {
  districtZone.set(undefined);
  lang.set('en');
});

describe('dates in the district zone', () => {
  it('formats an instant on the district clock, not the runtime one', () => {
    const at = '2026-09-01T13:05:00Z'; // 09:05 in New York, 06:05 in Los Angeles
    districtZone.set('America/New_York');
    expect(formatTime(at)).toBe('9:05 AM');
    expect(districtInput(new Date(at))).toBe('2026-09-01T09:05');
    districtZone.set('America/Los_Angeles');
    expect(formatTime(at)).toBe('6:05 AM');
    expect(districtInput(new Date(at))).toBe('2026-09-01T06:05');
  });

  it('puts a late-evening session on the district day', () => {
    districtZone.set('America/New_York');
    expect(dayKey('2026-09-02T02:30:00Z')).toBe('2026-09-01');
  });

  it('writes midnight as 00, the way datetime-local inputs want it', () => {
    districtZone.set('America/New_York');
    expect(districtInput(new Date('2026-09-02T04:00:00Z'))).toBe('2026-09-02T00:00');
  });

  it('formats in the user language', () => {
    districtZone.set('America/New_York');
    setLang('es');
    expect(formatTime('2026-09-01T17:30:00Z')).toBe('13:30');
  });
});

describe('dates in Haitian Creole (no ICU data: composed from Intl numbers)', () => {
  it('names days and months in Creole on a 24-hour clock', () => {
    districtZone.set('America/New_York');
    setLang('ht');
    const at = '2026-09-01T17:30:00Z'; // Tuesday 1 September, 13:30 in New York
    expect(formatTime(at)).toBe('13:30');
    expect(formatTime('2026-09-01T13:05:00Z')).toBe('9:05');
    expect(formatDay(at)).toBe('madi 1 septanm');
    expect(formatDateTime(at)).toBe('1 sep 2026, 13:30');
    expect(formatCalendarDay('2026-11-18')).toBe('mèk 18 nov');
    expect(weekdayName(0)).toBe('dimanch');
    expect(weekdayName(3)).toBe('mèkredi');
  });

  it('keeps the district day and clock, not the runtime one', () => {
    setLang('ht');
    // 02:30 UTC on Wednesday 2 September: Tuesday evening in New York, Tuesday afternoon in LA.
    const at = '2026-09-02T02:30:00Z';
    districtZone.set('America/New_York');
    expect(formatDay(at)).toBe('madi 1 septanm');
    expect(formatTime(at)).toBe('22:30');
    districtZone.set('America/Los_Angeles');
    expect(formatTime(at)).toBe('19:30');
    districtZone.set('Asia/Tokyo');
    expect(formatDay(at)).toBe('mèkredi 2 septanm');
    expect(formatTime(at)).toBe('11:30');
  });

  it('writes midnight as 0:00, and every month and weekday has its own name', () => {
    setLang('ht');
    districtZone.set('America/New_York');
    expect(formatTime('2026-09-02T04:00:00Z')).toBe('0:00');
    const months = Array.from({ length: 12 }, (_, m) => formatDay(new Date(Date.UTC(2026, m, 15, 16))).split(' ')[2]);
    expect(months).toEqual(['janvye', 'fevriye', 'mas', 'avril', 'me', 'jen', 'jiyè', 'out', 'septanm', 'oktòb',
      'novanm', 'desanm']);
    const days = Array.from({ length: 7 }, (_, d) => formatDay(new Date(Date.UTC(2026, 2, 2 + d, 16))).split(' ')[0]);
    expect(days).toEqual(['lendi', 'madi', 'mèkredi', 'jedi', 'vandredi', 'samdi', 'dimanch']);
  });

  it('shows the zone id rather than an English zone name', () => {
    districtZone.set('America/New_York');
    setLang('ht');
    expect(zoneLabel()).toBe('America/New_York');
    setLang('en');
    expect(zoneLabel()).toBe('Eastern Time (America/New_York)');
  });
});

describe('numbers in the user language', () => {
  it('writes decimals the language way', () => {
    setLang('en');
    expect(formatNumber(4.5, 2, 2)).toBe('4.50');
    setLang('es');
    expect(formatNumber(4.5, 2, 2)).toBe('4,50');
    setLang('ht');
    expect(formatNumber(4.5, 2, 2)).toBe('4,50');
  });
});

describe('the saved language', () => {
  it('applies a saved language and ignores an unknown or missing one', () => {
    setLang('en');
    applyUserLang(null);
    expect(lang.get()).toBe('en');
    applyUserLang('fr');
    expect(lang.get()).toBe('en');
    applyUserLang('ht');
    expect(lang.get()).toBe('ht');
    expect(isLang('es')).toBe(true);
    expect(isLang('ES')).toBe(false);
  });
});
