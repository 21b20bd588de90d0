import shipped from '../../config/messages.json';
import { validateSendRequest } from '../../lambda/core/send-request';
import { CatalogError, languageChain, MAX_SMS_LENGTH, MessageCatalog, spaceDigits } from '../../lambda/core/templates';

const CODE = '482913';

function request(fields: Record<string, unknown> = {}) {
  return validateSendRequest({ recipient: '+14155550123', code: CODE, ...fields });
}

/** A catalog with the default application and the given extras. */
function catalog(defaultTemplates: Record<string, unknown>, extra: Record<string, unknown> = {}, defaultLanguage?: string) {
  return MessageCatalog.load({ ...(defaultLanguage ? { defaultLanguage } : {}), applications: { default: { templates: defaultTemplates }, ...extra } });
}

describe('choosing a template', () => {
  const messages = catalog(
    {
      authentication: {
        sms: { en: 'default/en {{ code }}', pt: 'default/pt {{ code }}', 'pt-BR': 'default/pt-BR {{ code }}', es: 'default/es {{ code }}' },
        voice: { en: 'default voice/en {{ voice_code }}', es: 'default voice/es {{ voice_code }}' },
      },
      enrollment: { sms: { en: 'default enrollment/en {{ code }}' } },
    },
    {
      acme: { name: 'Acme Bank', templates: { authentication: { sms: { fr: 'acme/fr {{ code }}', en: 'acme/en {{ code }}' } } } },
      frenchOnly: { templates: { authentication: { sms: { fr: 'frenchOnly/fr {{ code }}' } } } },
    },
  );

  it('uses the exact language when there is a template for it', () => {
    expect(messages.render(request({ language: 'pt-BR' }))).toEqual({ body: `default/pt-BR ${CODE}`, language: 'pt-BR', source: 'default/authentication/sms/pt-br' });
  });

  it('matches language tags without regard to case', () => {
    expect(messages.render(request({ language: 'PT-br' })).body).toBe(`default/pt-BR ${CODE}`);
  });

  it('falls back from a regional tag to its language (pt-PT -> pt)', () => {
    expect(messages.render(request({ language: 'pt-PT' }))).toMatchObject({ body: `default/pt ${CODE}`, source: 'default/authentication/sms/pt' });
  });

  it('falls back to the default language when neither the tag nor its language has a template', () => {
    expect(messages.render(request({ language: 'ja-JP' }))).toMatchObject({ body: `default/en ${CODE}`, source: 'default/authentication/sms/en' });
  });

  it('uses the configured defaultLanguage, not English, as the last language', () => {
    const spanishFirst = catalog({ authentication: { sms: { en: 'en {{ code }}', es: 'es {{ code }}' } } }, {}, 'es');
    expect(spanishFirst.render(request({ language: 'ja' })).body).toBe(`es ${CODE}`);
  });

  it("uses the application's own template for its client_id", () => {
    expect(messages.render(request({ client_id: 'acme', language: 'fr-CA' }))).toMatchObject({ body: `acme/fr ${CODE}`, source: 'acme/authentication/sms/fr' });
  });

  it("prefers the application's default-language template to the default application's template in the asked language", () => {
    expect(messages.render(request({ client_id: 'acme', language: 'pt-BR' }))).toMatchObject({ body: `acme/en ${CODE}`, source: 'acme/authentication/sms/en' });
  });

  it('falls back to the default application when the application has no template in the chain', () => {
    expect(messages.render(request({ client_id: 'frenchOnly', language: 'es' }))).toMatchObject({ body: `default/es ${CODE}`, source: 'default/authentication/sms/es' });
  });

  it('falls back to the default application for the actions and channels the application does not define', () => {
    expect(messages.render(request({ client_id: 'acme', action: 'enrollment' })).source).toBe('default/enrollment/sms/en');
    expect(messages.render(request({ client_id: 'acme', message_type: 'voice' })).source).toBe('default/authentication/voice/en');
  });

  it('uses the default application for an unknown client_id', () => {
    expect(messages.render(request({ client_id: 'unknown', language: 'es' })).source).toBe('default/authentication/sms/es');
  });

  describe('the language a call speaks', () => {
    it("is the request's own locale when the template is in its language (es-MX reads the es text)", () => {
      expect(messages.render(request({ message_type: 'voice', language: 'es-MX' }))).toEqual({
        body: 'default voice/es 4 8 2 9 1 3',
        language: 'es-MX',
        source: 'default/authentication/voice/es',
      });
    });

    it("is the template's language when the text fell back to the default language", () => {
      expect(messages.render(request({ message_type: 'voice', language: 'de-AT' })).language).toBe('en');
    });

    it('is English for the built-in sentence', () => {
      const empty = catalog({});
      expect(empty.render(request({ message_type: 'voice', language: 'fr' })).language).toBe('en');
    });
  });

  describe('when no template matches', () => {
    const empty = catalog({ authentication: { sms: { en: 'x {{ code }}' } } });

    it("sends Auth0's text by SMS", () => {
      expect(empty.render(request({ action: 'password-reset', text: `Use ${CODE} to reset`, language: 'fr' }))).toEqual({
        body: `Use ${CODE} to reset`,
        language: 'fr',
        source: 'auth0-text',
      });
    });

    it("sends the built-in sentence by SMS when Auth0 gave no text", () => {
      expect(empty.render(request({ action: 'password-reset' }))).toEqual({ body: `Your verification code is ${CODE}.`, language: 'en', source: 'built-in' });
    });

    it("reads the built-in sentence with the spaced code in a call, ignoring Auth0's text", () => {
      expect(empty.render(request({ message_type: 'voice', text: `Your code is ${CODE}` }))).toEqual({
        body: 'Your verification code is 4 8 2 9 1 3.',
        language: 'en',
        source: 'built-in',
      });
    });
  });
});

