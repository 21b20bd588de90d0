import type { Twilio } from 'twilio';
import type { AccountInstance } from 'twilio/lib/rest/api/v2010/account';
import { explainAuth0Error } from '../../auth0/provision/errors';
import { managementClient } from '../../auth0/provision/management';
import { readTenantState } from '../../auth0/provision/read-state';
import type { TenantState } from '../../auth0/provision/state';
import { ConfigurationError } from '../../lambda/core/errors';
import { parseSigningSecrets, readKey } from '../../lambda/core/gateway-secrets';
import { parseAllowedCountries } from '../../lambda/core/limits-config';
import { ENV, PROVIDER, SECRET_KEY, SECRET_KEYS } from '../../shared/names';
import { optionalAuth0Credentials } from '../auth0-credentials';
import { AwsSmsAccount, AwsSmsReadError, type AccountAttributes, type ConfigurationSet, type FoundIdentity } from '../aws-sms/account';
import { parseIdentity, type IdentityRef } from '../aws-sms/identity';
import { CommandError, envValue, stringOption, UsageError, type Io, type OptionValues } from '../command';
import { Deployment } from '../deployment';
import { readRouting, type Routing } from '../provider-routes';
import { AwsUnavailable, AwsUnreachable, OUTPUT_KEYS, type StackDescription } from '../stack';
import { authTokenAccess, twilioClient, type TwilioAccess } from '../twilio/client';
import { describeFailure, twilioFailure } from '../twilio/failure';
import { have, lack, type Needed } from './check';

/**
 * What the doctor's checks look at, each read at most once per run and shared: the stack, its
 * secret, the gateway's URLs, the Twilio account, the Auth0 tenant. Each accessor answers with
 * the value or the reason it is missing (see Needed).
 */

export interface SecretSource {
  values: Record<string, unknown>;
  /** For the report: `secret arn:...` or `environment variables`. */
  source: string;
}

/** AWS End User Messaging as the deployment uses it: what the checks of aws-sms-checks.ts look at. */
export interface AwsSmsSetup {
  /** The sender, and where it was found (the secret wins, as the send Lambda reads it); undefined when none is set. */
  identity?: { value: string; ref: IdentityRef; source: string };
  configurationSet?: { value: string; source: string };
  /**
   * The stack's AwsSmsOriginationIdentity output: the one identity its send Lambda may send from
   * (cdk/constructs/aws-sms.ts grants no other); null when the stack has AWS End User Messaging
   * off; undefined when no stack was read (a local gateway).
   */
  granted?: string | null;
  routing: Routing & { source: string };
  /** Some route names aws (else it sends only for a request that names it: send-test --provider aws). */
  routed: boolean;
}

// A slow AWS End User Messaging may not hold the doctor: each read gives up after this (and is retried twice).
const AWS_TIMEOUT_MS = 5000;

export class DoctorContext {
  readonly deployment: Deployment;
  private readonly cache = new Map<string, Promise<unknown>>();
  private awsSmsClient?: AwsSmsAccount;

  constructor(
    readonly io: Io,
    readonly values: OptionValues,
  ) {
    this.deployment = Deployment.fromOptions(values);
  }

  private once<T>(key: string, compute: () => Promise<T>): Promise<T> {
    if (!this.cache.has(key)) this.cache.set(key, compute());
    return this.cache.get(key) as Promise<T>;
  }

  stack(): Promise<Needed<StackDescription>> {
    return this.once('stack', async () => {
      try {
        return have(await this.deployment.describe());
      } catch (err) {
        if (err instanceof AwsUnavailable) return lack(err.reason, true, err.fix);
        if (err instanceof AwsUnreachable) return lack(err.problem, false, err.fix);
        if (err instanceof CommandError) return lack(err.message);
        throw err;
      }
    });
  }

  /**
   * The gateway's keys: the stack's secret when AWS can be asked, else the environment
   * variables `npm start` reads (a local gateway), else nothing.
   */
  secret(): Promise<Needed<SecretSource>> {
    return this.once('secret', async () => {
      const stack = await this.stack();
      if (stack.ok) {
        try {
          const { arn, values } = await this.deployment.secret();
          return have({ values, source: `secret ${arn}` });
        } catch (err) {
          if (err instanceof CommandError) return lack(err.message);
          throw err;
        }
      }
      if (!stack.unavailable) return lack('the stack could not be read (see aws.stack)', true);
      const fromEnv = Object.fromEntries(SECRET_KEYS.flatMap((key) => (envValue(this.io.env, key) ? [[key, envValue(this.io.env, key)]] : [])));
      if (Object.keys(fromEnv).length > 0) return have({ values: fromEnv, source: 'environment variables' });
      return lack(`${stack.why} to read the stack, and no TWILIO_* or SMS_GATEWAY_SIGNING_SECRET variable in the environment or .env to check instead`, true);
    });
  }

