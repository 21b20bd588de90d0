import type { ProviderName } from '../../shared/names';
import type { ErrorCode } from './errors';
import type { GatewaySecrets, ProviderKeySet } from './gateway-secrets';
import type { Channel } from './send-request';
import type { ScriptPart } from './voice-script';

/**
 * What the domain code needs from the outside world. Adapters (lambda/adapters/) implement
 * these for Secrets Manager, DynamoDB, Powertools; each provider's module (lambda/providers/)
 * for its sends and its delivery reports; tests can implement them too.
 */

export interface SecretsSource<Providers extends ProviderKeySet = ProviderKeySet> {
  /**
   * The current secrets: read once per request. `refresh` bypasses any cache (after a provider
   * rejects the credentials the secret held).
   */
  get(options?: { refresh?: boolean }): Promise<GatewaySecrets<Providers>>;
}

interface Outbound {
  /** E.164 destination. */
  to: string;
  /** ISO 3166 alpha-2 country of `to`, when it has one: providers are chosen by it. */
  country?: string;
  /** The SMS text, or the sentence a call reads. */
  body: string;
  /** Language of `body`: what a voice speaks. */
  language: string;
  /** Only this provider, with no failover: a signed request's `provider` (docs/api.md), for tests. */
  provider?: ProviderName;
}

/** An SMS, or a call: `script` is what the call says, in order (core/voice-script.ts), `body` its sentence. */
export type OutboundMessage = (Outbound & { channel: 'sms' }) | (Outbound & { channel: 'voice'; script: readonly ScriptPart[] });

/**
 * What became of a message handed to a provider, as far as the gateway can tell. A provider's
 * `send` resolves to one of these; it rejects (with a GatewayError) only when the provider
 * provably did not take the message (refused it, or was never reached), so that sending it
 * again, or through another provider, cannot make a second message.
 */
export type ProviderOutcome = ProviderReceipt | UnknownOutcome;

/** The provider took the message. */
export interface ProviderReceipt {
  outcome: 'accepted';
  /** The provider's id of the message or call (Twilio's SM... / CA..., AWS's MessageId), or `console-...` in console mode. */
  sid: string;
  /** The provider's status of the new message or call, e.g. `queued`. */
  status: string;
  /** Time spent in the provider's API, retries included. */
  latencyMs: number;
}

/**
 * The provider may or may not have taken the message: no answer after the request went out, an
 * answer that proves nothing, or one that cannot be read. Never to be sent again: it may
 * already be on its way.
 */
export interface UnknownOutcome {
  outcome: 'unknown';
  /** The resource's id, when the provider named one. */
  sid?: string;
  /** What happened, for the log; numbers masked (the gateway scrubs the code out of it). */
  detail: string;
  latencyMs: number;
  cause?: unknown;
}

export interface SendOptions {
  /**
   * The time this send may take, retries included: to the sender, what the invocation has left
   * for it; to a provider, what is left of that (or of the selector's own budget, if smaller)
   * when the selector turns to it. Each provider also keeps to its own budget. Unset: no limit
   * but the provider's own.
   */
  budgetMs?: number;
}

/** One provider: sends with the credentials its module parsed from this request's secret. */
export interface MessageProvider<Credentials> {
  readonly name: ProviderName;
  send(message: OutboundMessage, credentials: Credentials, options?: SendOptions): Promise<ProviderOutcome>;
}

/** An outcome, and the provider it came from (the one that sent, or that may have). */
export type SenderOutcome = ProviderOutcome & { provider: ProviderName };

/**
 * What the send use case hands a message to: it picks the provider for the message
 * (lambda/providers/selector.ts), and the next one when a provider provably did not take it,
 * with each provider's keys from the secret read once for this request. Same contract as
 * MessageProvider#send: rejects (with the last refusal, its `details.provider` set) only when
 * no provider took the message.
 */
export interface MessageSender<Providers extends ProviderKeySet = ProviderKeySet> {
  send(message: OutboundMessage, keys: Providers, options?: SendOptions): Promise<SenderOutcome>;
}

