import { PROVIDER } from '../../../shared/names';
import type { MessageProvider, OutboundMessage, ProviderOutcome, SendOptions } from '../../core/ports';
import type { AwsSmsClient } from './client';
import { pollyVoice } from './polly-voice';
import type { AwsSmsSettings } from './settings';
import { voiceSsml } from './ssml';

export interface AwsSmsProviderOptions {
  /** AWS_SMS_CONFIGURATION_SET: its event destination reports delivery to the status Lambda. */
  configurationSet?: string;
}

/**
 * Sends through AWS End User Messaging SMS and Voice v2: an SMS with SendTextMessage, a call that
 * reads the script with SendVoiceMessage (SSML, in the Polly voice of the message's language).
 * Both as TRANSACTIONAL traffic where the API takes a type (SendTextMessage's MessageType: a
 * one-time code is transactional, and some countries route promotional traffic slower or not
 * at all), from the origination identity of the settings.
 */
export class AwsSmsProvider implements MessageProvider<AwsSmsSettings> {
  readonly name = PROVIDER.aws;

  constructor(
    private readonly client: AwsSmsClient,
    private readonly options: AwsSmsProviderOptions = {},
  ) {}

  send(message: OutboundMessage, settings: AwsSmsSettings, options: SendOptions = {}): Promise<ProviderOutcome> {
    const common = {
      DestinationPhoneNumber: message.to,
      OriginationIdentity: settings.originationIdentity,
      ...(this.options.configurationSet && { ConfigurationSetName: this.options.configurationSet }),
    };
    if (message.channel === 'sms') {
      return this.client.send('SendTextMessage', { ...common, MessageBody: message.body, MessageType: 'TRANSACTIONAL' }, options.budgetMs);
    }
    return this.client.send(
      'SendVoiceMessage',
      { ...common, MessageBody: voiceSsml(message.script), MessageBodyTextType: 'SSML', VoiceId: pollyVoice(message.language) },
      options.budgetMs,
    );
  }
}
