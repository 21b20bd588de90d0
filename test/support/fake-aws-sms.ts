import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SNSEvent } from 'aws-lambda';
import { sign } from 'aws4';
import { ENV } from '../../shared/names';
import { AwsSmsAccountFixture, type PhoneNumberFixture, type PoolFixture, type SenderIdFixture } from './fake-aws-sms-account';
import { Loopback } from './loopback';

/**
 * A loopback server that plays AWS End User Messaging SMS and Voice v2 (the
 * `pinpoint-sms-voice-v2` API) for the operations the gateway calls, answering as AWS documents
 * it. Sources: the API reference (https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/:
 * SendTextMessage, SendVoiceMessage, their errors, and "Common Errors"); the service model's
 * protocol, AWS JSON 1.0 (`POST /`, `Content-Type: application/x-amz-json-1.0`,
 * `X-Amz-Target: PinpointSMSVoiceV2.<Operation>`, errors as `{"__type", "Message", "Reason", ...}`
 * in Smithy's awsJson1_0 specification); and the user guide's "Example event data" for the
 * events (https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-event-format.html).
 * test/unit/fake-aws-sms.test.ts checks the shapes below against AWS's own client
 * (@aws-sdk/client-pinpoint-sms-voice-v2) and drives the fake with it.
 *
 * What it checks, in AWS's order: the SigV4 `Authorization` header, recomputed with aws4's own
 * signer from the credentials the test gave the gateway (service `sms-voice`, the fake's region,
 * X-Amz-Date within 15 minutes, the session token); the target and the content type; the input
 * against the operation's documented members (no others, the required ones, each one's type and
 * constraints); then the account (fake-aws-sms-account.ts): the origination identity and the
 * configuration set exist, the identity can send on that channel, the number has not opted out.
 * What it answers: 200 `{"MessageId"}`, or the documented error. Behaviors the reference does not
 * spell out are marked [inference].
 *
 * The read operations `sms-gateway doctor` calls (READ_OPERATIONS: DescribeAccountAttributes,
 * DescribeSpendLimits, DescribePhoneNumbers, DescribePools, ListPoolOriginationIdentities,
 * DescribeSenderIds, DescribeConfigurationSets, GetProtectConfigurationCountryRuleSet) answer from
 * `account`, as FakeTwilio delegates its GETs to TwilioAccountFixture, with the inputs, outputs,
 * pagination (NextToken, MaxResults) and errors of their API reference pages: an id that names
 * nothing is ResourceNotFoundException ("If you specify a phone number ID that isn't valid, an
 * error is returned"). More operations are added with `define`.
 */

export type MemberShape =
  | { type: 'string'; pattern?: RegExp; min?: number; max?: number; enum?: readonly string[] }
  | { type: 'integer'; min?: number; max?: number }
  | { type: 'boolean' }
  | { type: 'map'; maxEntries?: number }
  | { type: 'list'; of: 'string' | 'structure'; maxItems?: number };

/** An operation's input as the model defines it: its members, and which are required. */
export interface OperationShape {
  members: Record<string, MemberShape>;
  required: readonly string[];
}

export interface RecordedAwsRequest {
  operation: string;
  headers: IncomingMessage['headers'];
  /** The parsed input, when it was a JSON object. */
  input?: Record<string, unknown>;
  /** Whether its signature was checked and correct. */
  signed: boolean;
}

export interface AwsAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering (a slow AWS). */
  delayMs?: number;
  /** Close the connection without answering. */
  hangUp?: boolean;
}

export type OperationHandler = (input: Record<string, unknown>, request: RecordedAwsRequest) => AwsAnswer;
type Script = AwsAnswer | ((request: RecordedAwsRequest) => AwsAnswer);

/** A message or call AWS took. */
export interface SentMessage {
  messageId: string;
  operation: 'SendTextMessage' | 'SendVoiceMessage';
  input: Record<string, unknown>;
}

const TARGET_PREFIX = 'PinpointSMSVoiceV2.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
const NAMESPACE = 'com.amazonaws.pinpointsmsvoicev2';

/**
 * An error answer as AWS JSON 1.0 serializes it: the full shape id in `__type` (which the
 * protocol says servers should send, and clients cut after the `#`), the members PascalCase.
 * HTTP 400 for client faults, 500 for InternalServerException (API reference, each error's
 * "HTTP Status Code").
 */
export function awsError(type: string, message: string, members: Record<string, unknown> = {}, status = type === 'InternalServerException' ? 500 : 400): AwsAnswer {
  return { status, body: { __type: `${NAMESPACE}#${type}`, Message: message, ...members } };
}

