import { describe, expect, it } from 'vitest';
import { tonnesFormat } from './tonnes';

function alike(locale: string, ...kgs: number[]): string[] {
  return kgs.map(tonnesFormat(locale, kgs));
}

describe('tonnes read together share their decimals', () => {
  it('writes a whole number with a decimal when its pair has one', () => {
    expect(alike('en', 151_000, 151_600)).toEqual(['151.0', '151.6']);
    expect(alike('en', 14_100, 17_000)).toEqual(['14.1', '17.0']);
  });

  it('keeps whole numbers whole when every value rounds to one', () => {
    expect(alike('en', 151_000, 152_040, 1_040)).toEqual(['151', '152', '1']);
  });

  it('rounds to one decimal at most, negative changes included', () => {
    expect(alike('en', 3_185_449, -840)).toEqual(['3,185.4', '-0.8']);
  });

  it('writes a lone value as before: one decimal when it has a tenth', () => {
    expect(alike('en', 151_600)).toEqual(['151.6']);
    expect(alike('en', 151_000)).toEqual(['151']);
  });

  it('follows the locale', () => {
    const narrowSpace = '\u202f';
    expect(alike('fr', 1_234_000, 1_234_500)).toEqual([`1${narrowSpace}234,0`, `1${narrowSpace}234,5`]);
  });
});
