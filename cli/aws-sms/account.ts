import type * as Sdk from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { CommandError } from '../command';
import { awsProblem, AwsUnavailable, AwsUnreachable } from '../stack';
import type { IdentityRef } from './identity';

/**
 * AWS End User Messaging SMS and Voice (pinpoint-sms-voice-v2), read with the user's credentials
 * through AWS's own client, for the doctor: only Describe*, List* and Get* operations, which change
 * nothing and so may be retried (the SDK retries throttling, 5xx and timeouts, up to 3 attempts).
 * Shapes and meanings are the API reference's
 * (https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/), as the SDK's types carry
 * them. The SDK is loaded only when a command reads AWS End User Messaging, so `--help` stays fast.
 */

export interface PoolMember {
  identity: string;
  country: string;
  capabilities: string[];
}

/** An origination identity as the account describes it. */
export type FoundIdentity =
  | { kind: 'phone-number'; arns: string[]; status: string; country: string; capabilities: string[]; internationalSending: boolean }
  | { kind: 'pool'; arns: string[]; status: string; sharedRoutes: boolean; members: PoolMember[] }
  /** A sender ID is one per country: each country's entry. */
  | { kind: 'sender-id'; arns: string[]; entries: { country: string; registered: boolean }[] };

export interface AccountAttributes {
  /** ACCOUNT_TIER: "whether your account is in the sandbox or production environment" (its values are not documented). */
  tier?: string;
  defaultProtectConfigurationId?: string;
}

export interface SpendLimit {
  /** TEXT_MESSAGE_MONTHLY_SPEND_LIMIT, VOICE_MESSAGE_MONTHLY_SPEND_LIMIT, ... */
  name: string;
  /** US dollars a month: the one set by the account's owner when `overridden`, else the account's maximum. */
  inForce: number;
  max: number;
  overridden: boolean;
}

export interface ConfigurationSet {
  name: string;
  protectConfigurationId?: string;
  destinations: { name: string; enabled: boolean; eventTypes: string[]; snsTopicArn?: string }[];
}

/** AWS answered a read with an error: `awsError` is its name (AccessDeniedException, ThrottlingException, ...). */
export class AwsSmsReadError extends CommandError {
  override name = 'AwsSmsReadError';

  constructor(
    message: string,
    readonly action: string,
    readonly awsError: string | undefined,
  ) {
    super(message);
  }

  /** AWS refused the credentials themselves (not a permission): no other read will work either. */
  get credentialsRefused(): boolean {
    return CREDENTIALS_REFUSED.has(this.awsError ?? '');
  }
}

// The common errors AWS answers for credentials it does not accept (API reference, "Common Errors").
const CREDENTIALS_REFUSED = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'ExpiredTokenException', 'IncompleteSignature', 'InvalidSignatureException', 'SignatureDoesNotMatch', 'MissingAuthenticationToken']);

/** Not found, as the read operations say of an id that names nothing (ResourceNotFoundException). */
function notFound(err: unknown): boolean {
  return (err as { name?: string }).name === 'ResourceNotFoundException';
}

export class AwsSmsAccount {
  private constructor(
    private readonly sdk: typeof Sdk,
    private readonly client: Sdk.PinpointSMSVoiceV2Client,
  ) {}

  /**
   * A client for the region (undefined: the AWS configuration's), giving up on an answer after
   * `timeoutMs` (a slow AWS must not hold the doctor). AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2
   * points it elsewhere, as every AWS SDK reads it.
   */
  static open(region: string | undefined, timeoutMs: number): AwsSmsAccount {
    const sdk = require('@aws-sdk/client-pinpoint-sms-voice-v2') as typeof Sdk;
    const client = new sdk.PinpointSMSVoiceV2Client({
      ...(region ? { region } : {}),
      // Without throwOnRequestTimeout, @smithy/node-http-handler only logs a warning when an
      // answer takes longer than requestTimeout, and waits on.
      requestHandler: { requestTimeout: timeoutMs, connectionTimeout: timeoutMs, throwOnRequestTimeout: true },
    });
    return new AwsSmsAccount(sdk, client);
  }

  destroy(): void {
    this.client.destroy();
  }

  /** The region the client reads, for the output. */
  async region(): Promise<string> {
    return this.client.config.region().catch(() => 'the configured region');
  }

