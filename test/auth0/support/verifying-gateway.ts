import type { IncomingHttpHeaders } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { Loopback } from '../../support/loopback';

/**
 * A loopback stand-in for POST /messages that checks every request's Standard Webhooks
 * signature with the `standardwebhooks` package (the one the gateway uses), records it, and
 * answers as scripted.
 */
export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
  /** Which configured secrets verified the signature header on their own. */
  verifiedBy: string[];
  /** Date.now() when the request arrived. */
  receivedAt: number;
}

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long (real milliseconds) before answering. */
  delayMs?: number;
  /** Drop the connection without answering. */
  hangUp?: boolean;
}

export class VerifyingGateway {
  readonly requests: ReceivedRequest[] = [];
  private readonly answers: Answer[] = [];

  private loopback!: Loopback;

  private constructor(private readonly secrets: string[]) {}

  static async start(secrets: string[]): Promise<VerifyingGateway> {
    const gateway = new VerifyingGateway(secrets);
    gateway.loopback = await Loopback.start(async (req, body, res) => {
      const answer = gateway.receive(req.headers, body.toString('utf8'));
      if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      if (answer.hangUp) {
        req.socket.destroy();
        return;
      }
      if (res.destroyed || req.socket.destroyed) return;
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {}));
    });
    return gateway;
  }

  get url(): string {
    return `${this.loopback.url}/messages`;
  }

  /** The next requests get these answers, in order; then `200` with the contract's success body. */
  answer(...answers: Answer[]): void {
    this.answers.push(...answers);
  }

  close(): Promise<void> {
    return this.loopback.close();
  }

  private receive(headers: IncomingHttpHeaders, raw: string): Answer {
    const signed = {
      'webhook-id': String(headers['webhook-id'] ?? ''),
      'webhook-timestamp': String(headers['webhook-timestamp'] ?? ''),
      'webhook-signature': String(headers['webhook-signature'] ?? ''),
    };
    const verifiedBy = this.secrets.filter((secret) => {
      try {
        new Webhook(secret).verify(raw, signed);
        return true;
      } catch {
        return false;
      }
    });
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      // recorded as an empty body; the test will say what was expected
    }
    this.requests.push({ headers, raw, body, verifiedBy, receivedAt: Date.now() });
    if (verifiedBy.length === 0) {
      return { status: 401, body: { error: { code: 'invalid_signature', message: 'The webhook-signature does not match.' } } };
    }
    return (
      this.answers.shift() ?? {
        status: 200,
        body: { id: signed['webhook-id'], sid: `SM${'0'.repeat(32)}`, status: 'queued', channel: body.message_type === 'voice' ? 'voice' : 'sms' },
      }
    );
  }
}
