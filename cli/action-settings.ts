import { deployedFingerprints, keyFingerprint, settingsFingerprint } from '../auth0/provision/setup';
import { checkUrl } from './gateway-settings';
import { sameSecret, signingSecrets } from './signing-keys';

/**
 * Whether the Auth0 Action holds the gateway's URL and signing secret. Auth0 never returns
 * secret values, but `auth0 deploy` writes fingerprints of both into the Action's code; the
 * same fingerprints computed from the stack's values tell whether they agree, without either
 * secret leaving its place.
 */
export type ActionSettingsMatch =
  /** The Action has exactly the stack's URL and signing-secret value. */
  | 'same'
  /** Mid-rotation: the Action signs with the stack's newest key (and no key the stack dropped). */
  | 'newest-key'
  /** The Action signs with the newest key, and also with a key the stack no longer holds (a finished rotation). */
  | 'stale-keys'
  /** Mid-rotation: the Action signs only with an older key, accepted until the rotation is finished. */
  | 'older-key'
  /** No key in common, or another URL: the gateway refuses the Action's requests, or they go elsewhere. */
  | 'different'
  /** The Action's code has no fingerprint: it was not deployed by `auth0 deploy`. */
  | 'unknown';

function among(print: string, prints: readonly string[]): boolean {
  // Every pair is compared, so the time taken does not tell which one matched.
  return prints.map((other) => sameSecret(print, other)).some(Boolean);
}

export function compareActionSettings(actionCode: string | undefined, gatewayUrl: string, signingSecret: string): ActionSettingsMatch {
  const deployed = deployedFingerprints(actionCode);
  if (!deployed) return 'unknown';
  const url = checkUrl(gatewayUrl);
  if (sameSecret(deployed.settings, settingsFingerprint(url, signingSecret))) return 'same';

  const keys = signingSecrets(signingSecret);
  if (deployed.keys) {
    const stackPrints = keys.map((key) => keyFingerprint(url, key));
    if (among(stackPrints[0], deployed.keys)) return deployed.keys.every((print) => among(print, stackPrints)) ? 'newest-key' : 'stale-keys';
    return stackPrints.slice(1).some((print) => among(print, deployed.keys!)) ? 'older-key' : 'different';
  }
  // Deployed before key fingerprints existed: only a single-key Action can be told apart.
  const matches = keys.map((key) => sameSecret(deployed.settings, settingsFingerprint(url, key)));
  if (matches[0]) return 'newest-key';
  return matches.slice(1).some(Boolean) ? 'older-key' : 'different';
}
