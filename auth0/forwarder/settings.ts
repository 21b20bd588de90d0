import { ENV, SECRET_KEY } from '../../shared/names';
import { field, text } from './body';
import { signingKeys } from './sign';

/** Where the forwarder sends, read from the Action's (or Hook's) secrets. */
export interface GatewaySettings {
  url: URL;
  keys: Buffer[];
}

// The Action's secrets bear the names the gateway and the CLI use for the same values.
export const URL_SECRET = ENV.gatewayUrl;
export const SIGNING_SECRET = SECRET_KEY.signingSecret;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `kind` names where the secrets live in Auth0, for the messages: "Action" or "Hook". */
export function readSettings(secrets: unknown, kind: string): GatewaySettings {
  const missing = (name: string, what: string) =>
    new Error(`Missing ${kind} secret ${name}: add it to the ${kind}'s secrets (${what}).`);

  const rawUrl = text(field(secrets, URL_SECRET))?.trim();
  if (!rawUrl) throw missing(URL_SECRET, 'the full URL of the gateway\'s POST /messages, like https://abc123.execute-api.us-east-1.amazonaws.com/messages');
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new Error(`${kind} secret ${URL_SECRET} is not a URL: it must be the full URL of the gateway's POST /messages.`);
  }
  // The body carries the one-time code, so it only travels in the clear to this machine itself.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw new Error(`${kind} secret ${URL_SECRET} must be an https:// URL.`);
  }

  const rawSecret = text(field(secrets, SIGNING_SECRET))?.trim();
  if (!rawSecret) throw missing(SIGNING_SECRET, 'the whsec_... value the gateway holds under the same name');
  const keys = signingKeys(rawSecret);
  if (!keys) {
    throw new Error(`${kind} secret ${SIGNING_SECRET} must be "whsec_" followed by base64 (several may be separated by spaces during a key rotation).`);
  }
  return { url, keys };
}
