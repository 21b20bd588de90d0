import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Loopback } from '../../support/loopback';
import { loadForwarder } from './load-forwarder';

/**
 * A loopback Auth0 tenant: the OAuth token endpoint and the Management API endpoints that
 * `auth0 deploy`, `doctor` and `send-test --via-auth0` use, with Auth0's status codes and error
 * bodies (401 for bad credentials, 403 for a missing client grant or scope, 409 for a duplicate
 * Action name), scope checks per route, and Actions that take a moment to build. The SDK reaches
 * it through `fetch`, which maps https://<domain> to this server.
 *
 * It plays both kinds of tenant (`experience`). Sources, per behavior:
 * - request and response shapes, and which endpoints exist: the `auth0` SDK's types
 *   (node_modules/auth0, v7: management/api/types and requests, e.g. PhoneProviderSchemaMasked,
 *   CreateBrandingPhoneProviderRequestContent, GetTenantSettingsResponseContent);
 * - scopes per endpoint: the Management API reference pages (create/try phone provider:
 *   create:phone_providers; list: read:phone_providers; update: update:phone_providers; the
 *   selected-provider endpoints: read/update:guardian_factors; tenant settings: read:tenant_settings);
 * - a unified tenant refusing the legacy MFA phone provider endpoints: 403 "Insufficient
 *   privileges to use this deprecated feature. To handle Phone Provider/Templates refer to Tenant
 *   Phone Settings", errorCode legacy_mfa_phone_provider_not_allowed, as Auth0 answers
 *   auth0-deploy-cli and terraform-provider-auth0 (Auth0's "Use Auth0's Unified Phone Experience
 *   for MFA" page lists those endpoints as no longer working there);
 * - `custom` needing a deployed custom-phone-provider Action (errorCode as Auth0's "Configure a
 *   custom phone provider" page prints it), one provider per tenant (409 on a second create),
 *   one Action on the custom-phone-provider trigger (the "... with Terraform" page; the refusal's
 *   shape is assumed),
 *   MFA message types within the provider's delivery methods (the same page's tables);
 * - POST .../providers/{id}/try: 202 {"code": 202, "message": "Phone notification sent."}; the
 *   notification the deployed Action then gets is an assumption (Auth0 does not document it): an
 *   otp_verify with a fresh 6-digit code, run here before the answer (Auth0 may run it later, which
 *   the CLI allows for by waiting for the message in Twilio).
 */

export interface RecordedCall {
  method: string;
  path: string;
  query: URLSearchParams;
  body: any;
}

export interface FakeAction {
  id: string;
  name: string;
  supported_triggers: { id: string; version?: string }[];
  code: string;
  runtime: string;
  secrets: { name: string; value: string }[];
  status: 'building' | 'built';
  all_changes_deployed: boolean;
  deployed_code?: string;
}

interface Binding {
  id: string;
  action_id: string;
  display_name: string;
}

type Json = Record<string, unknown> | unknown[];

