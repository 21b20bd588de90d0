import { createHmac } from 'node:crypto';
import { LIMIT_SCOPES, type LimitScope } from '../../shared/names';
import { GatewayError } from './errors';
import type { RateLimit } from './limits-config';
import type { CounterStore } from './ports';
import type { SendRequest } from './send-request';

/**
 * Send limits against SMS pumping: fixed windows counted with atomic conditional increments,
 * so that concurrent requests cannot overshoot a limit (no read-then-write).
 *
 * All the limits of one scope (recipient 5/1h and 10/24h, say) are counters of one item,
 * updated in one conditional write: for one number, exactly the limit gets through however
 * many requests race. The scopes are counted in parallel (one round trip in all); when one
 * refuses, the others are given back, and so is everything when the send then fails: the quota
 * counts messages handed to Twilio, and a retry of a failed send does not pay twice. Fixed
 * windows allow up to twice a limit across a window boundary; the longer windows bound that.
 */

export interface Reservation {
  /** Gives back every count taken (the send did not happen). Never throws. */
  release(): Promise<void>;
}

// Counters outlive their period a little so that a late give-back still finds them.
const EXPIRY_GRACE_SECONDS = 300;

interface Counted {
  key: string;
  names: string[];
}

export class RateLimiter {
  private readonly byScope: [LimitScope, RateLimit[]][];

  constructor(
    limits: readonly RateLimit[],
    private readonly counters: CounterStore,
    private readonly clock: () => number = Date.now,
  ) {
    this.byScope = LIMIT_SCOPES.map((scope): [LimitScope, RateLimit[]] => [scope, limits.filter((limit) => limit.scope === scope)]).filter(
      ([, scoped]) => scoped.length > 0,
    );
  }

  /**
   * Counts one send under every limit that applies, or throws rate_limited (with Retry-After
   * and the limit's name) having given back what it took. `keySecret` keys the HMAC that keeps
   * phone numbers and IP addresses out of the table's keys.
   */
  async reserve(request: Pick<SendRequest, 'recipient' | 'ip'>, keySecret: string): Promise<Reservation> {
    const nowSeconds = Math.floor(this.clock() / 1000);
    const attempts = this.byScope.flatMap(([scope, limits]) => {
      const subject = subjectOf(scope, request, keySecret);
      return subject === undefined ? [] : [this.count(scope, subject, limits, nowSeconds)];
    });
    const results = await Promise.allSettled(attempts);

    const taken = results.flatMap((result) => (result.status === 'fulfilled' && result.value.counted ? [result.value.counted] : []));
    const release = async () => {
      await Promise.all(taken.splice(0).map(({ key, names }) => this.counters.decrement(key, names).catch(() => undefined)));
    };

    const failure = results.find((result) => result.status === 'rejected');
    if (failure) {
      await release();
      // Fail closed: without a counter there is no limit, and no limit is what pumping wants.
      throw new GatewayError('provider_unavailable', 'The rate-limit store is unavailable; try again later.', { cause: failure.reason });
    }
    const refusal = results.flatMap((result) => (result.status === 'fulfilled' && result.value.refusal ? [result.value.refusal] : []))[0];
    if (refusal) {
      await release();
      throw refusal;
    }
    return { release };
  }

  private async count(scope: LimitScope, subject: string, limits: RateLimit[], nowSeconds: number): Promise<{ counted?: Counted; refusal?: GatewayError }> {
    const windows = limits.map((limit) => {
      const start = nowSeconds - (nowSeconds % limit.windowSeconds);
      return { limit, end: start + limit.windowSeconds, name: `n${limit.windowSeconds}_${start}` };
    });
    // One item per subject and period of the longest window: its counters expire with it.
    const longest = windows.reduce((a, b) => (b.limit.windowSeconds > a.limit.windowSeconds ? b : a));
    const key = `rate#${scope}#${subject}#${longest.end - longest.limit.windowSeconds}`;
    const refusedAt = await this.counters.increment(key, windows.map(({ name, limit }) => ({ name, max: limit.max })), longest.end + EXPIRY_GRACE_SECONDS);
    if (!refusedAt) return { counted: { key, names: windows.map(({ name }) => name) } };

    const full = windows.find(({ name, limit }) => (refusedAt[name] ?? 0) >= limit.max) ?? windows[0];
    return {
      refusal: new GatewayError('rate_limited', `Too many messages: the limit ${full.limit.label} was reached; try again later.`, {
        retryAfterSeconds: Math.max(1, full.end - nowSeconds),
        limit: full.limit.label,
      }),
    };
  }
}

function subjectOf(scope: LimitScope, request: Pick<SendRequest, 'recipient' | 'ip'>, keySecret: string): string | undefined {
  switch (scope) {
    case 'recipient':
      return pseudonym(keySecret, `recipient:${request.recipient.e164}`);
    case 'ip':
      return request.ip === undefined ? undefined : pseudonym(keySecret, `ip:${request.ip}`);
    case 'country':
      return request.recipient.callingCode;
    case 'global':
      return 'all';
  }
}

function pseudonym(keySecret: string, value: string): string {
  return createHmac('sha256', keySecret).update(value).digest('base64url').slice(0, 22);
}
