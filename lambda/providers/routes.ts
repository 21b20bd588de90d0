import { ENV, PROVIDER, type ProviderName } from '../../shared/names';
import { ConfigurationError } from '../core/errors';
import { parseCountryCode } from '../core/limits-config';

/**
 * Which providers may send a message, in failover order: PROVIDERS for every destination,
 * overridden per destination country by PROVIDER_ROUTES (docs/configuration.md). Read once, at
 * start (lambda/config.ts); the selector (selector.ts) asks it for each message.
 */
export interface ProviderRoutes {
  /** For destinations without a route of their own: PROVIDER_ROUTES' `*`, else PROVIDERS. */
  fallback: readonly ProviderName[];
  /** By ISO 3166 alpha-2 country of the destination. */
  byCountry: ReadonlyMap<string, readonly ProviderName[]>;
}

/** The providers this version sends through: Twilio, and AWS End User Messaging (`aws`). */
export const SENDING_PROVIDERS: readonly ProviderName[] = [PROVIDER.twilio, PROVIDER.aws];

export const DEFAULT_PROVIDERS: readonly ProviderName[] = [PROVIDER.twilio];

/** `twilio,aws`: names of sending providers, each once; `key` names the setting for errors. */
function parseProviderList(value: string, key: string): ProviderName[] {
  const names = value.split(',').map((name) => name.trim().toLowerCase());
  for (const [i, name] of names.entries()) {
    if (!(SENDING_PROVIDERS as readonly string[]).includes(name)) {
      throw new ConfigurationError(key, `has "${name}": the providers are ${SENDING_PROVIDERS.join(', ')}, in failover order, like ${SENDING_PROVIDERS.join(',')}.`);
    }
    if (names.indexOf(name) !== i) throw new ConfigurationError(key, `names ${name} twice.`);
  }
  return names as ProviderName[];
}

/**
 * PROVIDERS (`twilio`; unset means twilio) and PROVIDER_ROUTES (`IN=aws;*=twilio,aws`: a
 * country, or `*` for every other, then its providers). Throws ConfigurationError naming the
 * variable.
 */
export function parseProviderRoutes(providers: string | undefined, routes: string | undefined): ProviderRoutes {
  const fallback = providers === undefined ? DEFAULT_PROVIDERS : parseProviderList(providers, ENV.providers);
  const byCountry = new Map<string, readonly ProviderName[]>();
  for (const entry of (routes ?? '').split(';').map((part) => part.trim()).filter(Boolean)) {
    const match = /^([^=]+)=(.+)$/.exec(entry);
    if (!match) throw new ConfigurationError(ENV.providerRoutes, `has "${entry}": each route is COUNTRY=providers, like IN=twilio or *=twilio.`);
    const [, where, list] = match;
    const names = parseProviderList(list, ENV.providerRoutes);
    const country = where.trim() === '*' ? '*' : parseCountryCode(where, ENV.providerRoutes);
    if (byCountry.has(country)) throw new ConfigurationError(ENV.providerRoutes, `has two routes for ${country}.`);
    byCountry.set(country, names);
  }
  const rest = byCountry.get('*');
  byCountry.delete('*');
  return { fallback: rest ?? fallback, byCountry };
}

/** The providers for a destination country (undefined: a number of no country), in failover order. */
export function providersFor(routes: ProviderRoutes, country: string | undefined): readonly ProviderName[] {
  return (country !== undefined && routes.byCountry.get(country)) || routes.fallback;
}

/**
 * Every provider some route names: only these need their keys (lambda/providers/secret.ts), so
 * that a deployment with PROVIDERS=aws needs no Twilio keys.
 */
export function routedProviders(routes: ProviderRoutes): ProviderName[] {
  return [...new Set([...routes.fallback, ...[...routes.byCountry.values()].flat()])];
}
