import type { SendBody } from '../../auth0/forwarder/body';
import messages from '../../config/messages.json';
import { voiceTwiml } from '../../lambda/providers/twilio/voice-twiml';
import { validateSendRequest } from '../../lambda/core/send-request';
import { MessageCatalog } from '../../lambda/core/templates';
import { voiceScript } from '../../lambda/core/voice-script';

/**
 * The TwiML a call for this request would speak, built by the gateway's own code from this
 * checkout's config/messages.json and config/voices.json: what a console-mode gateway (`npm
 * start` from the same checkout) would have handed Twilio.
 */
export function voicePreview(body: SendBody): string {
  const request = validateSendRequest({ ...body });
  const rendered = MessageCatalog.load(messages).render(request);
  return voiceTwiml(voiceScript(rendered.body, request.code), rendered.language);
}
