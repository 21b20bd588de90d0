import { parseProviderRoutes, routedProviders, type ProviderRoutes } from '../lambda/providers/routes';
import { ENV, type ProviderName } from '../shared/names';

/**
 * PROVIDERS and PROVIDER_ROUTES as a deployment holds them (the send Lambda's environment in the
 * stack's template, or the variables of a local gateway), read with the gateway's own parser
 * (lambda/providers/routes.ts), so that the CLI checks a secret against the providers the
 * gateway will actually require.
 */
export interface Routing {
  routes: ProviderRoutes;
  /** Every provider some route names: the ones whose keys the gateway requires. */
  routed: ProviderName[];
  /** The routes in words, for the output: `twilio, then aws`, `IN: aws; elsewhere: twilio`. */
  text: string;
}

/** Throws the parser's ConfigurationError, which names the variable. */
export function readRouting(variables: Record<string, string | undefined>): Routing {
  // As lambda/config.ts reads them: blank is unset.
  const value = (key: string) => variables[key]?.trim() || undefined;
  const routes = parseProviderRoutes(value(ENV.providers), value(ENV.providerRoutes));
  return { routes, routed: routedProviders(routes), text: describeRoutes(routes) };
}

export function describeRoutes(routes: ProviderRoutes): string {
  const order = (list: readonly string[]) => list.join(', then ');
  const countries = [...routes.byCountry].map(([country, list]) => `${country}: ${order(list)}`);
  return countries.length === 0 ? order(routes.fallback) : [...countries, `elsewhere: ${order(routes.fallback)}`].join('; ');
}