describe('notifications without a code', () => {
  const messages = catalog({
    blocked_account: { sms: { en: 'Blocked{% if client_name != "" %}: {{ client_name }}{% endif %}' } },
    change_password: { sms: { en: '{% if code != "" %}Reset code {{ code }}{% else %}Password change requested{% endif %}' } },
  }, { acme: { webotp_domain: 'login.acme.example', templates: {} } });

  function notification(action: string, fields: Record<string, unknown> = {}) {
    return validateSendRequest({ recipient: '+14155550123', action, ...fields });
  }

  it('renders the type\'s template with an empty code', () => {
    expect(messages.render(notification('blocked_account', { client_name: 'Acme' }))).toEqual({ body: 'Blocked: Acme', language: 'en', source: 'default/blocked_account/sms/en' });
  });

  it('prints the change_password code only when there is one', () => {
    expect(messages.render(notification('change_password', { code: CODE })).body).toBe(`Reset code ${CODE}`);
    expect(messages.render(notification('change_password')).body).toBe('Password change requested');
  });

  it('adds no WebOTP line without a code', () => {
    expect(messages.render(notification('blocked_account', { client_id: 'acme' })).body).toBe('Blocked');
    expect(messages.render(notification('change_password', { client_id: 'acme', code: CODE })).body).toBe(`Reset code ${CODE}\n\n@login.acme.example #${CODE}`);
  });

  it("falls back to Auth0's text for the channel, then to a built-in sentence for the type", () => {
    const empty = catalog({});
    expect(empty.render(notification('password_breach', { text: 'Auth0: change your password' }))).toEqual({ body: 'Auth0: change your password', language: 'en', source: 'auth0-text' });
    expect(empty.render(notification('password_breach', { message_type: 'voice', text: 'sms text', voice_text: 'Auth0 voice text' })).body).toBe('Auth0 voice text');
    expect(empty.render(notification('password_breach', { message_type: 'voice', text: 'sms text' }))).toEqual({
      body: 'Your password appeared in a data breach. Change it now.',
      language: 'en',
      source: 'built-in',
    });
    expect(empty.render(notification('blocked_account')).body).toBe('Your account was blocked after suspicious activity.');
    expect(empty.render(notification('change_password')).body).toBe('A password change was requested for your account.');
  });
});

describe("Auth0's voice text", () => {
  it('is read in a call when no template applies and it carries the code', () => {
    const empty = catalog({});
    expect(empty.render(request({ message_type: 'voice', voice_text: 'Your code is 4 8 2 9 1 3' }))).toMatchObject({ body: 'Your code is 4 8 2 9 1 3', source: 'auth0-text' });
    expect(empty.render(request({ message_type: 'voice', voice_text: 'No code here' })).source).toBe('built-in');
  });
});