  /**
   * Runs one read. Throws AwsUnavailable (no credentials or region), AwsUnreachable (no answer:
   * refused, dropped, timed out) or AwsSmsReadError (AWS's own error, named).
   */
  private async read<T>(action: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      const problem = awsProblem(err, `Could not call sms-voice:${action}`);
      if (problem instanceof AwsUnavailable || problem instanceof AwsUnreachable) throw problem;
      throw new AwsSmsReadError(problem.message, action, (err as { name?: string }).name);
    }
  }

  attributes(): Promise<AccountAttributes> {
    return this.read('DescribeAccountAttributes', async () => {
      const attributes: AccountAttributes = {};
      for await (const page of this.sdk.paginateDescribeAccountAttributes({ client: this.client }, {})) {
        for (const { Name, Value } of page.AccountAttributes ?? []) {
          if (Name === 'ACCOUNT_TIER') attributes.tier = Value;
          if (Name === 'DEFAULT_PROTECT_CONFIGURATION_ID') attributes.defaultProtectConfigurationId = Value;
        }
      }
      return attributes;
    });
  }

  spendLimits(): Promise<SpendLimit[]> {
    return this.read('DescribeSpendLimits', async () => {
      const limits: SpendLimit[] = [];
      for await (const page of this.sdk.paginateDescribeSpendLimits({ client: this.client }, {})) {
        for (const limit of page.SpendLimits ?? []) {
          const max = limit.MaxLimit ?? 0;
          // "To use this custom limit, Overridden must be set to true" (SpendLimit.EnforcedLimit).
          limits.push({ name: limit.Name ?? '?', max, overridden: limit.Overridden === true, inForce: limit.Overridden ? (limit.EnforcedLimit ?? max) : max });
        }
      }
      return limits;
    });
  }

  /**
   * The identity the gateway sends from, or undefined when the account has none such in this
   * region. The read operations take ids and ARNs, not a phone number: a number given in E.164
   * is found among the account's numbers.
   */
  identity(ref: IdentityRef): Promise<FoundIdentity | undefined> {
    switch (ref.kind) {
      case 'phone-number':
        return this.phoneNumber(ref);
      case 'pool':
        return this.pool(ref.value);
      default:
        return this.senderId(ref);
    }
  }

  private phoneNumber(ref: IdentityRef): Promise<FoundIdentity | undefined> {
    return this.read('DescribePhoneNumbers', async () => {
      let found: Sdk.PhoneNumberInformation | undefined;
      try {
        const input = ref.phoneNumber ? {} : { PhoneNumberIds: [ref.value] };
        for await (const page of this.sdk.paginateDescribePhoneNumbers({ client: this.client }, input)) {
          found = (page.PhoneNumbers ?? []).find((number) => !ref.phoneNumber || number.PhoneNumber === ref.phoneNumber);
          if (found) break;
        }
      } catch (err) {
        if (notFound(err)) return undefined;
        throw err;
      }
      if (!found) return undefined;
      return {
        kind: 'phone-number',
        arns: [found.PhoneNumberArn ?? ''],
        status: found.Status ?? 'UNKNOWN',
        country: found.IsoCountryCode ?? '?',
        capabilities: found.NumberCapabilities ?? [],
        internationalSending: found.InternationalSendingEnabled === true,
      };
    });
  }

  private async pool(id: string): Promise<FoundIdentity | undefined> {
    const pool = await this.read('DescribePools', async () => {
      try {
        return (await this.client.send(new this.sdk.DescribePoolsCommand({ PoolIds: [id] }))).Pools?.[0];
      } catch (err) {
        if (notFound(err)) return undefined;
        throw err;
      }
    });
    if (!pool) return undefined;
    const members = await this.read('ListPoolOriginationIdentities', async () => {
      const list: PoolMember[] = [];
      for await (const page of this.sdk.paginateListPoolOriginationIdentities({ client: this.client }, { PoolId: id })) {
        for (const member of page.OriginationIdentities ?? []) {
          list.push({ identity: member.OriginationIdentity ?? '?', country: member.IsoCountryCode ?? '?', capabilities: member.NumberCapabilities ?? [] });
        }
      }
      return list;
    });
    return { kind: 'pool', arns: [pool.PoolArn ?? ''], status: pool.Status ?? 'UNKNOWN', sharedRoutes: pool.SharedRoutesEnabled === true, members };
  }

  /** A sender ID's entries: the one of its ARN's country, or every country's for a bare sender ID. */
  private senderId(ref: IdentityRef): Promise<FoundIdentity | undefined> {
    return this.read('DescribeSenderIds', async () => {
      const input: Sdk.DescribeSenderIdsRequest = ref.country
        ? { SenderIds: [{ SenderId: ref.value, IsoCountryCode: ref.country }] }
        : { Filters: [{ Name: 'sender-id', Values: [ref.value] }] };
      const found: Sdk.SenderIdInformation[] = [];
      try {
        for await (const page of this.sdk.paginateDescribeSenderIds({ client: this.client }, input)) found.push(...(page.SenderIds ?? []));
      } catch (err) {
        if (notFound(err)) return undefined;
        throw err;
      }
      if (found.length === 0) return undefined;
      return {
        kind: 'sender-id',
        arns: found.map((entry) => entry.SenderIdArn ?? ''),
        entries: found.map((entry) => ({ country: entry.IsoCountryCode ?? '?', registered: entry.Registered === true })),
      };
    });
  }

  configurationSet(nameOrArn: string): Promise<ConfigurationSet | undefined> {
    return this.read('DescribeConfigurationSets', async () => {
      let set: Sdk.ConfigurationSetInformation | undefined;
      try {
        set = (await this.client.send(new this.sdk.DescribeConfigurationSetsCommand({ ConfigurationSetNames: [nameOrArn] }))).ConfigurationSets?.[0];
      } catch (err) {
        if (notFound(err)) return undefined;
        throw err;
      }
      if (!set) return undefined;
      return {
        name: set.ConfigurationSetName ?? nameOrArn,
        protectConfigurationId: set.ProtectConfigurationId,
        destinations: (set.EventDestinations ?? []).map((destination) => ({
          name: destination.EventDestinationName ?? '?',
          enabled: destination.Enabled === true,
          eventTypes: destination.MatchingEventTypes ?? [],
          snsTopicArn: destination.SnsDestination?.TopicArn,
        })),
      };
    });
  }

  /** The protect configuration's rule per destination country for SMS (or VOICE): ALLOW, BLOCK, MONITOR or FILTER. */
  countryRules(protectConfigurationId: string, capability: 'SMS' | 'VOICE'): Promise<Record<string, string>> {
    return this.read('GetProtectConfigurationCountryRuleSet', async () => {
      const { CountryRuleSet = {} } = await this.client.send(new this.sdk.GetProtectConfigurationCountryRuleSetCommand({ ProtectConfigurationId: protectConfigurationId, NumberCapability: capability }));
      return Object.fromEntries(Object.entries(CountryRuleSet).map(([country, rule]) => [country.toUpperCase(), rule.ProtectStatus ?? '?']));
    });
  }
}
