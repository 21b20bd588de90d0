/**
 * `npm run phone-metadata`: writes lambda/core/phone-metadata.json, the phone metadata the send
 * Lambda bundles, from the installed libphonenumber-js. Run it after every upgrade of the
 * library (test/unit/phone-metadata.test.ts fails until then).
 *
 * Why a custom set (the library's README, "Custom metadata"): the default `min` set knows no
 * number types, and the `max` set that does is 157 KB, which the send bundle cannot afford.
 * The gateway never formats a number, so this set is `min` without its formatting rules
 * (validation stays exactly as before), plus, from `max`, the patterns of the number types the
 * gateway refuses (lambda/core/number-types.ts) and of no other type.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetadataJson } from 'libphonenumber-js/core';
import { NON_PERSONAL_TYPES, type NonPersonalType, type NonPersonalTypePatterns, type TypePattern } from '../lambda/core/number-types';

export interface PhoneMetadata {
  /** Which libphonenumber-js this was made from. */
  source: string;
  /** For libphonenumber-js/core: the `min` set without number formats. */
  metadata: MetadataJson;
  nonPersonalTypes: NonPersonalTypePatterns;
}

export const OUTPUT = join(__dirname, '..', 'lambda', 'core', 'phone-metadata.json');

// The positions in the library's compressed metadata (libphonenumber-js source/metadata.js),
// and the order of the types in its `types` array (metadata.js, getType()).
const FORMATS = 4;
const TYPES = 11;
const TYPE_ORDER = ['FIXED_LINE', 'MOBILE', 'TOLL_FREE', 'PREMIUM_RATE', 'PERSONAL_NUMBER', 'VOICEMAIL', 'UAN', 'PAGER', 'VOIP', 'SHARED_COST'];
const REFUSED = Object.keys(NON_PERSONAL_TYPES) as NonPersonalType[];

/** One country's (or non-geographic code's) numbering plan, as the library stores it. */
type Plan = unknown[];
type Plans = Pick<MetadataJson, 'version' | 'country_calling_codes'> & { countries: Record<string, Plan>; nonGeographic: Record<string, Plan> };

function withoutFormats(plans: Record<string, Plan>): Record<string, Plan> {
  // 0 is how the library's own generator writes an absent field.
  return Object.fromEntries(Object.entries(plans).map(([key, plan]) => [key, plan.map((field, i) => (i === FORMATS ? 0 : field))]));
}

function refusedPatterns(plans: Record<string, Plan>): NonPersonalTypePatterns {
  const result: NonPersonalTypePatterns = {};
  for (const [key, plan] of Object.entries(plans)) {
    const types = plan[TYPES] as (TypePattern | 0 | undefined)[] | undefined;
    if (!types) continue;
    const refused: Partial<Record<NonPersonalType, TypePattern>> = {};
    for (const name of REFUSED) {
      const type = types[TYPE_ORDER.indexOf(name)];
      if (type && type[0]) refused[name] = type;
    }
    if (Object.keys(refused).length > 0) result[key] = refused;
  }
  return result;
}

export function buildPhoneMetadata(): PhoneMetadata {
  const { version } = require('libphonenumber-js/package.json') as { version: string };
  const min = require('libphonenumber-js/metadata.min.json') as Plans;
  const max = require('libphonenumber-js/metadata.max.json') as Plans;
  const metadata = {
    version: min.version,
    country_calling_codes: min.country_calling_codes,
    countries: withoutFormats(min.countries),
    nonGeographic: withoutFormats(min.nonGeographic),
  };
  return {
    source: `libphonenumber-js ${version}: metadata.min.json without formats; ${REFUSED.join(', ')} from metadata.max.json`,
    metadata: metadata as unknown as MetadataJson,
    nonPersonalTypes: { ...refusedPatterns(max.countries), ...refusedPatterns(max.nonGeographic) },
  };
}

/** One line per country: readable diffs when the library's metadata changes. */
export function formatPhoneMetadata(data: PhoneMetadata): string {
  const block = (entries: Record<string, unknown>, indent: string) =>
    `{\n${Object.entries(entries)
      .map(([key, value]) => `${indent}  ${JSON.stringify(key)}: ${JSON.stringify(value)}`)
      .join(',\n')}\n${indent}}`;
  const { metadata } = data;
  return `{
  "source": ${JSON.stringify(data.source)},
  "metadata": {
    "version": ${JSON.stringify(metadata.version)},
    "country_calling_codes": ${block(metadata.country_calling_codes, '    ')},
    "countries": ${block(metadata.countries, '    ')},
    "nonGeographic": ${block(metadata.nonGeographic, '    ')}
  },
  "nonPersonalTypes": ${block(data.nonPersonalTypes, '  ')}
}
`;
}

if (require.main === module) {
  writeFileSync(OUTPUT, formatPhoneMetadata(buildPhoneMetadata()));
  process.stdout.write(`wrote ${OUTPUT}\n`);
}
