import { ConfigurationError } from '../../lambda/core/errors';
import { parseProviderRoutes, providersFor, routedProviders } from '../../lambda/providers/routes';

/**
 * PROVIDERS and PROVIDER_ROUTES (docs/configuration.md): which providers may send to a
 * destination, in failover order: Twilio and AWS End User Messaging (`aws`).
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

it('takes the providers in failover order, and routes a country to AWS first (IN=aws;*=twilio,aws)', () => {
  const routes = parseProviderRoutes('twilio,aws', 'IN=aws;*=twilio,aws');
  expect(routes).toEqual({ fallback: ['twilio', 'aws'], byCountry: new Map([['IN', ['aws']]]) });
  expect(providersFor(routes, 'IN')).toEqual(['aws']);
  expect(providersFor(routes, 'US')).toEqual(['twilio', 'aws']);
});

it('names the providers some route uses: only they need keys', () => {
  expect(routedProviders(parseProviderRoutes(undefined, undefined))).toEqual(['twilio']);
  expect(routedProviders(parseProviderRoutes('aws', undefined))).toEqual(['aws']);
  expect(routedProviders(parseProviderRoutes('twilio', 'IN=aws'))).toEqual(['twilio', 'aws']);
  // `*` replaces PROVIDERS for every other country: Twilio is named by no route.
  expect(routedProviders(parseProviderRoutes('twilio', 'IN=aws;*=aws'))).toEqual(['aws']);
});

it.each([
  ['PROVIDERS', 'twilio,sns', undefined, 'PROVIDERS has "sns": the providers are twilio, aws, in failover order, like twilio,aws.'],
  ['PROVIDERS', 'twilio,twilio', undefined, 'PROVIDERS names twilio twice.'],
  ['PROVIDERS', 'twilio,', undefined, 'PROVIDERS has "": the providers are twilio, aws, in failover order, like twilio,aws.'],
  ['PROVIDER_ROUTES', undefined, 'IN', 'PROVIDER_ROUTES has "IN": each route is COUNTRY=providers, like IN=twilio or *=twilio.'],
  ['PROVIDER_ROUTES', undefined, 'UK=twilio', 'PROVIDER_ROUTES has "UK", which is not an ISO 3166 alpha-2 country code with phone numbers: did you mean GB?'],
  ['PROVIDER_ROUTES', undefined, 'US=twilio;us=twilio', 'PROVIDER_ROUTES has two routes for US.'],
  ['PROVIDER_ROUTES', undefined, '*=twilio;*=twilio', 'PROVIDER_ROUTES has two routes for *.'],
  ['PROVIDER_ROUTES', undefined, 'IN=console', 'PROVIDER_ROUTES has "console": the providers are twilio, aws, in failover order, like twilio,aws.'],
  ['PROVIDER_ROUTES', undefined, 'IN=aws,aws', 'PROVIDER_ROUTES names aws twice.'],
])('refuses a bad %s (%s, %s), naming the variable', (key, providers, routes, message) => {
  expect(() => parseProviderRoutes(providers, routes)).toThrow(ConfigurationError);
  expect(() => parseProviderRoutes(providers, routes)).toThrow(expect.objectContaining({ key, message }));
});
