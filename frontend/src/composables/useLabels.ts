/** Names and numbers as the operator reads them, in the chosen language. */
import { useI18n } from 'vue-i18n';
import { tonnesFormat } from '@/domain/tonnes';

export function useLabels() {
  const { t, te, locale } = useI18n();

  function moduleLabel(id: number, fallback = `#${id}`): string {
    return te(`modules.${id}`) ? t(`modules.${id}`) : fallback;
  }

  function typeLabel(id: number, fallback = `#${id}`): string {
    return te(`types.${id}`) ? t(`types.${id}`) : fallback;
  }

  function dateTime(iso: string | null | undefined): string {
    if (!iso) return '—';
    return new Intl.DateTimeFormat(locale.value, { dateStyle: 'medium', timeStyle: 'short' }).format(
      new Date(iso),
    );
  }

  /** A day and month ("12 Mar"), as a one-line reason names an import. */
  function shortDate(iso: string | null | undefined): string {
    if (!iso) return '—';
    return new Intl.DateTimeFormat(locale.value, { day: 'numeric', month: 'short' }).format(
      new Date(iso),
    );
  }

  function tonnes(kg: number | null | undefined): string {
    if (kg === null || kg === undefined) return '—';
    return tonnesFormat(locale.value, [kg])(kg);
  }

  /** The formatter of values read together (before, after, change): tonnes, same decimals. */
  function tonnesAlike(...kgs: number[]): (kg: number) => string {
    return tonnesFormat(locale.value, kgs);
  }

  function count(value: number): string {
    return new Intl.NumberFormat(locale.value).format(value);
  }

  return { moduleLabel, typeLabel, dateTime, shortDate, tonnes, tonnesAlike, count };
}
