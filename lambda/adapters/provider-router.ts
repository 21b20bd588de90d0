import type { MessageProvider, OutboundMessage, ProviderReceipt, SecretsSource } from '../core/ports';

/** Twilio when the secrets hold Twilio keys, the console otherwise (local console mode). */
export class ProviderRouter implements MessageProvider {
  constructor(
    private readonly secrets: SecretsSource,
    private readonly twilio: MessageProvider,
    private readonly console: MessageProvider,
  ) {}

  async send(message: OutboundMessage): Promise<ProviderReceipt> {
    const { twilio } = await this.secrets.get();
    return (twilio ? this.twilio : this.console).send(message);
  }
}