describe('a template whose output cannot be sent', () => {
  it("falls back to Auth0's text, then to the built-in sentence, when the output lost the code", () => {
    const onlyText = catalog({ authentication: { sms: { en: '{{ text }}' } } });
    expect(onlyText.render(request({ text: `Code: ${CODE}` })).source).toBe('default/authentication/sms/en');
    expect(onlyText.render(request()).body).toBe(`Your verification code is ${CODE}.`);
    expect(onlyText.render(request()).source).toBe('built-in');
  });

  it('falls back when the output would be longer than an SMS can be', () => {
    const loud = catalog({ authentication: { sms: { en: '{{ client_name }} {{ client_name }} {{ client_name }} {{ client_name }} {{ code }}' } } });
    const longName = 'n'.repeat(512);
    expect(loud.render(request({ client_name: 'Acme' })).source).toBe('default/authentication/sms/en');
    const fallback = loud.render(request({ client_name: longName, text: `Code: ${CODE}` }));
    expect(fallback).toMatchObject({ source: 'auth0-text', body: `Code: ${CODE}` });
  });
});

describe('variables', () => {
  const ALL = '{{ code }}|{{ voice_code }}|{{ client_id }}|{{ client_name }}|{{ action }}|{{ channel }}|{{ language }}|{{ tenant }}|{{ text }}';

  it('passes every contract variable to the template', () => {
    const messages = catalog({ authentication: { sms: { en: ALL } } });
    const body = messages.render(request({ client_id: 'cid', client_name: 'Acme', tenant: 'acme-prod', text: 'Auth0 says hi', language: 'en-GB' })).body;
    expect(body).toBe(`${CODE}|4 8 2 9 1 3|cid|Acme|authentication|sms|en-GB|acme-prod|Auth0 says hi`);
  });

  it('gives absent values as empty strings', () => {
    const messages = catalog({ enrollment: { voice: { en: ALL } } });
    expect(messages.render(request({ action: 'enrollment', message_type: 'voice' })).body).toBe(`${CODE}|4 8 2 9 1 3|||enrollment|voice|en||`);
  });

  it("uses the application's name when Auth0 gave no client_name", () => {
    const messages = catalog({}, { acme: { name: 'Acme Bank', templates: { authentication: { sms: { en: '{{ client_name }}: {{ code }}' } } } } });
    expect(messages.render(request({ client_id: 'acme' })).body).toBe(`Acme Bank: ${CODE}`);
    expect(messages.render(request({ client_id: 'acme', client_name: 'Acme Mobile' })).body).toBe(`Acme Mobile: ${CODE}`);
  });

  it('uses the application name in the default application text too', () => {
    const messages = catalog({ authentication: { sms: { en: '{% if client_name != "" %}{{ client_name }} {% endif %}{{ code }}' } } }, { acme: { name: 'Acme Bank', templates: {} } });
    expect(messages.render(request({ client_id: 'acme' })).body).toBe(`Acme Bank ${CODE}`);
    expect(messages.render(request({ client_id: 'other' })).body).toBe(CODE);
  });

  it('supports Liquid filters and does not HTML-escape values', () => {
    const messages = catalog({ authentication: { sms: { en: '{{ client_name | upcase }} {{ code }}' } } });
    expect(messages.render(request({ client_name: 'Tom & Jerry <Co>' })).body).toBe(`TOM & JERRY <CO> ${CODE}`);
  });
});

