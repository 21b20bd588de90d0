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
