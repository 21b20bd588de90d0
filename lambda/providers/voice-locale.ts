import { locales } from '../../config/voices.json';
import { languageChain } from '../core/templates';

/**
 * The locale of a voice table (config/voices.json: Twilio's, AWS's) that speaks a language tag,
 * following its chain: `es-MX` itself, then `es`, whose usual locale (`locales`) is `es-ES`.
 * Tables spell locales as `en-GB`; requests may not (`en-gb`).
 */
export function localeFinder(table: Record<string, unknown>): (tag: string) => string | undefined {
  const byTag = new Map(Object.keys(table).map((locale) => [locale.toLowerCase(), locale]));
  const usual: Record<string, string | undefined> = locales;
  return (tag) => {
    for (const step of languageChain(tag)) {
      const locale = byTag.get(step) ?? byTag.get(usual[step]?.toLowerCase() ?? '');
      if (locale) return locale;
    }
    return undefined;
  };
}
