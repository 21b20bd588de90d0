import { field } from './body';
import { forward } from './core';
import { fromSendPhoneMessageEvent } from './normalize';
import { readSettings } from './settings';

/**
 * Auth0 Action, trigger `send-phone-message` (MFA by SMS or voice with the "Custom" phone
 * provider). Auth0 shows a thrown Error's message in the tenant logs.
 */
export async function onExecuteSendPhoneMessage(event: unknown, _api?: unknown): Promise<void> {
  const settings = readSettings(field(event, 'secrets'), 'Action');
  await forward(fromSendPhoneMessageEvent(event), settings);
}
