import type { ErrorCode } from './errors';
import type { GatewaySecrets } from './gateway-secrets';
import type { Channel } from './send-request';

/**
 * What the domain code needs from the outside world. Adapters (lambda/adapters/) implement
 * these for Secrets Manager, Twilio, Powertools and the console; tests can implement them too.
 */

export interface SecretsSource {
  /** The current secrets; `refresh` bypasses any cache (after Twilio rejects the credentials). */
  get(options?: { refresh?: boolean }): Promise<GatewaySecrets>;
}

export interface OutboundMessage {
  channel: Channel;
  /** E.164 destination. */
  to: string;
  /** The SMS text, or the sentence a call reads. */
  body: string;
  /** Language of `body`: what a voice speaks. */
  language: string;
}

export interface ProviderReceipt {
  /** Twilio's SID (SM... / CA...), or `console-...` in console mode. */
  sid: string;
  /** Twilio's status of the new resource, e.g. `queued`. */
  status: string;
  /** Time spent in the provider's API, retries included. */
  latencyMs: number;
}

export interface MessageProvider {
  send(message: OutboundMessage): Promise<ProviderReceipt>;
}

export interface SendTelemetry {
  messageSent(channel: Channel, latencyMs: number): void;
  sendFailed(channel: Channel, reason: ErrorCode, latencyMs?: number): void;
}

export type DeliveryOutcome = 'delivered' | 'undelivered' | 'failed';

export interface DeliveryTelemetry {
  delivery(channel: Channel, outcome: DeliveryOutcome, errorCode: string): void;
}

/**
 * The delivery statuses already counted, by (message id, status): a provider's id of the
 * message or call (Twilio's SM... or CA...) and its status in that provider's words.
 */
export interface DeliveryLedger {
  /**
   * Records the pair: resolves to true the first time it is reported, false for a repeat (a
   * replay, or the provider delivering its callback again). Safe to retry. Throws when the
   * store cannot tell.
   */
  firstReport(messageId: string, status: string): Promise<boolean>;
}

/** The subset of Powertools Logger the domain code uses. */
export interface Log {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/** Counters kept together in one item, changed atomically (DynamoDB conditional updates). */
export interface CounterStore {
  /**
   * Adds one to every named counter of the item, unless any of them already reached its max.
   * Returns undefined when counted; when refused, the current values, so the caller can tell
   * which counter was full. Atomic: of any number of concurrent calls, exactly as many succeed
   * as the fullest counter allows.
   */
  increment(key: string, counters: readonly { name: string; max: number }[], expiresAtSeconds: number): Promise<Record<string, number> | undefined>;
  /** Takes one back from each named counter (a send that was counted but did not happen). */
  decrement(key: string, names: readonly string[]): Promise<void>;
}

/**
 * At most one send per webhook-id within a window. `claim` marks the id as being processed (or
 * says what the first attempt answered), `complete` records the answer for repeats, `release`
 * forgets a failed attempt so that a retry can send.
 */
export interface IdempotencyStore {
  /**
   * Resolves to `undefined` when this attempt may proceed, or to the first attempt's answer.
   * Throws request_in_progress while another attempt holds the id, idempotency_key_reused when
   * the id was used for a request with another `fingerprint`.
   */
  claim(key: string, fingerprint: string, options?: { remainingTimeMs?: number }): Promise<Record<string, unknown> | undefined>;
  complete(key: string, answer: Record<string, unknown>): Promise<void>;
  release(key: string): Promise<void>;
}
