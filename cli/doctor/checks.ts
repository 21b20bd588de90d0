import { accessCheck, actionCheck, bindingCheck, experienceCheck, factorCheck, otherActionsCheck, providerCheck, signingSecretCheck } from './auth0-checks';
import { alarmsCheck, secretCheck, stackCheck } from './aws-checks';
import { accountCheck, configurationSetCheck, countriesCheck, identityCheck, spendLimitCheck, voiceCheck } from './aws-sms-checks';
import type { Check, CheckResult } from './check';
import type { DoctorContext } from './context';
import { signatureCheck, statusCallbackCheck, unsignedCheck } from './gateway-checks';
import { routesCheck } from './routing-checks';
import { apiKeyCheck, credentialsCheck, geoPermissionsCheck, messagingServiceCheck, phoneNumberCheck } from './twilio-checks';

/**
 * Every check, in the order of the path a code travels backwards from the phone: the stack and
 * its secret, the routes to the providers, Twilio, AWS End User Messaging, the gateway's
 * endpoints, then Auth0. Later checks reuse what earlier ones read (DoctorContext), so the order
 * also keeps each resource read once.
 */
export const CHECKS: readonly Check[] = [
  stackCheck,
  secretCheck,
  alarmsCheck,
  routesCheck,
  credentialsCheck,
  apiKeyCheck,
  messagingServiceCheck,
  phoneNumberCheck,
  geoPermissionsCheck,
  accountCheck,
  identityCheck,
  countriesCheck,
  voiceCheck,
  spendLimitCheck,
  configurationSetCheck,
  unsignedCheck,
  signatureCheck,
  statusCallbackCheck,
  accessCheck,
  experienceCheck,
  actionCheck,
  bindingCheck,
  otherActionsCheck,
  providerCheck,
  factorCheck,
  signingSecretCheck,
];

/** Runs the checks one after the other; a check that throws is reported as FAIL, and the rest still run. */
export async function runChecks(context: DoctorContext, checks: readonly Check[] = CHECKS, onResult?: (result: CheckResult) => void): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    let result: CheckResult;
    try {
      result = { id: check.id, ...(await check.run(context)) };
    } catch (err) {
      result = { id: check.id, status: 'FAIL', detail: `the check itself failed: ${(err as Error).message}`, fix: 'run the doctor again; if it persists, report it with this line' };
    }
    results.push(result);
    onResult?.(result);
  }
  return results;
}