describe('WebOTP', () => {
  const messages = catalog(
    { authentication: { sms: { en: '{{ code }} is your code.  \n' }, voice: { en: 'Code {{ voice_code }}' } } },
    { acme: { webotp_domain: 'login.acme.example', templates: {} } },
  );

  it("ends an application's SMS with the origin-bound line", () => {
    expect(messages.render(request({ client_id: 'acme' })).body).toBe(`${CODE} is your code.\n\n@login.acme.example #${CODE}`);
  });

  it("adds the line to Auth0's text and to the built-in sentence too", () => {
    expect(messages.render(request({ client_id: 'acme', action: 'other', text: `Code: ${CODE}` })).body).toBe(`Code: ${CODE}\n\n@login.acme.example #${CODE}`);
    expect(messages.render(request({ client_id: 'acme', action: 'other' })).body).toBe(`Your verification code is ${CODE}.\n\n@login.acme.example #${CODE}`);
  });

  it('never adds it to a call', () => {
    expect(messages.render(request({ client_id: 'acme', message_type: 'voice' })).body).toBe('Code 4 8 2 9 1 3');
  });

  it('does not add it for applications without a webotp_domain', () => {
    expect(messages.render(request({ client_id: 'other' })).body).toBe(`${CODE} is your code.  \n`);
  });

  it("applies the default application's webotp_domain to every application", () => {
    const everywhere = MessageCatalog.load({ applications: { default: { webotp_domain: 'id.example.com', templates: {} } } });
    expect(everywhere.render(request({ client_id: 'any' })).body).toBe(`Your verification code is ${CODE}.\n\n@id.example.com #${CODE}`);
  });
});

