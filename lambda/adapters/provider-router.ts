import type { MessageProvider, OutboundMessage, ProviderOutcome, SecretsSource } from '../core/ports';
import { twilioKeysError } from './secrets';

/** Twilio when the secrets hold Twilio keys, the console when they hold none (local console mode). */
export class ProviderRouter implements MessageProvider {
  constructor(
    private readonly secrets: SecretsSource,
    private readonly twilio: MessageProvider,
    private readonly console: MessageProvider,
  ) {}

  async send(message: OutboundMessage): Promise<ProviderOutcome> {
    const { twilio, twilioProblem } = await this.secrets.get();
    // Keys that are there but unusable never mean console mode.
    if (twilioProblem) throw twilioKeysError(twilioProblem);
    return (twilio ? this.twilio : this.console).send(message);
  }
}
