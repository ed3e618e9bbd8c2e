import { describe, expect, it } from 'vitest';
import { createI18n } from 'vue-i18n';
import en from './en';
import fr from './fr';
import { frenchPlural } from './index';

function translator(locale: 'en' | 'fr') {
  return createI18n({ legacy: false, locale, messages: { en, fr }, pluralRules: { fr: frenchPlural } }).global.t;
}

describe('counted labels agree with their count', () => {
  it('English: singular for exactly one', () => {
    const t = translator('en');
    expect(t('imports.rejected', { count: 1 }, 1)).toBe('1 rejected row');
    expect(t('imports.rejected', { count: 2 }, 2)).toBe('2 rejected rows');
    expect(t('imports.rejected', { count: 0 }, 0)).toBe('0 rejected rows');
    expect(t('toast.countEntryErrors', { count: 1 }, 1)).toBe('1 entry without emissions');
    expect(t('toast.countFailedTypes', { count: 3 }, 3)).toBe('3 failed types');
    expect(t('progress.entries', { done: 0, total: 1 }, 1)).toBe('0 / 1 entry');
    expect(t('progress.entries', { done: 5, total: 10 }, 10)).toBe('5 / 10 entries');
  });

  it('French: singular for 0 and 1', () => {
    const t = translator('fr');
    expect(t('imports.rejected', { count: 1 }, 1)).toBe('1 ligne rejetée');
    expect(t('imports.rejected', { count: 0 }, 0)).toBe('0 ligne rejetée');
    expect(t('imports.rejected', { count: 2 }, 2)).toBe('2 lignes rejetées');
    expect(t('toast.countDone', { count: 1 }, 1)).toBe('1 traité');
    expect(t('toast.success', { what: 'Recalcul', done: 4 }, 4)).toBe('Recalcul terminé : 4 traités.');
  });
});
