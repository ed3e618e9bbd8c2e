import { describe, expect, it } from 'vitest';
import { createI18n } from 'vue-i18n';
import en from './en';
import fr from './fr';
import { frenchPlural } from './index';

type Case = [locale: 'en' | 'fr', key: string, named: Record<string, unknown>, count: number, text: string];

const CASES: Case[] = [
  ['en', 'imports.rejected', { count: 1 }, 1, '1 rejected row'],
  ['en', 'imports.rejected', { count: 2 }, 2, '2 rejected rows'],
  ['en', 'imports.rejected', { count: 0 }, 0, '0 rejected rows'],
  ['en', 'toast.countEntryErrors', { count: 1 }, 1, '1 entry without emissions'],
  ['en', 'toast.countFailedTypes', { count: 3 }, 3, '3 failed types'],
  ['en', 'progress.entries', { done: 0, total: 1 }, 1, '0 / 1 entry'],
  ['en', 'progress.entries', { done: 5, total: 10 }, 10, '5 / 10 entries'],
  ['fr', 'imports.rejected', { count: 1 }, 1, '1 ligne rejetée'],
  ['fr', 'imports.rejected', { count: 0 }, 0, '0 ligne rejetée'],
  ['fr', 'imports.rejected', { count: 2 }, 2, '2 lignes rejetées'],
  ['fr', 'toast.countDone', { count: 1 }, 1, '1 traité'],
  ['fr', 'toast.countDone', { count: 4 }, 4, '4 traités'],
];

describe('counted labels agree with their count (English: singular for 1; French: below 2)', () => {
  it.each(CASES)('%s %s %j (%d) -> %s', (locale, key, named, count, text) => {
    const i18n = createI18n({ legacy: false, locale, messages: { en, fr }, pluralRules: { fr: frenchPlural } });
    expect(i18n.global.t(key, named, count)).toBe(text);
  });
});
