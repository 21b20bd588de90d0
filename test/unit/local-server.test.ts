import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { createLocalServer, type LambdaHandler } from '../../lambda/local/server';
import type { HttpResponse } from '../../lambda/http/api-gateway';
import { OutputCapture } from '../support/output';

/**
 * The local stand-in for API Gateway: the payload 2.0 event each route handler receives, and
 * what the server answers by itself (/health, unknown routes, oversized bodies, crashes).
 */

let server: Server;
let port: number;
const seen: { event: APIGatewayProxyEventV2; context: Context }[] = [];
let answer: (event: APIGatewayProxyEventV2) => Promise<HttpResponse> = async () => ({ statusCode: 204 });

const record: LambdaHandler = async (event, context) => {
  seen.push({ event, context });
  return answer(event);
};

beforeAll(async () => {
  server = createLocalServer({ '/messages': record, '/twilio/status': record });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen.length = 0;
  answer = async () => ({ statusCode: 204 });
});

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A raw HTTP request, so that header names, duplicates and bodies go out exactly as written. */
function call(path: string, options: { method?: string; headers?: Record<string, string | string[]>; body?: string | Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'POST' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    for (const [name, value] of Object.entries(options.headers ?? {})) req.setHeader(name, value);
    req.end(options.body);
  });
}

function only() {
  expect(seen).toHaveLength(1);
  return seen[0];
}

describe('toApiGatewayEvent', () => {
  it('builds a payload 2.0 event with the path, query and request context', async () => {
    await call('/messages?lang=pt-BR&lang=en&x=%2B1', { headers: { 'User-Agent': 'auth0-action/1.0', 'content-type': 'application/json' }, body: '{}' });
    const { event } = only();
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'ANY /messages',
      rawPath: '/messages',
      rawQueryString: 'lang=pt-BR&lang=en&x=%2B1',
      queryStringParameters: { lang: 'pt-BR,en', x: '+1' },
      requestContext: {
        accountId: 'local',
        apiId: 'local',
        domainName: `127.0.0.1:${port}`,
        http: { method: 'POST', path: '/messages', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'auth0-action/1.0' },
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        routeKey: 'ANY /messages',
        stage: '$default',
        time: expect.any(String),
        timeEpoch: expect.any(Number),
      },
    });
    expect(new Date(event.requestContext.time).getTime()).toBe(event.requestContext.timeEpoch);
  });

  it('leaves queryStringParameters out without a query', async () => {
    await call('/messages');
    expect(only().event.queryStringParameters).toBeUndefined();
    expect(only().event.rawQueryString).toBe('');
  });

  it('lower-cases header names and joins repeated headers with commas, as API Gateway does', async () => {
    await call('/messages', { headers: { 'Webhook-ID': 'msg_1', 'X-Forwarded-For': ['203.0.113.7', '10.0.0.1'], 'X-Custom': ['a', 'b'] } });
    const { headers } = only().event;
    expect(headers['webhook-id']).toBe('msg_1');
    expect(headers['x-forwarded-for']).toBe('203.0.113.7,10.0.0.1');
    expect(headers['x-custom']).toBe('a,b');
    expect(Object.keys(headers).every((name) => name === name.toLowerCase())).toBe(true);
  });

  it('moves cookies out of the headers into the cookies list', async () => {
    await call('/messages', { headers: { cookie: 'a=1; b=2' } });
    const { event } = only();
    expect(event.cookies).toEqual(['a=1', 'b=2']);
    expect(event.headers).not.toHaveProperty('cookie');
  });

  it.each([
    ['application/json', '{"code":"1234","text":"código"}'],
    ['application/json; charset=utf-8', '{"a":1}'],
    ['application/vnd.api+json', '{"a":1}'],
    ['text/plain', 'hello é'],
  ])('passes a %s body as text', async (contentType, body) => {
    await call('/messages', { headers: { 'content-type': contentType }, body });
    expect(only().event).toMatchObject({ body, isBase64Encoded: false });
  });

  it.each([
    ['application/x-www-form-urlencoded', 'MessageSid=SM1&MessageStatus=delivered'],
    ['application/octet-stream', Buffer.from([0, 1, 2, 255])],
    ['no content-type', 'raw'],
  ])('base64-encodes a body sent as %s', async (contentType, body) => {
    await call('/twilio/status', { headers: contentType === 'no content-type' ? {} : { 'content-type': contentType }, body });
    const { event } = only();
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64')).toEqual(Buffer.from(body));
  });

  it('gives no body for an empty request', async () => {
    await call('/messages', { method: 'GET' });
    expect(only().event).toMatchObject({ body: undefined, isBase64Encoded: false, requestContext: { http: { method: 'GET' } } });
  });

  it('hands every method to the route handler, which checks its own', async () => {
    await call('/messages', { method: 'DELETE' });
    expect(only().event.requestContext.http.method).toBe('DELETE');
  });

  it('gives the handler a Lambda context named after the route, with the request id', async () => {
    await call('/twilio/status');
    const { event, context } = only();
    expect(context).toMatchObject({ functionName: 'twilio-status', awsRequestId: event.requestContext.requestId, functionVersion: '$LATEST' });
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
  });
});