  /** Full URL of POST /messages: --url, SMS_GATEWAY_URL, else the stack output. */
  async messagesUrl(): Promise<Needed<string>> {
    const given = stringOption(this.values, 'url') ?? envValue(this.io.env, ENV.gatewayUrl);
    if (given) return have(given);
    const stack = await this.stack();
    if (!stack.ok) {
      return stack.unavailable
        ? lack(`no gateway URL, since neither --url nor SMS_GATEWAY_URL is given and the stack's ${OUTPUT_KEYS.messagesUrl} cannot be read with ${stack.why}`, true)
        : lack('the stack could not be read (see aws.stack)');
    }
    const url = stack.value.outputs[OUTPUT_KEYS.messagesUrl];
    return url ? have(url) : lack(`the stack has no ${OUTPUT_KEYS.messagesUrl} output`);
  }

  /** Full URL of POST /twilio/status: the stack output, else next to /messages. */
  async statusCallbackUrl(): Promise<Needed<string>> {
    const stack = await this.stack();
    const fromStack = stack.ok && !stringOption(this.values, 'url') ? stack.value.outputs[OUTPUT_KEYS.statusCallbackUrl] : undefined;
    if (fromStack) return have(fromStack);
    const messages = await this.messagesUrl();
    if (!messages.ok) return messages;
    return have(messages.value.replace(/\/messages$/, '/twilio/status'));
  }

  async signingSecret(): Promise<Needed<string>> {
    const secret = await this.secret();
    if (!secret.ok) return secret;
    const value = secret.value.values[SECRET_KEY.signingSecret];
    if (typeof value !== 'string' || !value.trim()) return lack('the secret has no SMS_GATEWAY_SIGNING_SECRET (see aws.secret)', true);
    try {
      parseSigningSecrets(SECRET_KEY.signingSecret, value.trim());
    } catch {
      return lack('SMS_GATEWAY_SIGNING_SECRET is malformed (see aws.secret)', true);
    }
    return have(value.trim());
  }

  async twilioAccess(): Promise<Needed<TwilioAccess>> {
    const secret = await this.secret();
    if (!secret.ok) return secret;
    const access = authTokenAccess(secret.value.values);
    return access ? have(access) : lack('the secret has no TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (see aws.secret)', true);
  }

  twilio(access: TwilioAccess): Twilio {
    return twilioClient(access, this.io.env);
  }

  /** The Twilio account, fetched with the auth token: the proof that the credentials work. */
  account(): Promise<Needed<{ client: Twilio; account: AccountInstance }>> {
    return this.once('account', async () => {
      const access = await this.twilioAccess();
      if (!access.ok) return access;
      const client = this.twilio(access.value);
      try {
        return have({ client, account: await client.api.v2010.accounts(access.value.accountSid).fetch() });
      } catch (err) {
        return lack(describeFailure(twilioFailure(err)));
      }
    });
  }

  /** A Twilio client whose credentials work, for the checks that read the account's resources. */
  async twilioReady(): Promise<Needed<Twilio>> {
    const account = await this.account();
    if (!account.ok) return lack(account.unavailable ? account.why : 'the Twilio credentials did not work (see twilio.credentials)', account.unavailable);
    return have(account.value.client);
  }

  /** ALLOWED_COUNTRIES of the send Lambda as deployed (from the template), else the environment's. */
  allowedCountries(): Promise<Needed<{ countries: string[]; source: string }>> {
    return this.once('countries', async () => {
      const stack = await this.stack();
      let raw: string | undefined;
      let source = 'ALLOWED_COUNTRIES variable';
      if (stack.ok) {
        try {
          raw = (await this.deployment.sendEnvironment())[ENV.allowedCountries];
          source = "send Lambda's ALLOWED_COUNTRIES";
        } catch (err) {
          if (err instanceof CommandError) return lack(err.message);
          throw err;
        }
      } else {
        raw = envValue(this.io.env, ENV.allowedCountries);
        if (raw === undefined) {
          const why = stack.unavailable ? `cannot be read with ${stack.why}` : 'could not be read';
          return lack(`the allowed countries are unknown, since ALLOWED_COUNTRIES is not set and the stack ${why}`, true);
        }
      }
      try {
        return have({ countries: parseAllowedCountries(raw), source });
      } catch (err) {
        return lack((err as Error).message);
      }
    });
  }

  /**
   * PROVIDERS and PROVIDER_ROUTES of the send Lambda as deployed (from the template), else of the
   * environment (a local gateway), parsed by the gateway's parser: a parse error is the lack's
   * `why`, not unavailable, so the check that owns it fails.
   */
  routing(): Promise<Needed<Routing & { source: string }>> {
    return this.once('routing', async () => {
      const stack = await this.stack();
      let variables: Record<string, string | undefined> = this.io.env;
      let source = 'PROVIDERS variable';
      if (stack.ok) {
        try {
          variables = await this.deployment.sendEnvironment();
          source = "send Lambda's PROVIDERS";
        } catch (err) {
          if (err instanceof CommandError) return lack(err.message);
          throw err;
        }
      } else if (!stack.unavailable) {
        return lack('the stack could not be read (see aws.stack)', true);
      }
      try {
        return have({ ...readRouting(variables), source });
      } catch (err) {
        if (err instanceof ConfigurationError) return lack(err.message);
        throw err;
      }
    });
  }

