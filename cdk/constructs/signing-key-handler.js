'use strict';
// Custom::SigningKey (see signing-key.ts). Deployed inline: keep it small and dependency-free.
const crypto = require('node:crypto');
const http = require('node:http');
const https = require('node:https');
const sm = require('@aws-sdk/client-secrets-manager');

const client = new sm.SecretsManagerClient({ maxAttempts: 5 });
// What makes CloudFormation call again: a new secret, or a key this stack version adds.
const PROPERTIES = ['SecretArn', 'SigningKeyName', 'RateLimitKeyName'];

const present = (value) => typeof value === 'string' && value.trim() !== '';
// A key the gateway accepts (lambda/core/gateway-secrets.ts): only such a key can have keyed counters.
const usableSigningKey = (key) => /^whsec_[A-Za-z0-9+/]+={0,2}$/.test(key) && Buffer.from(key.slice(6), 'base64').length >= 24;

// Adds the keys the secret lacks; every other key is written back as read. Returns what it did.
async function ensureKeys(secretId, names, requestToken) {
  const current = await client.send(new sm.GetSecretValueCommand({ SecretId: secretId }));
  let values;
  try {
    values = JSON.parse(current.SecretString || '{}');
  } catch {
    values = undefined;
  }
  if (!values || typeof values !== 'object' || Array.isArray(values)) {
    throw new Error('The secret does not hold a JSON object; it was left unchanged.');
  }
  const done = [];
  if (!present(values[names.rateLimit])) {
    // Until this key exists the gateway keys its rate-limit counters with the first signing
    // secret: copying that value keeps every counter across the upgrade. A new secret gets a
    // random key.
    const first = present(values[names.signing]) ? values[names.signing].trim().split(/\s+/)[0] : '';
    const signing = usableSigningKey(first) ? first : undefined;
    values[names.rateLimit] = signing || crypto.randomBytes(32).toString('base64');
    done.push(`${names.rateLimit} ${signing ? 'copied from the first signing secret' : 'generated'}`);
  }
  if (!present(values[names.signing])) {
    values[names.signing] = 'whsec_' + crypto.randomBytes(32).toString('base64');
    done.push(`${names.signing} generated`);
  }
  if (done.length === 0) return 'kept';
  await client.send(
    new sm.PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(values), ClientRequestToken: requestToken }),
  );
  return done.join('; ');
}

function respond(event, status, reason, physicalId) {
  const body = JSON.stringify({
    Status: status,
    Reason: reason,
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: true,
    Data: {},
  });
  const url = new URL(event.ResponseURL);
  const transport = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on('end', resolve);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

exports.handler = async (event) => {
  const props = event.ResourceProperties;
  const secretId = props.SecretArn;
  const names = { signing: props.SigningKeyName, rateLimit: props.RateLimitKeyName };
  const physicalId = event.PhysicalResourceId || secretId + '#' + names.signing;
  const previous = event.OldResourceProperties || {};
  const wanted = event.RequestType === 'Create' || (event.RequestType === 'Update' && PROPERTIES.some((key) => previous[key] !== props[key]));
  try {
    const outcome = wanted ? await ensureKeys(secretId, names, event.RequestId) : 'nothing to do';
    console.log(JSON.stringify({ requestType: event.RequestType, outcome }));
    await respond(event, 'SUCCESS', outcome, physicalId);
  } catch (err) {
    // The error names the failing call, never a secret value.
    const reason = (err && err.name ? err.name + ': ' : '') + (err && err.message ? err.message : String(err));
    console.log(JSON.stringify({ requestType: event.RequestType, error: reason }));
    await respond(event, 'FAILED', reason.slice(0, 500), physicalId);
  }
};
