import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogs, formatNumber, setLang } from '../src/i18n';
import { en } from '../src/i18n/en';

describe('i18n catalogs', () => {
  it('have exactly the keys of English in every language', () => {
    const keys = Object.keys(en).sort();
    for (const [code, messages] of Object.entries(catalogs)) {
      expect(Object.keys(messages).sort(), code).toEqual(keys);
    }
  });

  it('have no empty message and keep every {placeholder} of English', () => {
    for (const [code, messages] of Object.entries(catalogs)) {
      for (const [key, text] of Object.entries(messages)) {
        expect(text.trim(), `${code} ${key}`).not.toBe('');
        const want = (en[key as keyof typeof en].match(/\{\w+\}/g) ?? []).sort();
        expect((text.match(/\{\w+\}/g) ?? []).sort(), `${code} ${key}`).toEqual(want);
      }
    }
  });

  it('hold every key the source code asks for', () => {
    const used = new Set<string>();
    const walk = (dir: string) => {
      for (const name of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, name.name);
        if (name.isDirectory()) walk(path);
        else if (/\.tsx?$/.test(name.name)) {
          for (const m of readFileSync(path, 'utf8').matchAll(/\bt\('([a-z_]+\.[a-z_.]+)'/g)) used.add(m[1]);
        }
      }
    };
    walk(join(__dirname, '../src'));
    expect(used.size).toBeGreaterThan(50);
    for (const key of used) expect(en, key).toHaveProperty([key]);
  });

  it('format figures in the user\'s language', () => {
    setLang('en');
    expect(formatNumber(1234.56)).toBe('1,234.6');
    setLang('es');
    expect(formatNumber(12345.5)).toBe('12.345,5');
    expect(formatNumber(0.5)).toBe('0,5');
    setLang('en');
    expect(formatNumber(3, 0)).toBe('3');
  });
});
