import http from 'node:http';
import https from 'node:https';

/**
 * One HTTP request and its whole answer, over node:http(s) with keep-alive, for the adapters
 * that talk to Twilio, DynamoDB and the Secrets extension.
 *
 * Why not `fetch`: in Node its first call loads undici, web streams and the llhttp WebAssembly
 * parser, ~35 ms more than node:https (measured here: 43 ms against 9 ms for a first request
 * on loopback), and every cold start of the send Lambda makes a first request. The behavior
 * the adapters need (keep-alive, a timeout per attempt, the status, headers and text of the
 * answer) is the same.
 */

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  headers?: http.OutgoingHttpHeaders;
  body?: string;
  /** The whole exchange, from connecting to the last byte of the answer. */
  timeoutMs: number;
}

/** No answer: the connection failed, or the answer did not come in time. */
export class NoAnswerError extends Error {
  constructor(
    readonly timedOut: boolean,
    options: { cause?: unknown } = {},
  ) {
    super(timedOut ? 'no answer in time' : 'connection failed', options);
    this.name = timedOut ? 'TimeoutError' : 'ConnectionError';
  }
}

// One pool per protocol for the container's life: warm invocations reuse the TLS connections.
const agents = {
  'http:': new http.Agent({ keepAlive: true, scheduling: 'lifo' }),
  'https:': new https.Agent({ keepAlive: true, scheduling: 'lifo' }),
};

export async function httpRequest(url: string | URL, request: HttpRequest): Promise<HttpAnswer> {
  try {
    return await once(new URL(url), request);
  } catch (err) {
    // A kept-alive socket the server closed while the Lambda was frozen fails before the request
    // reaches it: retrying on a new socket is safe (this is Node's documented pattern).
    if (err instanceof NoAnswerError && (err.cause as { reusedSocket?: boolean } | undefined)?.reusedSocket) return once(new URL(url), request);
    throw err;
  }
}

function once(url: URL, request: HttpRequest): Promise<HttpAnswer> {
  const protocol = url.protocol === 'https:' ? https : http;
  const agent = agents[url.protocol === 'https:' ? 'https:' : 'http:'];
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const fail = (cause: unknown) => reject(cause instanceof NoAnswerError ? cause : new NoAnswerError(timedOut, { cause }));
    const outgoing = protocol.request(url, { method: request.method, headers: request.headers, agent }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        clearTimeout(timer);
        resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
      incoming.on('error', fail);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      outgoing.destroy(new NoAnswerError(true));
    }, request.timeoutMs);
    outgoing.on('error', (err) => {
      clearTimeout(timer);
      fail(err instanceof NoAnswerError ? err : Object.assign(err, { reusedSocket: outgoing.reusedSocket }));
    });
    outgoing.end(request.body);
  });
}
