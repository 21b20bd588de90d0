import { explainAuth0Error } from '../../auth0/provision/errors';
import { managementClient } from '../../auth0/provision/management';
import { readTenantState } from '../../auth0/provision/read-state';
import { EXPERIENCE_SPECS } from '../../auth0/provision/setup';
import { parseSigningSecrets } from '../../lambda/core/gateway-secrets';
import { ENV, SECRET_KEY } from '../../shared/names';
import { compareActionSettings } from '../action-settings';
import { optionalAuth0Credentials } from '../auth0-credentials';
import { CommandError, envValue, type Command, type Io, type OptionValues, type RunContext } from '../command';
import { Deployment } from '../deployment';
import { newRateLimitKey, newSigningSecret } from '../signing-keys';
import { DEFAULT_STACK, OUTPUT_KEYS, putGatewaySecret } from '../stack';

/**
 * `sms-gateway secrets rotate-signing-key`: replaces the signing secret shared with Auth0
 * without a moment where codes fail. The gateway accepts every key in the value and the
 * forwarder signs with every key, so the rotation goes through "new old" (both valid) and
 * `--finish` keeps only the new one once Auth0 has it. SMS_GATEWAY_RATE_LIMIT_KEY, which keys
 * the rate-limit counters, stays as it is; a secret without one (made before it existed, or
 * brought with existingSecretArn) gets the current signing key in it first, the value the
 * gateway keys its counters with until then, so no limit restarts with the rotation.
 */

const KEY = SECRET_KEY.signingSecret;

/** Whether the Auth0 Action already signs with the newest key; undefined when it cannot be told. */
async function auth0HasNewest(values: OptionValues, io: Io, deployment: Deployment, value: string): Promise<{ ok: boolean | undefined; why: string }> {
  const creds = optionalAuth0Credentials(values, io);
  if ('missing' in creds) return { ok: undefined, why: `no Auth0 credentials (${creds.missing.join(', ')})` };
  let url = envValue(io.env, ENV.gatewayUrl);
  try {
    url ??= await deployment.output(OUTPUT_KEYS.messagesUrl);
  } catch (err) {
    if (!(err instanceof CommandError)) throw err;
    return { ok: undefined, why: `the gateway URL is unknown (${err.message}); set SMS_GATEWAY_URL` };
  }
  let state;
  try {
    state = await readTenantState(managementClient(creds, io.fetch));
  } catch (err) {
    throw new CommandError(`Could not check the Auth0 Action before finishing: ${explainAuth0Error(err, creds.domain, creds.clientId)} (--force skips the check)`);
  }
  const { action } = state;
  if (!action) return { ok: undefined, why: `the tenant has no Action "${EXPERIENCE_SPECS[state.experience].actionName}"` };
  const match = compareActionSettings(action.code, url, value);
  if (match === 'same' || match === 'newest-key' || match === 'stale-keys') return { ok: true, why: 'the Auth0 Action signs with the new key' };
  if (match === 'unknown') return { ok: undefined, why: 'the Auth0 Action was not deployed by `auth0 deploy`, so its key cannot be compared' };
  return { ok: false, why: 'the Auth0 Action does not have the new key yet' };
}

/** The keys of the current value; a malformed value counts as none, since the gateway cannot use it. */
function currentKeys(secret: Record<string, unknown>): { keys: string[]; malformed: boolean } {
  const value = typeof secret[KEY] === 'string' ? (secret[KEY] as string) : '';
  try {
    return { keys: parseSigningSecrets(KEY, value), malformed: false };
  } catch {
    return { keys: [], malformed: value.trim() !== '' };
  }
}

