import { Loopback } from '../../support/loopback';

/** A loopback server that answers every request the same way: a gateway that misbehaves, or no gateway at all. */
export class AnsweringServer {
  readonly requests: { method: string; path: string; headers: Record<string, unknown> }[] = [];
  private loopback!: Loopback;

  static async start(status: number, body: unknown): Promise<AnsweringServer> {
    const fake = new AnsweringServer();
    fake.loopback = await Loopback.start((req, _body, res) => {
      fake.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    return fake;
  }

  get url(): string {
    return this.loopback.url;
  }

  close(): Promise<void> {
    return this.loopback.close();
  }
}
