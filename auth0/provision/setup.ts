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

/**
 * One fingerprint per signing key, for the doctor: during a key rotation the Action and the
 * stack may hold different lists of keys that still share one, and then the Action's requests
 * are accepted although the settings fingerprints differ.
 */
export function keyFingerprint(gatewayUrl: string, key: string): string {
  return createHash('sha256').update(`mfa-sms-gateway/key/v1\0${gatewayUrl}\0${key}`).digest('hex').slice(0, 16);
}

const FINGERPRINT_LINE = /gateway settings fingerprint ([0-9a-f]{16})(?:; key fingerprints ([0-9a-f ]+))?\.$/m;

export interface DeployedFingerprints {
  settings: string;
  /** Undefined for Actions deployed before key fingerprints were written. */
  keys?: string[];
}

/** The fingerprints `auth0 deploy` wrote into an Action's code, or undefined (deployed by hand). */
export function deployedFingerprints(code: string | undefined): DeployedFingerprints | undefined {
  const match = code ? FINGERPRINT_LINE.exec(code) : null;
  if (!match) return undefined;
  return { settings: match[1], keys: match[2]?.split(' ').filter(Boolean) };
}

export function desiredSetup(input: { bundle: string; gatewayUrl: string; signingSecret: string; voice: boolean }): DesiredSetup {
  const fingerprint = settingsFingerprint(input.gatewayUrl, input.signingSecret);
  const keys = input.signingSecret.split(/\s+/).filter(Boolean).map((key) => keyFingerprint(input.gatewayUrl, key));
  return {
    actionName: ACTION_NAME,
    triggerId: TRIGGER_ID,
    runtime: RUNTIME,
    code: `${input.bundle.trimEnd()}\n// Deployed by \`sms-gateway auth0 deploy\`; gateway settings fingerprint ${fingerprint}; key fingerprints ${keys.join(' ')}.\n`,
    secrets: [
      { name: 'SMS_GATEWAY_URL', value: input.gatewayUrl },
      { name: 'SMS_GATEWAY_SIGNING_SECRET', value: input.signingSecret },
    ],
    messageTypes: input.voice ? ['sms', 'voice'] : ['sms'],
  };
}
