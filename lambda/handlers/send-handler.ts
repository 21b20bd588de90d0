import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { GatewayError, isGatewayError } from '../core/errors';
import type { ProviderKeySet } from '../core/gateway-secrets';
import { sendMessage, UNCONFIRMED, type SendDependencies } from '../core/send-message';
import { MAX_BODY_BYTES } from '../core/send-request';
import { bodyBytes, errorResponse, jsonResponse, lowerCaseHeaders, mediaType, method, type HttpResponse } from '../http/api-gateway';

const JSON_MEDIA_TYPE = /^application\/([a-z0-9.+-]+\+)?json$/;

/** POST /messages: HTTP in, the send use case, HTTP out (docs/api.md, POST /messages). */
export function createSendHandler<Providers extends ProviderKeySet>(deps: SendDependencies<Providers> & { logger: Logger }) {
  const { logger } = deps;

  return async function handler(event: APIGatewayProxyEventV2, context: Context): Promise<HttpResponse> {
    logger.addContext(context);
    const headers = lowerCaseHeaders(event.headers);
    if (headers['webhook-id']) logger.setCorrelationId(headers['webhook-id'].slice(0, 256));
    try {
      // The stack sends paths no route matches here too, so that they get the contract's JSON 404.
      if (event.routeKey === '$default') {
        throw new GatewayError('not_found', `No route for ${event.rawPath}: use POST /messages or POST /twilio/status.`);
      }
      if (method(event) !== 'POST') throw new GatewayError('method_not_allowed', 'Only POST is allowed on /messages.');
      const bytes = bodyBytes(event);
      if (bytes.length > MAX_BODY_BYTES) {
        throw new GatewayError('payload_too_large', `The request body is ${bytes.length} bytes; the limit is ${MAX_BODY_BYTES}.`);
      }
      if (!JSON_MEDIA_TYPE.test(mediaType(headers))) {
        throw new GatewayError('unsupported_media_type', 'The content-type must be application/json.');
      }
      const result = await sendMessage({ headers, body: bytes.toString('utf8'), remainingTimeMs: context.getRemainingTimeInMillis() }, deps);
      // 202: handed to the provider, outcome unknown (docs/api.md); the forwarders treat it as done.
      return jsonResponse(result.status === UNCONFIRMED ? 202 : 200, result);
    } catch (err) {
      // sendMessage logs what it refuses; only the HTTP-level refusals above are logged here.
      if (!isGatewayError(err)) {
        logger.error('unexpected failure', { error: err as Error });
        return errorResponse(new GatewayError('internal_error', 'The gateway failed unexpectedly; the message was not sent.'));
      }
      if (['not_found', 'method_not_allowed', 'payload_too_large', 'unsupported_media_type'].includes(err.code)) {
        logger.warn('request refused', { outcome: 'refused', reason: err.code, detail: err.message });
      }
      return errorResponse(err);
    } finally {
      logger.resetKeys();
    }
  };
}
