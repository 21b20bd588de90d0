import { createHmac } from 'node:crypto';
import { GatewayError } from './errors';
import type { LimitScope, RateLimit } from './limits-config';
import type { CounterStore } from './ports';
import type { SendRequest } from './send-request';

/**
 * Send limits against SMS pumping: fixed windows counted with atomic conditional increments,
 * so that concurrent requests cannot overshoot a limit (no read-then-write).
 *
 * Limits are taken one after the other, most specific first (recipient, ip, country, global;
 * shorter windows first). When one is full, the ones already taken are given back, and so is
 * everything when the send then fails: the quota counts messages handed to Twilio, and a retry
 * of a failed send does not pay twice. Fixed windows allow up to twice a limit across a window
 * boundary; the longer windows (recipient:10/24h by default) bound that.
 */

export interface Reservation {
  /** Gives back every count taken (the send did not happen). Never throws. */
  release(): Promise<void>;
}

const SCOPE_ORDER: Record<LimitScope, number> = { recipient: 0, ip: 1, country: 2, global: 3 };

// Counters outlive their window a little so that a late give-back still finds them.
const EXPIRY_GRACE_SECONDS = 300;

export class RateLimiter {
  private readonly limits: RateLimit[];

  constructor(
    limits: readonly RateLimit[],
    private readonly counters: CounterStore,
    private readonly clock: () => number = Date.now,
  ) {
    this.limits = [...limits].sort((a, b) => SCOPE_ORDER[a.scope] - SCOPE_ORDER[b.scope] || a.windowSeconds - b.windowSeconds);
  }

  /**
   * Counts one send under every limit that applies, or throws rate_limited (with Retry-After
   * and the limit's name) having given back what it took. `keySecret` keys the HMAC that keeps
   * phone numbers and IP addresses out of the table's keys.
   */
  async reserve(request: Pick<SendRequest, 'recipient' | 'ip'>, keySecret: string): Promise<Reservation> {
    const taken: string[] = [];
    const release = async () => {
      await Promise.all(taken.splice(0).map((key) => this.counters.decrement(key).catch(() => undefined)));
    };
    const nowSeconds = Math.floor(this.clock() / 1000);

    for (const limit of this.limits) {
      const subject = subjectOf(limit.scope, request, keySecret);
      if (subject === undefined) continue;
      const windowStart = nowSeconds - (nowSeconds % limit.windowSeconds);
      const windowEnd = windowStart + limit.windowSeconds;
      const key = `rate#${limit.scope}#${limit.windowSeconds}#${subject}#${windowStart}`;
      let counted: boolean;
      try {
        counted = await this.counters.increment(key, limit.max, windowEnd + EXPIRY_GRACE_SECONDS);
      } catch (err) {
        await release();
        // Fail closed: without a counter there is no limit, and no limit is what pumping wants.
        throw new GatewayError('provider_unavailable', 'The rate-limit store is unavailable; try again later.', { cause: err });
      }
      if (!counted) {
        await release();
        throw new GatewayError('rate_limited', `Too many messages: the limit ${limit.label} was reached; try again later.`, {
          retryAfterSeconds: Math.max(1, windowEnd - nowSeconds),
          limit: limit.label,
        });
      }
      taken.push(key);
    }
    return { release };
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
