import { maskPhone } from '../../lambda/core/e164';
import { parseE164 } from '../../lambda/core/phone';

describe('parseE164', () => {
  it.each([
    ['+14155550123', 'US', '1'],
    ['+34612345678', 'ES', '34'],
    ['+5511987654321', 'BR', '55'],
    ['+33612345678', 'FR', '33'],
    ['+4915112345678', 'DE', '49'],
    ['+61412345678', 'AU', '61'],
  ])('accepts %s as a %s number with calling code %s', (number, country, callingCode) => {
    expect(parseE164(number)).toEqual({ e164: number, country, callingCode });
  });

  it('accepts a valid non-geographic number and leaves its country undefined', () => {
    expect(parseE164('+80012345678')).toEqual({ e164: '+80012345678', country: undefined, callingCode: '800', nonPersonalType: 'TOLL_FREE' });
    expect(parseE164('+881612345678')).toEqual({ e164: '+881612345678', country: undefined, callingCode: '881' });
  });

  it.each([
    ['+33891234567', 'PREMIUM_RATE'], // FR 089x
    ['+33811234567', 'SHARED_COST'], // FR 081x
    ['+611300123456', 'SHARED_COST'], // AU 1300
    ['+19005551234', 'PREMIUM_RATE'], // NANP 900, once in config/denied-prefixes.json
    ['+449012345678', 'PREMIUM_RATE'], // UK 09, idem
    ['+448712345678', 'PREMIUM_RATE'], // UK 0871-0873, idem
    ['+447012345678', 'PERSONAL_NUMBER'], // UK 070, idem
    ['+979123456789', 'PREMIUM_RATE'], // International Premium Rate Service, idem
    ['+80812345678', 'SHARED_COST'], // International Shared Cost Service, idem
    ['+448001234567', 'TOLL_FREE'],
    ['+18005551234', 'TOLL_FREE'],
    ['+443001234567', 'UAN'],
    ['+41740123456', 'PAGER'],
    ['+49160131234567', 'VOICEMAIL'], // DE 0160 voicemail access
    ['+41860123456789', 'VOICEMAIL'], // CH 0860
  ])('knows %s as %s', (number, type) => {
    expect(parseE164(number)).toMatchObject({ e164: number, nonPersonalType: type });
  });

  it.each(['+14155550123', '+447911123456', '+441234567890', '+33912345678', '+4915112345678', '+61412345678', '+5511987654321'])(
    'knows %s as a personal phone (mobile, fixed line or VoIP)',
    (number) => {
      expect(parseE164(number)?.nonPersonalType).toBeUndefined();
    },
  );

  it.each([
    ['spaces', '+1 415 555 0123'],
    ['dashes', '+1-415-555-0123'],
    ['parentheses', '+1 (415) 5550123'],
    ['no plus', '14155550123'],
    ['a double plus', '++14155550123'],
    ['the international prefix 00', '0014155550123'],
    ['a national format', '(415) 555-0123'],
    ['a leading zero after the plus', '+04155550123'],
    ['surrounding whitespace', ' +14155550123 '],
    ['a trailing newline', '+14155550123\n'],
    ['an extension', '+14155550123;ext=12'],
    ['letters', '+1415555CALL'],
    ['more than 15 digits', '+1415555012345678'],
    ['too few digits', '+123456'],
    ['an unassigned country code', '+99912345678'],
    ['a US number whose area code cannot exist', '+10005550123'],
    ['a number too short for its country', '+3361234567'],
    ['full-width digits', '+１４１５５５５０１２３'],
    ['an empty string', ''],
  ])('refuses %s', (_case, value) => {
    expect(parseE164(value)).toBeUndefined();
  });
});

describe('maskPhone', () => {
  it('keeps the first and last four digits of a number of ten digits or more', () => {
    expect(maskPhone('+14155550123')).toBe('+1415***0123');
    expect(maskPhone('+5511987654321')).toBe('+5511***4321');
    expect(maskPhone('4155550123')).toBe('4155***0123');
  });

  it('keeps less of a short number so that at least half of its digits stay hidden', () => {
    expect(maskPhone('+12345678')).toBe('+12***78');
    expect(maskPhone('+1234567')).toBe('+1***7');
    expect(maskPhone('+1234')).toBe('+1***4');
  });

  it('hides every digit of a number too short to show any', () => {
    for (const value of ['+123', '12', '7']) {
      const masked = maskPhone(value);
      expect(masked).toMatch(/^\+?\*\*\*$/);
    }
  });

  it('never returns the whole number', () => {
    for (const value of ['+14155550123', '+447700900123', '+12345678', '+1234', '+12', '5']) {
      const digits = value.replace('+', '');
      expect(maskPhone(value).replace(/\D/g, '')).not.toBe(digits);
    }
  });

  it('trims surrounding whitespace before masking', () => {
    expect(maskPhone('  +14155550123 ')).toBe('+1415***0123');
  });

  it.each([
    ['a formatted number', '+1 415 555 0123'],
    ['letters', 'call me'],
    ['a plus alone', '+'],
    ['digits after text', 'tel:+14155550123'],
  ])('masks %s whole', (_case, value) => {
    expect(maskPhone(value)).toBe('***');
  });

  it('returns an empty string for a missing value', () => {
    expect(maskPhone(undefined)).toBe('');
    expect(maskPhone('')).toBe('');
  });
});
