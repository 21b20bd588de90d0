import { redact } from '../../lambda/core/send-message';
import { mapAwsSmsError } from '../../lambda/providers/aws-sms/errors';
import { mapTwilioError } from '../../lambda/providers/twilio/errors';

/**
 * The use case scrubs the code out of a provider's refusal after the provider masked the phone
 * numbers in it (core/e164.ts, maskPhonesIn). A code of 8 to 10 digits looks like a number to
 * that masking, which keeps its first and last digits: no digit of the code may survive either.
 */

describe('redact', () => {
  it.each(['90817263', '9081726354'])('leaves no digit of the code %s, which the provider masked as a phone number', (code) => {
    const twilio = mapTwilioError(400, { code: 21608, message: `Cannot send "${code} is your code." to unverified +16505551234.` }, 0).message;
    const aws = mapAwsSmsError(400, { type: 'ValidationException', message: `Body '${code} is your code' refused` }, 0).message;
    for (const text of [twilio, aws]) {
      const scrubbed = redact(text, code);
      expect(scrubbed).not.toContain(code.slice(0, 2));
      expect(scrubbed).not.toContain(code.slice(-2));
      expect(scrubbed).toContain('***');
    }
    // The recipient stays masked as before.
    expect(redact(twilio, code)).toContain('+1650***1234');
  });

  it('leaves a masked phone number alone when the code is short', () => {
    expect(redact('to +1650***1234 (code 482913)', '482913')).toBe('to +1650***1234 (code ***)');
  });
});
