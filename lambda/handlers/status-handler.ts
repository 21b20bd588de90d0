import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { recordDeliveryStatus, type StatusDependencies } from '../core/delivery-status';
import { GatewayError, isGatewayError } from '../core/errors';
import type { DeliveryReportReader } from '../core/ports';
import type { TwilioCallback } from '../providers/twilio/status-callback';
import { bodyBytes, emptyResponse, errorResponse, lowerCaseHeaders, mediaType, method, type HttpResponse } from '../http/api-gateway';

// Twilio's callbacks are a few hundred bytes; anything much larger is not Twilio.
const MAX_CALLBACK_BYTES = 64 * 1024;

export interface StatusHandlerDependencies extends StatusDependencies {
  logger: Logger;
  /** Verifies and reads Twilio's callbacks (lambda/providers/twilio/status-callback.ts). */
  callbacks: DeliveryReportReader<TwilioCallback>;
}

/**
 * POST /twilio/status (docs/api.md): 204 when counted (or nothing to count), 403 bad signature,
 * 400 missing fields.
 */
export function createStatusHandler(deps: StatusHandlerDependencies) {
  const { logger } = deps;

  return async function handler(event: APIGatewayProxyEventV2, context: Context): Promise<HttpResponse> {
    logger.addContext(context);
    try {
      if (method(event) !== 'POST') throw new GatewayError('method_not_allowed', 'Only POST is allowed on /twilio/status.');
      const headers = lowerCaseHeaders(event.headers);
      const bytes = bodyBytes(event);
      if (bytes.length > MAX_CALLBACK_BYTES) throw new GatewayError('payload_too_large', 'A status callback is a small form.');
      if (mediaType(headers) !== 'application/x-www-form-urlencoded') {
        throw new GatewayError('unsupported_media_type', 'Status callbacks are application/x-www-form-urlencoded.');
      }
      const params = Object.fromEntries(new URLSearchParams(bytes.toString('utf8')));
      await recordDeliveryStatus(await deps.callbacks.read({ headers, params }), deps);
      return emptyResponse(204);
    } catch (err) {
      if (!isGatewayError(err)) {
        logger.error('unexpected failure', { error: err as Error });
        return errorResponse(new GatewayError('internal_error', 'The status callback could not be processed.'));
      }
      if (err.status >= 500) logger.error('status callback failed', { reason: err.code, detail: err.message, error: err.details.cause });
      else logger.warn('status callback refused', { reason: err.code, detail: err.message });
      // docs/api.md, POST /twilio/status: a bad or missing signature is 403 on this route.
      return errorResponse(err, err.code === 'invalid_signature' ? 403 : err.status);
    } finally {
      logger.resetKeys();
    }
  };
}
