/**
 * `npm run bench`: what the gateway costs, measured on this machine with no cloud and no
 * internet. Bundles each Lambda exactly as the stack does (cdk/bundling.ts), next to the naive
 * Lambdas of bench/naive/ built the same way, then measures cold starts in fresh processes,
 * warm latency against the twilio client, concurrency, and status callback throughput. Prints
 * a table, writes bench/results.json, and checks the budgets of docs/benchmarks.md.
 *
 * Options: --runs N (cold starts per Lambda, default 15), --sends N (warm sends, default 500),
 * --seconds N (status throughput, default 5).
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { bundleLambda, esbuildOptions, PROJECT_ROOT, type LambdaName } from '../cdk/bundling';
import { startEnvironment, STATUS_CALLBACK_URL, type BenchEnvironment } from './environment';
import { sendEvent, statusEvent } from './events';
import { median, percentile, round } from './stats';

const OUT = join(PROJECT_ROOT, 'bench', '.out');

/** The budgets issue #6 set (floors, not targets). */
const BUDGETS = {
  coldStartRatio: 0.35,
  // Decimal kilobytes: the stricter reading of "400 KB".
  sendBundleBytes: 400_000,
  statusBundleBytes: 100_000,
  addedLatencyP50Ms: 2,
  statusCallbacksPerSecond: 5000,
};

interface Bundle {
  name: string;
  file: string;
  bytes: number;
}

async function bundles(): Promise<Record<string, Bundle>> {
  const ours = async (name: LambdaName) => {
    const { outfile, bytes } = await bundleLambda(name, join(OUT, name));
    return { name, file: outfile, bytes };
  };
  const naive = async (name: LambdaName) => {
    const outfile = join(OUT, `naive-${name}`, 'index.js');
    const result = await build({ ...esbuildOptions(join(PROJECT_ROOT, 'bench', 'naive', `${name}.ts`)), outfile, metafile: true });
    const bytes = Object.values(result.metafile.outputs).find((output) => output.entryPoint)?.bytes ?? 0;
    return { name: `naive ${name}`, file: outfile, bytes };
  };
  return { send: await ours('send'), status: await ours('status'), naiveSend: await naive('send'), naiveStatus: await naive('status') };
}

function child<T>(script: string, args: string[], env: Record<string, string>, execArgv: string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const process_ = fork(script, args, { env, execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    process_.once('message', (message: T & { error?: string }) => (message.error ? reject(new Error(message.error)) : resolve(message)));
    process_.once('exit', (code) => code !== 0 && reject(new Error(`${script} ${args.join(' ')} exited with ${code}`)));
  });
}

interface ColdStart {
  loadMs: number;
  invokeMs: number;
  totalMs: number;
  status: number;
}

/** The environment a Lambda of the stack sees, plus the runtime's own AWS SDK on the module path. */
function lambdaProcessEnv(environment: BenchEnvironment, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    NODE_PATH: join(PROJECT_ROOT, 'node_modules'),
    ...environment.lambdaEnv,
    ...extra,
  };
}

async function coldStarts(environment: BenchEnvironment, all: Record<string, Bundle>, runs: number) {
  const script = join(PROJECT_ROOT, 'bench', 'cold-child.js');
  const { twilio, signingSecret } = environment;
  const samples: Record<string, ColdStart[]> = { send: [], naiveSend: [], status: [], naiveStatus: [] };
  // Interleaved, so that whatever else the machine does weighs on both sides alike.
  for (let run = 0; run < runs; run++) {
    for (const key of Object.keys(samples)) {
      const event = key.toLowerCase().includes('status')
        ? statusEvent(twilio.authToken, STATUS_CALLBACK_URL, `SM${String(run).padStart(32, '0')}`)
        : sendEvent(signingSecret);
      const env = lambdaProcessEnv(environment, { BENCH_BUNDLE: all[key].file, BENCH_EVENT: JSON.stringify(event) });
      // The stack runs the Lambdas with NODE_OPTIONS=--enable-source-maps; so does the benchmark.
      const result = await child<ColdStart>(script, [], env, ['--enable-source-maps']);
      const expected = key.toLowerCase().includes('status') ? 204 : 200;
      if (result.status !== expected) throw new Error(`${key} cold start answered ${result.status}`);
      samples[key].push(result);
    }
  }
  const summary = (values: ColdStart[]) => ({
    medianMs: round(median(values.map((v) => v.totalMs))),
    maxMs: round(Math.max(...values.map((v) => v.totalMs))),
    loadMedianMs: round(median(values.map((v) => v.loadMs))),
    firstInvokeMedianMs: round(median(values.map((v) => v.invokeMs))),
  });
  return Object.fromEntries(Object.entries(samples).map(([key, values]) => [key, summary(values)]));
}

