import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** One POST over node:http(s), so the forwarder runs wherever Auth0 runs it, fetch or not. */

export interface HttpAnswer {
  status: number;
  body: string;
  /** The Retry-After header, when the gateway sent one (seconds, docs/api.md). */
  retryAfter?: string;
}

/** No answer at all: the connection failed, or the time ran out. */
export class NoAnswer extends Error {
  constructor(
    readonly reason: string,
    readonly timedOut: boolean,
  ) {
    super(reason);
  }
}

// The gateway's answers are a few hundred bytes; anything much larger is not the gateway.
const MAX_ANSWER_BYTES = 64 * 1024;

export function postOnce(url: URL, headers: Record<string, string>, body: string, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(body, 'utf8');
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, { method: 'POST', headers: { ...headers, 'content-length': String(payload.length) } });
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    // One deadline for the whole exchange (connect, send, answer), not per socket event.
    const timer = setTimeout(() => {
      finish(() => reject(new NoAnswer('timeout', true)));
      request.destroy();
    }, timeoutMs);

    request.on('error', (err: NodeJS.ErrnoException) => finish(() => reject(new NoAnswer(err.code ?? err.message, false))));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
      });
      response.on('error', (err: NodeJS.ErrnoException) => finish(() => reject(new NoAnswer(err.code ?? err.message, false))));
      response.on('end', () => {
        const retryAfter = response.headers['retry-after'];
        finish(() => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ...(retryAfter ? { retryAfter } : {}) }));
      });
    });
    request.end(payload);
  });
}
