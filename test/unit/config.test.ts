import { DEFAULT_PORT, isLambda, readPort, readRuntimeConfig, readSendConfig, readStatusConfig } from '../../lambda/config';
import { ConfigurationError } from '../../lambda/core/errors';

const LAMBDA = {
  AWS_LAMBDA_FUNCTION_NAME: 'sms-gateway-send',
  SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:sms-gateway-AbCdEf',
  STATUS_CALLBACK_URL: 'https://abc123.execute-api.us-east-1.amazonaws.com/twilio/status',
};

function refusal(read: () => unknown): ConfigurationError {
  try {
    read();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigurationError);
    return err as ConfigurationError;
  }
  throw new Error('the configuration was accepted');
}

describe('readRuntimeConfig', () => {
  it('has local defaults for everything', () => {
    expect(readRuntimeConfig({})).toEqual({
      secretArn: undefined,
      statusCallbackUrl: 'http://localhost:3000/twilio/status',
      twilioApiBaseUrl: 'https://api.twilio.com',
      metricsNamespace: 'SmsGateway',
      serviceName: 'sms-gateway',
    });
  });

  it('treats blank variables as unset', () => {
    expect(readRuntimeConfig({ SECRET_ARN: ' ', STATUS_CALLBACK_URL: '', TWILIO_API_BASE_URL: '  ', POWERTOOLS_METRICS_NAMESPACE: '' })).toEqual(readRuntimeConfig({}));
  });

  it('derives the local status callback URL from PORT', () => {
    expect(readRuntimeConfig({ PORT: '8080' }).statusCallbackUrl).toBe('http://localhost:8080/twilio/status');
  });

  it('reads every variable it knows', () => {
    expect(
      readRuntimeConfig({
        SECRET_ARN: LAMBDA.SECRET_ARN,
        STATUS_CALLBACK_URL: 'https://sms.example.com/twilio/status',
        TWILIO_API_BASE_URL: 'http://127.0.0.1:4010/',
        POWERTOOLS_METRICS_NAMESPACE: 'Acme/Sms',
        POWERTOOLS_SERVICE_NAME: 'acme-sms',
      }),
    ).toEqual({
      secretArn: LAMBDA.SECRET_ARN,
      statusCallbackUrl: 'https://sms.example.com/twilio/status',
      twilioApiBaseUrl: 'http://127.0.0.1:4010',
      metricsNamespace: 'Acme/Sms',
      serviceName: 'acme-sms',
    });
  });

  it('normalizes the status callback URL the way Twilio will sign it', () => {
    expect(readRuntimeConfig({ STATUS_CALLBACK_URL: 'HTTPS://SMS.Example.com/twilio/status' }).statusCallbackUrl).toBe('https://sms.example.com/twilio/status');
  });

  describe('in Lambda', () => {
    it('is detected by AWS_LAMBDA_FUNCTION_NAME', () => {
      expect(isLambda({ AWS_LAMBDA_FUNCTION_NAME: 'f' })).toBe(true);
      expect(isLambda({ AWS_LAMBDA_FUNCTION_NAME: '' })).toBe(false);
      expect(isLambda({})).toBe(false);
    });

    it('accepts SECRET_ARN and STATUS_CALLBACK_URL', () => {
      expect(readRuntimeConfig(LAMBDA)).toMatchObject({ secretArn: LAMBDA.SECRET_ARN, statusCallbackUrl: LAMBDA.STATUS_CALLBACK_URL });
    });

    it('requires SECRET_ARN', () => {
      const error = refusal(() => readRuntimeConfig({ ...LAMBDA, SECRET_ARN: undefined }));
      expect(error.key).toBe('SECRET_ARN');
      expect(error.message).toBe('SECRET_ARN is missing: in Lambda the keys are read from that Secrets Manager secret.');
    });

    it('requires STATUS_CALLBACK_URL: there is no localhost to default to', () => {
      const error = refusal(() => readRuntimeConfig({ ...LAMBDA, STATUS_CALLBACK_URL: '' }));
      expect(error.key).toBe('STATUS_CALLBACK_URL');
      expect(error.message).toBe('STATUS_CALLBACK_URL is missing: Twilio needs the public URL of /twilio/status.');
    });
  });

  describe('bad URLs', () => {
    it.each(['not a url', '/twilio/status', 'localhost:3000/twilio/status'])('refuses the STATUS_CALLBACK_URL %s', (url) => {
      const error = refusal(() => readRuntimeConfig({ STATUS_CALLBACK_URL: url }));
      expect(error.key).toBe('STATUS_CALLBACK_URL');
      expect(error.message).toMatch(/^STATUS_CALLBACK_URL must be an/);
    });

    it('refuses a STATUS_CALLBACK_URL that is not http(s)', () => {
      expect(refusal(() => readRuntimeConfig({ STATUS_CALLBACK_URL: 'ftp://example.com/status' })).message).toBe('STATUS_CALLBACK_URL must be an http(s) URL.');
    });

    it.each(['https://api.twilio.com/2010-04-01', 'https://api.twilio.com/?region=ie1'])('refuses a TWILIO_API_BASE_URL with a path or query (%s)', (url) => {
      const error = refusal(() => readRuntimeConfig({ TWILIO_API_BASE_URL: url }));
      expect(error.key).toBe('TWILIO_API_BASE_URL');
      expect(error.message).toBe('TWILIO_API_BASE_URL must be an origin only, like https://api.twilio.com (no path).');
    });

    it.each(['api.twilio.com', 'ws://api.twilio.com'])('refuses the TWILIO_API_BASE_URL %s', (url) => {
      expect(refusal(() => readRuntimeConfig({ TWILIO_API_BASE_URL: url })).key).toBe('TWILIO_API_BASE_URL');
    });

    it('keeps a port in TWILIO_API_BASE_URL', () => {
      expect(readRuntimeConfig({ TWILIO_API_BASE_URL: 'http://localhost:4010' }).twilioApiBaseUrl).toBe('http://localhost:4010');
    });
  });
});

