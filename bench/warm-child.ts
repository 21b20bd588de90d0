/**
 * Warm measurements, in a process of their own whose standard output (logs and EMF) goes to
 * /dev/null as it would go to CloudWatch: per-send latency through the bundled send handler
 * and through the twilio client, concurrent sends, and status callbacks per second.
 * Results go back to bench/run.ts over IPC.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import twilio from 'twilio';
import { ENV } from '../shared/names';
import { lambdaContext, nextRecipient, sendEvent, statusEvent } from './events';
import { percentile } from './stats';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const env = process.env as Record<string, string>;

/** A fresh copy of the bundled handler, built from the environment as it is now. */
function loadHandler(bundle: string): Handler {
  delete require.cache[require.resolve(bundle)];
  return (require(bundle) as { handler: Handler }).handler;
}

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await work();
  return [performance.now() - started, result];
}

async function sequential(count: number, once: () => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) samples.push((await timed(once))[0]);
  return samples;
}

function expectOk(response: APIGatewayProxyStructuredResultV2) {
  if (response.statusCode !== 200) throw new Error(`send answered ${response.statusCode}: ${response.body}`);
}

async function sendLatency(bundle: string, count: number) {
  const handler = loadHandler(bundle);
  const viaGateway = async () => expectOk(await handler(sendEvent(env.BENCH_SIGNING_SECRET), lambdaContext()));
  const dynalite = env[ENV.dynamoDbEndpointUrl];
  process.env[ENV.dynamoDbEndpointUrl] = env.BENCH_INSTANT_STATE;
  const instantStateHandler = loadHandler(bundle);
  process.env[ENV.dynamoDbEndpointUrl] = dynalite;
  const viaGatewayInstantState = async () => expectOk(await instantStateHandler(sendEvent(env.BENCH_SIGNING_SECRET), lambdaContext()));
  const client = twilio(env.BENCH_TWILIO_ACCOUNT_SID, env.BENCH_TWILIO_AUTH_TOKEN);
  client.api.baseUrl = env[ENV.twilioApiBaseUrl];
  const direct = async () => {
    await client.messages.create({ to: nextRecipient(), from: '+15017122661', body: '482913 is your verification code.', statusCallback: env[ENV.statusCallbackUrl] });
  };
  // Warm both paths (JIT, connection pools, caches) before measuring, then alternate blocks.
  await sequential(100, viaGateway);
  await sequential(100, viaGatewayInstantState);
  await sequential(100, direct);
  const gateway: number[] = [];
  const gatewayInstantState: number[] = [];
  const twilioClient: number[] = [];
  for (let block = 0; block < 5; block++) {
    gateway.push(...(await sequential(count / 5, viaGateway)));
    gatewayInstantState.push(...(await sequential(count / 5, viaGatewayInstantState)));
    twilioClient.push(...(await sequential(count / 5, direct)));
  }
  return { gateway, gatewayInstantState, twilioClient };
}

async function concurrency(bundle: string, sizes: number[]) {
  const handler = loadHandler(bundle);
  await sequential(50, async () => expectOk(await handler(sendEvent(env.BENCH_SIGNING_SECRET), lambdaContext())));
  const results = [];
  for (const size of sizes) {
    const answers = await Promise.all(
      Array.from({ length: size }, () => timed(() => handler(sendEvent(env.BENCH_SIGNING_SECRET), lambdaContext()))),
    );
    const ok = answers.filter(([, response]) => response.statusCode === 200).length;
    results.push({ concurrent: size, ok, p99Ms: percentile(answers.map(([ms]) => ms), 99) });
  }
  return results;
}

/**
 * Status callbacks per second through one handler, in this one process (one core). Every
 * callback is the first report of its status, so each costs what a real one does: the
 * signature check, a conditional write to the state table (the delivery ledger, one network
 * round trip) and the EMF output. One at a time against dynalite is what one Lambda instance
 * gets here; the budget's figure has 8 callbacks in flight against the endpoint that answers at
 * once, so that it measures the work on this core rather than the wait for dynalite.
 */
async function statusThroughput(bundle: string, seconds: number) {
  const url = env[ENV.statusCallbackUrl];
  const context = lambdaContext();
  const events = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) => statusEvent(env.BENCH_TWILIO_AUTH_TOKEN, url, `SM${prefix}${String(i).padStart(31, '0')}`, i % 10 === 0 ? 'undelivered' : 'delivered'));
  const measure = async (handler: Handler, prefix: string, inFlight: number) => {
    for (const event of events(`${prefix}0`, 500)) if ((await handler(event, context)).statusCode !== 204) throw new Error('status callback refused');
    // Made before the clock starts, more than a run can use.
    const queue = events(`${prefix}1`, 40_000);
    let handled = 0;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    const worker = async () => {
      while (performance.now() < deadline && handled < queue.length) await handler(queue[handled++], context);
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    return { callbacks: handled, perSecond: handled / ((performance.now() - started) / 1000) };
  };
  const dynalite = await measure(loadHandler(bundle), '1', 1);
  const dynaliteEndpoint = env[ENV.dynamoDbEndpointUrl];
  process.env[ENV.dynamoDbEndpointUrl] = env.BENCH_INSTANT_STATE;
  const instantStateHandler = loadHandler(bundle);
  process.env[ENV.dynamoDbEndpointUrl] = dynaliteEndpoint;
  return { dynalite, instantState: await measure(instantStateHandler, '2', 8) };
}

async function main() {
  const [task, bundle, arg] = process.argv.slice(2);
  let result: unknown;
  if (task === 'send-latency') result = await sendLatency(bundle, Number(arg));
  else if (task === 'concurrency') result = await concurrency(bundle, arg.split(',').map(Number));
  else if (task === 'status-throughput') result = await statusThroughput(bundle, Number(arg));
  else throw new Error(`unknown task ${task}`);
  process.send!(result, () => process.exit(0));
}

main().catch((err: unknown) => {
  process.send!({ error: String((err as Error).stack ?? err) }, () => process.exit(1));
});
