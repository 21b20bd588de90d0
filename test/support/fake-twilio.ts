import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { TwilioAccountFixture } from './fake-twilio-account';
import { Loopback } from './loopback';

/**
 * A loopback server that plays Twilio's REST API for the two resources the gateway creates,
 * answering the way Twilio does: Basic auth (account SID + auth token, or API key + secret),
 * form-encoded bodies, the documented parameters only, Twilio's error JSON, 201 with the new
 * resource. It can also play Twilio's side of status callbacks, signed with the auth token.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  contentType: string;
  username?: string;
  password?: string;
  form: Record<string, string>;
}

export interface ScriptedResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering (a slow or hanging Twilio). */
  delayMs?: number;
  /** Close the connection without answering. */
  hangUp?: boolean;
}

type Script = ScriptedResponse | ((request: RecordedRequest) => ScriptedResponse);

// The parameters Twilio documents for the two POSTs (API v2010, twilio/twilio-oai's
// twilio_api_v2010.json: the form of POST .../Messages.json and .../Calls.json), the ones a client may send.
const MESSAGE_PARAMETERS = new Set([
  'To', 'From', 'MessagingServiceSid', 'Body', 'MediaUrl', 'ContentSid', 'ContentVariables', 'StatusCallback',
  'ApplicationSid', 'MaxPrice', 'ProvideFeedback', 'Attempt', 'ValidityPeriod', 'ForceDelivery', 'ContentRetention',
  'AddressRetention', 'SmartEncoded', 'PersistentAction', 'TrafficType', 'ShortenUrls', 'ScheduleType', 'SendAt',
  'SendAsMms', 'RiskCheck', 'FallbackFrom',
]);
const CALL_PARAMETERS = new Set([
  'To', 'From', 'Method', 'FallbackUrl', 'FallbackMethod', 'StatusCallback', 'StatusCallbackEvent', 'StatusCallbackMethod',
  'SendDigits', 'Timeout', 'Record', 'RecordingChannels', 'RecordingStatusCallback', 'RecordingStatusCallbackMethod',
  'SipAuthUsername', 'SipAuthPassword', 'MachineDetection', 'MachineDetectionTimeout', 'RecordingStatusCallbackEvent',
  'Trim', 'CallerId', 'MachineDetectionSpeechThreshold', 'MachineDetectionSpeechEndThreshold',
  'MachineDetectionSilenceTimeout', 'AsyncAmd', 'AsyncAmdStatusCallback', 'AsyncAmdStatusCallbackMethod', 'Byoc',
  'CallReason', 'CallToken', 'RecordingTrack', 'TimeLimit', 'ClientNotificationUrl', 'Url', 'Twiml', 'ApplicationSid',
]);
// The spec's own limits on values the gateway sends: `Twiml` "Max 4000 characters", `MachineDetection`
// "Can be: Enable or DetectMessageEnd".
const MAX_TWIML_LENGTH = 4000;
const MACHINE_DETECTION = new Set(['Enable', 'DetectMessageEnd']);

function sid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

