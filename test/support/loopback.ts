import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The loopback HTTP server under every fake in the tests (Twilio, AWS services, Auth0): it
 * reads each request's whole body, hands it over, and closes cleanly even while clients hold
 * keep-alive connections (the gateway's adapters do).
 */
export type LoopbackHandler = (request: IncomingMessage, body: Buffer, response: ServerResponse) => void | Promise<void>;

export class Loopback {
  private constructor(private readonly server: Server) {}

  static async start(handle: LoopbackHandler): Promise<Loopback> {
    const server = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      await handle(request, Buffer.concat(chunks), response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new Loopback(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
