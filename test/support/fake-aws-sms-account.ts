/**
 * The account behind the loopback AWS End User Messaging (fake-aws-sms.ts): its origination
 * identities (phone numbers, pools, sender IDs), configuration sets, opted-out numbers, account
 * attributes, spend limits and protect configurations, as fixture data in the shapes of the API
 * reference's outputs (PhoneNumberInformation, PoolInformation, SenderIdInformation,
 * ConfigurationSetInformation and EventDestination, AccountAttribute, SpendLimit, and
 * GetProtectConfigurationCountryRuleSet's CountryRuleSet:
 * https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/). The sends read it (does
 * the identity exist, can it call, has the number opted out); the read operations `sms-gateway
 * doctor` calls (fake-aws-sms.ts, READ_OPERATIONS) answer from the same data. `reset()` brings
 * back the healthy account every test starts from: production tier, a pool of a US and a
 * Canadian number, a registered sender ID, and the configuration set the stack creates.
 */

export type NumberCapability = 'SMS' | 'VOICE' | 'MMS' | 'RCS';

/** PhoneNumberInformation, the members a test sets. */
export interface PhoneNumberFixture {
  PhoneNumberId: string;
  PhoneNumber: string;
  IsoCountryCode: string;
  NumberCapabilities: NumberCapability[];
  Status: 'PENDING' | 'ACTIVE' | 'ASSOCIATING' | 'DISASSOCIATING' | 'DELETED';
  MessageType: 'TRANSACTIONAL' | 'PROMOTIONAL';
  NumberType: 'SHORT_CODE' | 'LONG_CODE' | 'TOLL_FREE' | 'TEN_DLC' | 'SIMULATOR';
  PoolId?: string;
  /** "When set to true the international sending of phone number is Enabled." */
  InternationalSendingEnabled?: boolean;
}

/** PoolInformation, the members a test sets; its phone numbers are those whose PoolId names it. */
export interface PoolFixture {
  PoolId: string;
  Status: 'CREATING' | 'ACTIVE' | 'DELETING';
  MessageType: 'TRANSACTIONAL' | 'PROMOTIONAL';
  /** Messages to countries without a number of the pool go through numbers shared with other users. */
  SharedRoutesEnabled?: boolean;
}

/** SenderIdInformation, the members a test sets. A sender ID sends SMS only. */
export interface SenderIdFixture {
  SenderId: string;
  IsoCountryCode: string;
  Registered: boolean;
}

/** EventDestination: where a configuration set reports the events of the messages naming it. */
export interface EventDestinationFixture {
  EventDestinationName: string;
  Enabled: boolean;
  MatchingEventTypes: string[];
  SnsDestination?: { TopicArn: string };
}

/** ConfigurationSetInformation, the members a test sets. */
export interface ConfigurationSetFixture {
  ConfigurationSetName: string;
  EventDestinations: EventDestinationFixture[];
  ProtectConfigurationId?: string;
}

/** SpendLimit: US dollars a month; EnforcedLimit applies only when Overridden. */
export interface SpendLimitFixture {
  Name: 'TEXT_MESSAGE_MONTHLY_SPEND_LIMIT' | 'VOICE_MESSAGE_MONTHLY_SPEND_LIMIT' | 'MEDIA_MESSAGE_MONTHLY_SPEND_LIMIT';
  EnforcedLimit: number;
  MaxLimit: number;
  Overridden: boolean;
}

export type ProtectStatus = 'ALLOW' | 'BLOCK' | 'MONITOR' | 'FILTER';

/**
 * A protect configuration's country rules per capability. AWS's rule set names every country
 * (CreateProtectConfiguration: "By default all country rule sets for each capability are set
 * to ALLOW"); the fixture names only those a test sets, and the others answer ALLOW.
 */
export interface ProtectConfigurationFixture {
  SMS: Record<string, ProtectStatus>;
  VOICE: Record<string, ProtectStatus>;
}

export type ResolvedIdentity =
  | { kind: 'phone-number'; capabilities: NumberCapability[] }
  | { kind: 'pool'; capabilities: NumberCapability[] }
  | { kind: 'sender-id'; capabilities: NumberCapability[] };

// arn:aws:sms-voice:<region>:<account>:phone-number/<id>, pool/<id>, sender-id/<id>/<country>.
const IDENTITY_ARN = /^arn:aws[a-z-]*:sms-voice:[a-z0-9-]+:\d{12}:(phone-number|pool|sender-id)\/([^/]+)(?:\/([A-Z]{2}))?$/;

export class AwsSmsAccountFixture {
  readonly region: string;
  readonly accountId = '111122223333';
  phoneNumbers: PhoneNumberFixture[] = [];
  pools: PoolFixture[] = [];
  senderIds: SenderIdFixture[] = [];
  /** By ConfigurationSetName. */
  configurationSets = new Map<string, ConfigurationSetFixture>();
  /** Destination numbers that opted out (replied STOP). */
  optedOut = new Set<string>();
  /** AccountAttribute ACCOUNT_TIER. AWS documents what it tells, not its values: `SANDBOX` stands in for the sandbox's. */
  accountTier = 'PRODUCTION';
  /** AccountAttribute DEFAULT_PROTECT_CONFIGURATION_ID, when the account has a default. */
  defaultProtectConfigurationId?: string;
  spendLimits: SpendLimitFixture[] = [];
  /** By ProtectConfigurationId. */
  protectConfigurations = new Map<string, ProtectConfigurationFixture>();

