import { createHash } from 'node:crypto';

/**
 * What `sms-gateway auth0 deploy` makes true in a tenant: one Action on the send-phone-message
 * trigger, holding the gateway's URL and signing secret, deployed and bound; the phone MFA
 * factor using that custom provider with the chosen message types, and enabled.
 */

export const ACTION_NAME = 'mfa-sms-gateway';
export const TRIGGER_ID = 'send-phone-message';
export const RUNTIME = 'node22';
/** Auth0's name for "a custom provider: run the send-phone-message code". */
export const PHONE_PROVIDER = 'phone-message-hook';
/** Auth0's Guardian factor behind "Phone Message" (SMS and voice). */
export const PHONE_FACTOR = 'sms';
export const SECRET_NAMES = ['SMS_GATEWAY_URL', 'SMS_GATEWAY_SIGNING_SECRET'] as const;

export type MessageType = 'sms' | 'voice';

export interface ActionSecret {
  name: string;
  value: string;
}

export interface DesiredSetup {
  actionName: string;
  triggerId: string;
  runtime: string;
  code: string;
  secrets: ActionSecret[];
  messageTypes: MessageType[];
}

/**
 * Auth0 never returns secret values, so a change of gateway URL or signing secret would be
 * invisible on the next run. A fingerprint of both, written into the Action's code, makes the
 * change visible (and the run idempotent when nothing changed). It is a truncated SHA-256 over a
 * 24+ byte random key: it reveals nothing about the secret.
 */
export function settingsFingerprint(gatewayUrl: string, signingSecret: string): string {
  return createHash('sha256').update(`mfa-sms-gateway/settings/v1\0${gatewayUrl}\0${signingSecret}`).digest('hex').slice(0, 16);
}

export function desiredSetup(input: { bundle: string; gatewayUrl: string; signingSecret: string; voice: boolean }): DesiredSetup {
  const fingerprint = settingsFingerprint(input.gatewayUrl, input.signingSecret);
  return {
    actionName: ACTION_NAME,
    triggerId: TRIGGER_ID,
    runtime: RUNTIME,
    code: `${input.bundle.trimEnd()}\n// Deployed by \`sms-gateway auth0 deploy\`; gateway settings fingerprint ${fingerprint}.\n`,
    secrets: [
      { name: 'SMS_GATEWAY_URL', value: input.gatewayUrl },
      { name: 'SMS_GATEWAY_SIGNING_SECRET', value: input.signingSecret },
    ],
    messageTypes: input.voice ? ['sms', 'voice'] : ['sms'],
  };
}
