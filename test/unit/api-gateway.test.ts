import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { GatewayError } from '../../lambda/core/errors';
import { bodyBytes, emptyResponse, errorResponse, jsonResponse, lowerCaseHeaders, mediaType, method } from '../../lambda/http/api-gateway';

function event(http: Partial<APIGatewayProxyEventV2['requestContext']['http']> | undefined): APIGatewayProxyEventV2 {
  return { requestContext: http === undefined ? undefined : { http } } as unknown as APIGatewayProxyEventV2;
}

describe('lowerCaseHeaders', () => {
  it('lower-cases header names and keeps values as they are', () => {
    expect(lowerCaseHeaders({ 'Content-Type': 'Application/JSON', 'WEBHOOK-ID': 'msg_1', 'webhook-timestamp': '1700000000' })).toEqual({
      'content-type': 'Application/JSON',
      'webhook-id': 'msg_1',
      'webhook-timestamp': '1700000000',
    });
  });

  it('returns no headers for an event without any', () => {
    expect(lowerCaseHeaders(undefined)).toEqual({});
  });
});

describe('bodyBytes', () => {
  it('reads a text body as UTF-8', () => {
    expect(bodyBytes({ body: '{"text":"código"}', isBase64Encoded: false })).toEqual(Buffer.from('{"text":"código"}', 'utf8'));
  });

  it('decodes a base64-encoded body', () => {
    const form = 'MessageSid=SM1&MessageStatus=delivered';
    expect(bodyBytes({ body: Buffer.from(form).toString('base64'), isBase64Encoded: true }).toString()).toBe(form);
  });

  it('returns no bytes for a missing or empty body', () => {
    expect(bodyBytes({ body: undefined, isBase64Encoded: false })).toHaveLength(0);
    expect(bodyBytes({ body: '', isBase64Encoded: true })).toHaveLength(0);
  });

  it('counts bytes, not characters', () => {
    expect(bodyBytes({ body: 'é✓', isBase64Encoded: false })).toHaveLength(5);
  });
});

describe('method', () => {
  it("reads the request's method, upper-cased", () => {
    expect(method(event({ method: 'POST' }))).toBe('POST');
    expect(method(event({ method: 'get' }))).toBe('GET');
  });

  it('is empty for an event without a request context', () => {
    expect(method(event(undefined))).toBe('');
    expect(method(event({}))).toBe('');
  });
});

describe('mediaType', () => {
  it('drops parameters and lower-cases', () => {
    expect(mediaType({ 'content-type': 'Application/JSON; charset=UTF-8' })).toBe('application/json');
    expect(mediaType({ 'content-type': ' application/x-www-form-urlencoded ' })).toBe('application/x-www-form-urlencoded');
  });

  it('is empty without a content-type', () => {
    expect(mediaType({})).toBe('');
  });
});

describe('responses', () => {
  it('jsonResponse serializes the body with JSON and no-store headers', () => {
    expect(jsonResponse(200, { id: 'msg_1', sid: 'SM1' })).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body: '{"id":"msg_1","sid":"SM1"}',
    });
  });

  it('jsonResponse adds extra headers', () => {
    expect(jsonResponse(201, {}, { location: '/x' }).headers).toEqual({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', location: '/x' });
  });

  it('emptyResponse has no body', () => {
    expect(emptyResponse(204)).toEqual({ statusCode: 204, headers: { 'cache-control': 'no-store' } });
  });

  describe('errorResponse', () => {
    it("answers the code's status with the contract's error body", () => {
      const response = errorResponse(new GatewayError('invalid_recipient', 'Field "recipient" is wrong.'));
      expect(response.statusCode).toBe(400);
      expect(response.headers).toEqual({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      expect(JSON.parse(response.body!)).toEqual({ error: { code: 'invalid_recipient', message: 'Field "recipient" is wrong.' } });
    });

    it("includes Twilio's code as provider_code", () => {
      const response = errorResponse(new GatewayError('provider_error', 'Twilio refused.', { providerCode: 21608 }));
      expect(response.statusCode).toBe(502);
      expect(JSON.parse(response.body!)).toEqual({ error: { code: 'provider_error', message: 'Twilio refused.', provider_code: 21608 } });
    });

    it('never serializes the cause or the latency', () => {
      const response = errorResponse(new GatewayError('provider_unavailable', 'Down.', { cause: new Error('secret detail'), latencyMs: 12 }));
      expect(JSON.parse(response.body!)).toEqual({ error: { code: 'provider_unavailable', message: 'Down.' } });
    });

    it('adds Retry-After in seconds when known', () => {
      const response = errorResponse(new GatewayError('rate_limited', 'Slow down.', { retryAfterSeconds: 30 }));
      expect(response.statusCode).toBe(429);
      expect(response.headers).toMatchObject({ 'retry-after': '30' });
      expect(errorResponse(new GatewayError('provider_unavailable', 'Down.', { retryAfterSeconds: 0 })).headers).toMatchObject({ 'retry-after': '0' });
      expect(errorResponse(new GatewayError('provider_unavailable', 'Down.')).headers).not.toHaveProperty('retry-after');
    });

    it('adds Allow: POST to method_not_allowed, unless told otherwise', () => {
      expect(errorResponse(new GatewayError('method_not_allowed', 'POST only.')).headers).toMatchObject({ allow: 'POST' });
      expect(errorResponse(new GatewayError('method_not_allowed', 'GET only.'), 405, { allow: 'GET' }).headers).toMatchObject({ allow: 'GET' });
    });

    it('lets the route override the status (a bad Twilio signature is 403, not 401)', () => {
      const response = errorResponse(new GatewayError('invalid_signature', 'Bad signature.'), 403);
      expect(response.statusCode).toBe(403);
      expect(JSON.parse(response.body!).error.code).toBe('invalid_signature');
    });
  });
});
