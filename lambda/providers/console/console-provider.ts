import { randomBytes } from 'node:crypto';
import { PROVIDER } from '../../../shared/names';
import { maskPhone } from '../../core/e164';
import type { MessageProvider, OutboundMessage, ProviderReceipt } from '../../core/ports';
import { voiceTwiml } from '../twilio/voice-twiml';

/**
 * Console mode (docs/configuration.md, "Running locally"; README, "Try it locally"): `npm start`
 * without Twilio keys, so each message is printed instead of sent, code included: showing it is
 * the point. It needs no credentials. Only reachable locally; in Lambda the secret must hold the
 * Twilio keys (lambda/providers/secret.ts requires them there).
 */
export class ConsoleProvider implements MessageProvider<unknown> {
  readonly name = PROVIDER.console;

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
