import { ManagementClient } from 'auth0';

export interface ManagementCredentials {
  domain: string;
  clientId: string;
  clientSecret: string;
}

/**
 * Accepts the domain the way people paste it (`https://acme.us.auth0.com/`) and returns the bare
 * host the SDK wants, or undefined when it is not a host name at all.
 */
export function bareDomain(input: string): string | undefined {
  const trimmed = input.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '');
  return /^[A-Za-z0-9.-]+(:\d+)?$/.test(trimmed) ? trimmed.toLowerCase() : undefined;
}

/**
 * The Management API client for a machine-to-machine application. `fetch` lets tests point the
 * SDK, which always builds https://<domain> URLs, at a loopback server.
 */
/**
 * Per request. The SDK's default is 60 s, and its timer outlives a request that failed (it is
 * cleared only on an answer: auth0's core/fetcher/makeRequest.js), holding the process that
 * long; a Management API request that takes 15 s has failed for a person at a terminal anyway.
 */
export const MANAGEMENT_TIMEOUT_SECONDS = 15;

export function managementClient(credentials: ManagementCredentials, fetchImpl?: typeof fetch): ManagementClient {
  return new ManagementClient({
    domain: credentials.domain,
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    timeoutInSeconds: MANAGEMENT_TIMEOUT_SECONDS,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
}
