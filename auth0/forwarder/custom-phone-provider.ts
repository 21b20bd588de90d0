import { field } from './body';
import { forward } from './core';
import { fromCustomPhoneProviderEvent } from './normalize';
import { readSettings } from './settings';

/**
 * Auth0 Action, trigger `custom-phone-provider` (Branding > Phone Provider > Custom: the
 * tenant-level provider of the Unified Phone Experience). A thrown Error fails the notification.
 */
export async function onExecuteCustomPhoneProvider(event: unknown, _api?: unknown): Promise<void> {
  const settings = readSettings(field(event, 'secrets'), 'Action');
  await forward(fromCustomPhoneProviderEvent(event), settings);
}
