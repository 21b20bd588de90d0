import type { RecordedRequest, ScriptedResponse } from './fake-twilio';

/**
 * The read side of the loopback Twilio (GETs), for the CLI: the account, its phone numbers,
 * Messaging Services and their senders, SMS geo permissions, and the status of the messages and
 * calls the fake created, progressing as a test scripts it. Shapes follow Twilio's API: v2010
 * lists with `next_page_uri`, v1 lists with `meta.key`, errors `{code, message, more_info, status}`.
 * FakeTwilio routes GETs here after checking the credentials, whatever host the client thought
 * it was calling (the CLI sends api, messaging and accounts.twilio.com to one origin).
 */

export interface DeliveryStep {
  status: string;
  errorCode?: number;
  /** A call's answered_by, when the call asked for answering-machine detection. */
  answeredBy?: string;
}

export interface FakeNumber {
  friendlyName?: string;
  sms?: boolean;
  voice?: boolean;
}

export interface FakeService {
  friendlyName: string;
  phoneNumbers?: string[];
  shortCodes?: string[];
  alphaSenders?: string[];
}

function notFound(): ScriptedResponse {
  return { status: 404, body: { code: 20404, message: 'The requested resource was not found', more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 } };
}

function v1List(key: string, url: string, items: unknown[]): ScriptedResponse {
  return {
    status: 200,
    body: { [key]: items, meta: { page: 0, page_size: 50, first_page_url: url, previous_page_url: null, url, next_page_url: null, key } },
  };
}

export class TwilioAccountFixture {
  friendlyName = 'Acme MFA';
  status: 'active' | 'suspended' | 'closed' = 'active';
  type: 'Full' | 'Trial' = 'Full';
  /** The account's phone numbers by E.164 number. */
  readonly numbers = new Map<string, FakeNumber>();
  readonly services = new Map<string, FakeService>();
  /** SMS geo permission by ISO country code; `unsupported` answers 404, like an API the account cannot use. */
  geoPermissions: Record<string, boolean> | 'unsupported' = {};
  /** What successive fetches of any message or call report; the last step stays. Empty: the status at creation. */
  deliveries: DeliveryStep[] = [];
  /** The next GETs get these answers, in order, before anything else (a flaky or failing API). */
  readonly failures: ScriptedResponse[] = [];
  /** Every GET path, for assertions. */
  readonly reads: string[] = [];
  private readonly progress = new Map<string, number>();

  answer(request: RecordedRequest, accountSid: string, created: ReadonlyMap<string, RecordedRequest>): ScriptedResponse {
    const url = new URL(request.path, 'http://twilio.invalid');
    const path = url.pathname;
    this.reads.push(path);
    const failure = this.failures.shift();
    if (failure) return failure;

    const accountPath = /^\/2010-04-01\/Accounts\/([^/.]+)(?:\/(.+))?\.json$/.exec(path);
    if (accountPath) {
      if (accountPath[1] !== accountSid) return notFound();
      const rest = accountPath[2];
      if (rest === undefined) {
        return { status: 200, body: { sid: accountSid, friendly_name: this.friendlyName, status: this.status, type: this.type, uri: `/2010-04-01/Accounts/${accountSid}.json` } };
      }
      const resource = /^(Messages|Calls)\/([A-Za-z0-9]+)$/.exec(rest);
      if (resource) return this.resource(resource[1] as 'Messages' | 'Calls', resource[2], accountSid, created);
      if (rest === 'Messages' || rest === 'Calls') return this.list(rest, url, accountSid, created);
      if (rest === 'IncomingPhoneNumbers') return this.incomingNumbers(url, accountSid);
      return notFound();
    }

    const service = /^\/v1\/Services\/([^/]+)(?:\/(PhoneNumbers|ShortCodes|AlphaSenders))?$/.exec(path);
    if (service) {
      const found = this.services.get(service[1]);
      if (!found) return notFound();
      const listUrl = `https://messaging.twilio.com${path}`;
      switch (service[2]) {
        case 'PhoneNumbers':
          return v1List('phone_numbers', listUrl, (found.phoneNumbers ?? []).map((number, index) => ({ sid: `PN${String(index).padStart(32, '0')}`, phone_number: number, service_sid: service[1] })));
        case 'ShortCodes':
          return v1List('short_codes', listUrl, (found.shortCodes ?? []).map((code, index) => ({ sid: `SC${String(index).padStart(32, '0')}`, short_code: code, service_sid: service[1] })));
        case 'AlphaSenders':
          return v1List('alpha_senders', listUrl, (found.alphaSenders ?? []).map((alpha, index) => ({ sid: `AI${String(index).padStart(32, '0')}`, alpha_sender: alpha, service_sid: service[1] })));
        default:
          return { status: 200, body: { sid: service[1], account_sid: accountSid, friendly_name: found.friendlyName, url: listUrl } };
      }
    }

    if (path === '/v1/Messaging/GeoPermissions') {
      if (this.geoPermissions === 'unsupported') return notFound();
      const country = url.searchParams.get('CountryCode')?.toUpperCase();
      const entries = Object.entries(this.geoPermissions)
        .filter(([code]) => !country || code === country)
        .map(([code, enabled]) => ({ country_code: code, type: 'country', enabled }));
      return { status: 200, body: { permissions: entries } };
    }
    return notFound();
  }