describe('readPort', () => {
  it('defaults to 3000', () => {
    expect(DEFAULT_PORT).toBe(3000);
    expect(readPort({})).toBe(3000);
    expect(readPort({ PORT: ' ' })).toBe(3000);
  });

  it.each([
    ['8080', 8080],
    [' 8080 ', 8080],
    ['0', 0],
    ['65535', 65535],
  ])('reads %p as %i', (raw, port) => {
    expect(readPort({ PORT: raw })).toBe(port);
  });

  it.each(['-1', '65536', '80.5', 'http', '3000abc', '0x10', '1e3'])('refuses %p', (raw) => {
    const error = refusal(() => readPort({ PORT: raw }));
    expect(error.key).toBe('PORT');
    expect(error.message).toBe('PORT must be a port number (0-65535).');
  });

  it('is checked by readRuntimeConfig when it builds the local callback URL', () => {
    expect(refusal(() => readRuntimeConfig({ PORT: 'http' })).key).toBe('PORT');
  });
});

describe('AWS End User Messaging settings (send Lambda)', () => {
  it('reads the sender, the configuration set and the endpoint', () => {
    const config = readSendConfig({
      STATE_TABLE: 't',
      AWS_SMS_ORIGINATION_IDENTITY: 'pool-1234567890abcdef1234567890abcdef',
      AWS_SMS_CONFIGURATION_SET: 'sms-gateway',
      AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2: 'http://127.0.0.1:4011',
    });
    expect(config.awsSms).toEqual({ originationIdentity: 'pool-1234567890abcdef1234567890abcdef', configurationSet: 'sms-gateway', endpointUrl: 'http://127.0.0.1:4011/' });
  });

  it.each([
    ['AWS_SMS_ORIGINATION_IDENTITY', 'my sender'],
    ['AWS_SMS_CONFIGURATION_SET', 'sms gateway'],
    ['AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2', 'localhost:4011'],
  ])('refuses a bad %s, naming it', (key, raw) => {
    expect(refusal(() => readSendConfig({ STATE_TABLE: 't', [key]: raw })).key).toBe(key);
  });
});

describe('readStatusConfig', () => {
  it('adds the state table, where counted delivery statuses are remembered, and requires it', () => {
    expect(readStatusConfig({ STATE_TABLE: 'sms-gateway-state' })).toEqual({ ...readRuntimeConfig({}), stateTable: 'sms-gateway-state', awsSmsEventsTopicArn: undefined });
    expect(refusal(() => readStatusConfig({})).key).toBe('STATE_TABLE');
  });

  it("reads the topic of AWS End User Messaging's events, and refuses what is not an SNS topic ARN", () => {
    const topic = 'arn:aws:sns:eu-west-2:111122223333:sms-gateway-events';
    expect(readStatusConfig({ STATE_TABLE: 't', AWS_SMS_EVENTS_TOPIC_ARN: topic }).awsSmsEventsTopicArn).toBe(topic);
    expect(refusal(() => readStatusConfig({ STATE_TABLE: 't', AWS_SMS_EVENTS_TOPIC_ARN: 'sms-gateway-events' })).key).toBe('AWS_SMS_EVENTS_TOPIC_ARN');
  });
});