// The members of SendTextMessageRequest and SendVoiceMessageRequest, with the constraints the
// API reference gives (and the service model, which the SDK is generated from).
const PHONE = /^\+?[1-9][0-9]{1,18}$/;
const IDENTITY = /^[A-Za-z0-9_:/+-]+$/;
const NAME_OR_ARN = /^[A-Za-z0-9_:/-]+$/;
const PRICE = /^[0-9]{0,2}\.[0-9]{1,5}$/;
const NOT_BLANK = /(?!\s*$)[\s\S]+/;
/** SendVoiceMessage's VoiceId: the Amazon Polly voices the API lists. */
export const VOICE_IDS = [
  'AMY', 'ASTRID', 'BIANCA', 'BRIAN', 'CAMILA', 'CARLA', 'CARMEN', 'CELINE', 'CHANTAL', 'CONCHITA', 'CRISTIANO', 'DORA',
  'EMMA', 'ENRIQUE', 'EWA', 'FILIZ', 'GERAINT', 'GIORGIO', 'GWYNETH', 'HANS', 'INES', 'IVY', 'JACEK', 'JAN', 'JOANNA',
  'JOEY', 'JUSTIN', 'KARL', 'KENDRA', 'KIMBERLY', 'LEA', 'LIV', 'LOTTE', 'LUCIA', 'LUPE', 'MADS', 'MAJA', 'MARLENE',
  'MATHIEU', 'MATTHEW', 'MAXIM', 'MIA', 'MIGUEL', 'MIZUKI', 'NAJA', 'NICOLE', 'PENELOPE', 'RAVEENA', 'RICARDO', 'RUBEN',
  'RUSSELL', 'SALLI', 'SEOYEON', 'TAKUMI', 'TATYANA', 'VICKI', 'VITORIA', 'ZEINA', 'ZHIYU',
] as const;

export const SEND_TEXT_MESSAGE: OperationShape = {
  members: {
    DestinationPhoneNumber: { type: 'string', pattern: PHONE, min: 1, max: 20 },
    OriginationIdentity: { type: 'string', pattern: IDENTITY, min: 1, max: 256 },
    MessageBody: { type: 'string', pattern: NOT_BLANK, min: 1, max: 1600 },
    MessageType: { type: 'string', enum: ['TRANSACTIONAL', 'PROMOTIONAL'] },
    Keyword: { type: 'string', min: 1, max: 30 },
    ConfigurationSetName: { type: 'string', pattern: NAME_OR_ARN, min: 1, max: 256 },
    MaxPrice: { type: 'string', pattern: PRICE, min: 2, max: 8 },
    TimeToLive: { type: 'integer', min: 5, max: 259200 },
    Context: { type: 'map', maxEntries: 5 },
    DestinationCountryParameters: { type: 'map', maxEntries: 10 },
    DryRun: { type: 'boolean' },
    ProtectConfigurationId: { type: 'string', pattern: NAME_OR_ARN, min: 1, max: 256 },
    MessageFeedbackEnabled: { type: 'boolean' },
  },
  required: ['DestinationPhoneNumber'],
};

export const SEND_VOICE_MESSAGE: OperationShape = {
  members: {
    DestinationPhoneNumber: { type: 'string', pattern: PHONE, min: 1, max: 20 },
    OriginationIdentity: { type: 'string', pattern: IDENTITY, min: 1, max: 256 },
    MessageBody: { type: 'string', pattern: NOT_BLANK, min: 1, max: 6000 },
    MessageBodyTextType: { type: 'string', enum: ['TEXT', 'SSML'] },
    VoiceId: { type: 'string', enum: VOICE_IDS },
    ConfigurationSetName: { type: 'string', pattern: NAME_OR_ARN, min: 1, max: 256 },
    MaxPricePerMinute: { type: 'string', pattern: PRICE, min: 2, max: 8 },
    TimeToLive: { type: 'integer', min: 5, max: 259200 },
    Context: { type: 'map', maxEntries: 5 },
    DryRun: { type: 'boolean' },
    ProtectConfigurationId: { type: 'string', pattern: NAME_OR_ARN, min: 1, max: 256 },
    MessageFeedbackEnabled: { type: 'boolean' },
  },
  required: ['DestinationPhoneNumber', 'OriginationIdentity'],
};

// The read operations' inputs, as their API reference pages give them (request syntax, lengths,
// ranges, list sizes) and the service model orders them.
const PAGE = { NextToken: { type: 'string', pattern: /.+/, min: 1, max: 1024 }, MaxResults: { type: 'integer', min: 1, max: 100 } } as const;
const FILTERS: MemberShape = { type: 'list', of: 'structure', maxItems: 20 };
const OWNER: MemberShape = { type: 'string', enum: ['SELF', 'SHARED'] };
const IDS: MemberShape = { type: 'list', of: 'string', maxItems: 5 };