describe('loading a catalog', () => {
  /** The CatalogError message for one default-application SMS template in French. */
  function frenchSmsError(template: unknown, channel = 'sms'): string {
    return loadError({ applications: { default: { templates: { authentication: { [channel]: { fr: template } } } } } });
  }

  function loadError(raw: unknown): string {
    try {
      MessageCatalog.load(raw);
    } catch (err) {
      expect(err).toBeInstanceOf(CatalogError);
      return (err as Error).message;
    }
    throw new Error('the catalog loaded');
  }

  const PATH = 'config/messages.json: applications.default.templates.authentication.sms.fr:';

  it('refuses Liquid that does not parse', () => {
    expect(frenchSmsError('{{ code')).toMatch(new RegExp(`^${escape(PATH)} output "\\{\\{ code" not closed`));
    expect(frenchSmsError('{% if code %}{{ code }}')).toMatch(new RegExp(`^${escape(PATH)} tag \\{% if code %\\} not closed`));
    expect(frenchSmsError('{% foo %}{{ code }}')).toMatch(new RegExp(`^${escape(PATH)} tag "foo" not found`));
  });

  it('refuses an unknown variable and lists the known ones', () => {
    const message = frenchSmsError('{{ code }} {{ nom }}');
    expect(message).toMatch(new RegExp(`^${escape(PATH)} undefined variable: nom`));
    expect(message).toContain('(variables: code, voice_code, client_id, client_name, action, channel, language, tenant, text)');
  });

  it('refuses an unknown filter', () => {
    expect(frenchSmsError('{{ code | shout }}')).toMatch(new RegExp(`^${escape(PATH)} undefined filter: shout`));
  });

  it('refuses a template that never outputs the code', () => {
    expect(frenchSmsError('Votre code est prêt.')).toBe(`${PATH} never outputs {{ code }} or {{ voice_code }}: the user would not receive the code`);
    expect(frenchSmsError('{% if tenant == "nobody" %}{{ code }}{% endif %}')).toContain('never outputs');
  });

  it('refuses a template that prints a code for a type that carries none', () => {
    for (const action of ['blocked_account', 'password_breach']) {
      expect(loadError({ applications: { default: { templates: { [action]: { voice: { de: 'Code {{ voice_code }}' } } } } } })).toBe(
        `config/messages.json: applications.default.templates.${action}.voice.de: outputs {{ code }} or {{ voice_code }}, but ${action} notifications carry no code`,
      );
    }
    expect(() => catalog({ blocked_account: { sms: { en: 'Blocked. {{ text }}' } } })).not.toThrow();
  });

  it('refuses a change_password template that prints the code unguarded, or never prints it', () => {
    const error = (template: string) => loadError({ applications: { default: { templates: { change_password: { sms: { en: template } } } } } });
    expect(error('Your reset code: {{ code }}')).toBe(
      'config/messages.json: applications.default.templates.change_password.sms.en: outputs the code even when there is none (change_password notifications may carry none): print it inside {% if code != "" %}',
    );
    expect(error('Your password was changed.')).toContain('never outputs {{ code }}');
    expect(error('{% if code != "" %}{{ code }}{% endif %}')).toContain('renders to an empty message for change_password notifications without a code');
  });

  it('accepts either code or voice_code in any channel', () => {
    expect(() => catalog({ authentication: { sms: { en: '{{ voice_code }}' }, voice: { en: '{{ code }}' } } })).not.toThrow();
  });

  it('refuses an SMS that renders longer than Twilio accepts', () => {
    const sampleCodeLength = 8; // the trial render uses an 8-digit code
    const fits = `${'x'.repeat(MAX_SMS_LENGTH - sampleCodeLength)}{{ code }}`;
    expect(() => catalog({ authentication: { sms: { fr: fits } } })).not.toThrow();
    expect(frenchSmsError(`x${fits}`)).toBe(`${PATH} renders to ${MAX_SMS_LENGTH + 1} characters; keep SMS under ${MAX_SMS_LENGTH}`);
  });

  it("leaves room for the application's WebOTP line", () => {
    const domain = 'login.example.com';
    const limit = MAX_SMS_LENGTH - (domain.length + 15); // "\n\n@<domain> #<up to 10 digits>"
    const template = `${'x'.repeat(limit - 8)}{{ code }}`;
    const load = (source: string) => MessageCatalog.load({ applications: { default: { webotp_domain: domain, templates: { authentication: { sms: { fr: source } } } } } });
    expect(() => load(template)).not.toThrow();
    expect(() => load(`x${template}`)).toThrow(`renders to ${limit + 1} characters; keep SMS under ${limit}`);
  });

  it('refuses a language key that is not a BCP 47 tag', () => {
    expect(loadError({ applications: { default: { templates: { authentication: { sms: { pt_BR: '{{ code }}' } } } } } })).toBe(
      'config/messages.json: applications.default.templates.authentication.sms.pt_BR: the key must be a BCP 47 language tag such as "pt" or "pt-BR"',
    );
  });

  it('does not limit the length of a call', () => {
    expect(() => catalog({ authentication: { voice: { fr: `${'x'.repeat(2000)}{{ voice_code }}` } } })).not.toThrow();
  });

  it('refuses an empty or non-string template', () => {
    expect(frenchSmsError('  ')).toBe(`${PATH} must be a non-empty Liquid template string`);
    expect(frenchSmsError(42)).toBe(`${PATH} must be a non-empty Liquid template string`);
  });

  it.each(['https://login.example.com', 'login.example.com/path', 'localhost', 'login example.com', '-bad.example.com', 42])(
    'refuses the webotp_domain %p',
    (domain) => {
      expect(loadError({ applications: { default: { templates: {} }, acme: { webotp_domain: domain, templates: {} } } })).toBe(
        'config/messages.json: applications.acme.webotp_domain: must be a host name such as "login.example.com" (no scheme, no path)',
      );
    },
  );

  it('refuses a channel other than sms and voice', () => {
    expect(frenchSmsError('{{ code }}', 'email')).toBe('config/messages.json: applications.default.templates.authentication.email: channel must be "sms" or "voice"');
  });

  it('refuses a catalog without the default application', () => {
    expect(loadError({ applications: { acme: { templates: {} } } })).toBe('config/messages.json: applications: needs a "default" application');
  });

  it('refuses malformed structure, naming where', () => {
    expect(loadError([])).toBe('config/messages.json: (root): must be a JSON object');
    expect(loadError({})).toBe('config/messages.json: applications: must be an object');
    expect(loadError({ defaultLanguage: 'english!', applications: { default: { templates: {} } } })).toBe(
      'config/messages.json: defaultLanguage: must be a language tag such as "en"',
    );
    expect(loadError({ applications: { default: 'x' } })).toBe('config/messages.json: applications.default: must be an object');
    expect(loadError({ applications: { default: {} } })).toBe('config/messages.json: applications.default.templates: must be an object of actions');
    expect(loadError({ applications: { default: { name: 7, templates: {} } } })).toBe('config/messages.json: applications.default.name: must be a string');
    expect(loadError({ applications: { default: { templates: { authentication: 'x' } } } })).toBe(
      'config/messages.json: applications.default.templates.authentication: must be an object with "sms" and/or "voice"',
    );
    expect(loadError({ applications: { default: { templates: { authentication: { sms: ['x'] } } } } })).toBe(
      'config/messages.json: applications.default.templates.authentication.sms: must be an object of language tags',
    );
  });

  it("names the failing application's own path", () => {
    const message = loadError({ applications: { default: { templates: {} }, abc123: { templates: { enrollment: { voice: { de: '{{ nom }}' } } } } } });
    expect(message).toMatch(/^config\/messages\.json: applications\.abc123\.templates\.enrollment\.voice\.de: undefined variable: nom/);
  });
});

