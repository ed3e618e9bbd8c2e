import { describe, expect, it } from 'vitest';
import en from './en';
import fr from './fr';

type Messages = { [key: string]: string | Messages };

function keys(messages: Messages, prefix = ''): string[] {
  return Object.entries(messages).flatMap(([key, value]) =>
    typeof value === 'string' ? [prefix + key] : keys(value, `${prefix}${key}.`),
  );
}

/** The page's own source files (not the generated client, not the tests). */
const SOURCES = import.meta.glob<string>(['../**/*.{vue,ts}', '!../client/**', '!../**/*.spec.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

describe('labels', () => {
  it('French has exactly the English keys', () => {
    expect(keys(fr).sort()).toEqual(keys(en).sort());
  });

  it('every label the code asks for by name exists', () => {
    const known = new Set(keys(en));
    const asked = Object.values(SOURCES).flatMap((text) =>
      [...text.matchAll(/\bt\('([a-zA-Z]+\.[a-zA-Z.]+)'/g)].map((match) => match[1]),
    );
    expect(asked.length).toBeGreaterThan(20);
    expect(asked.filter((key) => !known.has(key!))).toEqual([]);
  });
});
