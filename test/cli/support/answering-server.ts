import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback server that answers every request the same way: a gateway that misbehaves, or no gateway at all. */
export class AnsweringServer {
  readonly requests: { method: string; path: string; headers: Record<string, unknown> }[] = [];

  private constructor(private readonly server: Server) {}

  static async start(status: number, body: unknown): Promise<AnsweringServer> {
    let fake: AnsweringServer | undefined;
    const server = createServer(async (req, res) => {
      for await (const _chunk of req) void _chunk;
      fake!.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    fake = new AnsweringServer(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