export const READ_OPERATIONS: Record<string, OperationShape> = {
  DescribeAccountAttributes: { members: { ...PAGE }, required: [] },
  DescribeSpendLimits: { members: { ...PAGE }, required: [] },
  DescribePhoneNumbers: { members: { PhoneNumberIds: IDS, Filters: FILTERS, ...PAGE, Owner: OWNER }, required: [] },
  DescribePools: { members: { PoolIds: IDS, Filters: FILTERS, ...PAGE, Owner: OWNER }, required: [] },
  ListPoolOriginationIdentities: { members: { PoolId: { type: 'string', pattern: NAME_OR_ARN, min: 1, max: 256 }, Filters: FILTERS, ...PAGE }, required: ['PoolId'] },
  DescribeSenderIds: { members: { SenderIds: { type: 'list', of: 'structure', maxItems: 5 }, Filters: FILTERS, ...PAGE, Owner: OWNER }, required: [] },
  DescribeConfigurationSets: { members: { ConfigurationSetNames: IDS, Filters: FILTERS, ...PAGE }, required: [] },
  GetProtectConfigurationCountryRuleSet: {
    members: { ProtectConfigurationId: { type: 'string', pattern: NAME_OR_ARN, min: 1, max: 256 }, NumberCapability: { type: 'string', enum: ['SMS', 'VOICE', 'MMS', 'RCS'] } },
    required: ['ProtectConfigurationId', 'NumberCapability'],
  },
};

/** SendVoiceMessage's MessageBody: "TEXT: 3,000 characters; SSML: 6,000 characters including tags". */
const MAX_VOICE_TEXT = 3000;

/** The first problem with an input, as ValidationException's Reason and Fields. */
function validate(shape: OperationShape, input: Record<string, unknown>): AwsAnswer | undefined {
  const fail = (reason: string, name: string, message: string) =>
    awsError('ValidationException', `1 validation error detected: ${message}`, { Reason: reason, Fields: [{ Name: name, Message: message }] });
  for (const name of Object.keys(input)) {
    // [inference] AWS names this reason; which members it refuses that way is not documented.
    if (!(name in shape.members)) return fail('UNSPECIFIED_PARAMETER_NOT_SUPPORTED', name, `Value at '${name}' is not a member of the input.`);
  }
  for (const name of shape.required) {
    if (input[name] === undefined || input[name] === null) return fail('MISSING_PARAMETER', name, `Value at '${name}' failed to satisfy constraint: Member must not be null`);
  }
  for (const [name, value] of Object.entries(input)) {
    const member = shape.members[name];
    const bad = (constraint: string) => fail('FIELD_VALIDATION_FAILED', name, `Value at '${name}' failed to satisfy constraint: ${constraint}`);
    switch (member.type) {
      case 'string':
        if (typeof value !== 'string') return bad('Member must be a string');
        if (member.min !== undefined && value.length < member.min) return bad(`Member must have length greater than or equal to ${member.min}`);
        if (member.max !== undefined && value.length > member.max) return bad(`Member must have length less than or equal to ${member.max}`);
        if (member.pattern && !new RegExp(`^(?:${member.pattern.source.replace(/^\^|\$$/g, '')})$`).test(value)) return bad(`Member must satisfy regular expression pattern: ${member.pattern.source}`);
        if (member.enum && !member.enum.includes(value)) return bad(`Member must satisfy enum value set: [${member.enum.join(', ')}]`);
        break;
      case 'integer':
        if (!Number.isInteger(value)) return bad('Member must be an integer');
        if ((member.min !== undefined && (value as number) < member.min) || (member.max !== undefined && (value as number) > member.max)) return bad(`Member must be between ${member.min} and ${member.max}`);
        break;
      case 'boolean':
        if (typeof value !== 'boolean') return bad('Member must be a boolean');
        break;
      case 'map':
        if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.values(value).some((entry) => typeof entry !== 'string')) return bad('Member must be a map of strings');
        if (member.maxEntries !== undefined && Object.keys(value).length > member.maxEntries) return bad(`Member must have at most ${member.maxEntries} entries`);
        break;
      case 'list':
        if (!Array.isArray(value)) return bad('Member must be a list');
        if (member.maxItems !== undefined && value.length > member.maxItems) return bad(`Member must have at most ${member.maxItems} items`);
        break;
    }
  }
  return undefined;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

export class FakeAwsSms {
  readonly requests: RecordedAwsRequest[] = [];
  /** Every message and call AWS took, in order. */
  readonly sent: SentMessage[] = [];
  readonly account: AwsSmsAccountFixture;
  private readonly operations = new Map<string, { shape: OperationShape; handle: OperationHandler }>();
  private readonly scripts: Script[] = [];
  private loopback!: Loopback;