describe('responses', () => {
  it("writes the handler's status, headers and body", async () => {
    answer = async () => ({ statusCode: 429, headers: { 'content-type': 'application/json', 'retry-after': 30 as unknown as string }, body: '{"error":{}}' });
    const reply = await call('/messages');
    expect(reply.status).toBe(429);
    expect(reply.headers).toMatchObject({ 'content-type': 'application/json', 'retry-after': '30' });
    expect(reply.body.toString()).toBe('{"error":{}}');
  });

  it('decodes a base64-encoded response body', async () => {
    answer = async () => ({ statusCode: 200, body: Buffer.from([0, 255, 1]).toString('base64'), isBase64Encoded: true });
    expect((await call('/messages')).body).toEqual(Buffer.from([0, 255, 1]));
  });

  it('answers 200 when the handler gives no status', async () => {
    answer = async () => ({ body: 'ok' });
    expect((await call('/messages')).status).toBe(200);
  });
});

describe('what the server answers itself', () => {
  it('answers GET /health with 200', async () => {
    const reply = await call('/health', { method: 'GET' });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body.toString())).toEqual({ status: 'ok' });
    expect(seen).toEqual([]);
  });

  it('answers other methods on /health with 405 and Allow: GET', async () => {
    const reply = await call('/health', { method: 'POST' });
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('GET');
    expect(JSON.parse(reply.body.toString())).toEqual({ error: { code: 'method_not_allowed', message: 'Use GET /health.' } });
  });

  it('answers an unknown route with 404 not_found, naming the routes', async () => {
    const reply = await call('/message', { body: '{}' });
    expect(reply.status).toBe(404);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(reply.body.toString())).toEqual({
      error: { code: 'not_found', message: 'No route for /message: use POST /messages or POST /twilio/status.' },
    });
    expect(seen).toEqual([]);
  });

  it('reads a body of exactly 16 KiB', async () => {
    expect((await call('/messages', { headers: { 'content-type': 'application/json' }, body: Buffer.alloc(16 * 1024, 'a') })).status).toBe(204);
    expect(only().event.body).toHaveLength(16 * 1024);
  });

  /** Sends the head and part of a body, never the rest: the answer must come without it. */
  function partialRequest(head: string, firstBytes: Buffer): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let received = '';
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString();
        if (received.includes('\r\n\r\n') && received.includes('}}')) {
          socket.destroy();
          resolve(received);
        }
      });
      socket.on('error', reject);
      socket.setTimeout(5_000, () => reject(new Error(`no answer; got ${JSON.stringify(received)}`)));
      socket.write(head);
      socket.write(firstBytes);
    });
  }

  it('answers 413 at once to a Content-Length over 16 KiB, without reading the body', async () => {
    const answer = await partialRequest('POST /messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n', Buffer.from('{"a":'));
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
      error: { code: 'payload_too_large', message: 'The request body is over 16384 bytes.' },
    });
    expect(seen).toEqual([]);
  });

  it('answers 413 as soon as a chunked body passes 16 KiB, without waiting for its end', async () => {
    const chunk = Buffer.alloc(17 * 1024, 'a');
    const answer = await partialRequest(
      'POST /messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]),
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(seen).toEqual([]);
  });

  it('answers 500 internal_error when a handler throws, logs it, and keeps serving', async () => {
    answer = async () => {
      throw new Error('handler bug');
    };
    const output = new OutputCapture().start();
    let reply: Reply;
    try {
      reply = await call('/messages');
    } finally {
      output.stop();
    }
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.body.toString())).toEqual({ error: { code: 'internal_error', message: 'The local server failed unexpectedly.' } });
    expect(output.text).toContain('handler bug');

    answer = async () => ({ statusCode: 204 });
    expect((await call('/messages')).status).toBe(204);
  });
});