  constructor(region: string) {
    this.region = region;
    this.reset();
  }

  /** The healthy account every test starts from. */
  reset(): void {
    const pool = 'pool-1234567890abcdef1234567890abcdef';
    this.phoneNumbers = [
      {
        PhoneNumberId: 'phone-1234567890abcdef1234567890abcdef',
        PhoneNumber: '+12065550152',
        IsoCountryCode: 'US',
        NumberCapabilities: ['SMS', 'VOICE'],
        Status: 'ACTIVE',
        MessageType: 'TRANSACTIONAL',
        NumberType: 'TOLL_FREE',
        PoolId: pool,
      },
      {
        PhoneNumberId: 'phone-abcdef1234567890abcdef1234567890',
        PhoneNumber: '+14165550123',
        IsoCountryCode: 'CA',
        NumberCapabilities: ['SMS', 'VOICE'],
        Status: 'ACTIVE',
        MessageType: 'TRANSACTIONAL',
        NumberType: 'LONG_CODE',
        PoolId: pool,
      },
    ];
    this.pools = [{ PoolId: pool, Status: 'ACTIVE', MessageType: 'TRANSACTIONAL' }];
    this.senderIds = [{ SenderId: 'MFACODE', IsoCountryCode: 'GB', Registered: true }];
    // As cdk/constructs/aws-sms.ts creates it: one enabled destination, the events topic.
    this.configurationSets = new Map([
      [
        'sms-gateway',
        {
          ConfigurationSetName: 'sms-gateway',
          EventDestinations: [
            {
              EventDestinationName: 'status-lambda',
              Enabled: true,
              MatchingEventTypes: ['TEXT_DELIVERED', 'TEXT_SUCCESSFUL', 'TEXT_BLOCKED', 'VOICE_COMPLETED', 'VOICE_FAILED'],
              SnsDestination: { TopicArn: `arn:aws:sns:${this.region}:${this.accountId}:MfaSmsGateway-aws-sms-events` },
            },
          ],
        },
      ],
    ]);
    this.optedOut = new Set();
    this.accountTier = 'PRODUCTION';
    this.defaultProtectConfigurationId = undefined;
    this.spendLimits = [
      { Name: 'TEXT_MESSAGE_MONTHLY_SPEND_LIMIT', EnforcedLimit: 0, MaxLimit: 1000, Overridden: false },
      { Name: 'VOICE_MESSAGE_MONTHLY_SPEND_LIMIT', EnforcedLimit: 0, MaxLimit: 1000, Overridden: false },
      { Name: 'MEDIA_MESSAGE_MONTHLY_SPEND_LIMIT', EnforcedLimit: 0, MaxLimit: 1000, Overridden: false },
    ];
    this.protectConfigurations = new Map();
  }

  /** The ARN of a resource of this account, as the API reference's outputs give it. */
  arn(resource: string): string {
    return `arn:aws:sms-voice:${this.region}:${this.accountId}:${resource}`;
  }

  /** The sender the tests' gateways use: the pool, which sends SMS and calls. */
  get defaultIdentity(): string {
    return this.pools[0].PoolId;
  }

  /** An OriginationIdentity as SendTextMessage takes it (number, id, sender ID, or ARN), or undefined when the account has none such. */
  resolveIdentity(identity: string): ResolvedIdentity | undefined {
    const arn = IDENTITY_ARN.exec(identity);
    if (arn && !identity.includes(`:${this.region}:${this.accountId}:`)) return undefined;
    const [kind, id] = arn ? [arn[1], arn[2]] : [undefined, identity];
    if (kind === undefined || kind === 'phone-number') {
      const number = this.phoneNumbers.find((entry) => entry.PhoneNumberId === id || entry.PhoneNumber === id);
      if (number && number.Status === 'ACTIVE') return { kind: 'phone-number', capabilities: number.NumberCapabilities };
    }
    if (kind === undefined || kind === 'pool') {
      const pool = this.pools.find((entry) => entry.PoolId === id);
      if (pool && pool.Status === 'ACTIVE') {
        const members = this.phoneNumbers.filter((entry) => entry.PoolId === pool.PoolId);
        return { kind: 'pool', capabilities: [...new Set(members.flatMap((entry) => entry.NumberCapabilities))] };
      }
    }
    if (kind === undefined || kind === 'sender-id') {
      if (this.senderIds.some((entry) => entry.SenderId === id)) return { kind: 'sender-id', capabilities: ['SMS'] };
    }
    return undefined;
  }

  /** A configuration set, by name or ARN. */
  configurationSet(nameOrArn: string): ConfigurationSetFixture | undefined {
    return this.configurationSets.get(nameOrArn.replace(/^arn:aws[a-z-]*:sms-voice:[^:]+:\d{12}:configuration-set\//, ''));
  }

  hasConfigurationSet(nameOrArn: string): boolean {
    return this.configurationSet(nameOrArn) !== undefined;
  }
}
