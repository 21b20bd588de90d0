/**
 * Every test process starts from a known environment: nothing from the developer's shell or
 * AWS profile leaks in, and nothing can reach AWS (credentials are dummies, endpoints are set
 * per test to loopback servers).
 */
for (const key of Object.keys(process.env)) {
  if (/^(AWS_|TWILIO_|SMS_GATEWAY_|STATUS_CALLBACK_URL|SECRET_ARN|STATE_TABLE|RATE_LIMITS|ALLOWED_COUNTRIES|PROVIDER|POWERTOOLS_|AUTH0_)/.test(key)) {
    delete process.env[key];
  }
}
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'AKIDTESTTESTTEST';
process.env.AWS_SECRET_ACCESS_KEY = 'test-secret-access-key';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
