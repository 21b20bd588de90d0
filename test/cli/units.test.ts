import { compareActionSettings } from '../../cli/action-settings';
import type { Check } from '../../cli/doctor/check';
import { runChecks } from '../../cli/doctor/checks';
import type { DoctorContext } from '../../cli/doctor/context';
import { formatLine, formatSummary, jsonReport, summarize } from '../../cli/doctor/report';
import { unreachableFix } from '../../cli/doctor/check';
import { awsProblem, AwsUnavailable, AwsUnreachable } from '../../cli/stack';
import { secretProblems, unknownKeys } from '../../cli/doctor/secret-problems';
import { newSigningSecret as cliSigningSecret, sameSecret, signingSecrets } from '../../cli/signing-keys';
import { errorPage, explainTwilioCode } from '../../cli/twilio/error-codes';
import { describeFailure, twilioFailure } from '../../cli/twilio/failure';
import { desiredSetup } from '../../auth0/provision/setup';

/** The CLI's pure parts: fingerprint comparison, secret problems, the report, the error table. */

const URL = 'https://abc123.execute-api.us-east-1.amazonaws.com/messages';

function deployedCode(signingSecret: string, url = URL): string {
  return desiredSetup({ experience: 'legacy', bundle: 'exports.onExecuteSendPhoneMessage = async () => {};', gatewayUrl: url, signingSecret, voice: false }).code;
}

describe('compareActionSettings', () => {
  const [fresh, old, other] = [cliSigningSecret(), cliSigningSecret(), cliSigningSecret()];

  it.each([
    ['the same value', deployedCode(old), old, 'same'],
    ['the same rotation value', deployedCode(`${fresh} ${old}`), `${fresh} ${old}`, 'same'],
    ['only the new key, mid-rotation', deployedCode(fresh), `${fresh} ${old}`, 'newest-key'],
    ['only the old key, mid-rotation', deployedCode(old), `${fresh} ${old}`, 'older-key'],
    ['both keys after the stack finished the rotation', deployedCode(`${fresh} ${old}`), fresh, 'stale-keys'],
    ['another key', deployedCode(other), old, 'different'],
    ['another URL', deployedCode(old, 'https://elsewhere.example.com/messages'), old, 'different'],
    ['code written by hand', 'exports.onExecuteSendPhoneMessage = async () => {};', old, 'unknown'],
  ])('tells %s', (_name, code, stackValue, expected) => {
    expect(compareActionSettings(code, URL, stackValue)).toBe(expected);
  });

  it('reads Actions deployed before key fingerprints existed', () => {
    const legacy = deployedCode(old).replace(/; key fingerprints [0-9a-f ]+\./, '.');
    expect(compareActionSettings(legacy, URL, old)).toBe('same');
    expect(compareActionSettings(legacy, URL, `${fresh} ${old}`)).toBe('older-key');
    expect(compareActionSettings(legacy, URL, other)).toBe('different');
  });

  it('writes fingerprints that do not contain the secret', () => {
    const code = deployedCode(`${fresh} ${old}`);
    for (const key of [fresh, old]) expect(code).not.toContain(key.slice(6, 20));
  });
});

