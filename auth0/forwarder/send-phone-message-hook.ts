import { field } from './body';
import { forward } from './core';
import { fromHookArguments } from './normalize';
import { readSettings } from './settings';

type Callback = (error: Error | null, response?: Record<string, never>) => void;

/**
 * Legacy Auth0 Hook, extensibility point `send-phone-message`, for tenants that still run Hooks
 * (Auth0 ends them on 2026-11-18; see docs/auth0.md for the move to the Action). Callback style,
 * secrets in context.webtask.secrets.
 */
function sendPhoneMessageHook(recipient: unknown, text: unknown, context: unknown, cb: Callback): void {
  let settings;
  try {
    settings = readSettings(field(field(context, 'webtask'), 'secrets'), 'Hook');
  } catch (err) {
    cb(err as Error);
    return;
  }
  forward(fromHookArguments(recipient, text, context), settings).then(
    () => cb(null, {}),
    (err: Error) => cb(err),
  );
}

export = sendPhoneMessageHook;
