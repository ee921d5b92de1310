// Dates and times in Haitian Creole. Chromium's and Node's ICU hold no `ht` data, so
// Intl.DateTimeFormat('ht') falls back to English ("Tuesday, September 1", "9:05 AM"). For Creole
// the numbers (year, month, day, hour, minute) still come from Intl.DateTimeFormat, in the
// district's time zone, and the words and the order are ours: "madi 1 septanm", 24-hour "9:05".
// English and Spanish keep Intl's own formats (index.ts).

// Sunday first, as Date.getUTCDay() counts.
export const HT_WEEKDAYS = ['dimanch', 'lendi', 'madi', 'mèkredi', 'jedi', 'vandredi', 'samdi'];
export const HT_WEEKDAYS_SHORT = ['dim', 'len', 'mad', 'mèk', 'jed', 'van', 'sam'];
// January first.
export const HT_MONTHS = ['janvye', 'fevriye', 'mas', 'avril', 'me', 'jen', 'jiyè', 'out', 'septanm', 'oktòb',
  'novanm', 'desanm'];
export const HT_MONTHS_SHORT = ['jan', 'fev', 'mas', 'avr', 'me', 'jen', 'jiy', 'out', 'sep', 'okt', 'nov', 'des'];

// An instant's calendar and clock in `timeZone` (undefined: the runtime's), as numbers.
export interface WallClock {
  year: number;
  month: number; // 1-12
  day: number;
  weekday: number; // 0 = Sunday
  hour: number; // 0-23
  minute: number;
}

export function wallClock(at: Date, timeZone: string | undefined): WallClock {
  const parts: Record<string, string> = {};
  const format = new Intl.DateTimeFormat('en-US', {
    year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23',
    timeZone,
  });
  for (const p of format.formatToParts(at)) parts[p.type] = p.value;
  const year = Number(parts.year), month = Number(parts.month), day = Number(parts.day);
  return {
    year, month, day,
    // The weekday of that calendar date (no zone left to apply).
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
  };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

// "9:05", "13:30": the 24-hour clock.
export function htTime(c: WallClock): string {
  return `${c.hour}:${pad2(c.minute)}`;
}
// "madi 1 septanm"
export function htDay(c: WallClock): string {
  return `${HT_WEEKDAYS[c.weekday]} ${c.day} ${HT_MONTHS[c.month - 1]}`;
}
// "1 sep 2026, 9:05"
export function htDateTime(c: WallClock): string {
  return `${c.day} ${HT_MONTHS_SHORT[c.month - 1]} ${c.year}, ${htTime(c)}`;
}
// "mèk 18 nov"
export function htCalendarDay(c: WallClock): string {
  return `${HT_WEEKDAYS_SHORT[c.weekday]} ${c.day} ${HT_MONTHS_SHORT[c.month - 1]}`;
}