function warmEnv(environment: BenchEnvironment): Record<string, string> {
  return lambdaProcessEnv(environment, {
    BENCH_SIGNING_SECRET: environment.signingSecret,
    BENCH_TWILIO_ACCOUNT_SID: environment.twilio.accountSid,
    BENCH_TWILIO_AUTH_TOKEN: environment.twilio.authToken,
    BENCH_INSTANT_STATE: environment.instantStateEndpoint,
  });
}

const warmChild = join(PROJECT_ROOT, 'bench', 'warm-child.ts');
const TSX = ['--import', 'tsx'];

async function main() {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' }, sends: { type: 'string', default: '500' }, seconds: { type: 'string', default: '5' } } });
  const runs = Number(values.runs);
  const sends = Math.ceil(Number(values.sends) / 5) * 5;
  mkdirSync(OUT, { recursive: true });

  const all = await bundles();
  const environment = await startEnvironment();
  try {
    process.stderr.write(`cold starts: ${runs} runs of 4 Lambdas...\n`);
    const cold = await coldStarts(environment, all, runs);

    process.stderr.write(`warm latency: ${sends} sends through the gateway and ${sends} through the twilio client...\n`);
    const latency = await child<{ gateway: number[]; gatewayInstantState: number[]; twilioClient: number[] }>(warmChild, ['send-latency', all.send.file, String(sends)], warmEnv(environment), TSX);
    process.stderr.write('concurrency: 50 and 200 sends at once...\n');
    const concurrency = await child<{ concurrent: number; ok: number; p99Ms: number }[]>(warmChild, ['concurrency', all.send.file, '50,200'], warmEnv(environment), TSX);
    process.stderr.write(`status callbacks: ${values.seconds} s on one core...\n`);
    type Throughput = { callbacks: number; perSecond: number };
    const throughput = await child<{ dynalite: Throughput; instantState: Throughput }>(warmChild, ['status-throughput', all.status.file, values.seconds!], warmEnv(environment), TSX);

    const warm = {
      gatewayP50Ms: round(percentile(latency.gateway, 50), 2),
      gatewayP99Ms: round(percentile(latency.gateway, 99), 2),
      gatewayInstantStateP50Ms: round(percentile(latency.gatewayInstantState, 50), 2),
      gatewayInstantStateP99Ms: round(percentile(latency.gatewayInstantState, 99), 2),
      twilioClientP50Ms: round(percentile(latency.twilioClient, 50), 2),
      twilioClientP99Ms: round(percentile(latency.twilioClient, 99), 2),
    };
    const addedP50Ms = round(warm.gatewayP50Ms - warm.twilioClientP50Ms, 2);
    // The same, with the state store answering at once: the gateway's own cost, dynalite's apart.
    const addedOwnP50Ms = round(warm.gatewayInstantStateP50Ms - warm.twilioClientP50Ms, 2);
    const sendRatio = round(cold.send.medianMs / cold.naiveSend.medianMs, 2);
    const statusRatio = round(cold.status.medianMs / cold.naiveStatus.medianMs, 2);

    const results = {
      when: new Date().toISOString(),
      machine: { cpu: cpus()[0]?.model, cores: cpus().length, memoryGiB: round(totalmem() / 2 ** 30), os: `${platform()} ${release()}`, node: process.version },
      bundlesBytes: Object.fromEntries(Object.entries(all).map(([key, bundle]) => [key, bundle.bytes])),
      coldStart: { ...cold, sendRatio, statusRatio, runs },
      warm: { ...warm, addedP50Ms, addedOwnP50Ms, sends },
      concurrency,
      statusThroughput: {
        perSecond: Math.round(throughput.instantState.perSecond),
        dynalitePerSecond: Math.round(throughput.dynalite.perSecond),
        seconds: Number(values.seconds),
      },
    };
    const budgets = [
      ['send cold start <= 0.35 x naive', sendRatio <= BUDGETS.coldStartRatio, `${sendRatio} x`],
      ['status cold start <= 0.35 x naive', statusRatio <= BUDGETS.coldStartRatio, `${statusRatio} x`],
      [`send bundle <= ${BUDGETS.sendBundleBytes / 1000} KB`, all.send.bytes <= BUDGETS.sendBundleBytes, kb(all.send.bytes)],
      ['status bundle <= 100 KB', all.status.bytes <= BUDGETS.statusBundleBytes, kb(all.status.bytes)],
      ['added warm latency p50 <= 2 ms', addedP50Ms <= BUDGETS.addedLatencyP50Ms, `${addedP50Ms} ms`],
      ['200 concurrent sends all answered', concurrency.every((c) => c.ok === c.concurrent), concurrency.map((c) => `${c.ok}/${c.concurrent}`).join(', ')],
      // The gateway's own work per callback (bench/warm-child.ts says how); dynalite's is in the table.
      ['status >= 5,000 callbacks/s', throughput.instantState.perSecond >= BUDGETS.statusCallbacksPerSecond, `${Math.round(throughput.instantState.perSecond)}/s`],
    ] as const;
    writeFileSync(join(PROJECT_ROOT, 'bench', 'results.json'), `${JSON.stringify({ ...results, budgets: budgets.map(([name, met, value]) => ({ name, met, value })) }, null, 2)}\n`);
    process.stdout.write(report(results, budgets));
  } finally {
    await environment.close();
  }
}

