// Deep import: Twilio's own webhook validation (crypto, url, querystring), 5 KB, without the client.
import { validateRequest } from 'twilio/lib/webhooks/webhooks';

/**
 * Checks X-Twilio-Signature the way Twilio's helper library does (HMAC-SHA1 of the URL and the
 * sorted form parameters, constant-time comparison), against the configured public URL: behind
 * API Gateway the Lambda cannot see the URL Twilio called.
 */
export function twilioSignatureVerifier(publicUrl: string) {
  return (authToken: string, signature: string, params: Record<string, string>): boolean =>
    validateRequest(authToken, signature, publicUrl, params);
}