  private constructor(
    readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
    readonly region: string,
  ) {
    this.account = new AwsSmsAccountFixture(region);
    this.define('SendTextMessage', SEND_TEXT_MESSAGE, (input) => this.sendText(input));
    this.define('SendVoiceMessage', SEND_VOICE_MESSAGE, (input) => this.sendVoice(input));
    const reads = new AwsSmsReads(this.account);
    for (const [operation, shape] of Object.entries(READ_OPERATIONS)) this.define(operation, shape, (input) => reads.answer(operation, input));
  }

  /** Temporary credentials by default, with a session token, as a Lambda's role has them. */
  static async start(options: { region?: string; sessionToken?: boolean } = {}): Promise<FakeAwsSms> {
    const credentials = {
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      ...(options.sessionToken !== false && { sessionToken: randomBytes(48).toString('base64') }),
    };
    const fake = new FakeAwsSms(credentials, options.region ?? 'eu-west-2');
    fake.loopback = await Loopback.start((req, body, res) => fake.handle(req, body, res));
    return fake;
  }

  get url(): string {
    return this.loopback.url;
  }

  /** The variables that point a gateway at this fake with its credentials; `endpoint` replaces the fake's URL (a FaultProxy's). */
  gatewayEnv(endpoint: string = this.url): Record<string, string> {
    return {
      AWS_REGION: this.region,
      AWS_ACCESS_KEY_ID: this.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: this.credentials.secretAccessKey,
      ...(this.credentials.sessionToken && { AWS_SESSION_TOKEN: this.credentials.sessionToken }),
      [ENV.awsSmsEndpointUrl]: endpoint,
      [ENV.awsSmsOriginationIdentity]: this.account.defaultIdentity,
    };
  }

  /** Adds an operation: its documented input, and what it answers (from `account`). */
  define(operation: string, shape: OperationShape, handle: OperationHandler): void {
    this.operations.set(operation, { shape, handle });
  }

  /** The next requests get these answers, in order, instead of the normal behavior (after the signature check). */
  script(...answers: Script[]): void {
    this.scripts.push(...answers);
  }

  /** Scripted answers not yet used. */
  get pending(): number {
    return this.scripts.length;
  }

  /**
   * A script for an AWS that takes the message as it normally would (it is in `sent`) but then
   * misbehaves on the way back: answers `delayMs` late, or hangs up without answering.
   */
  accepting(misbehavior: Pick<AwsAnswer, 'delayMs' | 'hangUp'>): Script {
    return (request) => ({ ...this.behave(request), ...misbehavior });
  }

  close(): Promise<void> {
    return this.loopback.close();
  }

