/**
 * The naive send Lambda the benchmark compares against: the same gateway code with the
 * adapters most projects would write first: the full `twilio` client for the send, Powertools
 * getSecret for the keys, Powertools' DynamoDB persistence layer as is. Only the adapters
 * differ from lambda/send.ts, so the measured gap is theirs.
 */
import deniedPrefixes from '../../config/denied-prefixes.json';
import messages from '../../config/messages.json';
import twilio from 'twilio';
import { createLogger } from '../../lambda/adapters/logger';
import { createMetrics, MetricsTelemetry } from '../../lambda/adapters/metrics';
import { SecretsManagerSource } from '../../lambda/adapters/secrets';
import { readSendConfig } from '../../lambda/config';
import { loadDeniedRanges } from '../../lambda/core/destinations';
import { GatewayError } from '../../lambda/core/errors';
import type { MessageSender, OutboundMessage, SenderOutcome } from '../../lambda/core/ports';
import { RateLimiter } from '../../lambda/core/rate-limiter';
import { MessageCatalog } from '../../lambda/core/templates';
import { createSendHandler } from '../../lambda/handlers/send-handler';
import { parseProviderKeys, type ProviderSecrets } from '../../lambda/providers/secret';
import { PowertoolsIdempotencyStore, SdkCounterStore } from './powertools-state';

const config = readSendConfig();
const logger = createLogger(config.serviceName);
const secrets = new SecretsManagerSource(config.secretArn!, parseProviderKeys);

/** The twilio client, created once per set of credentials, pointed at TWILIO_API_BASE_URL. */
class TwilioClientProvider implements MessageSender<ProviderSecrets> {
  private client: ReturnType<typeof twilio> | undefined;

  async send(message: OutboundMessage, keys: ProviderSecrets): Promise<SenderOutcome> {
    const credentials = keys.twilio.credentials!;
    if (!this.client) {
      this.client = twilio(credentials.accountSid, credentials.authToken);
      this.client.api.baseUrl = config.twilioApiBaseUrl;
    }
    const started = performance.now();
    try {
      const created = await this.client.messages.create({
        to: message.to,
        body: message.body,
        from: credentials.phoneNumber,
        statusCallback: config.statusCallbackUrl,
      });
      return { outcome: 'accepted', sid: created.sid, status: created.status, latencyMs: Math.round(performance.now() - started), provider: 'twilio' };
    } catch (err) {
      throw new GatewayError('provider_error', (err as Error).message, { cause: err });
    }
  }
}

export const handler = createSendHandler({
  logger,
  log: logger,
  secrets,
  catalog: MessageCatalog.load(messages),
  sender: new TwilioClientProvider(),
  destinations: { allowedCountries: config.allowedCountries, deniedRanges: loadDeniedRanges(deniedPrefixes) },
  idempotency: new PowertoolsIdempotencyStore(config.stateTable),
  limiter: new RateLimiter(config.rateLimits, new SdkCounterStore(config.stateTable)),
  telemetry: new MetricsTelemetry(createMetrics(config.metricsNamespace, config.serviceName)),
});
