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

/**
 * No answer: the connection failed, or the answer did not come in time. `sent` says whether the
 * server may have received the request: false only when provably no byte of it left this
 * process, so that repeating it cannot make the server act twice (see `once`).
 */
export class NoAnswerError extends Error {
  constructor(
    readonly timedOut: boolean,
    readonly sent: boolean,
    options: { cause?: unknown } = {},
  ) {
    super(timedOut ? 'no answer in time' : 'connection failed', options);
    this.name = timedOut ? 'TimeoutError' : 'ConnectionError';
  }
}

/**
 * How long a kept-alive connection may sit idle before it is closed rather than reused (sooner
 * when the server's Keep-Alive header says so: Node honours that hint only when the agent has a
 * timeout). A connection reused after a long pause, such as a frozen Lambda's, may have been
 * dropped by the server or a NAT on the way without a word: a request written to it then fails
 * after it left, which is an unknown outcome (202 unconfirmed) for a message that never reached
 * the provider. A new TLS connection costs tens of milliseconds; a lost code costs a login. 4 s is
 * under the shortest idle timeout of common servers (Node's own 5 s, less Node's 1 s margin), so
 * connections are still reused within a burst of sends.
 */
export const IDLE_SOCKET_MS = 4_000;

// One pool per protocol for the container's life: invocations close together reuse connections.
const agents = {
  'http:': new http.Agent({ keepAlive: true, scheduling: 'lifo', timeout: IDLE_SOCKET_MS }),
  'https:': new https.Agent({ keepAlive: true, scheduling: 'lifo', timeout: IDLE_SOCKET_MS }),
};

export async function httpRequest(url: string | URL, request: HttpRequest): Promise<HttpAnswer> {
  try {
    return await once(new URL(url), request);
  } catch (err) {
    // A kept-alive socket the server reset while the Lambda was frozen fails as the request is
    // written to it. Node's documented pattern (request.reusedSocket) retries any ECONNRESET on
    // a reused socket, which repeats a request the server may have read; here only one that
    // provably never left is tried again, on a new connection.
    if (err instanceof NoAnswerError && !err.sent && (err.cause as { reusedSocket?: boolean } | undefined)?.reusedSocket) return once(new URL(url), request);
    throw err;
  }
}

/**
 * One exchange. Whether the request may have reached the server, when it fails:
 * - not before the connection is established (for HTTPS, the TLS handshake done; Node sends no
 *   early data): a refused connection, a DNS or TLS failure, a timeout while connecting;
 * - not when the failure is the write itself (`syscall: 'write'`, EPIPE or ECONNRESET): the
 *   request, headers and body of a few KB, goes out in one write, and a failed write sends
 *   nothing. Node's own signals cannot tell: `socket.bytesWritten` and the request's 'finish'
 *   count bytes handed to the socket, including a write that then fails;
 * - otherwise (the connection dropped or timed out after the write) it may have.
 */
function once(url: URL, request: HttpRequest): Promise<HttpAnswer> {
  const protocol = url.protocol === 'https:' ? https : http;
  const agent = agents[url.protocol === 'https:' ? 'https:' : 'http:'];
  return new Promise((resolve, reject) => {
    let timedOut = false;
    let connected = false;
    const fail = (cause: unknown) => {
      if (cause instanceof NoAnswerError) return reject(cause);
      const failedWrite = (cause as NodeJS.ErrnoException | undefined)?.syscall === 'write';
      reject(new NoAnswerError(timedOut, connected && !failedWrite, { cause }));
    };
    const outgoing = protocol.request(url, { method: request.method, headers: request.headers, agent }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        clearTimeout(timer);
        resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
      incoming.on('error', fail);
    });
    outgoing.on('socket', (socket) => {
      if (outgoing.reusedSocket) connected = true;
      else socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => (connected = true));
    });
    const timer = setTimeout(() => {
      timedOut = true;
      outgoing.destroy();
    }, request.timeoutMs);
    outgoing.on('error', (err) => {
      clearTimeout(timer);
      fail(Object.assign(err, { reusedSocket: outgoing.reusedSocket }));
    });
    outgoing.end(request.body);
  });
}
