/** English and French; the choice is remembered in the browser. */
import { createI18n } from 'vue-i18n';
import en from './en';
import fr from './fr';

export const LOCALES = ['en', 'fr'] as const;
export type Locale = (typeof LOCALES)[number];

const STORAGE_KEY = 'co2calc.locale';

export function initialLocale(): Locale {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'fr') return saved;
  return navigator.language.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

export function rememberLocale(locale: Locale): void {
  localStorage.setItem(STORAGE_KEY, locale);
  document.documentElement.lang = locale;
}

/** Counted labels are "singular | plural", chosen by the count passed to t(key, named, count).
 * English takes the plural for 0 (vue-i18n's default); French takes the singular below 2. */
export function frenchPlural(choice: number, choicesLength: number): number {
  return Math.abs(choice) < 2 ? 0 : choicesLength - 1;
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'en',
  messages: { en, fr },
  pluralRules: { fr: frenchPlural },
});
