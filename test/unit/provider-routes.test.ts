import { ConfigurationError } from '../../lambda/core/errors';
import { parseProviderRoutes, providersFor } from '../../lambda/providers/routes';

/**
 * PROVIDERS and PROVIDER_ROUTES (docs/configuration.md): which providers may send to a
 * destination, in failover order. This version sends through Twilio only, so every route names
 * it; the format is what issue 13's second provider plugs into.
 */

it('sends through Twilio when nothing is set', () => {
  const routes = parseProviderRoutes(undefined, undefined);
  expect(routes).toEqual({ fallback: ['twilio'], byCountry: new Map() });
  expect(providersFor(routes, 'US')).toEqual(['twilio']);
  expect(providersFor(routes, undefined)).toEqual(['twilio']);
});

it('routes a country by PROVIDER_ROUTES and every other by `*`, else by PROVIDERS', () => {
  const routes = parseProviderRoutes('twilio', ' in = twilio ; *=Twilio ');
  expect(routes).toEqual({ fallback: ['twilio'], byCountry: new Map([['IN', ['twilio']]]) });
  expect(providersFor(routes, 'IN')).toEqual(['twilio']);
  expect(providersFor(routes, 'FR')).toEqual(['twilio']);
});

it.each([
  ['PROVIDERS', 'twilio,aws', undefined, 'PROVIDERS has "aws": the providers are twilio, in failover order, like twilio.'],
  ['PROVIDERS', 'twilio,twilio', undefined, 'PROVIDERS names twilio twice.'],
  ['PROVIDERS', 'twilio,', undefined, 'PROVIDERS has "": the providers are twilio, in failover order, like twilio.'],
  ['PROVIDER_ROUTES', undefined, 'IN', 'PROVIDER_ROUTES has "IN": each route is COUNTRY=providers, like IN=twilio or *=twilio.'],
  ['PROVIDER_ROUTES', undefined, 'UK=twilio', 'PROVIDER_ROUTES has "UK", which is not an ISO 3166 alpha-2 country code with phone numbers: did you mean GB?'],
  ['PROVIDER_ROUTES', undefined, 'US=twilio;us=twilio', 'PROVIDER_ROUTES has two routes for US.'],
  ['PROVIDER_ROUTES', undefined, '*=twilio;*=twilio', 'PROVIDER_ROUTES has two routes for *.'],
  ['PROVIDER_ROUTES', undefined, 'IN=console', 'PROVIDER_ROUTES has "console": the providers are twilio, in failover order, like twilio.'],
])('refuses a bad %s (%s, %s), naming the variable', (key, providers, routes, message) => {
  expect(() => parseProviderRoutes(providers, routes)).toThrow(ConfigurationError);
  expect(() => parseProviderRoutes(providers, routes)).toThrow(expect.objectContaining({ key, message }));
});