const SCOPE_OF: [method: string, pattern: RegExp, scope: string][] = [
  ['GET', /^\/api\/v2\/actions\//, 'read:actions'],
  ['POST', /^\/api\/v2\/actions\/actions(\/[^/]+\/deploy)?$/, 'create:actions'],
  ['PATCH', /^\/api\/v2\/actions\//, 'update:actions'],
  ['GET', /^\/api\/v2\/guardian\//, 'read:guardian_factors'],
  ['PUT', /^\/api\/v2\/guardian\//, 'update:guardian_factors'],
  ['GET', /^\/api\/v2\/tenants\/settings$/, 'read:tenant_settings'],
  ['GET', /^\/api\/v2\/branding\/phone\/providers/, 'read:phone_providers'],
  ['POST', /^\/api\/v2\/branding\/phone\/providers(\/[^/]+\/try)?$/, 'create:phone_providers'],
  ['PATCH', /^\/api\/v2\/branding\/phone\/providers\//, 'update:phone_providers'],
];

export const ALL_SCOPES = [
  'read:tenant_settings',
  'read:actions',
  'create:actions',
  'update:actions',
  'read:phone_providers',
  'create:phone_providers',
  'update:phone_providers',
  'read:guardian_factors',
  'update:guardian_factors',
];

export interface FakePhoneProvider {
  id: string;
  name: 'twilio' | 'custom';
  disabled: boolean;
  delivery_methods: string[];
}

/** The notification a try ran the deployed custom-phone-provider Action with, and what the Action told Auth0. */
export interface TriedNotification {
  event: { notification: Record<string, unknown> };
  outcome: { call: 'drop' | 'retry'; reason?: string }[];
}

export class FakeManagementApi {
  readonly domain = 'acme.test.auth0.com';
  readonly clientId = `m2m${randomBytes(8).toString('hex')}`;
  readonly clientSecret = randomBytes(24).toString('base64url');
  readonly calls: RecordedCall[] = [];
  readonly actions = new Map<string, FakeAction>();
  readonly bindings: Record<string, Binding[]> = { 'send-phone-message': [], 'custom-phone-provider': [], 'post-login': [] };
  scopes = new Set(ALL_SCOPES);
  /** False: the application has no client grant for the Management API. */
  clientGranted = true;
  /** Which phone experience the tenant runs. */
  experience: 'legacy' | 'unified' = 'legacy';
  /** Whether GET /tenants/settings reports phone_consolidated_experience (older answers leave it out). */
  reportsExperience = true;
  /** The legacy MFA phone provider (guardian selected-provider). */
  phoneProvider = 'auth0';
  /** The tenant phone provider (Branding > Phone Provider); at most one. */
  tenantPhoneProvider?: FakePhoneProvider;
  readonly tried: TriedNotification[] = [];
  messageTypes: string[] = ['sms'];
  factors: Record<string, boolean> = { sms: false, otp: true, email: false, 'push-notification': false, duo: false };
  private readonly tokens = new Map<string, Set<string>>();

  private loopback!: Loopback;

  static async start(): Promise<FakeManagementApi> {
    const fake = new FakeManagementApi();
    fake.loopback = await Loopback.start((req, body, res) => fake.handle(req, body, res));
    return fake;
  }

  get origin(): string {
    return this.loopback.url;
  }

  /** A fetch that sends https://<domain>/... here; other hosts are left to the real fetch. */
  get fetch(): typeof fetch {
    return this.fetchVia(this.origin);
  }

  /** A fetch that sends https://<domain>/... to `origin` (a FaultProxy in front of this server). */
  fetchVia(origin: string): typeof fetch {
    return (input, init) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      if (url.host === this.domain) return fetch(`${origin}${url.pathname}${url.search}`, init);
      return fetch(input, init);
    };
  }

  /** Requests that change something (the token request aside). */
  writes(): RecordedCall[] {
    return this.calls.filter((call) => call.method !== 'GET' && call.path !== '/oauth/token');
  }

  addAction(action: Partial<FakeAction> & { name: string }): FakeAction {
    const stored: FakeAction = {
      id: randomUUID(),
      supported_triggers: [{ id: 'send-phone-message', version: 'v2' }],
      code: 'exports.onExecuteSendPhoneMessage = async () => {};',
      runtime: 'node22',
      secrets: [],
      status: 'built',
      all_changes_deployed: true,
      ...action,
    };
    stored.deployed_code ??= stored.all_changes_deployed ? stored.code : undefined;
    this.actions.set(stored.id, stored);
    return stored;
  }

  bind(trigger: string, action: FakeAction, displayName = action.name): void {
    this.bindings[trigger].push({ id: randomUUID(), action_id: action.id, display_name: displayName });
  }

  close(): Promise<void> {
    return this.loopback.close();
  }

  private async handle(req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
    const text = raw.toString();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const form = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const body = text === '' ? undefined : form ? Object.fromEntries(new URLSearchParams(text)) : JSON.parse(text);
    const call: RecordedCall = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body };
    this.calls.push(call);
    const [status, answer] = await this.answer(call, req.headers.authorization);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(answer === undefined ? '' : JSON.stringify(answer));
  }

  private answer(call: RecordedCall, authorization: string | undefined): [number, Json | undefined] | Promise<[number, Json | undefined]> {
    if (call.path === '/oauth/token' && call.method === 'POST') return this.token(call.body);
    if (!call.path.startsWith('/api/v2/')) return [404, { statusCode: 404, error: 'Not Found', message: 'Not Found' }];

    const granted = this.tokens.get(/^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '');
    if (!granted) return [401, { statusCode: 401, error: 'Unauthorized', message: 'Invalid token' }];
    const needed = SCOPE_OF.find(([method, pattern]) => method === call.method && pattern.test(call.path))?.[2];
    if (needed && !granted.has(needed)) {
      return [403, { statusCode: 403, error: 'Forbidden', message: `Insufficient scope, expected any of: ${needed}`, errorCode: 'insufficient_scope' }];
    }
    return this.route(call);
  }

  private token(form: Record<string, string> = {}): [number, Json] {
    if (form.grant_type !== 'client_credentials' || form.client_id !== this.clientId || form.client_secret !== this.clientSecret) {
      return [401, { error: 'access_denied', error_description: 'Unauthorized' }];
    }
    const audience = `https://${this.domain}/api/v2/`;
    if (!this.clientGranted || form.audience !== audience) {
      return [
        403,
        { error: 'access_denied', error_description: `Client is not authorized to access "${audience}". You need to create a "client-grant" associated to this API. See: Auth0 API "Client Grants"` },
      ];
    }
    const token = randomBytes(16).toString('hex');
    this.tokens.set(token, new Set(this.scopes));
    return [200, { access_token: token, scope: [...this.scopes].join(' '), expires_in: 86400, token_type: 'Bearer' }];
  }

  private view(action: FakeAction): Record<string, unknown> {
    return {
      id: action.id,
      name: action.name,
      supported_triggers: action.supported_triggers,
      code: action.code,
      runtime: action.runtime,
      secrets: action.secrets.map((secret) => ({ name: secret.name, updated_at: '2025-01-01T00:00:00.000Z' })),
      status: action.status,
      all_changes_deployed: action.all_changes_deployed,
      ...(action.deployed_code !== undefined ? { deployed_version: { id: `${action.id}-v1`, number: 1, deployed: true, status: 'built' } } : {}),
      created_at: '2025-01-01T00:00:00.000Z',
      updated_at: '2025-01-01T00:00:00.000Z',
    };
  }

  private page<T>(items: T[], query: URLSearchParams): { page: number; per_page: number; total: number; items: T[] } {
    const page = Number(query.get('page') ?? 0);
    const perPage = Number(query.get('per_page') ?? 20);
    return { page, per_page: perPage, total: items.length, items: items.slice(page * perPage, (page + 1) * perPage) };
  }

  private providerView(provider: FakePhoneProvider): Record<string, unknown> {
    return {
      id: provider.id,
      tenant: 'acme',
      name: provider.name,
      channel: 'phone',
      disabled: provider.disabled,
      configuration: { delivery_methods: provider.delivery_methods, ...(provider.name === 'twilio' ? { sid: 'AC0123', default_from: '+15005550006' } : {}) },
      created_at: '2025-01-01T00:00:00.000Z',
      updated_at: '2025-01-01T00:00:00.000Z',
    };
  }

  /** The deployed Action of the custom-phone-provider trigger, which a `custom` provider runs. */
  private providerAction(): FakeAction | undefined {
    return [...this.actions.values()].find((action) => action.deployed_code !== undefined && action.supported_triggers.some((trigger) => trigger.id === 'custom-phone-provider'));
  }

  private phoneProviders(call: RecordedCall): [number, Json | undefined] | Promise<[number, Json | undefined]> {
    const { method, path, body } = call;
    const notFound: [number, Json] = [404, { statusCode: 404, error: 'Not Found', message: 'Phone provider not found' }];
    const noAction: [number, Json] = [
      400,
      { statusCode: 400, error: 'Bad Request', message: 'A deployed custom-phone-provider Action is needed for a custom phone provider.', errorCode: 'custom_email_provider_deployed_action_not_found' },
    ];
    const provider = this.tenantPhoneProvider;
    if (path === '/api/v2/branding/phone/providers') {
      if (method === 'GET') return [200, { providers: provider ? [this.providerView(provider)] : [] }];
      if (method === 'POST') {
        if (provider) return [409, { statusCode: 409, error: 'Conflict', message: 'A phone provider is already configured for this tenant.' }];
        if (body.name === 'custom' && !this.providerAction()) return noAction;
        this.tenantPhoneProvider = { id: `pro_${randomBytes(8).toString('hex')}`, name: body.name, disabled: body.disabled === true, delivery_methods: body.configuration?.delivery_methods ?? ['text'] };
        return [201, this.providerView(this.tenantPhoneProvider)];
      }
    }
    const match = /^\/api\/v2\/branding\/phone\/providers\/([^/]+)(\/try)?$/.exec(path);
    if (!match || !provider || match[1] !== provider.id) return notFound;
    if (method === 'GET' && !match[2]) return [200, this.providerView(provider)];
    if (method === 'PATCH' && !match[2]) {
      if ((body.name ?? provider.name) === 'custom' && !this.providerAction()) return noAction;
      Object.assign(provider, {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
        ...(body.configuration?.delivery_methods ? { delivery_methods: body.configuration.delivery_methods } : {}),
      });
      return [200, this.providerView(provider)];
    }
    if (method === 'POST' && match[2]) return this.tryProvider(provider, body ?? {});
    return notFound;
  }

  /** Runs the deployed Action with a test notification in the forwarders' sandbox, as Auth0 would. */
  private async tryProvider(provider: FakePhoneProvider, body: { to?: string; delivery_method?: string }): Promise<[number, Json]> {
    if (typeof body.to !== 'string' || body.to.length < 1 || body.to.length > 16) {
      return [400, { statusCode: 400, error: 'Bad Request', message: 'Payload validation error: String is too long (max 16) or empty on property to.' }];
    }
    const deliveryMethod = body.delivery_method ?? 'text';
    if (!provider.delivery_methods.includes(deliveryMethod)) {
      return [400, { statusCode: 400, error: 'Bad Request', message: `The phone provider does not offer the delivery method ${deliveryMethod}.` }];
    }
    const action = provider.name === 'custom' ? this.providerAction() : undefined;
    if (action) {
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const event = {
        notification: { recipient: body.to, code, as_text: `Your verification code is: ${code}`, as_voice: `Your verification code is ${code.split('').join(' ')}`, delivery_method: deliveryMethod, locale: 'en', message_type: 'otp_verify' },
        secrets: Object.fromEntries(action.secrets.map((secret) => [secret.name, secret.value])),
        client: { client_id: 'test-client', name: 'acme', metadata: {} },
        tenant: { id: 'acme' },
        user: { user_id: 'test|0', app_metadata: {}, user_metadata: {} },
      };
      const outcome: TriedNotification['outcome'] = [];
      const api = { notification: { drop: (reason?: string) => void outcome.push({ call: 'drop', reason }), retry: (reason?: string) => void outcome.push({ call: 'retry', reason }) } };
      await loadForwarder(action.deployed_code!).exports.onExecuteCustomPhoneProvider(event, api);
      this.tried.push({ event, outcome });
    }
    return [202, { code: 202, message: 'Phone notification sent.' }];
  }

  private route(call: RecordedCall): [number, Json | undefined] | Promise<[number, Json | undefined]> {
    const { method, path, body, query } = call;
    const notFound: [number, Json] = [404, { statusCode: 404, error: 'Not Found', message: 'Not found' }];

    if (method === 'GET' && path === '/api/v2/actions/triggers') {
      return [
        200,
        {
          triggers: [
            { id: 'send-phone-message', version: 'v1', status: 'DEPRECATED', runtimes: ['node12'] },
            { id: 'send-phone-message', version: 'v2', status: 'CURRENT', runtimes: ['node18', 'node22'], default_runtime: 'node22' },
            { id: 'custom-phone-provider', version: 'v1', status: 'CURRENT', runtimes: ['node18', 'node22'], default_runtime: 'node22' },
            { id: 'post-login', version: 'v3', status: 'CURRENT', runtimes: ['node22'], default_runtime: 'node22' },
          ],
        },
      ];
    }
    if (path === '/api/v2/actions/actions') {
      if (method === 'GET') {
        const matching = [...this.actions.values()].filter(
          (action) =>
            (!query.get('actionName') || action.name === query.get('actionName')) &&
            (!query.get('triggerId') || action.supported_triggers.some((trigger) => trigger.id === query.get('triggerId'))),
        );
        const { items, ...paging } = this.page(matching, query);
        return [200, { actions: items.map((action) => this.view(action)), ...paging }];
      }
      if (method === 'POST') {
        if ([...this.actions.values()].some((action) => action.name === body.name)) {
          return [409, { statusCode: 409, error: 'Conflict', message: `An action with the name '${body.name}' already exists.` }];
        }
        // Auth0 allows one Action on custom-phone-provider ("Configure a custom phone provider with
        // Terraform"). How it refuses a second is not documented: here as its other validation errors.
        const limited = (body.supported_triggers as { id: string }[] | undefined)?.find((trigger) => trigger.id === 'custom-phone-provider');
        if (limited && [...this.actions.values()].some((action) => action.supported_triggers.some((trigger) => trigger.id === limited.id))) {
          return [400, { statusCode: 400, error: 'Bad Request', message: `A maximum of 1 action is allowed for the ${limited.id} trigger.` }];
        }
        const action = this.addAction({ ...body, status: 'building', all_changes_deployed: false });
        return [201, this.view(action)];
      }
    }
    const actionMatch = /^\/api\/v2\/actions\/actions\/([^/]+)(\/deploy)?$/.exec(path);
    if (actionMatch) {
      const action = this.actions.get(actionMatch[1]);
      if (!action) return notFound;
      if (method === 'GET' && !actionMatch[2]) {
        const shown = this.view(action);
        action.status = 'built'; // built by the next look
        return [200, shown];
      }
      if (method === 'PATCH' && !actionMatch[2]) {
        if (body.name !== undefined && [...this.actions.values()].some((other) => other !== action && other.name === body.name)) {
          return [409, { statusCode: 409, error: 'Conflict', message: `An action with the name '${body.name}' already exists.` }];
        }
        for (const key of ['name', 'code', 'runtime', 'secrets', 'supported_triggers'] as const) {
          if (body[key] !== undefined) (action as any)[key] = body[key];
        }
        action.status = 'building';
        action.all_changes_deployed = false;
        return [200, this.view(action)];
      }
      if (method === 'POST' && actionMatch[2]) {
        if (action.status !== 'built') return [400, { statusCode: 400, error: 'Bad Request', message: 'The action has not been built yet.' }];
        action.deployed_code = action.code;
        action.all_changes_deployed = true;
        return [200, { id: randomUUID(), action_id: action.id, code: action.code, runtime: action.runtime, deployed: true, status: 'built', number: 1 }];
      }
    }
    const bindingsMatch = /^\/api\/v2\/actions\/triggers\/([^/]+)\/bindings$/.exec(path);
    if (bindingsMatch) {
      const trigger = bindingsMatch[1];
      const current = (this.bindings[trigger] ??= []);
      const shown = (binding: Binding) => ({
        id: binding.id,
        trigger_id: trigger,
        display_name: binding.display_name,
        action: this.view(this.actions.get(binding.action_id)!),
      });
      if (method === 'GET') {
        const { items, ...paging } = this.page(current, query);
        return [200, { bindings: items.map(shown), ...paging }];
      }
      if (method === 'PATCH') {
        const next: Binding[] = [];
        for (const entry of body.bindings as { ref: { type: string; value: string }; display_name?: string }[]) {
          const { type, value } = entry.ref;
          const existing = type === 'binding_id' ? current.find((binding) => binding.id === value) : undefined;
          const action =
            type === 'binding_id'
              ? this.actions.get(existing?.action_id ?? '')
              : type === 'action_id'
                ? this.actions.get(value)
                : [...this.actions.values()].find((candidate) => candidate.name === value);
          if (!action || (type === 'binding_id' && !existing)) {
            return [400, { statusCode: 400, error: 'Bad Request', message: `Unknown ${type} ${value}` }];
          }
          if (action.deployed_code === undefined) return [400, { statusCode: 400, error: 'Bad Request', message: `Action ${action.name} is not deployed.` }];
          next.push({ id: existing?.id ?? randomUUID(), action_id: action.id, display_name: entry.display_name ?? existing?.display_name ?? action.name });
        }
        this.bindings[trigger] = next;
        return [200, { bindings: next.map(shown) }];
      }
    }
    if (method === 'GET' && path === '/api/v2/tenants/settings') {
      const settings = { friendly_name: 'Acme', enabled_locales: ['en'], ...(this.reportsExperience ? { phone_consolidated_experience: this.experience === 'unified' } : {}) };
      const fields = query.get('fields')?.split(',');
      const shown = fields && query.get('include_fields') !== 'false' ? Object.fromEntries(Object.entries(settings).filter(([key]) => fields.includes(key))) : settings;
      return [200, shown];
    }
    if (path.startsWith('/api/v2/branding/phone/providers')) return this.phoneProviders(call);
    if (this.experience === 'unified' && /^\/api\/v2\/guardian\/factors\/(phone|sms)\/(selected-provider|providers\/twilio|templates)$/.test(path)) {
      return [
        403,
        { statusCode: 403, error: 'Forbidden', message: 'Insufficient privileges to use this deprecated feature. To handle Phone Provider/Templates refer to Tenant Phone Settings', errorCode: 'legacy_mfa_phone_provider_not_allowed' },
      ];
    }
    if (path === '/api/v2/guardian/factors/phone/selected-provider') {
      if (method === 'GET') return [200, { provider: this.phoneProvider }];
      if (method === 'PUT') {
        this.phoneProvider = body.provider;
        return [200, { provider: this.phoneProvider }];
      }
    }
    if (path === '/api/v2/guardian/factors/phone/message-types') {
      if (method === 'GET') return [200, { message_types: this.messageTypes }];
      if (method === 'PUT') {
        const offered = this.tenantPhoneProvider && !this.tenantPhoneProvider.disabled ? this.tenantPhoneProvider.delivery_methods : [];
        const undelivered = (body.message_types as string[]).filter((type) => !offered.includes(type === 'sms' ? 'text' : type));
        if (this.experience === 'unified' && undelivered.length > 0) {
          return [400, { statusCode: 400, error: 'Bad Request', message: `The phone provider does not deliver ${undelivered.join(', ')}: message types must be a subset of its delivery methods.` }];
        }
        this.messageTypes = body.message_types;
        return [200, { message_types: this.messageTypes }];
      }
    }
    if (method === 'GET' && path === '/api/v2/guardian/factors') {
      return [200, Object.entries(this.factors).map(([name, enabled]) => ({ name, enabled, trial_expired: false }))];
    }
    const factorMatch = /^\/api\/v2\/guardian\/factors\/([^/]+)$/.exec(path);
    if (factorMatch && method === 'PUT') {
      if (!(factorMatch[1] in this.factors)) return notFound;
      this.factors[factorMatch[1]] = body.enabled === true;
      return [200, { enabled: this.factors[factorMatch[1]] }];
    }
    return notFound;
  }
}
