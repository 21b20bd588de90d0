/**
 * The account behind the loopback AWS End User Messaging (fake-aws-sms.ts): its origination
 * identities (phone numbers, pools, sender IDs), configuration sets, opted-out numbers and
 * account attributes, as fixture data in the shapes of the API reference's outputs
 * (PhoneNumberInformation, PoolInformation, SenderIdInformation, AccountAttribute:
 * https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/). The sends read it (does
 * the identity exist, can it call, has the number opted out); the read operations a `doctor`
 * needs (DescribePhoneNumbers, DescribePools, DescribeSenderIds, DescribeAccountAttributes, ...)
 * can answer from the same data through FakeAwsSms#define, without changing the sends.
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
}

/** PoolInformation, the members a test sets; its phone numbers are those whose PoolId names it. */
export interface PoolFixture {
  PoolId: string;
  Status: 'CREATING' | 'ACTIVE' | 'DELETING';
  MessageType: 'TRANSACTIONAL' | 'PROMOTIONAL';
}

/** SenderIdInformation, the members a test sets. A sender ID sends SMS only. */
export interface SenderIdFixture {
  SenderId: string;
  IsoCountryCode: string;
  Registered: boolean;
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
  readonly phoneNumbers: PhoneNumberFixture[] = [
    {
      PhoneNumberId: 'phone-1234567890abcdef1234567890abcdef',
      PhoneNumber: '+12065550152',
      IsoCountryCode: 'US',
      NumberCapabilities: ['SMS', 'VOICE'],
      Status: 'ACTIVE',
      MessageType: 'TRANSACTIONAL',
      NumberType: 'TOLL_FREE',
      PoolId: 'pool-1234567890abcdef1234567890abcdef',
    },
  ];
  readonly pools: PoolFixture[] = [{ PoolId: 'pool-1234567890abcdef1234567890abcdef', Status: 'ACTIVE', MessageType: 'TRANSACTIONAL' }];
  readonly senderIds: SenderIdFixture[] = [{ SenderId: 'MFACODE', IsoCountryCode: 'GB', Registered: true }];
  /** ConfigurationSetName of each configuration set. */
  readonly configurationSets = new Set<string>(['sms-gateway']);
  /** Destination numbers that opted out (replied STOP). */
  readonly optedOut = new Set<string>();
  /** AccountAttribute ACCOUNT_TIER. */
  accountTier = 'PRODUCTION';

  constructor(region: string) {
    this.region = region;
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
  hasConfigurationSet(nameOrArn: string): boolean {
    return this.configurationSets.has(nameOrArn.replace(/^arn:aws[a-z-]*:sms-voice:[^:]+:\d{12}:configuration-set\//, ''));
  }
}