  /** One message or call; a fetch moves it along `deliveries`, a listing (`advance` false) does not. */
  private resource(kind: 'Messages' | 'Calls', sid: string, accountSid: string, created: ReadonlyMap<string, RecordedRequest>, advance = true): ScriptedResponse {
    const request = created.get(sid);
    if (!request || (kind === 'Messages') !== sid.startsWith('SM')) return notFound();
    const index = this.progress.get(sid) ?? 0;
    if (advance) this.progress.set(sid, index + 1);
    const step = this.deliveries.length > 0 ? this.deliveries[Math.min(index, this.deliveries.length - 1)] : { status: request.form.MessagingServiceSid ? 'accepted' : 'queued' };
    const common = { sid, account_sid: accountSid, to: request.form.To, from: request.form.From ?? null, status: step.status, uri: `/2010-04-01/Accounts/${accountSid}/${kind}/${sid}.json` };
    if (kind === 'Calls') return { status: 200, body: { ...common, answered_by: step.answeredBy ?? null } };
    return { status: 200, body: { ...common, error_code: step.errorCode ?? null, error_message: step.errorCode ? `Error ${step.errorCode}` : null, messaging_service_sid: request.form.MessagingServiceSid ?? null } };
  }

  /** ListMessage and ListCall: the `To` filter and `PageSize`, newest first, one page (Twilio's OpenAPI spec of API v2010). */
  private list(kind: 'Messages' | 'Calls', url: URL, accountSid: string, created: ReadonlyMap<string, RecordedRequest>): ScriptedResponse {
    const to = url.searchParams.get('To');
    const pageSize = Number(url.searchParams.get('PageSize') ?? 50);
    const items = [...created.entries()]
      .filter(([sid, request]) => sid.startsWith(kind === 'Messages' ? 'SM' : 'CA') && (!to || request.form.To === to))
      .reverse()
      .slice(0, pageSize)
      .map(([sid]) => this.resource(kind, sid, accountSid, created, false).body);
    const uri = `/2010-04-01/Accounts/${accountSid}/${kind}.json`;
    return {
      status: 200,
      body: { [kind.toLowerCase()]: items, page: 0, page_size: pageSize, start: 0, end: Math.max(items.length - 1, 0), uri, first_page_uri: uri, next_page_uri: null, previous_page_uri: null },
    };
  }

  private incomingNumbers(url: URL, accountSid: string): ScriptedResponse {
    const wanted = url.searchParams.get('PhoneNumber');
    const items = [...this.numbers.entries()]
      .filter(([number]) => !wanted || number === wanted)
      .map(([number, info], index) => ({
        sid: `PN${String(index + 1).padStart(32, '0')}`,
        account_sid: accountSid,
        phone_number: number,
        friendly_name: info.friendlyName ?? number,
        capabilities: { sms: info.sms ?? true, voice: info.voice ?? true, mms: false, fax: false },
      }));
    const uri = `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json`;
    return { status: 200, body: { incoming_phone_numbers: items, page: 0, page_size: 50, start: 0, end: items.length - 1, uri, first_page_uri: uri, next_page_uri: null, previous_page_uri: null } };
  }
}
