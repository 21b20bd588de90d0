import type { ProviderOutcome } from '../../core/ports';
import { createOnce, noAnswer, readJsonObject, type Exchange } from '../../adapters/create-once';
import type { HttpAnswer } from '../../adapters/http-request';
import { mapTwilioError } from './errors';

/**
 * The two Twilio REST calls the gateway makes (create Message, create Call), as plain HTTPS
 * requests (lambda/adapters/http-request.ts says why not `fetch`).
 *
 * Written by hand on purpose: the `twilio` client bundles to 3.8 MB and costs ~260 ms of every
 * cold start, for two form-encoded POSTs. Connections are kept alive, so warm invocations reuse
 * the TLS connection to api.twilio.com.
 *
 * Retries (lambda/adapters/create-once.ts): a create is repeated only when it provably created
 * nothing (`provablyNothing`), once, after a jittered backoff, while the whole call stays under
 * 8 s (Auth0 gives the Action 20 s, the Lambda has 10 s). Anything that may have reached Twilio
 * (a timeout after the request went out, a dropped connection, a 5xx, a 2xx without a resource)
 * is never repeated: its outcome is `unknown`, and a second create could send a second code.
 * Each attempt times out after 5 s.
 */

export interface TwilioAuth {
  accountSid: string;
  /** Account SID, or an API key SID. */
  username: string;
  /** Auth token, or the API key secret. */
  password: string;
}

export interface TwilioRestOptions {
  baseUrl: string;
  attemptTimeoutMs?: number;
  totalBudgetMs?: number;
  /** For tests: the backoff before the retry, given the attempt's Retry-After (ms) if any. */
  backoffMs?: (retryAfterMs: number | undefined) => number;
}

const USER_AGENT = 'mfa-sms-gateway/0.1';

function defaultBackoff(retryAfterMs: number | undefined): number {
  // Full jitter over 100-400 ms; a Retry-After from Twilio wins when it is longer.
  const jitter = 100 + Math.random() * 300;
  return retryAfterMs !== undefined ? Math.max(jitter, retryAfterMs) : jitter;
}

function retryAfterMs(answer: HttpAnswer): number | undefined {
  const header = answer.headers['retry-after'];
  if (!header) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/**
 * Whether an attempt provably created nothing, so that repeating it cannot send twice: the
 * request never left (a refused connection, a DNS or TLS failure, a dead kept-alive socket:
 * http-request.ts), or Twilio answered 429, which it documents as "never processed and always
 * safe to retry" (https://www.twilio.com/docs/errors/20429). A 5xx proves nothing: Twilio's
 * 20500 page warns that retrying a 500 on a message or call create "may send multiple
 * messages", and a 502, 503 or 504 from a proxy on the way says nothing of what Twilio did
 * behind it. Other 4xx are refusals, final, with nothing created.
 */
function provablyNothing(exchange: Exchange): boolean {
  return 'failure' in exchange ? !exchange.sent : exchange.answer.status === 429;
}

export class TwilioRestClient {
  private readonly baseUrl: string;
  private readonly attemptTimeoutMs: number;
  private readonly totalBudgetMs: number;
  private readonly backoffMs: (retryAfterMs: number | undefined) => number;

  constructor(options: TwilioRestOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 5_000;
    this.totalBudgetMs = options.totalBudgetMs ?? 8_000;
    this.backoffMs = options.backoffMs ?? defaultBackoff;
  }

  /**
   * POST /2010-04-01/Accounts/{AccountSid}/Messages.json. Rejects only when nothing was created.
   * `budgetMs` caps the whole call below its own budget (what a send has left after another
   * provider refused it).
   */
  createMessage(auth: TwilioAuth, params: Record<string, string | undefined>, budgetMs?: number): Promise<ProviderOutcome> {
    return this.create(auth, 'Messages.json', params, budgetMs);
  }

  /** POST /2010-04-01/Accounts/{AccountSid}/Calls.json, likewise. */
  createCall(auth: TwilioAuth, params: Record<string, string | undefined>, budgetMs?: number): Promise<ProviderOutcome> {
    return this.create(auth, 'Calls.json', params, budgetMs);
  }

  private async create(auth: TwilioAuth, resource: string, params: Record<string, string | undefined>, budgetMs = Infinity): Promise<ProviderOutcome> {
    const budget = Math.min(this.totalBudgetMs, budgetMs);
    const url = `${this.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(auth.accountSid)}/${resource}`;
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value !== undefined) form.append(key, value);
    const request = {
      headers: {
        authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        'user-agent': USER_AGENT,
      },
      body: form.toString(),
    };

    const { exchange, latencyMs } = await createOnce(url, { method: 'POST', ...request }, {
      budgetMs: budget,
      attemptTimeoutMs: this.attemptTimeoutMs,
      provablyNothing,
      pauseMs: (first) => this.backoffMs('answer' in first ? retryAfterMs(first.answer) : undefined),
    });
    if ('failure' in exchange) return noAnswer(exchange, 'Twilio', latencyMs);
    const { answer } = exchange;
    const body = readJsonObject(answer.text);
    // Twilio's text is not kept: it may quote the message, and says nothing the status does not.
    if (answer.status >= 500) return { outcome: 'unknown', detail: `Twilio answered HTTP ${answer.status}.`, latencyMs };
    if (answer.status < 200 || answer.status >= 300) {
      const retryAfter = retryAfterMs(answer);
      throw mapTwilioError(answer.status, body, latencyMs, retryAfter !== undefined ? Math.ceil(retryAfter / 1000) : undefined);
    }
    const sid = typeof body?.sid === 'string' ? body.sid : undefined;
    if (sid === undefined || typeof body?.status !== 'string') {
      // Twilio said yes, but its answer does not say what it created: do not claim success.
      return { outcome: 'unknown', sid, detail: `Twilio answered HTTP ${answer.status} without a SID and status.`, latencyMs };
    }
    return { outcome: 'accepted', sid, status: body.status, latencyMs };
  }
}
