import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export interface SignedExample {
  headers: Record<string, string>;
  body: string;
}

/** A request signed the way the Auth0 forwarder signs it (valid for 5 minutes). */
export function signedExample(secret: string, body: object, now: Date = new Date()): SignedExample {
  const text = JSON.stringify(body);
  const id = `msg_${randomUUID()}`;
  return {
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, now, text),
    },
    body: text,
  };
}

/** The same request as a curl command line, ready to paste into a shell. */
export function curlCommand(url: string, example: SignedExample): string {
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  const headers = Object.entries(example.headers).map(([name, value]) => `  -H ${quote(`${name}: ${value}`)} \\`);
  return [`curl -sS -i ${quote(url)} \\`, ...headers, `  -d ${quote(example.body)}`].join('\n');
}
