/** Tonnes of CO2e as the page writes them: at most one decimal, and values read together (a
 * total before -> after and its change) with the same number of decimals, so the reader sees
 * "151.0 → 151.6" and "14.1 → 17.0", never "151 → 151.6". */

/** A formatter of kg as tonnes for these values read together: one decimal as soon as one of
 * them shows a tenth at one decimal, none otherwise. */
export function tonnesFormat(locale: string, together: readonly number[]): (kg: number) => string {
  const decimals = together.some((kg) => Math.round(kg / 100) % 10 !== 0) ? 1 : 0;
  const format = new Intl.NumberFormat(locale, { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  return (kg) => format.format(kg / 1000);
}
