import { randomBytes } from 'node:crypto';
import { maskPhone } from '../core/e164';
import type { MessageProvider, OutboundMessage, ProviderReceipt } from '../core/ports';
import { voiceTwiml } from './lazy-voice-twiml';

/**
 * Console mode (CONTRACT.md section 6): no Twilio keys, so each message is printed instead of
 * sent, code included: showing it is the point. Only reachable locally; in Lambda the secret
 * must hold Twilio keys (core/gateway-secrets.ts refuses console mode there).
 */
export class ConsoleProvider implements MessageProvider {
  constructor(private readonly write: (text: string) => void = (text) => process.stdout.write(text)) {}

  async send(message: OutboundMessage): Promise<ProviderReceipt> {
    const sid = `console-${randomBytes(12).toString('hex')}`;
    const [what, text] =
      message.channel === 'sms'
        ? [`SMS to ${maskPhone(message.to)}`, message.body]
        : [`voice call to ${maskPhone(message.to)}, as the TwiML Twilio would speak`, voiceTwiml(message.script, message.language)];
    this.write(`\n[console mode] ${what} (${sid}), not sent:\n${indent(text)}\n\n`);
    return { outcome: 'accepted', sid, status: 'printed', latencyMs: 0 };
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
