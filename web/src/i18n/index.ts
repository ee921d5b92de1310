// Every visible string comes from a catalog: English (the reference), Spanish, Haitian Creole.
// The catalogs must hold the same keys (test/i18n.test.ts, and the type below). The chosen language
// is remembered per user on this device, and before sign-in per device.
import { signal } from '../ui/signal';
import { en, type Messages } from './en';
import { es } from './es';
import { ht } from './ht';

export type Lang = 'en' | 'es' | 'ht';
export const LANGS: { code: Lang; name: string }[] = [
  { code: 'en', name: 'English' },
  { code: 'es', name: 'Español' },
  { code: 'ht', name: 'Kreyòl ayisyen' },
];
export const catalogs: Record<Lang, Messages> = { en, es, ht };
export type MessageKey = keyof Messages;

const DEVICE_KEY = 'homeroom.lang';
const userKey = (userId: number) => `homeroom.lang.${userId}`;

function stored(key: string): Lang | null {
  try {
    const v = localStorage.getItem(key);
    return v === 'en' || v === 'es' || v === 'ht' ? v : null;
  } catch {
    return null;
  }
}

function initial(): Lang {
  const saved = stored(DEVICE_KEY);
  if (saved) return saved;
  const nav = typeof navigator !== 'undefined' ? navigator.language.slice(0, 2) : 'en';
  return nav === 'es' || nav === 'ht' ? nav : 'en';
}

export const lang = signal<Lang>(typeof localStorage !== 'undefined' ? initial() : 'en');
let currentUser: number | null = null;

export function setLang(next: Lang) {
  lang.set(next);
  try {
    localStorage.setItem(DEVICE_KEY, next);
    if (currentUser !== null) localStorage.setItem(userKey(currentUser), next);
  } catch {
    // private mode: the choice lasts for this page only
  }
  if (typeof document !== 'undefined') document.documentElement.lang = next;
}

// After sign-in: the user's own choice wins over the device's.
export function useUserLang(userId: number | null) {
  currentUser = userId;
  if (userId === null) return;
  const mine = stored(userKey(userId));
  if (mine && mine !== lang.get()) setLang(mine);
  else if (!mine) setLang(lang.get());
}

// The message `key` in the current language with {name} placeholders filled.
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const text: string = catalogs[lang.get()][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

// Date and time in the district's time zone (each session carries it) and the user's language.
export function formatTime(iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(lang.get(), { timeStyle: 'short', timeZone }).format(new Date(iso));
}
export function formatDay(iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(lang.get(), { weekday: 'long', month: 'long', day: 'numeric', timeZone })
    .format(new Date(iso));
}
export function formatDateTime(iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(lang.get(), { dateStyle: 'medium', timeStyle: 'short', timeZone })
    .format(new Date(iso));
}
// "2026-09-01" of an instant in a zone: groups sessions by the district's day.
export function dayKey(iso: string | Date, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone })
    .format(typeof iso === 'string' ? new Date(iso) : iso);
}