describe('the shipped config/messages.json', () => {
  const messages = MessageCatalog.load(shipped);

  it('defaults to English', () => {
    expect(messages.defaultLanguage).toBe('en');
  });

  const LANGUAGES = ['en', 'es', 'fr', 'de', 'pt', 'pt-BR'];
  const cases = (types: string[]) =>
    types.flatMap((action) => (['sms', 'voice'] as const).flatMap((channel) => LANGUAGES.map((language) => [action, channel, language] as const)));

  it.each(cases(['enrollment', 'authentication', 'change_password']))('has a %s %s template in %s that carries the code', (action, channel, language) => {
    const rendered = messages.render(request({ action, message_type: channel, language }));
    expect(rendered.source).toBe(`default/${action}/${channel}/${language.toLowerCase()}`);
    expect(rendered.language).toBe(language);
    expect(rendered.body).toContain(channel === 'sms' ? CODE : '4 8 2 9 1 3');
  });

  it.each(cases(['blocked_account', 'password_breach', 'change_password']))('has a %s %s template in %s for a notification without a code', (action, channel, language) => {
    const rendered = messages.render(validateSendRequest({ recipient: '+14155550123', action, message_type: channel, language }));
    expect(rendered.source).toBe(`default/${action}/${channel}/${language.toLowerCase()}`);
    expect(rendered.body.trim()).not.toBe('');
  });

  it('speaks Brazilian Portuguese to pt-BR and keeps pt European', () => {
    const text = (action: string, language: string) => messages.render(request({ action, language })).body;
    for (const action of ['authentication', 'enrollment', 'change_password']) {
      expect(text(action, 'pt-BR')).toContain('Não compartilhe');
      expect(text(action, 'pt')).not.toContain('compartilhe');
      expect(text(action, 'pt-PT')).toBe(text(action, 'pt'));
    }
    expect(text('change_password', 'pt-BR')).toContain('senha');
    expect(text('change_password', 'pt')).toContain('palavra-passe');
  });

  it('names the application in the English authentication SMS when Auth0 gives its name', () => {
    expect(messages.render(request({ client_name: 'Acme' })).body).toBe(`${CODE} is your Acme verification code. Don't share it with anyone.`);
    expect(messages.render(request()).body).toBe(`${CODE} is your verification code. Don't share it with anyone.`);
  });
});

describe('loading without the check (the Lambda, whose file the stack checked at synth)', () => {
  it('renders exactly what the checked catalog renders', () => {
    const checked = MessageCatalog.load(shipped);
    const deferred = MessageCatalog.load(shipped, { check: false });
    for (const action of ['authentication', 'enrollment', 'change_password', 'blocked_account', 'password_breach']) {
      for (const message_type of ['sms', 'voice']) {
        for (const language of ['en', 'pt-BR', 'de-AT', 'ja']) {
          const fields = { recipient: '+14155550123', action, message_type, language, client_name: 'Acme', code: action === 'blocked_account' ? undefined : CODE };
          expect(deferred.render(validateSendRequest(fields))).toEqual(checked.render(validateSendRequest(fields)));
        }
      }
    }
  });

  it('still checks the structure, and leaves the Liquid to the first use', () => {
    expect(() => MessageCatalog.load({ applications: { default: { templates: { authentication: { sms: { en: 42 } } } } } }, { check: false })).toThrow('must be a non-empty Liquid template string');
    const unchecked = MessageCatalog.load({ applications: { default: { templates: { authentication: { sms: { en: '{{ code' } } } } } }, { check: false });
    expect(() => unchecked.render(request())).toThrow(/not closed/);
  });
});

describe('helpers', () => {
  it('spaceDigits spaces the digits for speech', () => {
    expect(spaceDigits('123456')).toBe('1 2 3 4 5 6');
  });

  it('languageChain lists a tag and its shorter prefixes, lower-cased', () => {
    expect(languageChain('pt-BR')).toEqual(['pt-br', 'pt']);
    expect(languageChain('zh-Hant-TW')).toEqual(['zh-hant-tw', 'zh-hant', 'zh']);
    expect(languageChain('en')).toEqual(['en']);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
