import type { ProviderName } from '../../shared/names';

/**
 * The gateway's error vocabulary: every refusal the contract (docs/api.md) names,
 * with its HTTP status. Domain code throws GatewayError; handlers turn it into the contract's
 * JSON body. Messages are written for the operator reading an Auth0 log, and never carry the
 * one-time code or a full phone number.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  invalid_recipient: 400,
  invalid_signature: 401,
  destination_not_allowed: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_in_progress: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_key_reused: 422,
  rate_limited: 429,
  // The gateway itself is not set up (e.g. the Twilio keys were never written into the secret,
  // or the secret cannot be read). Retrying cannot help until an operator fixes it.
  configuration_error: 500,
  // A bug: anything the gateway did not expect. Logged with its stack; the caller learns nothing more.
  internal_error: 500,
  channel_unavailable: 501,
  provider_error: 502,
  provider_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface GatewayErrorDetails {
  /**
   * The provider's code, when a provider refused the request: Twilio's number (21211), or AWS
   * End User Messaging's exception and reason (`ConflictException:DESTINATION_PHONE_NUMBER_OPTED_OUT`).
   */
  providerCode?: number | string;
  /** The provider that refused it. */
  provider?: ProviderName;
  /**
   * Whether another provider may take what this one refused (lambda/providers/selector.ts,
   * `mayFailOver`): set by a provider where its refusal says so, against the default of the
   * error's code (true for a refusal of the provider's own: unreachable, credentials, settings;
   * false for one about the number or the person: invalid, opted out).
   */
  failover?: boolean;
  /** Seconds after which a retry may succeed (429, and 503 when known). */
  retryAfterSeconds?: number;
  /** The rate limit that refused the request, as configured (`recipient:5/1h`), for logs. */
  limit?: string;
  /** Time spent in the provider's API before it failed (SendLatency). */
  latencyMs?: number;
  /** The underlying failure, for logs only; never serialized to callers. */
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: GatewayErrorDetails = {},
  ) {
    super(message);
    this.name = 'GatewayError';
    this.status = ERROR_STATUS[code];
  }

  /** True when the same request may succeed later (contract: "retry helps"). */
  get retryable(): boolean {
    return this.code === 'request_in_progress' || this.code === 'rate_limited' || this.code === 'provider_unavailable';
  }

  toBody(): ErrorBody {
    const error: ErrorBody['error'] = { code: this.code, message: this.message };
    if (this.details.providerCode !== undefined) error.provider_code = this.details.providerCode;
    return { error };
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; provider_code?: number | string };
}

export function isGatewayError(err: unknown): err is GatewayError {
  return err instanceof GatewayError;
}

/** A missing or malformed setting, named by its key. Raised at start, before any request. */
export class ConfigurationError extends Error {
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`${key} ${problem}`);
    this.name = 'ConfigurationError';
  }
}
