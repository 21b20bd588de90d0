import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback HTTP proxy that puts one of the faults of a real network between a client under
 * test and a loopback service (dynalite, a fake Twilio, ...). Each request takes the next
 * scripted fault, or passes through when none is left. The faults are the ones the project's
 * fault tests must cover:
 *
 * - `delay`: the service handles the request at once; its answer reaches the client `ms` later
 *   (the client may give up first: the write happened, the client cannot know).
 * - `lose-answer`: the service handles the request; the client's connection is then cut without
 *   an answer (a lost answer: the write happened).
 * - `drop-after-read`: the request is read in full, then the connection is cut; the service
 *   never sees it (the client cannot tell this from `lose-answer`).
 * - `answer`: the proxy answers itself with this status and body; the service never sees it.
 *
 * A refused connection needs no proxy: `refusedUrl()` gives the URL of a closed port.
 */

export type Fault =
  | { kind: 'delay'; ms: number }
  | { kind: 'lose-answer' }
  | { kind: 'drop-after-read' }
  | { kind: 'answer'; status: number; body?: string; headers?: Record<string, string> };

export interface ProxiedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** What happened to it: the fault applied, or `pass`. */
  fault: Fault['kind'] | 'pass';
  /** The service's status, when the request reached it. */
  upstreamStatus?: number;
}

type Pick = Fault | ((request: ProxiedRequest) => Fault | undefined);

export class FaultProxy {
  readonly requests: ProxiedRequest[] = [];
  private readonly faults: Pick[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly upstream: URL,
    private readonly preserveHost: boolean,
  ) {}

  /**
   * Starts a proxy on 127.0.0.1 in front of `upstream` (an http:// origin). `preserveHost`
   * forwards the client's Host header unchanged, as a network would: a service that checks a
   * SigV4 signature (which signs the Host) needs it.
   */
  static async start(upstream: string, options: { preserveHost?: boolean } = {}): Promise<FaultProxy> {
    const server = createServer();
    const proxy = new FaultProxy(server, new URL(upstream), options.preserveHost ?? false);
    server.on('connection', (socket) => {
      proxy.sockets.add(socket);
      socket.on('close', () => proxy.sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => void proxy.handle(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks), req.socket, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * The next requests meet these faults, in order. A function sees the request (to fault only,
   * say, DynamoDB's `UpdateItem`) and returns undefined to let it pass without using up its turn.
   */
  inject(...faults: Pick[]): void {
    this.faults.push(...faults);
  }

  /** Faults not yet used. */
  get pending(): number {
    return this.faults.length;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private choose(request: ProxiedRequest): Fault | undefined {
    const next = this.faults[0];
    if (next === undefined) return undefined;
    const fault = typeof next === 'function' ? next(request) : next;
    if (fault !== undefined) this.faults.shift();
    return fault;
  }

  private async handle(method: string, path: string, headers: IncomingHttpHeaders, body: Buffer, socket: Socket, res: import('node:http').ServerResponse) {
    const request: ProxiedRequest = { method, path, headers, body: body.toString('utf8'), fault: 'pass' };
    this.requests.push(request);
    const fault = this.choose(request);
    request.fault = fault?.kind ?? 'pass';

    if (fault?.kind === 'drop-after-read') {
      socket.destroy();
      return;
    }
    if (fault?.kind === 'answer') {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(fault.body ?? '');
      return;
    }

    let answer: { status: number; headers: IncomingHttpHeaders; body: Buffer };
    try {
      answer = await this.forward(method, path, headers, body);
    } catch {
      socket.destroy();
      return;
    }
    request.upstreamStatus = answer.status;
    if (fault?.kind === 'lose-answer') {
      socket.destroy();
      return;
    }
    if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (socket.destroyed) return;
    const { connection: _connection, 'transfer-encoding': _encoding, ...forwarded } = answer.headers;
    res.writeHead(answer.status, { ...forwarded, 'content-length': String(answer.body.length) });
    res.end(answer.body);
  }

  private forward(method: string, path: string, headers: IncomingHttpHeaders, body: Buffer) {
    return new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const outgoing = httpRequest(
        { host: this.upstream.hostname, port: this.upstream.port, method, path, headers: this.preserveHost ? headers : { ...headers, host: this.upstream.host } },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks) }));
          incoming.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The URL of a loopback port nothing listens on: connecting to it is refused. */
export async function refusedUrl(): Promise<string> {
  return `http://127.0.0.1:${await closedPort()}`;
}
