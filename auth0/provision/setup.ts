import { createHash } from 'node:crypto';
import { SIGNING_SECRET, URL_SECRET } from '../forwarder/settings';

/**
 * What `sms-gateway auth0 deploy` makes true in a tenant, for each of Auth0's two phone
 * experiences (docs/auth0.md):
 * - unified (the Unified Phone Experience, Branding > Phone Provider): an Action on the
 *   custom-phone-provider trigger, holding the gateway's URL and signing secret, deployed and
 *   bound; the tenant's phone provider `custom`, enabled, with the delivery methods;
 * - legacy: an Action on the send-phone-message trigger, deployed and bound, selected as the
 *   MFA phone provider (`phone-message-hook`);
 * and in both, the Phone Message MFA factor with the chosen message types, enabled.
 */

export type Experience = 'unified' | 'legacy';
/** The Actions trigger of each experience (the names are the `auth0` SDK's ActionTriggerTypeEnum values). */
export type PhoneTrigger = 'send-phone-message' | 'custom-phone-provider';
export const EXPERIENCES: readonly Experience[] = ['unified', 'legacy'];

export interface ExperienceSpec {
  /** Two names: Auth0 refuses a second Action of the same name, and a tenant moving from one experience to the other has both for a while. */
  actionName: string;
  /** Also the forwarder bundle (auth0/build.ts) the Action runs. */
  triggerId: PhoneTrigger;
}

export const EXPERIENCE_SPECS: Readonly<Record<Experience, ExperienceSpec>> = {
  unified: { actionName: 'mfa-sms-gateway-phone-provider', triggerId: 'custom-phone-provider' },
  legacy: { actionName: 'mfa-sms-gateway', triggerId: 'send-phone-message' },
};

export const ACTION_NAME = EXPERIENCE_SPECS.legacy.actionName;
export const TRIGGER_ID = EXPERIENCE_SPECS.legacy.triggerId;
export const RUNTIME = 'node22';
/** Auth0's name for "a custom provider: run the send-phone-message code" (legacy experience). */
export const PHONE_PROVIDER = 'phone-message-hook';
/** The tenant phone provider of the unified experience whose messages go to the custom-phone-provider Action. */
export const CUSTOM_PHONE_PROVIDER = 'custom' as const;
/** Auth0's Guardian factor behind "Phone Message" (SMS and voice). */
export const PHONE_FACTOR = 'sms';
export const SECRET_NAMES = [URL_SECRET, SIGNING_SECRET] as const;

export type MessageType = 'sms' | 'voice';
/** The tenant phone provider's name for each MFA message type. */
export const DELIVERY_METHOD_OF: Readonly<Record<MessageType, 'text' | 'voice'>> = { sms: 'text', voice: 'voice' };

export interface ActionSecret {
  name: string;
  value: string;
}

export interface DesiredSetup {
  experience: Experience;
  actionName: string;
  triggerId: PhoneTrigger;
  runtime: string;
  code: string;
  secrets: ActionSecret[];
  messageTypes: MessageType[];
  /** Unified experience: the tenant phone provider's delivery methods. */
  deliveryMethods: ('text' | 'voice')[];
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

export function desiredSetup(input: { experience: Experience; bundle: string; gatewayUrl: string; signingSecret: string; voice: boolean }): DesiredSetup {
  const fingerprint = settingsFingerprint(input.gatewayUrl, input.signingSecret);
  const keys = input.signingSecret.split(/\s+/).filter(Boolean).map((key) => keyFingerprint(input.gatewayUrl, key));
  const messageTypes: MessageType[] = input.voice ? ['sms', 'voice'] : ['sms'];
  const spec = EXPERIENCE_SPECS[input.experience];
  return {
    experience: input.experience,
    actionName: spec.actionName,
    triggerId: spec.triggerId,
    runtime: RUNTIME,
    code: `${input.bundle.trimEnd()}\n// Deployed by \`sms-gateway auth0 deploy\`; gateway settings fingerprint ${fingerprint}; key fingerprints ${keys.join(' ')}.\n`,
    secrets: [
      { name: URL_SECRET, value: input.gatewayUrl },
      { name: SIGNING_SECRET, value: input.signingSecret },
    ],
    messageTypes,
    deliveryMethods: messageTypes.map((type) => DELIVERY_METHOD_OF[type]),
  };
}
