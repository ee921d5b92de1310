import { afterEach, describe, expect, it } from 'vitest';
import { applyUserLang, dayKey, districtInput, districtZone, formatTime, isLang, lang, setLang } from '../src/i18n';

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
