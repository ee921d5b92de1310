// Every visible string comes from a catalog: English (the reference), Spanish, Haitian Creole.
// The catalogs must hold the same keys (test/i18n.test.ts, and the type below). A signed-in user's
// language is kept by the server (GET /api/v1/me `language`, PATCH /api/v1/me/preferences), so it
// follows them from device to device; before sign-in this device's last choice is used. Dates and
// times are always in the district's time zone (GET /api/v1/me `time_zone`), never the device's.
import { signal } from '../ui/signal';
import { en, type Messages } from './en';
import { es } from './es';
import { ht } from './ht';
import { HT_WEEKDAYS, htCalendarDay, htDateTime, htDay, htTime, wallClock } from './calendar';

export type Lang = 'en' | 'es' | 'ht';
export const LANGS: { code: Lang; name: string }[] = [
  { code: 'en', name: 'English' },
  { code: 'es', name: 'Español' },
  { code: 'ht', name: 'Kreyòl ayisyen' },
];
export const catalogs: Record<Lang, Messages> = { en, es, ht };
export type MessageKey = keyof Messages;

const DEVICE_KEY = 'homeroom.lang';

export function isLang(v: unknown): v is Lang {
  return v === 'en' || v === 'es' || v === 'ht';
}

function stored(): Lang | null {
  try {
    const v = localStorage.getItem(DEVICE_KEY);
    return isLang(v) ? v : null;
  } catch {
    return null;
  }
}

function initial(): Lang {
  const saved = stored();
  if (saved) return saved;
  const nav = typeof navigator !== 'undefined' ? navigator.language.slice(0, 2) : 'en';
  return isLang(nav) ? nav : 'en';
}

export const lang = signal<Lang>(typeof localStorage !== 'undefined' ? initial() : 'en');

// Shows `next` and remembers it on this device (for the sign-in page). Saving it for the user is
// the caller's part (app.tsx: PATCH /api/v1/me/preferences when the user switches).
export function setLang(next: Lang) {
  lang.set(next);
  try {
    localStorage.setItem(DEVICE_KEY, next);
  } catch {
    // private mode: the choice lasts for this page only
  }
  if (typeof document !== 'undefined') document.documentElement.lang = next;
}

// After sign-in (or on a page load while signed in): the language the user saved wins over this
// device's; with none saved the current one stays.
export function applyUserLang(saved: string | null | undefined) {
  if (isLang(saved) && saved !== lang.get()) setLang(saved);
}

// The district's IANA time zone, from GET /api/v1/me; undefined before sign-in (nothing dated is
// shown then) and, in unit tests, the runtime's zone.
export const districtZone = signal<string | undefined>(undefined);

// The message `key` in the current language with {name} placeholders filled.
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const text: string = catalogs[lang.get()][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

// Date and time in the district's time zone and the user's language. `timeZone` overrides the
// district's (a session carries the zone it was scheduled in, which is the district's). English
// and Spanish are Intl's; Haitian Creole, which the browsers' ICU lacks, is composed from Intl's
// numbers in calendar.ts (Creole names, a 24-hour clock).
const zone = (timeZone?: string) => timeZone ?? districtZone.get();
const instant = (at: string | Date) => (typeof at === 'string' ? new Date(at) : at);

export function formatTime(at: string | Date, timeZone?: string): string {
  if (lang.get() === 'ht') return htTime(wallClock(instant(at), zone(timeZone)));
  return new Intl.DateTimeFormat(lang.get(), { timeStyle: 'short', timeZone: zone(timeZone) }).format(instant(at));
}
export function formatDay(at: string | Date, timeZone?: string): string {
  if (lang.get() === 'ht') return htDay(wallClock(instant(at), zone(timeZone)));
  return new Intl.DateTimeFormat(lang.get(), { weekday: 'long', month: 'long', day: 'numeric', timeZone: zone(timeZone) })
    .format(instant(at));
}
export function formatDateTime(at: string | Date, timeZone?: string): string {
  if (lang.get() === 'ht') return htDateTime(wallClock(instant(at), zone(timeZone)));
  return new Intl.DateTimeFormat(lang.get(), { dateStyle: 'medium', timeStyle: 'short', timeZone: zone(timeZone) })
    .format(instant(at));
}
// "Wed, Nov 18" for a calendar day "2026-11-18" (a date, not an instant: no zone to convert).
export function formatCalendarDay(day: string): string {
  const noon = new Date(`${day}T12:00:00Z`);
  if (lang.get() === 'ht') return htCalendarDay(wallClock(noon, 'UTC'));
  return new Intl.DateTimeFormat(lang.get(), { weekday: 'short', month: 'short', day: 'numeric', timeZone: 'UTC' })
    .format(noon);
}
// The name of a weekday (0 = Sunday) in the user's language: "Monday", "lunes", "lendi".
export function weekdayName(weekday: number): string {
  if (lang.get() === 'ht') return HT_WEEKDAYS[weekday];
  // 2026-03-01 was a Sunday.
  return new Intl.DateTimeFormat(lang.get(), { weekday: 'long', timeZone: 'UTC' })
    .format(new Date(Date.UTC(2026, 2, 1 + weekday, 12)));
}
// The locale numbers are written in: the language's, and for Haitian Creole (no ICU data) Haiti's
// French conventions ("4,5", "1 234").
export function numberLocale(): string {
  return lang.get() === 'ht' ? 'fr-HT' : lang.get();
}
// A number with at most `digits` decimals (and at least `minDigits`), in the user's language:
// "1,234.5" in English, "1234,5" in Spanish.
export function formatNumber(value: number, digits = 1, minDigits = 0): string {
  return new Intl.NumberFormat(numberLocale(), { maximumFractionDigits: digits, minimumFractionDigits: minDigits })
    .format(value);
}
// "2026-09-01" of an instant in the district's zone: groups sessions by the district's day.
export function dayKey(at: string | Date, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: zone(timeZone) })
    .format(instant(at));
}
// The district's zone as people say it, in the user's language: "Eastern Time (America/New_York)".
export function zoneLabel(): string {
  const tz = districtZone.get();
  if (!tz) return '';
  // No Creole zone names in ICU: the zone's id alone rather than an English name.
  if (lang.get() === 'ht') return tz;
  try {
    const name = new Intl.DateTimeFormat(lang.get(), { timeZone: tz, timeZoneName: 'longGeneric' })
      .formatToParts(new Date())
      .find((p) => p.type === 'timeZoneName')?.value;
    return name ? `${name} (${tz})` : tz;
  } catch {
    return tz;
  }
}
// "2026-09-01T09:05": the district's wall-clock time of an instant, as a datetime-local input
// holds it. Forms send such values as they are; the server reads them in the district's zone
// (docs/api.md), so what the user typed is what the district's clocks will say.
export function districtInput(at: Date, timeZone?: string): string {
  const parts: Record<string, string> = {};
  const format = new Intl.DateTimeFormat('en-CA', {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    timeZone: zone(timeZone),
  });
  for (const p of format.formatToParts(at)) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}