  /** AWS End User Messaging's settings as the send Lambda reads them; unavailable when the deployment does not use it. */
  awsSmsSetup(): Promise<Needed<AwsSmsSetup>> {
    return this.once('aws-sms-setup', async () => {
      const routing = await this.routing();
      if (!routing.ok) return lack(routing.unavailable ? routing.why : 'the routes could not be read (see providers.routes)', true);
      const [stack, secret] = await Promise.all([this.stack(), this.secret()]);
      const outputs = stack.ok ? stack.value.outputs : undefined;
      let identity: AwsSmsSetup['identity'];
      let fromSecret: string | undefined;
      try {
        fromSecret = secret.ok ? readKey(secret.value.values, SECRET_KEY.awsSmsOriginationIdentity) : undefined;
      } catch {
        fromSecret = undefined; // Not a string: aws.secret says so.
      }
      const fromStack = outputs?.[OUTPUT_KEYS.awsSmsOriginationIdentity];
      if (fromSecret !== undefined && secret.ok) identity = { value: fromSecret, ref: parseIdentity(fromSecret), source: secret.value.source.startsWith('secret') ? 'the secret' : secret.value.source };
      else if (fromStack) identity = { value: fromStack, ref: parseIdentity(fromStack), source: "the stack's awsSms" };
      const setName = outputs ? outputs[OUTPUT_KEYS.awsSmsConfigurationSet] : envValue(this.io.env, ENV.awsSmsConfigurationSet);
      const routed = routing.value.routed.includes(PROVIDER.aws);
      if (!routed && !identity) return lack(`no route names aws (${routing.value.text}) and no origination identity is set`, true);
      return have({
        identity,
        configurationSet: setName ? { value: setName, source: outputs ? "the stack's AwsSmsConfigurationSet" : 'AWS_SMS_CONFIGURATION_SET variable' } : undefined,
        granted: outputs ? (fromStack ?? null) : undefined,
        routing: routing.value,
        routed,
      });
    });
  }

  /** The client, in the stack's region (else the AWS configuration's). */
  async awsSms(): Promise<AwsSmsAccount> {
    if (!this.awsSmsClient) {
      const stack = await this.stack();
      this.awsSmsClient = AwsSmsAccount.open(this.deployment.region ?? (stack.ok ? stack.value.region : undefined), this.io.awsTimeoutMs ?? AWS_TIMEOUT_MS);
    }
    return this.awsSmsClient;
  }

  /** DescribeAccountAttributes, read once: also the proof that AWS End User Messaging answers these credentials. Throws as AwsSmsAccount does. */
  awsSmsAttributes(): Promise<AccountAttributes> {
    return this.once('aws-sms-attributes', async () => (await this.awsSms()).attributes());
  }

  /**
   * The setup, once AWS End User Messaging answered: the checks after aws-sms.account SKIP when
   * it could not be reached or refused the credentials (one cause, reported once). A refused
   * permission does not stop them: each read has its own.
   */
  async awsSmsReachable(): Promise<Needed<AwsSmsSetup>> {
    const setup = await this.awsSmsSetup();
    if (!setup.ok) return setup;
    try {
      await this.awsSmsAttributes();
    } catch (err) {
      if (err instanceof AwsUnavailable) return lack(err.reason, true);
      if (err instanceof AwsUnreachable || (err instanceof AwsSmsReadError && err.credentialsRefused)) return lack('AWS End User Messaging could not be read (see aws-sms.account)', true);
      if (!(err instanceof AwsSmsReadError)) throw err;
    }
    return setup;
  }

  /** The origination identity as the account describes it (undefined: no such identity in the region). Throws as AwsSmsAccount does. */
  awsSmsIdentity(ref: IdentityRef): Promise<FoundIdentity | undefined> {
    return this.once(`aws-sms-identity:${ref.value}`, async () => (await this.awsSms()).identity(ref));
  }

  awsSmsConfigurationSet(name: string): Promise<ConfigurationSet | undefined> {
    return this.once(`aws-sms-configuration-set:${name}`, async () => (await this.awsSms()).configurationSet(name));
  }

  /** Ends what the checks left open (the AWS End User Messaging client's connections). */
  close(): void {
    this.awsSmsClient?.destroy();
  }

  /** The Auth0 tenant as `auth0 deploy` reads it. */
  tenant(): Promise<Needed<{ domain: string; state: TenantState }>> {
    return this.once('tenant', async () => {
      let creds;
      try {
        creds = optionalAuth0Credentials(this.values, this.io);
      } catch (err) {
        if (err instanceof CommandError || err instanceof UsageError) return lack(err.message);
        throw err;
      }
      if ('missing' in creds) return lack(`no Auth0 credentials, since ${creds.missing.join(', ')} ${creds.missing.length > 1 ? 'are' : 'is'} not set`, true);
      try {
        return have({ domain: creds.domain, state: await readTenantState(managementClient(creds, this.io.fetch)) });
      } catch (err) {
        return lack(explainAuth0Error(err, creds.domain, creds.clientId));
      }
    });
  }
}
