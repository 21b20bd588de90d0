import { Liquid, type Template } from 'liquidjs';
import type { Channel, SendRequest } from './send-request';

/**
 * Message templates (CONTRACT.md section 8): Liquid, chosen by application, action, channel
 * and language, validated once when the catalog is loaded so that a broken template fails the
 * deploy (and `npm start`), never a login.
 *
 * config/messages.json:
 *   {
 *     "defaultLanguage": "en",
 *     "applications": {
 *       "default":     { "templates": { "<action>": { "sms": { "<lang>": "<liquid>" }, "voice": { ... } } } },
 *       "<client_id>": { "name": "...", "webotp_domain": "login.example.com", "templates": { ... } }
 *     }
 *   }
 */

export const TEMPLATE_VARIABLES = [
  'code',
  'voice_code',
  'client_id',
  'client_name',
  'action',
  'channel',
  'language',
  'tenant',
  'text',
] as const;

type TemplateVariables = Record<(typeof TEMPLATE_VARIABLES)[number], string>;

/** Longest body Twilio accepts for one message (error 21617 beyond it). */
export const MAX_SMS_LENGTH = 1600;

const DEFAULT_APPLICATION = 'default';
const CHANNELS: readonly Channel[] = ['sms', 'voice'];
// A bare host name, as WebOTP's origin-bound line wants it: `@login.example.com #123456`.
const LANGUAGE_TAG = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i;
const WEBOTP_DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export const BUILT_IN_SMS = 'Your verification code is {{ code }}.';
export const BUILT_IN_VOICE = 'Your verification code is {{ voice_code }}.';

export interface RenderedMessage {
  body: string;
  /** The language of the text (after fallback), as specific as the request allows: what a voice speaks. */
  language: string;
  /** Where the text came from, for logs: `<application>/<action>/<channel>/<language>`, `auth0-text` or `built-in`. */
  source: string;
}

interface Application {
  name?: string;
  webotpDomain?: string;
  /** action -> channel -> lower-cased language tag -> parsed template */
  templates: Map<string, Map<Channel, Map<string, Template[]>>>;
}

export class CatalogError extends Error {
  constructor(path: string, problem: string) {
    super(`config/messages.json: ${path}: ${problem}`);
    this.name = 'CatalogError';
  }
}

// A fixed locale: left unset, liquidjs asks Intl for the system's, which costs ~14 ms of every cold
// start; the templates use no date filters.
const engine = new Liquid({ strictFilters: true, strictVariables: true, ownPropertyOnly: true, cache: false, locale: 'en-US' });
const builtInSms = engine.parse(BUILT_IN_SMS);
const builtInVoice = engine.parse(BUILT_IN_VOICE);

const SAMPLE_VARIABLES: TemplateVariables = {
  code: '12345678',
  voice_code: '1 2 3 4 5 6 7 8',
  client_id: 'sample-client-id',
  client_name: 'Sample Application',
  action: 'authentication',
  channel: 'sms',
  language: 'en',
  tenant: 'sample-tenant',
  text: 'Your verification code is 12345678',
};

/** Digits spaced so that text-to-speech reads them one by one: `123456` -> `1 2 3 4 5 6`. */
export function spaceDigits(code: string): string {
  return code.split('').join(' ');
}

/** `pt-BR` -> [`pt-br`, `pt`], `zh-Hant-TW` -> [`zh-hant-tw`, `zh-hant`, `zh`]. */
export function languageChain(tag: string): string[] {
  const parts = tag.toLowerCase().split('-');
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('-'));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Characters the WebOTP line adds to an SMS: `\n\n@<domain> #<code of up to 10 digits>`. */
function webotpLineLength(domain: string | undefined): number {
  return domain ? domain.length + 15 : 0;
}

function compile(path: string, source: unknown, channel: Channel, reserved: number): Template[] {
  if (typeof source !== 'string' || source.trim() === '') throw new CatalogError(path, 'must be a non-empty Liquid template string');
  let parsed: Template[];
  let sample: string;
  try {
    parsed = engine.parse(source);
    // A trial render with strict variables and filters catches unknown names at load time.
    sample = engine.renderSync(parsed, { ...SAMPLE_VARIABLES, channel });
  } catch (err) {
    throw new CatalogError(path, `${(err as Error).message.split('\n')[0]} (variables: ${TEMPLATE_VARIABLES.join(', ')})`);
  }
  if (!carriesCode(sample, SAMPLE_VARIABLES.code)) {
    throw new CatalogError(path, 'never outputs {{ code }} or {{ voice_code }}: the user would not receive the code');
  }
  if (channel === 'sms' && sample.length > MAX_SMS_LENGTH - reserved) {
    throw new CatalogError(path, `renders to ${sample.length} characters; keep SMS under ${MAX_SMS_LENGTH - reserved}`);
  }
  return parsed;
}

function carriesCode(body: string, code: string): boolean {
  return body.includes(code) || body.includes(spaceDigits(code));
}

