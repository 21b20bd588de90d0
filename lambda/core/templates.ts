import { Liquid, type Template } from 'liquidjs';
import { codePresence, type Channel, type CodePresence, type SendRequest } from './send-request';

/**
 * Message templates (docs/messages.md): Liquid, chosen by application, action (the notification
 * type), channel and language, validated once when the catalog is loaded so that a broken
 * template fails the deploy (and `npm start`), never a login.
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
// The last resort for notifications without a code, when neither a template nor Auth0 gave a text.
const BUILT_IN_WITHOUT_CODE: Readonly<Record<string, string>> = {
  change_password: 'A password change was requested for your account.',
  blocked_account: 'Your account was blocked after suspicious activity.',
  password_breach: 'Your password appeared in a data breach. Change it now.',
};

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
  /** action -> channel -> lower-cased language tag -> template */
  templates: Map<string, Map<Channel, Map<string, CatalogTemplate>>>;
}

/** A template's source, and its parsed form once it was checked or first used. */
interface CatalogTemplate {
  source: string;
  parsed?: Template[];
}

export interface LoadOptions {
  /**
   * Parse and trial-render every template now (the default), so that a broken one stops the
   * synth or `npm start` with its path. False defers parsing each template to its first use: for
   * the Lambda, whose bundled file is the one the stack checked at synth
   * (cdk/sms-gateway-stack.ts), so that its cold start does not compile templates it never sends.
   */
  check?: boolean;
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

// What Auth0's own text looks like in a notification without a code.
const SAMPLE_TEXT_WITHOUT_CODE = 'A security notice about your account.';

function compile(path: string, source: string, action: string, channel: Channel, reserved: number): Template[] {
  const presence = codePresence(action);
  const sample = { ...SAMPLE_VARIABLES, action, channel, ...(presence === 'none' ? { text: SAMPLE_TEXT_WITHOUT_CODE } : {}) };
  let parsed: Template[];
  let withCode: string;
  let withoutCode: string;
  try {
    parsed = engine.parse(source);
    // Trial renders with strict variables and filters catch unknown names at load time; one with
    // a sample code and one without tell whether the template prints the code, and when.
    withCode = engine.renderSync(parsed, sample);
    // Only types that may come without a code need the second render (every cold start pays it).
    withoutCode = presence === 'required' ? '' : engine.renderSync(parsed, { ...sample, code: '', voice_code: '', text: SAMPLE_TEXT_WITHOUT_CODE });
  } catch (err) {
    throw new CatalogError(path, `${(err as Error).message.split('\n')[0]} (variables: ${TEMPLATE_VARIABLES.join(', ')})`);
  }
  checkCode(path, action, presence, withCode, withoutCode);
  const longest = Math.max(withCode.length, withoutCode.length);
  if (channel === 'sms' && longest > MAX_SMS_LENGTH - reserved) {
    throw new CatalogError(path, `renders to ${longest} characters; keep SMS under ${MAX_SMS_LENGTH - reserved}`);
  }
  return parsed;
}

/**
 * A template prints the code exactly when the notification has one: always for a type that
 * carries one, never for a type without, and only when there is one for change_password.
 */
function checkCode(path: string, action: string, presence: CodePresence, withCode: string, withoutCode: string): void {
  const printed = carriesCode(withCode, SAMPLE_VARIABLES.code);
  if (presence !== 'none' && !printed) {
    throw new CatalogError(path, 'never outputs {{ code }} or {{ voice_code }}: the user would not receive the code');
  }
  if (presence === 'none' && printed) {
    throw new CatalogError(path, `outputs {{ code }} or {{ voice_code }}, but ${action} notifications carry no code`);
  }
  if (presence !== 'required' && withoutCode.trim() === '') {
    throw new CatalogError(path, `renders to an empty message for ${action} notifications without a code`);
  }
  const withCodeRemoved = withCode.split(SAMPLE_VARIABLES.voice_code).join('').split(SAMPLE_VARIABLES.code).join('');
  if (presence === 'optional' && withoutCode === withCodeRemoved) {
    throw new CatalogError(path, `outputs the code even when there is none (${action} notifications may carry none): print it inside {% if code != "" %}`);
  }
}

function carriesCode(body: string, code: string): boolean {
  return body.includes(code) || body.includes(spaceDigits(code));
}

function loadApplication(path: string, raw: unknown, check: boolean): Application {
  if (!isRecord(raw)) throw new CatalogError(path, 'must be an object');
  const { name, webotp_domain: webotpDomain, templates } = raw;
  if (name !== undefined && typeof name !== 'string') throw new CatalogError(`${path}.name`, 'must be a string');
  if (webotpDomain !== undefined && (typeof webotpDomain !== 'string' || !WEBOTP_DOMAIN.test(webotpDomain))) {
    throw new CatalogError(`${path}.webotp_domain`, 'must be a host name such as "login.example.com" (no scheme, no path)');
  }
  if (!isRecord(templates)) throw new CatalogError(`${path}.templates`, 'must be an object of actions');

  const byAction = new Map<string, Map<Channel, Map<string, CatalogTemplate>>>();
  for (const [action, channels] of Object.entries(templates)) {
    const actionPath = `${path}.templates.${action}`;
    if (!isRecord(channels)) throw new CatalogError(actionPath, 'must be an object with "sms" and/or "voice"');
    const byChannel = new Map<Channel, Map<string, CatalogTemplate>>();
    for (const [channel, languages] of Object.entries(channels)) {
      const channelPath = `${actionPath}.${channel}`;
      if (!CHANNELS.includes(channel as Channel)) throw new CatalogError(channelPath, 'channel must be "sms" or "voice"');
      if (!isRecord(languages)) throw new CatalogError(channelPath, 'must be an object of language tags');
      const byLanguage = new Map<string, CatalogTemplate>();
      for (const [language, source] of Object.entries(languages)) {
        const templatePath = `${channelPath}.${language}`;
        if (!LANGUAGE_TAG.test(language)) throw new CatalogError(templatePath, 'the key must be a BCP 47 language tag such as "pt" or "pt-BR"');
        if (typeof source !== 'string' || source.trim() === '') throw new CatalogError(templatePath, 'must be a non-empty Liquid template string');
        const reserved = webotpLineLength(typeof webotpDomain === 'string' ? webotpDomain : undefined);
        byLanguage.set(language.toLowerCase(), { source, ...(check ? { parsed: compile(templatePath, source, action, channel as Channel, reserved) } : {}) });
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
  static load(raw: unknown, options: LoadOptions = {}): MessageCatalog {
    if (!isRecord(raw)) throw new CatalogError('(root)', 'must be a JSON object');
    const defaultLanguage = raw.defaultLanguage ?? 'en';
    if (typeof defaultLanguage !== 'string' || !LANGUAGE_TAG.test(defaultLanguage)) {
      throw new CatalogError('defaultLanguage', 'must be a language tag such as "en"');
    }
    if (!isRecord(raw.applications)) throw new CatalogError('applications', 'must be an object');
    if (!(DEFAULT_APPLICATION in raw.applications)) throw new CatalogError('applications', 'needs a "default" application');

    const applications = new Map<string, Application>();
    for (const [id, app] of Object.entries(raw.applications)) {
      applications.set(id, loadApplication(`applications.${id}`, app, options.check ?? true));
    }
    return new MessageCatalog(defaultLanguage, applications);
  }

  /** Renders the message for a validated request, following docs/messages.md's fallback chain. */
  render(request: SendRequest): RenderedMessage {
    const own = request.clientId !== undefined ? this.applications.get(request.clientId) : undefined;
    const fallback = this.applications.get(DEFAULT_APPLICATION);
    const code = request.code ?? '';
    const variables: TemplateVariables = {
      code,
      voice_code: spaceDigits(code),
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
    const usable = (body: string) =>
      (code === '' ? body.trim() !== '' : carriesCode(body, code)) && (request.channel !== 'sms' || body.length <= MAX_SMS_LENGTH - reserved);

    const found = this.find([own, fallback], request);
    let rendered: RenderedMessage | undefined;
    if (found) {
      // Speak the request's own locale (es-MX) when the text is in its language (es).
      const language = languageChain(request.language).includes(found.language) ? request.language : found.language;
      const body = engine.renderSync((found.template.parsed ??= engine.parse(found.template.source)), variables);
      if (usable(body)) rendered = { body, language, source: found.source };
    }
    // Auth0's own text for the channel (as_text, as_voice), then a built-in English sentence.
    const auth0Text = request.channel === 'sms' ? request.text : request.voiceText;
    if (!rendered && auth0Text && usable(auth0Text)) {
      rendered = { body: auth0Text, language: request.language, source: 'auth0-text' };
    }
    if (!rendered) {
      const body =
        code === ''
          ? (BUILT_IN_WITHOUT_CODE[request.action] ?? SAMPLE_TEXT_WITHOUT_CODE)
          : engine.renderSync(request.channel === 'sms' ? builtInSms : builtInVoice, variables);
      rendered = { body, language: 'en', source: 'built-in' };
    }

    if (request.channel === 'sms' && webotpDomain && code !== '') {
      // WebOTP: the last line binds the code to the origin so the browser can offer to fill it.
      rendered.body = `${rendered.body.trimEnd()}\n\n@${webotpDomain} #${code}`;
    }
    return rendered;
  }

  private find(
    candidates: (Application | undefined)[],
    request: SendRequest,
  ): { template: CatalogTemplate; language: string; source: string } | undefined {
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
