import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { GatewayError } from '../core/errors';
import { MAX_BODY_BYTES } from '../core/send-request';
import { errorResponse, jsonResponse, type HttpResponse } from '../http/api-gateway';

/**
 * The local stand-in for API Gateway: turns each HTTP request into the HTTP API (payload 2.0)
 * event that Lambda would receive and hands it to the same handler. No route is implemented
 * twice; this file only translates.
 */

export type LambdaHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResponse>;

/** Path -> handler, like the stack's routes. Each handler checks its own method. */
export type Routes = Record<string, LambdaHandler>;

// The local server reads at most the gateway's own body limit (docs/api.md: 16 KiB) and answers
// 413 as soon as a request is known to be larger, without reading the rest. API Gateway's HTTP
// APIs differ: they accept up to 10 MB and hand it to the Lambda, whose handler answers the same
// 413 (lambda/handlers/send-handler.ts). Twilio's status callbacks are a few hundred bytes.
const MAX_REQUEST_BYTES = MAX_BODY_BYTES;

// HTTP APIs pass JSON and text bodies as text and base64-encode everything else (forms included).
function isTextual(contentType: string | undefined): boolean {
  const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return media.startsWith('text/') || /^application\/([a-z0-9.+-]+\+)?json$/.test(media);
}

/** The body, or undefined as soon as it is known to be over the limit (by its length, or while reading). */
async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  if (Number(request.headers['content-length'] ?? 0) > MAX_REQUEST_BYTES) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function toApiGatewayEvent(request: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://localhost');
  // API Gateway joins repeated headers with "," (Node's request.headers uses ", " and keeps only
  // the first of some, like content-type): headersDistinct has every value as sent.
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (values !== undefined && name !== 'cookie') headers[name] = values.join(',');
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const method = request.method ?? 'GET';
  const now = new Date();
  const textual = isTextual(headers['content-type']);

  return {
    version: '2.0',
    routeKey: `ANY ${url.pathname}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    cookies: request.headers.cookie?.split(/;\s*/),
    headers,
    queryStringParameters: url.search ? query : undefined,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0],
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: `ANY ${url.pathname}`,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    body: body.length === 0 ? undefined : body.toString(textual ? 'utf8' : 'base64'),
    isBase64Encoded: body.length > 0 && !textual,
  };
}

function lambdaContext(functionName: string, requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function write(response: ServerResponse, result: HttpResponse): void {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  const body = result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  // A length, not chunks, as API Gateway answers.
  if (body) headers['content-length'] = String(body.length);
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(body);
}

export function createLocalServer(routes: Routes): Server {
  return createServer(async (request, response) => {
    try {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      if (path === '/health') {
        if (request.method === 'GET') write(response, jsonResponse(200, { status: 'ok' }));
        else write(response, errorResponse(new GatewayError('method_not_allowed', 'Use GET /health.'), 405, { allow: 'GET' }));
        return;
      }
      const handler = routes[path];
      if (!handler) {
        write(response, errorResponse(new GatewayError('not_found', `No route for ${path}: use POST /messages or POST /twilio/status.`)));
        return;
      }
      const body = await readBody(request);
      if (!body) {
        // The rest of the body stays unread: the connection closes after this answer.
        const refusal = errorResponse(new GatewayError('payload_too_large', `The request body is over ${MAX_REQUEST_BYTES} bytes.`));
        write(response, { ...refusal, headers: { ...refusal.headers, connection: 'close' } });
        return;
      }
      const event = toApiGatewayEvent(request, body);
      write(response, await handler(event, lambdaContext(path.slice(1).replace(/\//g, '-'), event.requestContext.requestId)));
    } catch (err) {
      // A handler never throws for bad input; this is a bug, and the server keeps serving.
      process.stderr.write(`local server: unexpected failure: ${(err as Error).stack ?? String(err)}\n`);
      if (!response.headersSent) write(response, errorResponse(new GatewayError('internal_error', 'The local server failed unexpectedly.')));
      else response.destroy();
    }
  });
}
