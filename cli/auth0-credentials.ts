import { bareDomain, type ManagementCredentials } from '../auth0/provision/management';
import { envValue, stringOption, UsageError, type Io, type OptionValues } from './command';

/**
 * The Machine to Machine application's credentials, from --domain/--client-id/--client-secret
 * or AUTH0_DOMAIN/AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET.
 */

export const AUTH0_VARIABLES = ['AUTH0_DOMAIN', 'AUTH0_CLIENT_ID', 'AUTH0_CLIENT_SECRET'] as const;

interface Found {
  values: Record<(typeof AUTH0_VARIABLES)[number], string | undefined>;
  missing: string[];
}

function find(values: OptionValues, io: Io): Found {
  const found = {
    AUTH0_DOMAIN: stringOption(values, 'domain') ?? envValue(io.env, 'AUTH0_DOMAIN'),
    AUTH0_CLIENT_ID: stringOption(values, 'client-id') ?? envValue(io.env, 'AUTH0_CLIENT_ID'),
    AUTH0_CLIENT_SECRET: stringOption(values, 'client-secret') ?? envValue(io.env, 'AUTH0_CLIENT_SECRET'),
  };
  return { values: found, missing: Object.entries(found).filter(([, value]) => !value).map(([name]) => name) };
}

function complete(found: Found): ManagementCredentials {
  const domain = bareDomain(found.values.AUTH0_DOMAIN!);
  if (!domain) throw new UsageError(`AUTH0_DOMAIN "${found.values.AUTH0_DOMAIN}" is not a domain: use your tenant's domain, like your-tenant.us.auth0.com.`);
  return { domain, clientId: found.values.AUTH0_CLIENT_ID!, clientSecret: found.values.AUTH0_CLIENT_SECRET! };
}

/** The credentials; a UsageError naming what is missing. */
export function requireAuth0Credentials(values: OptionValues, io: Io): ManagementCredentials {
  const found = find(values, io);
  if (found.missing.length > 0) {
    throw new UsageError(
      `Missing ${found.missing.join(', ')}: set them in the environment (or pass --domain, --client-id, --client-secret). They come from a Machine to Machine application authorized for the Auth0 Management API.`,
    );
  }
  return complete(found);
}

/** The credentials, or the names of the missing ones when not all three are given. */
export function optionalAuth0Credentials(values: OptionValues, io: Io): ManagementCredentials | { missing: string[] } {
  const found = find(values, io);
  return found.missing.length > 0 ? { missing: found.missing } : complete(found);
}