describe('readSendConfig', () => {
  it('adds the state table and the fraud-protection settings to the runtime configuration', () => {
    expect(readSendConfig({ STATE_TABLE: 'sms-gateway-state', RATE_LIMITS: 'recipient:3/1h', ALLOWED_COUNTRIES: 'us,ca' })).toEqual({
      ...readRuntimeConfig({}),
      stateTable: 'sms-gateway-state',
      rateLimits: [{ scope: 'recipient', max: 3, windowSeconds: 3600, label: 'recipient:3/1h' }],
      allowedCountries: ['US', 'CA'],
      voiceMachineDetection: false,
      providerRoutes: { fallback: ['twilio'], byCountry: new Map() },
      awsSms: { originationIdentity: undefined, configurationSet: undefined, endpointUrl: undefined },
    });
  });

  it('reads which providers send from PROVIDERS and PROVIDER_ROUTES, and refuses a bad one by its name', () => {
    expect(readSendConfig({ STATE_TABLE: 't', PROVIDERS: 'Twilio', PROVIDER_ROUTES: 'gb=twilio' }).providerRoutes).toEqual({
      fallback: ['twilio'],
      byCountry: new Map([['GB', ['twilio']]]),
    });
    expect(refusal(() => readSendConfig({ STATE_TABLE: 't', PROVIDERS: 'nexmo' })).key).toBe('PROVIDERS');
    expect(refusal(() => readSendConfig({ STATE_TABLE: 't', PROVIDER_ROUTES: 'UK=twilio' })).key).toBe('PROVIDER_ROUTES');
  });

  it('turns answering-machine detection on only when VOICE_MACHINE_DETECTION says on (Twilio charges for it)', () => {
    expect(readSendConfig({ STATE_TABLE: 't' }).voiceMachineDetection).toBe(false);
    expect(readSendConfig({ STATE_TABLE: 't', VOICE_MACHINE_DETECTION: ' ' }).voiceMachineDetection).toBe(false);
    expect(readSendConfig({ STATE_TABLE: 't', VOICE_MACHINE_DETECTION: 'off' }).voiceMachineDetection).toBe(false);
    expect(readSendConfig({ STATE_TABLE: 't', VOICE_MACHINE_DETECTION: 'On' }).voiceMachineDetection).toBe(true);
  });

  it.each(['yes', 'true', '1', 'enable'])('refuses VOICE_MACHINE_DETECTION=%s, naming the variable and the two values', (raw) => {
    const error = refusal(() => readSendConfig({ STATE_TABLE: 't', VOICE_MACHINE_DETECTION: raw }));
    expect(error.key).toBe('VOICE_MACHINE_DETECTION');
    expect(error.message).toBe(`VOICE_MACHINE_DETECTION must be "on" or "off" (got "${raw}").`);
  });

  it('uses the default rate limits and allows every country when those are unset', () => {
    const config = readSendConfig({ STATE_TABLE: 't' });
    expect(config.rateLimits.map((limit) => limit.label)).toEqual(['recipient:5/1h', 'recipient:10/24h', 'ip:20/1h', 'global:1000/1h']);
    expect(config.allowedCountries).toEqual([]);
  });

  it('requires STATE_TABLE', () => {
    const error = refusal(() => readSendConfig({ STATE_TABLE: ' ' }));
    expect(error.key).toBe('STATE_TABLE');
    expect(error.message).toMatch(/^STATE_TABLE is missing/);
  });

  it('names a bad RATE_LIMITS or ALLOWED_COUNTRIES', () => {
    expect(refusal(() => readSendConfig({ STATE_TABLE: 't', RATE_LIMITS: 'everyone:5/1h' })).key).toBe('RATE_LIMITS');
    expect(refusal(() => readSendConfig({ STATE_TABLE: 't', ALLOWED_COUNTRIES: 'UK' })).key).toBe('ALLOWED_COUNTRIES');
  });

  it('applies the Lambda requirements of readRuntimeConfig', () => {
    expect(refusal(() => readSendConfig({ STATE_TABLE: 't', AWS_LAMBDA_FUNCTION_NAME: 'f' })).key).toBe('SECRET_ARN');
  });
});
