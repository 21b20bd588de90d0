import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { GatewayError } from '../core/errors';

/**
 * The little HTTP that API Gateway HTTP API (payload format 2.0) events need: header lookup,
 * body decoding, JSON responses in the contract's shape. Shared by both handlers.
 */

export type HttpResponse = APIGatewayProxyStructuredResultV2;

/** Header names lower-cased: API Gateway already does it, a local or test caller may not. */
export function lowerCaseHeaders(headers: APIGatewayProxyEventV2['headers'] | undefined): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) result[name.toLowerCase()] = value;
  return result;
}

/** The raw body as bytes: API Gateway base64-encodes bodies it does not consider text. */
export function bodyBytes(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

export function method(event: APIGatewayProxyEventV2): string {
  return event.requestContext?.http?.method?.toUpperCase() ?? '';
}

/** The media type without parameters, lower-cased: `application/json; charset=utf-8` -> `application/json`. */
export function mediaType(headers: Record<string, string | undefined>): string {
  return (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

const BASE_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { ...BASE_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function emptyResponse(statusCode: number): HttpResponse {
  return { statusCode, headers: { 'cache-control': 'no-store' } };
}

/** The contract's error body; `status` overrides the code's usual status (403 on the status route). */
export function errorResponse(error: GatewayError, status: number = error.status, extraHeaders: Record<string, string> = {}): HttpResponse {
  const headers: Record<string, string> = {};
  if (error.details.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.details.retryAfterSeconds);
  if (error.code === 'method_not_allowed') headers.allow = 'POST';
  return jsonResponse(status, error.toBody(), { ...headers, ...extraHeaders });
}