describe('secretProblems', () => {
  it('finds every problem, not only the first, in the gateway\'s own words', () => {
    const problems = secretProblems({
      TWILIO_ACCOUNT_SID: 'ACshort',
      TWILIO_API_KEY_SID: `SK${'0'.repeat(32)}`,
      TWILIO_PHONE_NUMBER: '555-0123',
      SMS_GATEWAY_SIGNING_SECRET: 'whsec_c2hvcnQ=',
    });

    expect(problems.map((problem) => problem.key)).toEqual([
      'SMS_GATEWAY_SIGNING_SECRET',
      'TWILIO_ACCOUNT_SID',
      'TWILIO_AUTH_TOKEN',
      'TWILIO_API_KEY_SECRET',
      'TWILIO_PHONE_NUMBER',
    ]);
    expect(problems[0].message).toBe('SMS_GATEWAY_SIGNING_SECRET must encode 24 to 64 random bytes (it encodes 5).');
  });

  it('finds nothing in a complete secret, and names keys the gateway ignores', () => {
    const values = { TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`, TWILIO_AUTH_TOKEN: 't', TWILIO_PHONE_NUMBER: '+15017122661', SMS_GATEWAY_SIGNING_SECRET: cliSigningSecret(), TWILO_REGION: 'x' };
    expect(secretProblems(values)).toEqual([]);
    expect(unknownKeys(values)).toEqual(['TWILO_REGION']);
  });
});

describe('signing keys', () => {
  it('makes whsec_ keys of 32 random bytes, splits rotations, compares in constant time', () => {
    const key = cliSigningSecret();
    expect(Buffer.from(key.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(cliSigningSecret()).not.toBe(key);
    expect(signingSecrets(` ${key}  other `)).toEqual([key, 'other']);
    expect(sameSecret(key, key)).toBe(true);
    expect(sameSecret(key, `${key}x`)).toBe(false);
  });
});

describe('the doctor\'s report', () => {
  const results = [
    { id: 'a.one', status: 'PASS' as const, detail: 'fine' },
    { id: 'a.two', status: 'WARN' as const, detail: 'hmm', fix: 'do this' },
    { id: 'a.three', status: 'FAIL' as const, detail: 'broken', fix: 'do that' },
    { id: 'a.four', status: 'SKIP' as const, detail: 'not checked: no credentials' },
  ];

  it('prints one line per check and a fix line under WARN and FAIL', () => {
    expect(results.map(formatLine)).toEqual(['PASS  a.one: fine', 'WARN  a.two: hmm\n      fix: do this', 'FAIL  a.three: broken\n      fix: do that', 'SKIP  a.four: not checked: no credentials']);
  });

  it('is ok only when nothing failed', () => {
    expect(summarize(results)).toEqual({ pass: 1, warn: 1, fail: 1, skip: 1, ok: false });
    expect(summarize(results.filter((result) => result.status !== 'FAIL')).ok).toBe(true);
    expect(JSON.parse(jsonReport(results)).checks[0]).toEqual({ id: 'a.one', status: 'PASS', detail: 'fine', fix: null });
  });

  it('is not ok when every check was skipped: nothing was checked', () => {
    const skipped = results.filter((result) => result.status === 'SKIP');
    expect(summarize(skipped)).toEqual({ pass: 0, warn: 0, fail: 0, skip: 1, ok: false });
    expect(formatSummary(summarize(skipped))).toMatch(/^0 passed, 0 warned, 0 failed, 1 skipped: nothing was checked\. Give the doctor /);
    expect(formatSummary(summarize(results))).toBe('1 passed, 1 warned, 1 failed, 1 skipped. Each skipped check names what it needs.');
  });

  it('reports a check that throws as FAIL and runs the next ones', async () => {
    const broken: Check = { id: 'x.broken', run: async () => { throw new Error('boom'); } };
    const fine: Check = { id: 'x.fine', run: async () => ({ status: 'PASS', detail: 'ok' }) };

    const ran = await runChecks({} as DoctorContext, [broken, fine]);

    expect(ran).toEqual([
      { id: 'x.broken', status: 'FAIL', detail: 'the check itself failed: boom', fix: expect.any(String) },
      { id: 'x.fine', status: 'PASS', detail: 'ok' },
    ]);
  });
});

describe('Twilio error codes', () => {
  it.each([30003, 30004, 30005, 30006, 30007, 30008, 30032, 30034, 21211, 21408, 21610, 21614, 21608, 20003, 13224, 13227, 21215, 21216, 21217])('explains %i', (code) => {
    const { meaning, fix } = explainTwilioCode(code);
    expect(meaning).not.toMatch(/^Twilio error/);
    expect(fix.length).toBeGreaterThan(10);
  });

  it('tells a call blocked by Voice geo permissions from one blocked by Twilio\'s block list', () => {
    expect(explainTwilioCode(21215).fix).toContain('voice/settings/geo-permissions');
    expect(explainTwilioCode(13227)).toEqual(explainTwilioCode(21215));
    expect(explainTwilioCode(21216).meaning).toContain('block list');
  });

  it('points to Twilio\'s page for the others', () => {
    expect(explainTwilioCode(12345)).toEqual({ meaning: 'Twilio error 12345', fix: 'see https://www.twilio.com/docs/api/errors/12345' });
    expect(errorPage(30003)).toBe('https://www.twilio.com/docs/api/errors/30003');
  });
});

describe('Twilio failures', () => {
  it('keep Twilio\'s code and message, with any phone number masked', () => {
    const failure = twilioFailure(Object.assign(new Error('The number +14155550123 is unverified.'), { status: 400, code: 21608 }));

    expect(failure).toEqual({ status: 400, code: 21608, message: 'The number +1415***0123 is unverified.' });
    expect(describeFailure(failure)).toBe('Twilio answered HTTP 400, error 21608: The number +1415***0123 is unverified.');
  });

  it('name the network error when Twilio could not be reached', () => {
    const failure = twilioFailure(Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' }));

    expect(failure).toEqual({ message: 'Twilio could not be reached (ECONNREFUSED)' });
  });
});

describe('network failures', () => {
  /** The shape Node's fetch and the AWS SDK's HTTP handler give a failed DNS lookup or connection. */
  const networkError = (code: string) => Object.assign(new Error(`getaddrinfo ${code} cloudformation.us-east-1.amazonaws.com`), { code });

  it.each(['ENOTFOUND', 'ECONNREFUSED', 'ETIMEDOUT'])('of AWS (%s) are to be fixed in the network, never by a deploy', (code) => {
    const problem = awsProblem(networkError(code), 'Could not read the stack MfaSmsGateway');
    expect(problem).toBeInstanceOf(AwsUnreachable);
    expect((problem as AwsUnreachable).problem).toBe(`Could not read the stack MfaSmsGateway: AWS could not be reached (${code})`);
    expect(problem.message).toMatch(/, so check the network connection, the proxy settings \(HTTPS_PROXY\) and AWS_ENDPOINT_URL if it is set\.$/);
    expect(problem.message).not.toMatch(/cdk deploy/);
  });

  it('of AWS credentials and region name what gives them', () => {
    const region = awsProblem(new Error('Region is missing'), 'Could not read the stack X') as AwsUnavailable;
    expect([region.reason, region.fix]).toEqual(['no AWS region', 'set AWS_REGION or pass --region']);
    expect((awsProblem(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'x') as AwsUnavailable).reason).toBe('no AWS credentials');
  });

  it.each([
    ['ENOTFOUND', /does not resolve, so check the URL for a typo and this machine's DNS$/],
    ['EAI_AGAIN', /does not resolve/],
    ['ECONNREFUSED', /^nothing listens there, so start a local gateway with `npm start`, or check the URL$/],
    ['UND_ERR_CONNECT_TIMEOUT', /^check the network path to the URL/],
  ])('of a gateway URL (%s) get the fix for that failure', (code, fix) => {
    expect(unreachableFix(code, 'https://x.example/messages')).toMatch(fix);
  });
});