  /**
   * The SNS event the status Lambda receives when the configuration set's event destination
   * publishes this event of a message AWS took: the event JSON of the user guide's example
   * (SMS; a call's event carries the same top-level members [inference: AWS's voice example was
   * not at hand]) as the `Message` of a Lambda SNS record (aws-lambda's SNSEvent).
   */
  deliveryEvent(messageId: string, eventType: string, options: { topicArn: string; isFinal?: boolean }): SNSEvent {
    const sent = this.sent.find((message) => message.messageId === messageId);
    const now = Date.now();
    const voice = eventType.startsWith('VOICE_');
    const event = {
      eventType,
      eventVersion: '1.0',
      eventTimestamp: now,
      isFinal: options.isFinal ?? true,
      originationPhoneNumber: this.account.phoneNumbers[0].PhoneNumber,
      destinationPhoneNumber: sent?.input.DestinationPhoneNumber ?? '+14255550156',
      isoCountryCode: 'US',
      isInternationalSend: false,
      messageId,
      messageRequestTimestamp: now - 300,
      ...(voice ? {} : { messageEncoding: 'GSM', totalMessageParts: 1, mcc: '310', mnc: '800' }),
      messageType: 'TRANSACTIONAL',
      messageStatus: eventType.replace(/^(TEXT|VOICE)_/, ''),
      messageStatusDescription: 'Status reported by the fake',
      context: {},
      totalMessagePrice: 0.00581,
      totalCarrierFee: 0.0,
    };
    return {
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: `${options.topicArn}:${randomUUID()}`,
          Sns: {
            Type: 'Notification',
            MessageId: randomUUID(),
            TopicArn: options.topicArn,
            Subject: undefined as unknown as string,
            Message: JSON.stringify(event),
            Timestamp: new Date(now).toISOString(),
            SignatureVersion: '1',
            Signature: randomBytes(64).toString('base64'),
            SigningCertUrl: `https://sns.${this.region}.amazonaws.com/SimpleNotificationService-example.pem`,
            UnsubscribeUrl: `https://sns.${this.region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${options.topicArn}`,
            MessageAttributes: {},
          },
        },
      ],
    };
  }

  private async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const recorded: RecordedAwsRequest = { operation, headers: req.headers, signed: false };
    this.requests.push(recorded);

    let answer = this.authenticate(req, body);
    if (!answer) {
      recorded.signed = true;
      try {
        const parsed: unknown = JSON.parse(body.toString('utf8'));
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) recorded.input = parsed as Record<string, unknown>;
      } catch {
        // Left undefined: answered below.
      }
      const script = this.scripts.shift();
      answer = script ? (typeof script === 'function' ? script(recorded) : script) : this.behave(recorded, req);
    }
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    if (answer.hangUp) {
      req.socket.destroy();
      return;
    }
    if (res.destroyed) return;
    res.writeHead(answer.status, { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': randomUUID(), ...answer.headers });
    res.end(answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
  }

  /**
   * The SigV4 check: undefined when the request is signed with the fake's credentials, for
   * `sms-voice` in its region, within 15 minutes; else the common error AWS documents
   * (MissingAuthenticationToken and InvalidClientTokenId 403, IncompleteSignature and
   * RequestExpired 400).
   */
  private authenticate(req: IncomingMessage, body: Buffer): AwsAnswer | undefined {
    const authorization = req.headers.authorization;
    if (!authorization) return awsError('MissingAuthenticationToken', 'Missing Authentication Token', {}, 403);
    const match = AUTHORIZATION.exec(authorization);
    if (!match) return awsError('IncompleteSignature', 'The request signature does not conform to AWS standards.');
    const [, accessKeyId, date, region, service, signedHeaders, signature] = match;
    if (accessKeyId !== this.credentials.accessKeyId) {
      return awsError('InvalidClientTokenId', 'The security token included in the request is invalid.', {}, 403);
    }
    if (this.credentials.sessionToken && req.headers['x-amz-security-token'] !== this.credentials.sessionToken) {
      return awsError('InvalidClientTokenId', 'The security token included in the request is invalid.', {}, 403);
    }
    if (service !== 'sms-voice' || region !== this.region) {
      return awsError('IncompleteSignature', `Credential should be scoped to a valid region and to the service sms-voice, not '${region}/${service}'.`);
    }
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const at = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    if (!amzDate.startsWith(date) || Number.isNaN(at)) return awsError('IncompleteSignature', 'X-Amz-Date is missing or does not match the credential scope.');
    if (Math.abs(Date.now() - at) > 15 * 60_000) return awsError('RequestExpired', 'Request has expired.');

    const headers: Record<string, string> = {};
    for (const name of signedHeaders.split(';')) {
      const value = req.headers[name];
      if (value === undefined) return awsError('IncompleteSignature', `The signed header ${name} is missing.`);
      headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    // Given exactly the signed headers (X-Amz-Date among them), aws4 computes what AWS would.
    const expected = sign({ host: headers.host, path: req.url, method: req.method, service, region, headers, body: body.toString('utf8') }, this.credentials);
    const computed = /Signature=([0-9a-f]{64})$/.exec(String(expected.headers?.Authorization))?.[1] ?? '';
    if (computed.length !== signature.length || !timingSafeEqual(Buffer.from(computed), Buffer.from(signature))) {
      return awsError('IncompleteSignature', 'The request signature we calculated does not match the signature you provided.');
    }
    return undefined;
  }

  /** What AWS would answer to a signed request. */
  private behave(request: RecordedAwsRequest, req?: IncomingMessage): AwsAnswer {
    const operation = this.operations.get(request.operation);
    // [inference] AWS JSON services name an unknown target UnknownOperationException.
    if (!operation) return awsError('UnknownOperationException', `Operation ${request.operation || '(none)'} is not known.`);
    const contentType = String(req?.headers['content-type'] ?? CONTENT_TYPE);
    if (contentType.split(';')[0].trim() !== CONTENT_TYPE) return awsError('ValidationException', `Content-Type must be ${CONTENT_TYPE}.`, { Reason: 'CANNOT_PARSE' });
    if (!request.input) return awsError('ValidationException', 'The request body is not a JSON object.', { Reason: 'CANNOT_PARSE' });
    return validate(operation.shape, request.input) ?? operation.handle(request.input, request);
  }

  private checkCommon(input: Record<string, unknown>, channel: 'SMS' | 'VOICE'): AwsAnswer | undefined {
    const identity = input.OriginationIdentity as string | undefined;
    const resolved = identity === undefined ? undefined : this.account.resolveIdentity(identity);
    // [inference] SendTextMessage without an OriginationIdentity would pick one; the gateway always names it.
    if (identity === undefined || !resolved) {
      return awsError('ResourceNotFoundException', `The origination identity ${identity ?? '(none)'} was not found.`, { ResourceType: 'phone-number', ResourceId: identity ?? '' });
    }
    const configurationSet = input.ConfigurationSetName as string | undefined;
    if (configurationSet !== undefined && !this.account.hasConfigurationSet(configurationSet)) {
      return awsError('ResourceNotFoundException', `The configuration set ${configurationSet} was not found.`, { ResourceType: 'configuration-set', ResourceId: configurationSet });
    }
    if (channel === 'VOICE' && resolved.kind === 'sender-id') {
      // [inference] from the Reason's name: sender IDs cannot call (SendVoiceMessage's OriginationIdentity takes numbers and pools only).
      return awsError('ValidationException', 'Sender IDs cannot send voice messages.', { Reason: 'VOICE_CAPABILITY_NOT_AVAILABLE' });
    }
    if (!resolved.capabilities.includes(channel)) {
      // [inference] from the Reason's name.
      return awsError('ConflictException', `The origination identity cannot send ${channel}.`, { Reason: 'NUMBER_CAPABILITIES_MISMATCH', ResourceType: resolved.kind, ResourceId: identity });
    }
    const destination = input.DestinationPhoneNumber as string;
    if (this.account.optedOut.has(destination)) {
      return awsError('ConflictException', `The destination phone number ${destination} is opted out.`, { Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT', ResourceType: 'opted-out-number', ResourceId: destination });
    }
    return undefined;
  }

  private take(operation: SentMessage['operation'], input: Record<string, unknown>): AwsAnswer {
    const messageId = randomUUID();
    if (input.DryRun !== true) this.sent.push({ messageId, operation, input });
    return { status: 200, body: { MessageId: messageId } };
  }

  private sendText(input: Record<string, unknown>): AwsAnswer {
    return this.checkCommon(input, 'SMS') ?? this.take('SendTextMessage', input);
  }

  private sendVoice(input: Record<string, unknown>): AwsAnswer {
    const body = input.MessageBody as string | undefined;
    if (body !== undefined && input.MessageBodyTextType !== 'SSML' && body.length > MAX_VOICE_TEXT) {
      return awsError('ValidationException', `A TEXT MessageBody has at most ${MAX_VOICE_TEXT} characters.`, { Reason: 'FIELD_VALIDATION_FAILED', Fields: [{ Name: 'MessageBody', Message: 'too long' }] });
    }
    if (body !== undefined && input.MessageBodyTextType === 'SSML' && !/^<speak>[\s\S]*<\/speak>$/.test(body)) {
      // [inference] Polly refuses SSML that is not one <speak> document.
      return awsError('ValidationException', 'The SSML MessageBody is not a <speak> document.', { Reason: 'FIELD_VALIDATION_FAILED', Fields: [{ Name: 'MessageBody', Message: 'invalid SSML' }] });
    }
    return this.checkCommon(input, 'VOICE') ?? this.take('SendVoiceMessage', input);
  }
}

/** Answers one read operation from the account. */
type Read = (input: Record<string, unknown>) => AwsAnswer;

const notFound = (type: string, id: unknown) => awsError('ResourceNotFoundException', `The ${type} ${String(id)} was not found.`, { ResourceType: type, ResourceId: String(id) });
const CREATED = Math.floor(Date.UTC(2025, 0, 1) / 1000);

/**
 * The read operations of READ_OPERATIONS over the account's fixture data, with their outputs'
 * required members (API reference: PhoneNumberInformation, PoolInformation,
 * OriginationIdentityMetadata, SenderIdInformation, ConfigurationSetInformation), timestamps in
 * epoch seconds as AWS JSON 1.0 sends them.
 */
class AwsSmsReads {
  private readonly reads: Record<string, Read>;

  constructor(private readonly account: AwsSmsAccountFixture) {
    this.reads = {
      DescribeAccountAttributes: (input) =>
        this.page(input, 'AccountAttributes', [
          { Name: 'ACCOUNT_TIER', Value: account.accountTier },
          ...(account.defaultProtectConfigurationId ? [{ Name: 'DEFAULT_PROTECT_CONFIGURATION_ID', Value: account.defaultProtectConfigurationId }] : []),
        ]),
      DescribeSpendLimits: (input) => this.page(input, 'SpendLimits', account.spendLimits),
      DescribePhoneNumbers: (input) => this.describePhoneNumbers(input),
      DescribePools: (input) => this.describePools(input),
      ListPoolOriginationIdentities: (input) => this.listPoolOriginationIdentities(input),
      DescribeSenderIds: (input) => this.describeSenderIds(input),
      DescribeConfigurationSets: (input) => this.describeConfigurationSets(input),
      GetProtectConfigurationCountryRuleSet: (input) => this.countryRuleSet(input),
    };
  }

  answer(operation: string, input: Record<string, unknown>): AwsAnswer {
    return this.reads[operation](input);
  }

  /** One page of `items`: MaxResults of them (10 when not given [inference: AWS does not document its default]) from NextToken on. */
  private page(input: Record<string, unknown>, key: string, items: readonly unknown[], extra: Record<string, unknown> = {}): AwsAnswer {
    const start = input.NextToken === undefined ? 0 : Number(Buffer.from(String(input.NextToken), 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) return awsError('ValidationException', 'The NextToken is not valid.', { Reason: 'INVALID_NEXT_TOKEN' });
    const size = (input.MaxResults as number | undefined) ?? 10;
    const end = start + size;
    return { status: 200, body: { ...extra, [key]: items.slice(start, end), ...(end < items.length ? { NextToken: Buffer.from(String(end)).toString('base64url') } : {}) } };
  }

  /** The items whose fields match every filter ({Name, Values}); an unknown filter name is refused. */
  private filter<T>(input: Record<string, unknown>, items: readonly T[], fields: Record<string, (item: T) => string[]>): T[] | AwsAnswer {
    let kept = [...items];
    for (const entry of (input.Filters ?? []) as { Name?: unknown; Values?: unknown }[]) {
      const field = fields[String(entry.Name)];
      if (!field || !Array.isArray(entry.Values)) return awsError('ValidationException', `The filter ${String(entry.Name)} is not valid.`, { Reason: 'INVALID_FILTER_VALUES' });
      const values = entry.Values.map(String);
      kept = kept.filter((item) => field(item).some((value) => values.includes(value)));
    }
    return kept;
  }

  private phoneNumberInformation(number: PhoneNumberFixture) {
    return {
      PhoneNumberArn: this.account.arn(`phone-number/${number.PhoneNumberId}`),
      PhoneNumberId: number.PhoneNumberId,
      PhoneNumber: number.PhoneNumber,
      Status: number.Status,
      IsoCountryCode: number.IsoCountryCode,
      MessageType: number.MessageType,
      NumberCapabilities: number.NumberCapabilities,
      NumberType: number.NumberType,
      MonthlyLeasingPrice: '2.00',
      TwoWayEnabled: false,
      SelfManagedOptOutsEnabled: false,
      OptOutListName: 'Default',
      InternationalSendingEnabled: number.InternationalSendingEnabled === true,
      DeletionProtectionEnabled: false,
      ...(number.PoolId ? { PoolId: number.PoolId } : {}),
      CreatedTimestamp: CREATED,
    };
  }

  private describePhoneNumbers(input: Record<string, unknown>): AwsAnswer {
    const ids = input.PhoneNumberIds as string[] | undefined;
    if (ids && input.Owner !== undefined) return awsError('ValidationException', 'The Owner and PhoneNumberIds parameters cannot be used together.', { Reason: 'PARAMETERS_CANNOT_BE_USED_TOGETHER' });
    let numbers = this.account.phoneNumbers.filter((number) => number.Status !== 'DELETED');
    if (ids) {
      const missing = ids.find((id) => !numbers.some((number) => number.PhoneNumberId === id || this.account.arn(`phone-number/${number.PhoneNumberId}`) === id));
      if (missing !== undefined) return notFound('phone-number', missing);
      numbers = numbers.filter((number) => ids.includes(number.PhoneNumberId) || ids.includes(this.account.arn(`phone-number/${number.PhoneNumberId}`)));
    }
    const filtered = this.filter(input, numbers, {
      status: (number) => [number.Status],
      'iso-country-code': (number) => [number.IsoCountryCode],
      'message-type': (number) => [number.MessageType],
      'number-capability': (number) => number.NumberCapabilities,
      'number-type': (number) => [number.NumberType],
    });
    return Array.isArray(filtered) ? this.page(input, 'PhoneNumbers', filtered.map((number) => this.phoneNumberInformation(number))) : filtered;
  }

  private pool(idOrArn: unknown): PoolFixture | undefined {
    return this.account.pools.find((pool) => pool.PoolId === idOrArn || this.account.arn(`pool/${pool.PoolId}`) === idOrArn);
  }

  private describePools(input: Record<string, unknown>): AwsAnswer {
    const ids = input.PoolIds as string[] | undefined;
    if (ids && input.Owner !== undefined) return awsError('ValidationException', 'The Owner and PoolIds parameters cannot be used together.', { Reason: 'PARAMETERS_CANNOT_BE_USED_TOGETHER' });
    const missing = ids?.find((id) => !this.pool(id));
    if (missing !== undefined) return notFound('pool', missing);
    const pools = ids ? this.account.pools.filter((pool) => ids.some((id) => this.pool(id) === pool)) : this.account.pools;
    const filtered = this.filter(input, pools, { status: (pool) => [pool.Status], 'message-type': (pool) => [pool.MessageType], 'shared-routes-enabled': (pool) => [String(pool.SharedRoutesEnabled === true)] });
    if (!Array.isArray(filtered)) return filtered;
    return this.page(
      input,
      'Pools',
      filtered.map((pool) => ({
        PoolArn: this.account.arn(`pool/${pool.PoolId}`),
        PoolId: pool.PoolId,
        Status: pool.Status,
        MessageType: pool.MessageType,
        TwoWayEnabled: false,
        SelfManagedOptOutsEnabled: false,
        OptOutListName: 'Default',
        SharedRoutesEnabled: pool.SharedRoutesEnabled === true,
        DeletionProtectionEnabled: false,
        CreatedTimestamp: CREATED,
      })),
    );
  }

  private listPoolOriginationIdentities(input: Record<string, unknown>): AwsAnswer {
    const pool = this.pool(input.PoolId);
    if (!pool) return notFound('pool', input.PoolId);
    const members = this.account.phoneNumbers.filter((number) => number.PoolId === pool.PoolId && number.Status !== 'DELETED');
    const filtered = this.filter(input, members, { 'iso-country-code': (number) => [number.IsoCountryCode], 'number-capability': (number) => number.NumberCapabilities });
    if (!Array.isArray(filtered)) return filtered;
    const identities = filtered.map((number) => ({
      OriginationIdentityArn: this.account.arn(`phone-number/${number.PhoneNumberId}`),
      OriginationIdentity: number.PhoneNumberId,
      IsoCountryCode: number.IsoCountryCode,
      NumberCapabilities: number.NumberCapabilities,
      PhoneNumber: number.PhoneNumber,
    }));
    return this.page(input, 'OriginationIdentities', identities, { PoolArn: this.account.arn(`pool/${pool.PoolId}`), PoolId: pool.PoolId });
  }

  private describeSenderIds(input: Record<string, unknown>): AwsAnswer {
    const wanted = input.SenderIds as { SenderId?: string; IsoCountryCode?: string }[] | undefined;
    // A SenderId may be its ARN (API reference: shared resources are named by their ARN).
    const matches = (entry: SenderIdFixture, want: { SenderId?: string; IsoCountryCode?: string }) =>
      (want.SenderId === entry.SenderId || want.SenderId === this.account.arn(`sender-id/${entry.SenderId}/${entry.IsoCountryCode}`)) && want.IsoCountryCode === entry.IsoCountryCode;
    const missing = wanted?.find((want) => !this.account.senderIds.some((entry) => matches(entry, want)));
    if (missing) return notFound('sender-id', missing.SenderId);
    const entries = wanted ? this.account.senderIds.filter((entry) => wanted.some((want) => matches(entry, want))) : this.account.senderIds;
    const filtered = this.filter(input, entries, {
      'sender-id': (entry) => [entry.SenderId],
      'iso-country-code': (entry) => [entry.IsoCountryCode],
      registered: (entry) => [String(entry.Registered)],
    });
    if (!Array.isArray(filtered)) return filtered;
    return this.page(
      input,
      'SenderIds',
      filtered.map((entry) => ({
        SenderIdArn: this.account.arn(`sender-id/${entry.SenderId}/${entry.IsoCountryCode}`),
        SenderId: entry.SenderId,
        IsoCountryCode: entry.IsoCountryCode,
        MessageTypes: ['TRANSACTIONAL'],
        MonthlyLeasingPrice: '0.00',
        DeletionProtectionEnabled: false,
        Registered: entry.Registered,
      })),
    );
  }

  private describeConfigurationSets(input: Record<string, unknown>): AwsAnswer {
    const names = input.ConfigurationSetNames as string[] | undefined;
    const missing = names?.find((name) => !this.account.configurationSet(name));
    if (missing !== undefined) return notFound('configuration-set', missing);
    const sets = names ? names.map((name) => this.account.configurationSet(name)!) : [...this.account.configurationSets.values()];
    return this.page(
      input,
      'ConfigurationSets',
      sets.map((set) => ({
        ConfigurationSetArn: this.account.arn(`configuration-set/${set.ConfigurationSetName}`),
        ConfigurationSetName: set.ConfigurationSetName,
        EventDestinations: set.EventDestinations,
        CreatedTimestamp: CREATED,
        ...(set.ProtectConfigurationId ? { ProtectConfigurationId: set.ProtectConfigurationId } : {}),
      })),
    );
  }

  private countryRuleSet(input: Record<string, unknown>): AwsAnswer {
    const id = String(input.ProtectConfigurationId).replace(/^arn:.*:protect-configuration\//, '');
    const configuration = this.account.protectConfigurations.get(id);
    if (!configuration) return notFound('protect-configuration', input.ProtectConfigurationId);
    const capability = input.NumberCapability as 'SMS' | 'VOICE';
    const rules = configuration[capability] ?? {};
    return {
      status: 200,
      body: {
        ProtectConfigurationArn: this.account.arn(`protect-configuration/${id}`),
        ProtectConfigurationId: id,
        NumberCapability: capability,
        CountryRuleSet: Object.fromEntries(Object.entries(rules).map(([country, status]) => [country, { ProtectStatus: status }])),
      },
    };
  }
}
