import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { SECRET_KEY } from '../../shared/names';
import { GatewayError } from './errors';

/**
 * Standard Webhooks verification (docs/api.md, "POST /messages") with the `standardwebhooks`
 * package: HMAC-SHA256 over `id.timestamp.body`, compared in constant time, 5-minute tolerance
 * either way, any one of several space-separated signatures. During a key rotation the gateway
 * holds several secrets and accepts a signature made with any of them.
 */

const verifiers = new Map<string, Webhook>();

function verifierFor(secret: string): Webhook {
  let verifier = verifiers.get(secret);
  if (!verifier) {
    verifier = new Webhook(secret);
    verifiers.set(secret, verifier);
  }
  return verifier;
}

function explain(err: unknown): string {
  const reason = err instanceof WebhookVerificationError ? err.message : '';
  if (reason === 'Missing required headers') return 'The webhook-id, webhook-timestamp and webhook-signature headers are required.';
  if (reason === 'Invalid Signature Headers') return 'The webhook-timestamp header must be an integer number of seconds since the epoch.';
  if (reason.startsWith('Message timestamp')) return 'The webhook-timestamp is more than 5 minutes away from the gateway clock.';
  return `The webhook-signature does not match: the Auth0 forwarder and the gateway must share ${SECRET_KEY.signingSecret}.`;
}

/**
 * Throws GatewayError(invalid_signature) unless one of the secrets signed this exact body.
 * `headers` must have lower-case names.
 */
export function verifySignature(secrets: readonly string[], rawBody: string, headers: Record<string, string | undefined>): void {
  const signed = {
    'webhook-id': headers['webhook-id'] ?? '',
    'webhook-timestamp': headers['webhook-timestamp'] ?? '',
    'webhook-signature': headers['webhook-signature'] ?? '',
  };
  // The contract says integer seconds; the library's parseInt would also take `123abc` or `12.5`.
  if (signed['webhook-timestamp'] && !/^\d{1,15}$/.test(signed['webhook-timestamp'])) {
    throw new GatewayError('invalid_signature', explain(new WebhookVerificationError('Invalid Signature Headers')));
  }
  let lastError: unknown;
  for (const secret of secrets) {
    try {
      verifierFor(secret).verify(rawBody, signed, { jsonParse: false });
      return;
    } catch (err) {
      lastError = err;
    }
  }
  throw new GatewayError('invalid_signature', explain(lastError));
}