export function twilioError(status: number, code: number, message: string): ScriptedResponse {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

export class FakeTwilio {
  readonly requests: RecordedRequest[] = [];
  /** Resources created, by SID, with the StatusCallback each asked for. */
  readonly created = new Map<string, RecordedRequest>();
  /** What GET requests read: the account, its numbers and services, message and call status. */
  readonly account = new TwilioAccountFixture();
  private readonly scripts: Script[] = [];
  private readonly credentials = new Set<string>();

  private loopback!: Loopback;

  private constructor(
    readonly accountSid: string,
    readonly authToken: string,
  ) {}

  static async start(options: { accountSid?: string; authToken?: string } = {}): Promise<FakeTwilio> {
    const fake = new FakeTwilio(options.accountSid ?? sid('AC'), options.authToken ?? randomBytes(16).toString('hex'));
    fake.allow(fake.accountSid, fake.authToken);
    fake.loopback = await Loopback.start((req, body, res) => fake.handle(req, body, res));
    return fake;
  }

  get url(): string {
    return this.loopback.url;
  }

  /** Accepts another username:password pair (an API key). */
  allow(username: string, password: string): void {
    this.credentials.add(`${username}:${password}`);
  }

  /** Stops accepting a username:password pair (a rotated auth token). */
  revoke(username: string, password: string): void {
    this.credentials.delete(`${username}:${password}`);
  }

  /** The next requests get these answers, in order, instead of the normal behavior. */
  script(...responses: Script[]): void {
    this.scripts.push(...responses);
  }

  /** Scripted answers not yet used. */
  get pending(): number {
    return this.scripts.length;
  }

  /**
   * A script for a Twilio that accepts the request as it normally would (the message or call
   * is created, and in `created`) but then misbehaves on the way back: answers `delayMs` late,
   * or hangs up without answering. From the client's side the outcome is unknown.
   */
  accepting(misbehavior: Pick<ScriptedResponse, 'delayMs' | 'hangUp'>): Script {
    return (request) => ({ ...this.behave(request), ...misbehavior });
  }

  close(): Promise<void> {
    return this.loopback.close();
  }

  /** Plays Twilio's status callback for a created resource: a signed form POST to its StatusCallback. */
  async sendStatusCallback(resourceSid: string, params: Record<string, string>, options: { url?: string; signWith?: string } = {}) {
    const created = this.created.get(resourceSid);
    const url = options.url ?? created?.form.StatusCallback;
    if (!url) throw new Error(`no StatusCallback for ${resourceSid}`);
    const isCall = resourceSid.startsWith('CA');
    const form: Record<string, string> = {
      AccountSid: this.accountSid,
      To: created?.form.To ?? '+14155550123',
      From: created?.form.From ?? '+15005550006',
      ApiVersion: '2010-04-01',
      ...(isCall ? { CallSid: resourceSid } : { MessageSid: resourceSid, SmsSid: resourceSid }),
      ...params,
    };
    const signature = getExpectedTwilioSignature(options.signWith ?? this.authToken, url, form);
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature, 'i-twilio-idempotency-token': sid('') },
      body: new URLSearchParams(form).toString(),
    });
  }

  private async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const auth = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [username, password] = auth ? Buffer.from(auth, 'base64').toString().split(/:(.*)/s) : [];
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      contentType: req.headers['content-type'] ?? '',
      username,
      password,
      form: Object.fromEntries(new URLSearchParams(body.toString())),
    };
    this.requests.push(recorded);

    const script = this.scripts.shift();
    const answer = script ? (typeof script === 'function' ? script(recorded) : script) : this.behave(recorded);
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    if (answer.hangUp) {
      req.socket.destroy();
      return;
    }
    if (res.destroyed) return;
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(text);
  }

  /** What Twilio would answer to a well- or ill-formed request. */
  private behave(request: RecordedRequest): ScriptedResponse {
    if (request.method === 'GET') {
      if (!request.username || !this.credentials.has(`${request.username}:${request.password}`)) return twilioError(401, 20003, 'Authenticate');
      return this.account.answer(request, this.accountSid, this.created);
    }
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/.exec(request.path);
    if (request.method !== 'POST' || !match) return twilioError(404, 20404, 'The requested resource was not found');
    if (!request.username || !this.credentials.has(`${request.username}:${request.password}`)) {
      return twilioError(401, 20003, 'Authenticate');
    }
    if (match[1] !== this.accountSid) return twilioError(403, 20003, 'Authenticate');
    if (!request.contentType.startsWith('application/x-www-form-urlencoded')) return twilioError(400, 20001, 'Unsupported content type');

    const { form } = request;
    const documented = match[2] === 'Messages' ? MESSAGE_PARAMETERS : CALL_PARAMETERS;
    const unknown = Object.keys(form).filter((key) => !documented.has(key));
    if (unknown.length > 0) return twilioError(400, 20001, `Unknown parameters: ${unknown.join(', ')}`);
    if (!form.To) return twilioError(400, 21604, "A 'To' phone number is required.");

    if (match[2] === 'Messages') {
      if (!form.Body && !form.MediaUrl && !form.ContentSid) return twilioError(400, 21602, 'Message body is required.');
      if (!form.From && !form.MessagingServiceSid) return twilioError(400, 21603, "A 'From' phone number is required.");
      const resourceSid = sid('SM');
      this.created.set(resourceSid, request);
      return {
        status: 201,
        body: {
          sid: resourceSid,
          account_sid: this.accountSid,
          to: form.To,
          from: form.From ?? null,
          messaging_service_sid: form.MessagingServiceSid ?? null,
          body: form.Body,
          status: form.MessagingServiceSid ? 'accepted' : 'queued',
          direction: 'outbound-api',
          api_version: '2010-04-01',
          num_segments: '1',
          uri: `/2010-04-01/Accounts/${this.accountSid}/Messages/${resourceSid}.json`,
        },
      };
    }

    if (!form.From) return twilioError(400, 21213, "A 'From' phone number is required.");
    if (!form.Url && !form.Twiml && !form.ApplicationSid) return twilioError(400, 21205, 'Url parameter is required.');
    if (form.Twiml && form.Twiml.length > MAX_TWIML_LENGTH) return twilioError(400, 20001, `Twiml must be at most ${MAX_TWIML_LENGTH} characters.`);
    if (form.MachineDetection && !MACHINE_DETECTION.has(form.MachineDetection)) return twilioError(400, 20001, 'MachineDetection must be Enable or DetectMessageEnd.');
    const resourceSid = sid('CA');
    this.created.set(resourceSid, request);
    return {
      status: 201,
      body: {
        sid: resourceSid,
        account_sid: this.accountSid,
        to: form.To,
        from: form.From,
        status: 'queued',
        direction: 'outbound-api',
        api_version: '2010-04-01',
        uri: `/2010-04-01/Accounts/${this.accountSid}/Calls/${resourceSid}.json`,
      },
    };
  }
}
