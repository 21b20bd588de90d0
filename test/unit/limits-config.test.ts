import { ConfigurationError } from '../../lambda/core/errors';
import { DEFAULT_RATE_LIMITS, parseAllowedCountries, parseRateLimits } from '../../lambda/core/limits-config';

function refusal(parse: () => unknown): ConfigurationError {
  try {
    parse();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigurationError);
    return err as ConfigurationError;
  }
  throw new Error('the value was accepted');
}

describe('parseRateLimits', () => {
  it('uses the defaults when unset or blank', () => {
    const defaults = [
      { scope: 'recipient', max: 5, windowSeconds: 3600, label: 'recipient:5/1h' },
      { scope: 'recipient', max: 10, windowSeconds: 86400, label: 'recipient:10/24h' },
      { scope: 'ip', max: 20, windowSeconds: 3600, label: 'ip:20/1h' },
      { scope: 'global', max: 1000, windowSeconds: 3600, label: 'global:1000/1h' },
    ];
    expect(DEFAULT_RATE_LIMITS).toBe('recipient:5/1h,recipient:10/24h,ip:20/1h,global:1000/1h');
    expect(parseRateLimits(undefined)).toEqual(defaults);
    expect(parseRateLimits('')).toEqual(defaults);
    expect(parseRateLimits('   ')).toEqual(defaults);
  });

  it('turns rate limiting off with "off", in any case', () => {
    expect(parseRateLimits('off')).toEqual([]);
    expect(parseRateLimits(' OFF ')).toEqual([]);
  });

  it('reads every scope and unit, ignoring spaces around entries', () => {
    expect(parseRateLimits(' recipient:3/30s , ip:7/15m,country:100/2h, global:5000/7d ')).toEqual([
      { scope: 'recipient', max: 3, windowSeconds: 30, label: 'recipient:3/30s' },
      { scope: 'ip', max: 7, windowSeconds: 900, label: 'ip:7/15m' },
      { scope: 'country', max: 100, windowSeconds: 7200, label: 'country:100/2h' },
      { scope: 'global', max: 5000, windowSeconds: 604800, label: 'global:5000/7d' },
    ]);
  });

  it.each(['recipient', 'recipient:5', 'recipient:5/h', 'recipient:5/1w', 'recipient 5/1h', 'Recipient:5/1h', 'recipient:-5/1h', 'recipient:5/1h,'])(
    'refuses the malformed entry in %p',
    (value) => {
      const error = refusal(() => parseRateLimits(value));
      expect(error.key).toBe('RATE_LIMITS');
      expect(error.message).toMatch(/^RATE_LIMITS has ".*": each limit is scope:count\/window, like recipient:5\/1h\.$/);
    },
  );

  it('refuses an unknown scope, naming the valid ones', () => {
    expect(refusal(() => parseRateLimits('user:5/1h')).message).toBe('RATE_LIMITS has "user:5/1h": the scope must be one of recipient, ip, country, global.');
  });

  it('refuses a count of zero', () => {
    expect(refusal(() => parseRateLimits('ip:0/1h')).message).toBe('RATE_LIMITS has "ip:0/1h": the count must be at least 1.');
  });

  it('refuses a window of zero or over 7 days', () => {
    for (const entry of ['ip:5/0s', 'ip:5/8d', 'ip:5/169h']) {
      expect(refusal(() => parseRateLimits(entry)).message).toBe(`RATE_LIMITS has "${entry}": the window must be between 1s and 7d.`);
    }
    expect(parseRateLimits('ip:5/168h')[0].windowSeconds).toBe(7 * 86400);
  });

  it('refuses two limits of one scope over the same window, however written', () => {
    expect(refusal(() => parseRateLimits('recipient:5/1h,recipient:8/60m')).message).toBe('RATE_LIMITS has two recipient limits over the same window.');
  });

  it('allows limits of different scopes over the same window', () => {
    expect(parseRateLimits('recipient:5/1h,ip:5/1h')).toHaveLength(2);
  });

  it('names the key it was given (the CDK stack reads the same value under its own name)', () => {
    expect(refusal(() => parseRateLimits('nonsense', 'rateLimits')).message).toMatch(/^rateLimits has "nonsense"/);
  });
});

describe('parseAllowedCountries', () => {
  it('allows every country when unset or empty', () => {
    expect(parseAllowedCountries(undefined)).toEqual([]);
    expect(parseAllowedCountries('')).toEqual([]);
    expect(parseAllowedCountries(' , ')).toEqual([]);
  });

  it('upper-cases, trims and de-duplicates the codes', () => {
    expect(parseAllowedCountries(' us, CA,gb ,US')).toEqual(['US', 'CA', 'GB']);
  });

  it.each(['XX', 'U', '1', 'U S', 'EU'])('refuses %p, which is not a country with phone numbers', (code) => {
    const error = refusal(() => parseAllowedCountries(`US,${code}`));
    expect(error.key).toBe('ALLOWED_COUNTRIES');
    expect(error.message).toBe(`ALLOWED_COUNTRIES has "${code.toUpperCase()}", which is not an ISO 3166 alpha-2 country code with phone numbers.`);
  });

  it.each([
    ['UK', 'GB'],
    ['el', 'GR'],
    ['USA', 'US'],
    ['ja', 'JP'],
  ])('refuses %p and suggests the ISO code %s', (code, meant) => {
    expect(refusal(() => parseAllowedCountries(`US,${code}`)).message).toBe(
      `ALLOWED_COUNTRIES has "${code.toUpperCase()}", which is not an ISO 3166 alpha-2 country code with phone numbers: did you mean ${meant}?`,
    );
  });

  it('names the key it was given', () => {
    expect(refusal(() => parseAllowedCountries('ZZ', 'allowedCountries')).key).toBe('allowedCountries');
  });
});