export interface SendTelemetry {
  messageSent(channel: Channel, latencyMs: number, provider: ProviderName): void;
  /** A send whose outcome is unknown (docs/api.md: 202 unconfirmed); `provider` unless the selector itself failed. */
  sendUnconfirmed(channel: Channel, latencyMs: number, provider?: ProviderName): void;
  /** `provider` when a provider refused it; undefined when the gateway did (a limit, a destination, ...). */
  sendFailed(channel: Channel, reason: ErrorCode, latencyMs?: number, provider?: ProviderName): void;
}

/** The selector's own signal (lambda/providers/selector.ts). */
export interface FailoverTelemetry {
  /** A message `from` provably did not take goes to `to` (docs/reliability.md). */
  providerFailover(from: ProviderName, to: ProviderName): void;
}

export type DeliveryOutcome = 'delivered' | 'undelivered' | 'failed';

/** A provider's report of what became of a message or call, in no provider's words but the status. */
export interface DeliveryReport {
  provider: ProviderName;
  /** The provider's id of the message or call (Twilio's SM... or CA..., AWS's MessageId). */
  messageId: string;
  channel: Channel;
  /** The status in the provider's words, lower case: what repeats are recognized by. */
  status: string;
  /** Undefined for states that count nothing (queued, sent, ringing, ...). */
  outcome?: DeliveryOutcome;
  /** The provider's error code, `machine` for a call a machine took, or `none`. */
  errorCode: string;
  /** E.164 of the recipient, when the report names it: logged masked. */
  recipient?: string;
}

/**
 * Reads a provider's delivery report as it arrives (Twilio: a signed form on POST
 * /twilio/status; AWS: an SNS record from the configuration set's topic), after checking that
 * the provider sent it. Throws GatewayError: invalid_signature when it cannot be verified,
 * invalid_request when it is not a report.
 */
export interface DeliveryReportReader<Input> {
  read(input: Input): Promise<DeliveryReport>;
}

export interface DeliveryTelemetry {
  delivery(channel: Channel, outcome: DeliveryOutcome, errorCode: string, provider: ProviderName): void;
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
  /**
   * Takes one back from each named counter (a send that was counted but did not happen). Applied
   * at most once: when its answer is lost it is not repeated, and the count stays taken.
   */
  decrement(key: string, names: readonly string[]): Promise<void>;
}

/**
 * At most one send per webhook-id within a window, whatever fails. Each attempt holds an owner
 * token. `claim` takes the id (or says what became of it); `startSending` marks the claim as
 * sending, the last step before the provider is called; `complete` records the answer for
 * repeats; `release` forgets a claim whose attempt provably sent nothing, so that a retry
 * sends. Every write is conditional on the owner, so repeating one (its answer was lost) finds
 * it done, and an attempt that lost its claim to another never sends.
 */
export interface IdempotencyStore {
  /**
   * Claims the id for `owner`, for `leaseMs`: a claim that never started sending can be taken
   * over by another attempt after that. Throws request_in_progress while another attempt holds
   * the id, idempotency_key_reused when the id was used for a request with another `fingerprint`,
   * provider_unavailable when the store cannot tell.
   */
  claim(key: string, fingerprint: string, owner: string, options: { leaseMs: number }): Promise<ClaimResult>;
  /**
   * Marks the claim as sending, until `remainingTimeMs` from now (the attempt's own end). From
   * then on no other attempt takes the id over. Throws request_in_progress when `owner` no
   * longer holds the claim, provider_unavailable when the store cannot tell.
   */
  startSending(key: string, owner: string, options: { remainingTimeMs: number }): Promise<void>;
  /** Records the answer for repeats, while `owner` still holds the id. */
  complete(key: string, owner: string, answer: Record<string, unknown>): Promise<void>;
  /** Forgets the claim, while `owner` still holds it. */
  release(key: string, owner: string): Promise<void>;
}

export type ClaimResult =
  /** The id is this attempt's. */
  | { state: 'claimed' }
  /** An earlier attempt finished: its answer, for the repeat. */
  | { state: 'answered'; answer: Record<string, unknown> }
  /** An earlier attempt started sending and ended without recording what happened: the outcome is unknown. */
  | { state: 'abandoned' };