function kb(bytes: number): string {
  return `${round(bytes / 1000)} KB`;
}

function report(results: any, budgets: readonly (readonly [string, boolean, string])[]): string {
  const c = results.coldStart;
  const rows = [
    ['', 'gateway', 'naive'],
    ['send bundle', kb(results.bundlesBytes.send), kb(results.bundlesBytes.naiveSend)],
    ['status bundle', kb(results.bundlesBytes.status), kb(results.bundlesBytes.naiveStatus)],
    ['send cold start, median (max)', `${c.send.medianMs} ms (${c.send.maxMs})`, `${c.naiveSend.medianMs} ms (${c.naiveSend.maxMs})`],
    ['  module load, median', `${c.send.loadMedianMs} ms`, `${c.naiveSend.loadMedianMs} ms`],
    ['  first invocation, median', `${c.send.firstInvokeMedianMs} ms`, `${c.naiveSend.firstInvokeMedianMs} ms`],
    ['status cold start, median (max)', `${c.status.medianMs} ms (${c.status.maxMs})`, `${c.naiveStatus.medianMs} ms (${c.naiveStatus.maxMs})`],
    ['  module load, median', `${c.status.loadMedianMs} ms`, `${c.naiveStatus.loadMedianMs} ms`],
    ['  first invocation, median', `${c.status.firstInvokeMedianMs} ms`, `${c.naiveStatus.firstInvokeMedianMs} ms`],
    ['', 'gateway handler', 'twilio client'],
    ['warm send p50 / p99', `${results.warm.gatewayP50Ms} / ${results.warm.gatewayP99Ms} ms`, `${results.warm.twilioClientP50Ms} / ${results.warm.twilioClientP99Ms} ms`],
    ['  state store answering at once', `${results.warm.gatewayInstantStateP50Ms} / ${results.warm.gatewayInstantStateP99Ms} ms`, ''],
    ['added by the gateway, p50', `${results.warm.addedP50Ms} ms (${results.warm.addedOwnP50Ms} ms without dynalite's work)`, ''],
    ...results.concurrency.map((c: any) => [`${c.concurrent} concurrent sends`, `${c.ok}/${c.concurrent} answered, p99 ${round(c.p99Ms)} ms`, '']),
    ['status callbacks (one core)', `${results.statusThroughput.perSecond}/s, 8 in flight, store answering at once`, ''],
    ['  one at a time, dynalite', `${results.statusThroughput.dynalitePerSecond}/s`, ''],
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => String(row[i]).length)));
  const table = rows.map((row: string[]) => row.map((cell: string, i: number) => String(cell).padEnd(widths[i])).join('  ').trimEnd()).join('\n');
  const checks = budgets.map(([name, met, value]) => `${met ? 'PASS' : 'MISS'}  ${name}: ${value}`).join('\n');
  return `\n${table}\n\nBudgets\n${checks}\n\n${results.machine.cpu}, ${results.machine.cores} cores, Node ${results.machine.node}; details in bench/results.json\n`;
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
