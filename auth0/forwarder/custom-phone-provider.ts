import { field } from './body';
import { forward, ForwardFailure } from './core';
import { fromCustomPhoneProviderEvent } from './normalize';
import { readSettings } from './settings';

/**
 * Auth0 Action, trigger `custom-phone-provider` (Branding > Phone Provider > Custom: the
 * tenant-level provider of the Unified Phone Experience), for every notification type: MFA and
 * passwordless codes, phone verification, password changes, blocked accounts, breached passwords.
 *
 * The outcome is told in Auth0's terms (its "custom-phone-provider API object" page): a refusal
 * that will not change on its own (a bad number, a missing secret, a gateway misconfiguration)
 * ends with api.notification.drop(reason); one that may pass later (the gateway unreachable or
 * busy, a rate limit) with api.notification.retry(reason), after which Auth0 runs the Action
 * again up to 5 times in the next minutes, with the same webhook-id (see sign.ts).
 */

interface NotificationApi {
  drop(reason?: string): void;
  retry(reason?: string): void;
}

// Auth0 truncates a longer reason in its log entry.
const MAX_REASON_LENGTH = 1024;

function notificationApi(api: unknown): NotificationApi | undefined {
  const notification = field(api, 'notification');
  return typeof field(notification, 'drop') === 'function' && typeof field(notification, 'retry') === 'function' ? (notification as NotificationApi) : undefined;
}

export async function onExecuteCustomPhoneProvider(event: unknown, api?: unknown): Promise<void> {
  const outcome = notificationApi(api);
  try {
    const settings = readSettings(field(event, 'secrets'), 'Action');
    await forward(fromCustomPhoneProviderEvent(event), settings);
  } catch (err) {
    // Without Auth0's notification API (an older runtime), a thrown Error fails the notification.
    if (!outcome) throw err;
    const reason = (err as Error).message.slice(0, MAX_REASON_LENGTH);
    if (err instanceof ForwardFailure && err.retryable) outcome.retry(reason);
    else outcome.drop(reason);
  }
}