function loadApplication(path: string, raw: unknown): Application {
  if (!isRecord(raw)) throw new CatalogError(path, 'must be an object');
  const { name, webotp_domain: webotpDomain, templates } = raw;
  if (name !== undefined && typeof name !== 'string') throw new CatalogError(`${path}.name`, 'must be a string');
  if (webotpDomain !== undefined && (typeof webotpDomain !== 'string' || !WEBOTP_DOMAIN.test(webotpDomain))) {
    throw new CatalogError(`${path}.webotp_domain`, 'must be a host name such as "login.example.com" (no scheme, no path)');
  }
  if (!isRecord(templates)) throw new CatalogError(`${path}.templates`, 'must be an object of actions');

  const byAction = new Map<string, Map<Channel, Map<string, Template[]>>>();
  for (const [action, channels] of Object.entries(templates)) {
    const actionPath = `${path}.templates.${action}`;
    if (!isRecord(channels)) throw new CatalogError(actionPath, 'must be an object with "sms" and/or "voice"');
    const byChannel = new Map<Channel, Map<string, Template[]>>();
    for (const [channel, languages] of Object.entries(channels)) {
      const channelPath = `${actionPath}.${channel}`;
      if (!CHANNELS.includes(channel as Channel)) throw new CatalogError(channelPath, 'channel must be "sms" or "voice"');
      if (!isRecord(languages)) throw new CatalogError(channelPath, 'must be an object of language tags');
      const byLanguage = new Map<string, Template[]>();
      for (const [language, source] of Object.entries(languages)) {
        if (!LANGUAGE_TAG.test(language)) {
          throw new CatalogError(`${channelPath}.${language}`, 'the key must be a BCP 47 language tag such as "pt" or "pt-BR"');
        }
        const reserved = webotpLineLength(typeof webotpDomain === 'string' ? webotpDomain : undefined);
        byLanguage.set(language.toLowerCase(), compile(`${channelPath}.${language}`, source, channel as Channel, reserved));
      }
      byChannel.set(channel as Channel, byLanguage);
    }
    byAction.set(action, byChannel);
  }
  return { name, webotpDomain, templates: byAction };
}

export class MessageCatalog {
  private constructor(
    readonly defaultLanguage: string,
    private readonly applications: Map<string, Application>,
  ) {}

  /** Validates and compiles a catalog. Throws CatalogError naming the offending path. */
  static load(raw: unknown): MessageCatalog {
    if (!isRecord(raw)) throw new CatalogError('(root)', 'must be a JSON object');
    const defaultLanguage = raw.defaultLanguage ?? 'en';
    if (typeof defaultLanguage !== 'string' || !LANGUAGE_TAG.test(defaultLanguage)) {
      throw new CatalogError('defaultLanguage', 'must be a language tag such as "en"');
    }
    if (!isRecord(raw.applications)) throw new CatalogError('applications', 'must be an object');
    if (!(DEFAULT_APPLICATION in raw.applications)) throw new CatalogError('applications', 'needs a "default" application');

    const applications = new Map<string, Application>();
    for (const [id, app] of Object.entries(raw.applications)) {
      applications.set(id, loadApplication(`applications.${id}`, app));
    }
    return new MessageCatalog(defaultLanguage, applications);
  }

  /** Renders the message for a validated request, following section 8's fallback chain. */
  render(request: SendRequest): RenderedMessage {
    const own = request.clientId !== undefined ? this.applications.get(request.clientId) : undefined;
    const fallback = this.applications.get(DEFAULT_APPLICATION);
    const variables: TemplateVariables = {
      code: request.code,
      voice_code: spaceDigits(request.code),
      client_id: request.clientId ?? '',
      client_name: request.clientName ?? own?.name ?? '',
      action: request.action,
      channel: request.channel,
      language: request.language,
      tenant: request.tenant ?? '',
      text: request.text ?? '',
    };

    const webotpDomain = own?.webotpDomain ?? fallback?.webotpDomain;
    const reserved = request.channel === 'sms' ? webotpLineLength(webotpDomain) : 0;
    // A template fed unexpected values (an empty `text`, a very long `client_name`) may lose the
    // code or outgrow an SMS: then the next source in the chain is used, never a useless message.
    const usable = (body: string) => carriesCode(body, request.code) && (request.channel !== 'sms' || body.length <= MAX_SMS_LENGTH - reserved);

    const found = this.find([own, fallback], request);
    let rendered: RenderedMessage | undefined;
    if (found) {
      // Speak the request's own locale (es-MX) when the text is in its language (es).
      const language = languageChain(request.language).includes(found.language) ? request.language : found.language;
      const body = engine.renderSync(found.template, variables);
      if (usable(body)) rendered = { body, language, source: found.source };
    }
    if (!rendered && request.channel === 'sms' && request.text && usable(request.text)) {
      rendered = { body: request.text, language: request.language, source: 'auth0-text' };
    }
    if (!rendered) {
      const template = request.channel === 'sms' ? builtInSms : builtInVoice;
      rendered = { body: engine.renderSync(template, variables), language: 'en', source: 'built-in' };
    }

    if (request.channel === 'sms' && webotpDomain) {
      // WebOTP: the last line binds the code to the origin so the browser can offer to fill it.
      rendered.body = `${rendered.body.trimEnd()}\n\n@${webotpDomain} #${request.code}`;
    }
    return rendered;
  }

  private find(
    candidates: (Application | undefined)[],
    request: SendRequest,
  ): { template: Template[]; language: string; source: string } | undefined {
    const languages = [...new Set([...languageChain(request.language), ...languageChain(this.defaultLanguage)])];
    for (const app of candidates) {
      const byLanguage = app?.templates.get(request.action)?.get(request.channel);
      if (!byLanguage) continue;
      for (const language of languages) {
        const template = byLanguage.get(language);
        if (template) {
          const appId = app === candidates[0] && request.clientId ? request.clientId : DEFAULT_APPLICATION;
          return { template, language, source: `${appId}/${request.action}/${request.channel}/${language}` };
        }
      }
    }
    return undefined;
  }
}
