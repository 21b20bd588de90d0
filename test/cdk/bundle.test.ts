import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleLambda, type BundleResult, type LambdaName } from '../../cdk/bundling';
import { logicalIdOf, synthGateway, type Synthesized, removeAssemblies } from './synth';

/**
 * What the Lambdas load at every cold start: the bundles stay small, leave the AWS SDK to the
 * runtime, and take only the two small pieces of the twilio package the code deep-imports.
 */

/** The budgets of docs/benchmarks.md (issue #6): raise them only with a reason. */
const SEND_BUDGET_BYTES = 400_000;
const STATUS_BUDGET_BYTES = 100_000;
// The one piece lambda/ deep-imports: Twilio's signature validation, for callbacks. Calls' TwiML
// is written by lambda/providers/speech-markup.ts, without twilio's builder or xmlbuilder.
const ALLOWED_TWILIO_INPUTS = /^node_modules\/twilio\/lib\/webhooks\//;

let s: Synthesized;
const bundles = {} as Record<LambdaName, BundleResult>;
let outdir: string;

beforeAll(async () => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-gateway-bundle-'));
  bundles.send = await bundleLambda('send', path.join(outdir, 'send'));
  bundles.status = await bundleLambda('status', path.join(outdir, 'status'));
  s = synthGateway();
});

afterAll(() => {
  removeAssemblies();
  fs.rmSync(outdir, { recursive: true, force: true });
});

const inputs = (name: LambdaName) => Object.keys(bundles[name].metafile.inputs);

test.each([
  ['send', SEND_BUDGET_BYTES],
  ['status', STATUS_BUDGET_BYTES],
] as const)('the %s bundle stays within its budget', (name, budget) => {
  expect(bundles[name].bytes).toBeGreaterThan(10_000);
  expect(bundles[name].bytes).toBeLessThanOrEqual(budget);
  expect(fs.statSync(bundles[name].outfile).size).toBe(bundles[name].bytes);
});

test.each(['send', 'status'] as const)('the %s bundle leaves @aws-sdk to the runtime and has no full twilio client', (name) => {
  expect(inputs(name).filter((input) => input.includes('node_modules/@aws-sdk/'))).toEqual([]);
  const twilio = inputs(name).filter((input) => input.startsWith('node_modules/twilio/'));
  expect(twilio.filter((input) => !ALLOWED_TWILIO_INPUTS.test(input))).toEqual([]);
  expect(inputs(name).filter((input) => /node_modules\/(axios|xmlbuilder|twilio\/lib\/(rest|base|twiml)|twilio\/lib\/index)/.test(input))).toEqual([]);
  // The SDK is only required lazily, on the rare forced read of the secret; DynamoDB needs none.
  const code = fs.readFileSync(bundles[name].outfile, 'utf8');
  expect(code).toMatch(/require\("@aws-sdk\/client-secrets-manager"\)/);
  expect(code).not.toMatch(/require\("@aws-sdk\/client-dynamodb"\)/);
});

test.each(['send', 'status'] as const)('bundleLambda("%s") produces byte for byte what the stack deploys', (name) => {
  const functionId = logicalIdOf(s.stack, `${name === 'send' ? 'Send' : 'Status'}/Function/Resource`);
  // The asset's S3 key is `<hash>.zip`; the staged asset sits in `asset.<hash>` in the assembly.
  const assetDir = `asset.${String(s.json.Resources[functionId].Properties!.Code.S3Key).replace(/\.zip$/, '')}`;
  const deployed = fs.readFileSync(path.join(s.outdir, assetDir, 'index.js'));
  expect(deployed.equals(fs.readFileSync(bundles[name].outfile))).toBe(true);
  expect(fs.existsSync(path.join(s.outdir, assetDir, 'index.js.map'))).toBe(true);
});
