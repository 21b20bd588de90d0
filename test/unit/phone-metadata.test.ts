import { readFileSync } from 'node:fs';
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString as parseWithMin, type CountryCode } from 'libphonenumber-js';
import examples from 'libphonenumber-js/mobile/examples';
import { buildPhoneMetadata, formatPhoneMetadata, OUTPUT } from '../../scripts/phone-metadata';
import { parseE164 } from '../../lambda/core/phone';

/**
 * The send Lambda's phone metadata (lambda/core/phone-metadata.json): made from the installed
 * libphonenumber-js, and as good as the library's own `min` set for validation.
 */

it('is what `npm run phone-metadata` makes from the installed libphonenumber-js', () => {
  // After an upgrade of libphonenumber-js, run `npm run phone-metadata` and commit the result.
  expect(readFileSync(OUTPUT, 'utf8')).toBe(formatPhoneMetadata(buildPhoneMetadata()));
});

/** For every country: its example mobile number, and numbers near it that may or may not exist. */
function sample(): string[] {
  return getCountries().flatMap((country) => {
    const national = examples[country as CountryCode];
    if (!national) return [];
    const callingCode = getCountryCallingCode(country);
    const variants = [national, national.slice(0, -1), `${national}7`, `${national.slice(0, -2)}00`, `9${national.slice(1)}`, `1${national.slice(1)}`, `8${national.slice(1)}`];
    return variants.map((digits) => `+${callingCode}${digits}`);
  });
}

it('validates every number as the library does with its default metadata', () => {
  const numbers = sample();
  expect(numbers.length).toBeGreaterThan(1500);
  const disagreements = numbers.filter((number) => {
    const reference = parseWithMin(number);
    const expected = reference?.isValid() && reference.number === number ? reference.country : 'invalid';
    const parsed = parseE164(number);
    return (parsed ? parsed.country : 'invalid') !== expected;
  });
  expect(disagreements).toEqual([]);
});

it("never refuses a country's example mobile number", () => {
  const refused = getCountries().flatMap((country) => {
    const national = examples[country as CountryCode];
    const parsed = national ? parseE164(`+${getCountryCallingCode(country)}${national}`) : undefined;
    return parsed?.nonPersonalType ? [`${country}: ${parsed.nonPersonalType}`] : [];
  });
  expect(refused).toEqual([]);
});

it('keeps the patterns of the refused types for every country that has them', () => {
  const { nonPersonalTypes } = buildPhoneMetadata();
  expect(Object.keys(nonPersonalTypes).length).toBeGreaterThan(190);
  expect(nonPersonalTypes.GB).toEqual(
    expect.objectContaining({ PREMIUM_RATE: expect.any(Array), TOLL_FREE: expect.any(Array), PERSONAL_NUMBER: expect.any(Array), UAN: expect.any(Array), PAGER: expect.any(Array) }),
  );
  expect(Object.keys(nonPersonalTypes['979']!)).toEqual(['PREMIUM_RATE']);
  expect(JSON.stringify(nonPersonalTypes)).not.toMatch(/MOBILE|FIXED_LINE|VOIP/);
});
