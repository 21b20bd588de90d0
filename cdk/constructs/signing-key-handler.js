'use strict';
// Custom::SigningKey (see signing-key.ts). Deployed inline: keep it small and dependency-free.
const crypto = require('node:crypto');
const http = require('node:http');
const https = require('node:https');
const sm = require('@aws-sdk/client-secrets-manager');

const KEY = 'SMS_GATEWAY_SIGNING_SECRET';
const client = new sm.SecretsManagerClient({ maxAttempts: 5 });

// Adds a signing key to the secret unless one is there; every other key is written back as read.
async function ensureSigningKey(secretId, requestToken) {
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
  if (typeof values[KEY] === 'string' && values[KEY].trim() !== '') return 'kept';
  values[KEY] = 'whsec_' + crypto.randomBytes(32).toString('base64');
  await client.send(
    new sm.PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(values), ClientRequestToken: requestToken }),
  );
  return 'generated';
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
  const secretId = event.ResourceProperties.SecretArn;
  const physicalId = event.PhysicalResourceId || secretId + '#' + KEY;
  const previous = (event.OldResourceProperties || {}).SecretArn;
  const wanted = event.RequestType === 'Create' || (event.RequestType === 'Update' && previous !== secretId);
  try {
    const outcome = wanted ? await ensureSigningKey(secretId, event.RequestId) : 'nothing to do';
    console.log(JSON.stringify({ requestType: event.RequestType, outcome }));
    await respond(event, 'SUCCESS', outcome, physicalId);
  } catch (err) {
    // The error names the failing call, never a secret value.
    const reason = (err && err.name ? err.name + ': ' : '') + (err && err.message ? err.message : String(err));
    console.log(JSON.stringify({ requestType: event.RequestType, error: reason }));
    await respond(event, 'FAILED', reason.slice(0, 500), physicalId);
  }
};
