import type { ForwarderName } from '../../../auth0/build';
import { built, loadForwarder, type LoadedForwarder, type LoadOptions } from './load-forwarder';

/**
 * Calls each built forwarder the way Auth0 calls it, with Auth0-shaped input (field names from
 * Auth0's documentation of each event object), and turns the Hook's callback into a promise.
 */

export const RECIPIENT = '+14155550123';
export const CODE = '482913';

export type Secrets = Record<string, string | undefined>;

export function actionEvent(secrets: Secrets) {
  return {
    secrets,
    message_options: {
      action: 'second-factor-authentication',
      code: CODE,
      message_type: 'sms',
      recipient: RECIPIENT,
      text: `${CODE} is your verification code for Acme`,
    },
    request: {
      ip: '203.0.113.7',
      language: 'pt-BR',
      method: 'POST',
      hostname: 'acme.us.auth0.com',
      user_agent: 'Mozilla/5.0 (test)',
      geoip: { countryCode: 'BR' },
    },
    client: { client_id: 'abc123', name: 'Acme Web', metadata: {} },
    user: { user_id: 'auth0|42', email: 'someone@example.com', app_metadata: {}, user_metadata: {} },
    tenant: { id: 'acme' },
  };
}

export function customProviderEvent(secrets: Secrets) {
  return {
    secrets,
    notification: {
      recipient: '+34612345678',
      code: '4829',
      as_text: '4829 is your enrollment code',
      as_voice: 'Your enrollment code is 4 8 2 9',
      delivery_method: 'voice',
      locale: 'es_MX',
      message_type: 'otp_enroll',
      from: '+15017122661',
    },
    request: { ip: '198.51.100.9', user_agent: 'Mozilla/5.0 (phone)', language: 'es' },
    client: { client_id: 'def456', name: 'Acme Mobile', metadata: {} },
    user: { user_id: 'sms|77' },
    tenant: { id: 'acme' },
  };
}

export function hookArguments(secrets: Secrets) {
  return {
    recipient: RECIPIENT,
    text: `${CODE} is your verification code`,
    context: {
      factor_type: 'second',
      message_type: 'sms',
      action: 'enrollment',
      language: 'fr',
      code: CODE,
      ip: '198.51.100.4',
      user_agent: 'Mozilla/5.0 (hook)',
      client: { client_id: 'ghi789', name: 'Legacy App', client_metadata: {} },
      user: { user_id: 'auth0|7' },
      webtask: { secrets },
    },
  };
}

/** The body each sample above must produce (docs/api.md). */
export const EXPECTED_BODIES: Record<ForwarderName, Record<string, string>> = {
  'send-phone-message': {
    recipient: RECIPIENT,
    code: CODE,
    text: `${CODE} is your verification code for Acme`,
    message_type: 'sms',
    action: 'authentication',
    language: 'pt-BR',
    client_id: 'abc123',
    client_name: 'Acme Web',
    user_id: 'auth0|42',
    ip: '203.0.113.7',
    user_agent: 'Mozilla/5.0 (test)',
    tenant: 'acme',
  },
  'custom-phone-provider': {
    recipient: '+34612345678',
    code: '4829',
    text: '4829 is your enrollment code',
    voice_text: 'Your enrollment code is 4 8 2 9',
    message_type: 'voice',
    action: 'enrollment',
    language: 'es-MX',
    client_id: 'def456',
    client_name: 'Acme Mobile',
    user_id: 'sms|77',
    ip: '198.51.100.9',
    user_agent: 'Mozilla/5.0 (phone)',
    tenant: 'acme',
  },
  'send-phone-message-hook': {
    recipient: RECIPIENT,
    code: CODE,
    text: `${CODE} is your verification code`,
    message_type: 'sms',
    action: 'enrollment',
    language: 'fr',
    factor_type: 'second',
    client_id: 'ghi789',
    client_name: 'Legacy App',
    user_id: 'auth0|7',
    ip: '198.51.100.4',
    user_agent: 'Mozilla/5.0 (hook)',
  },
};

/** The custom-phone-provider trigger's api object, recording api.notification.drop and retry (Auth0's "API object" page). */
export class RecordingApi {
  readonly outcomes: { call: 'drop' | 'retry'; reason?: string }[] = [];
  readonly notification = {
    drop: (reason?: string) => void this.outcomes.push({ call: 'drop', reason }),
    retry: (reason?: string) => void this.outcomes.push({ call: 'retry', reason }),
  };

  /** The outcome Auth0 considers: the last call, or undefined when the notification was sent. */
  get last(): { call: 'drop' | 'retry'; reason?: string } | undefined {
    return this.outcomes.at(-1);
  }
}

export interface Invocation {
  loaded: LoadedForwarder;
  /** Settles like the Action's promise; the Hook's cb(err) becomes a rejection. */
  result: Promise<unknown>;
  api: RecordingApi;
}

export async function invoke(name: ForwarderName, secrets: Secrets, options: LoadOptions = {}): Promise<Invocation> {
  const loaded = loadForwarder(await built(name), options);
  const api = new RecordingApi();
  let result: Promise<unknown>;
  switch (name) {
    case 'send-phone-message':
      result = loaded.exports.onExecuteSendPhoneMessage(actionEvent(secrets), api);
      break;
    case 'custom-phone-provider':
      result = loaded.exports.onExecuteCustomPhoneProvider(customProviderEvent(secrets), api);
      break;
    case 'send-phone-message-hook': {
      const { recipient, text, context } = hookArguments(secrets);
      result = new Promise((resolve, reject) =>
        loaded.exports(recipient, text, context, (err: Error | null, response: unknown) => (err ? reject(err) : resolve(response))),
      );
      break;
    }
  }
  return { loaded, result, api };
}

/** The rejection of a promise, which must reject (errors come from the vm's realm, so no instanceof). */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the forwarder to fail, but it succeeded');
}
