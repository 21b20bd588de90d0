import { ManagementError } from 'auth0';
import { isLegacyEndpointRefusal, LEGACY_REFUSED } from './read-state';
import { SCOPE_LIST } from './scopes';

/**
 * Turns what the SDK throws into a sentence that says what to fix: the domain, the credentials,
 * the application's access to the Management API, or a missing scope (named).
 */

function bodyText(body: unknown, name: string): string | undefined {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * The network error code somewhere in an error's causes: Node's (ECONNREFUSED, ENOTFOUND, ...)
 * or fetch's (UND_ERR_SOCKET when the connection closed before the answer).
 */
export function networkErrorCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^(E[A-Z_]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The request may or may not have reached Auth0: no answer came (a network failure, not a refusal). */
export function isNetworkFailure(err: unknown): boolean {
  return networkErrorCode(err) !== undefined || (err instanceof TypeError && /fetch failed/.test(err.message));
}

export function explainAuth0Error(err: unknown, domain: string, clientId: string): string {
  if (isNetworkFailure(err)) {
    return `Could not reach https://${domain} (${networkErrorCode(err) ?? 'network error'}). Check AUTH0_DOMAIN: your tenant's domain, like your-tenant.us.auth0.com.`;
  }
  if (!(err instanceof ManagementError)) return (err as Error).message ?? String(err);

  const status = err.statusCode;
  const description = bodyText(err.body, 'error_description') ?? bodyText(err.body, 'message') ?? '';
  if (err.message.startsWith('ManagementClient: token request failed')) {
    if (status === 401) {
      return `Auth0 refused the credentials of application ${clientId} at ${domain}: check AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET (a Machine to Machine application of this tenant).`;
    }
    if (status === 403) {
      return `Application ${clientId} may not call the Auth0 Management API (${description || 'access denied'}). In the Dashboard, open Applications > APIs > Auth0 Management API > Machine To Machine Applications, authorize it, and grant the scopes: ${SCOPE_LIST}.`;
    }
    if (status === 404) return `https://${domain} has no Auth0 token endpoint: check AUTH0_DOMAIN (your tenant's domain, like your-tenant.us.auth0.com).`;
    return `Auth0 refused the token request (HTTP ${status ?? '?'}): ${description || 'no details'}.`;
  }
  if (status === 401) return `The Management API rejected the access token (${description || 'unauthorized'}): check that AUTH0_DOMAIN is the tenant the application belongs to.`;
  // Not a scope: Auth0 refuses the legacy MFA phone provider on tenants of the Unified Phone Experience.
  if (isLegacyEndpointRefusal(err)) {
    return `${domain} runs Auth0's Unified Phone Experience: Auth0 refuses its legacy MFA phone provider endpoint (${LEGACY_REFUSED}). Run \`npx sms-gateway auth0 deploy\` without --experience legacy (or with --experience unified).`;
  }
  if (bodyText(err.body, 'errorCode')?.endsWith('_deployed_action_not_found')) {
    return `Auth0 found no deployed custom-phone-provider Action for the phone provider (${bodyText(err.body, 'errorCode')}): run the command again; if it persists, check Branding > Phone Provider in the Dashboard.`;
  }
  if (status === 403) {
    const expected = /expected (?:any|all) of: ([\w:, ]+)/i.exec(description)?.[1]?.trim();
    const missing = expected ? `the scope ${expected}` : 'a scope';
    return `Application ${clientId} lacks ${missing} on the Auth0 Management API (${description || 'forbidden'}). Grant it these scopes: ${SCOPE_LIST}.`;
  }
  if (status === 429) return 'The Auth0 Management API rate limit was hit: wait a minute and run the command again.';
  return `The Auth0 Management API answered HTTP ${status ?? '?'}: ${description || err.message}`;
}
