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

/** The subset of Powertools Logger the domain code uses. */
export interface Log {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/** Atomic counters with expiry (DynamoDB conditional updates in production and locally). */
export interface CounterStore {
  /**
   * Adds one to the counter unless it already reached `max`; false when it had. Atomic: of
   * any number of concurrent calls, exactly `max` succeed.
   */
  increment(key: string, max: number, expiresAtSeconds: number): Promise<boolean>;
  /** Takes one back (a send that was counted but did not happen). */
  decrement(key: string): Promise<void>;
}

/** Runs an operation at most once per key for a while, remembering its result. */
export interface IdempotencyStore {
  /**
   * Runs `operation` unless `key` was seen: then returns the first result (`replayed`), or
   * throws request_in_progress while the first run is going, or idempotency_key_reused when
   * `fingerprint` differs from the first run's. A failed run is forgotten, so a retry runs again.
   */
  once<T extends Record<string, unknown>>(
    key: string,
    fingerprint: string,
    operation: () => Promise<T>,
    options?: { remainingTimeMs?: number },
  ): Promise<{ result: T; replayed: boolean }>;
}