async function start(values: OptionValues, { io, json }: RunContext, deployment: Deployment): Promise<number> {
  const { arn, values: secret } = await deployment.secret();
  const { keys, malformed } = currentKeys(secret);
  if (keys.length > 1) {
    throw new CommandError(`A rotation is already under way: ${KEY} holds ${keys.length} keys. Finish it first with \`npx sms-gateway secrets rotate-signing-key --finish\` (once Auth0 has the newest key).`);
  }
  const value = [newSigningSecret(), ...keys].join(' ');
  const current = secret[SECRET_KEY.rateLimitKey];
  const hasRateLimitKey = typeof current === 'string' && current.trim() !== '';
  const rateLimitKey = hasRateLimitKey ? current : (keys[0] ?? newRateLimitKey());
  await putGatewaySecret(arn, { ...secret, [KEY]: value, [SECRET_KEY.rateLimitKey]: rateLimitKey }, deployment.region);
  const show = values.show === true;
  const rateLimitNote = hasRateLimitKey
    ? []
    : [`${SECRET_KEY.rateLimitKey} was missing: it now holds ${keys.length > 0 ? 'the old signing key, which keyed the rate-limit counters until now, so no limit restarts' : 'a new key'}.`];

  if (json) {
    const phase = keys.length === 0 ? 'created' : 'started';
    io.stdout(`${JSON.stringify({ ok: true, secretArn: arn, phase, keys: keys.length + 1, rateLimitKey: hasRateLimitKey ? 'kept' : 'added', ...(show ? { value } : {}) })}\n`);
    return 0;
  }
  if (keys.length === 0) {
    io.stdout(
      [
        `${KEY} was ${malformed ? 'malformed' : 'missing'} in ${arn}: a new key was written${malformed ? ' in its place' : ''}.`,
        ...rateLimitNote,
        'Next: `npx sms-gateway auth0 deploy` gives it to the Auth0 Action.',
        ...(show ? ['', value] : []),
      ].join('\n') + '\n',
    );
    return 0;
  }
  io.stdout(
    [
      `New signing key written to ${arn}, before the old one: the gateway now accepts both.`,
      ...rateLimitNote,
      'Next:',
      '  1. Give Auth0 the new value: `npx sms-gateway auth0 deploy` (it copies both keys from the secret; the Action',
      `     signs with both). By hand: paste the whole value (both keys, space-separated) into the Action's ${KEY}`,
      '     secret and deploy the Action; `--show` prints it.',
      '  2. `npx sms-gateway secrets rotate-signing-key --finish` keeps only the new key (it checks Auth0 has it first).',
      '  3. `npx sms-gateway auth0 deploy` again, so the Action stops signing with the old key.',
      'MFA codes keep flowing during every step.',
      ...(show ? ['', value] : []),
    ].join('\n') + '\n',
  );
  return 0;
}

async function finish(values: OptionValues, { io, json }: RunContext, deployment: Deployment): Promise<number> {
  const { arn, values: secret } = await deployment.secret();
  const current = typeof secret[KEY] === 'string' ? (secret[KEY] as string).trim() : '';
  const { keys } = currentKeys(secret);
  if (keys.length < 2) {
    if (json) io.stdout(`${JSON.stringify({ ok: true, secretArn: arn, phase: 'none', keys: keys.length })}\n`);
    else io.stdout(`Nothing to finish: ${KEY} holds ${keys.length === 1 ? 'one key' : 'no key'}.\n`);
    return 0;
  }

  let caution: string | undefined;
  if (values.force !== true) {
    const check = await auth0HasNewest(values, io, deployment, current);
    if (check.ok === false) {
      throw new CommandError(`Not finished: ${check.why}. Run \`npx sms-gateway auth0 deploy\` first, or codes would fail (--force finishes anyway).`);
    }
    if (check.ok === undefined) caution = `Could not check that Auth0 has the new key (${check.why}): if it does not, MFA codes fail until you run \`npx sms-gateway auth0 deploy\`.`;
  }

  const value = keys[0];
  await putGatewaySecret(arn, { ...secret, [KEY]: value }, deployment.region);
  const show = values.show === true;
  if (json) {
    io.stdout(`${JSON.stringify({ ok: true, secretArn: arn, phase: 'finished', keys: 1, removed: keys.length - 1, ...(caution ? { caution } : {}), ...(show ? { value } : {}) })}\n`);
    return 0;
  }
  io.stdout(
    [
      `Rotation finished: ${arn} keeps only the newest key; running Lambdas stop accepting the old one within 5 minutes.`,
      ...(caution ? [caution] : []),
      'Next: `npx sms-gateway auth0 deploy`, so the Action stops signing with the old key.',
      ...(show ? ['', value] : []),
    ].join('\n') + '\n',
  );
  return 0;
}

export const secretsRotateSigningKey: Command = {
  path: ['secrets', 'rotate-signing-key'],
  summary: 'Rotate the signing secret shared with Auth0, with both keys valid during the switch',
  description: [
    `Writes a new ${KEY} (whsec_ + 32 random bytes) before the current one, so the gateway accepts`,
    'both; then `auth0 deploy` gives Auth0 both keys, and `--finish` keeps only the new one.',
    `Rate limits keep counting: ${SECRET_KEY.rateLimitKey} stays as it is (a secret without one first`,
    'gets the current signing key in it, the value its counters were keyed with).',
    '',
    '--finish first checks that the Auth0 Action signs with the new key (with AUTH0_DOMAIN,',
    'AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET set) and refuses if it does not, unless --force.',
    'The key is never printed unless --show is given.',
  ].join('\n'),
  options: {
    finish: { type: 'boolean', description: 'end the rotation: keep only the newest key' },
    force: { type: 'boolean', description: 'with --finish: do not check the Auth0 Action first' },
    show: { type: 'boolean', description: 'print the new value (both keys during a rotation)' },
    'secret-arn': { type: 'string', value: '<arn>', description: "the secret (default: the stack's SecretArn output)" },
    stack: { type: 'string', value: '<name>', description: `CloudFormation stack (default: ${DEFAULT_STACK})` },
    region: { type: 'string', value: '<region>', description: 'AWS region of the stack (default: from the AWS configuration)' },
  },
  run: (values, context) => {
    const deployment = Deployment.fromOptions(values);
    return values.finish === true ? finish(values, context, deployment) : start(values, context, deployment);
  },
};
