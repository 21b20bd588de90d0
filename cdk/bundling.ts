import * as path from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { LogLevel, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * How both Lambdas are bundled, in one place: the stack hands these options to NodejsFunction,
 * and `bundleLambda` runs esbuild's JS API with the same ones, so the size test and benchmarks
 * measure exactly the code that is deployed.
 */

export const PROJECT_ROOT = path.resolve(__dirname, '..');

export const LAMBDA_ENTRIES = {
  send: path.join(PROJECT_ROOT, 'lambda', 'send.ts'),
  status: path.join(PROJECT_ROOT, 'lambda', 'status.ts'),
} as const;

export type LambdaName = keyof typeof LAMBDA_ENTRIES;

/** Matches the runtime the stack deploys (Runtime.NODEJS_24_X). */
export const NODE_TARGET = 'node24';

// The Node.js Lambda runtime ships AWS SDK v3; bundling the clients would more than double the
// code every cold start loads.
const EXTERNAL_MODULES = ['@aws-sdk/*'];

export const LAMBDA_BUNDLING: BundlingOptions = {
  minify: true,
  // Source maps without the sources: readable stack traces (NODE_OPTIONS=--enable-source-maps)
  // at a fraction of the size.
  sourceMap: true,
  sourcesContent: false,
  target: NODE_TARGET,
  format: OutputFormat.CJS,
  externalModules: EXTERNAL_MODULES,
  // Warnings and errors only: the size summary would print on every synth and test run.
  logLevel: LogLevel.WARNING,
  // Comments esbuild must keep (`/*!`, @license, @preserve) go to index.js.LEGAL.txt beside the
  // handler, still deployed, instead of a block every cold start reads: today that block holds
  // only Powertools' `v8 ignore -- @preserve` coverage pragmas.
  esbuildArgs: { '--legal-comments': 'external' },
  // `cdk synth` must work on a fresh clone without Docker: esbuild is a devDependency.
  forceDockerBundling: false,
};

/** The esbuild options NodejsFunction derives from LAMBDA_BUNDLING (it adds `--bundle --platform=node`). */
export function esbuildOptions(entry: string): BuildOptions {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: LAMBDA_BUNDLING.target,
    format: LAMBDA_BUNDLING.format,
    minify: LAMBDA_BUNDLING.minify,
    sourcemap: LAMBDA_BUNDLING.sourceMap,
    sourcesContent: LAMBDA_BUNDLING.sourcesContent,
    external: LAMBDA_BUNDLING.externalModules,
    absWorkingDir: PROJECT_ROOT,
    logLevel: LAMBDA_BUNDLING.logLevel,
    legalComments: 'external',
  };
}

export interface BundleResult {
  /** The bundled handler, as Lambda loads it. */
  outfile: string;
  /** Size of the handler file in bytes (the source map is a separate file). */
  bytes: number;
  /** esbuild's record of every input that went into the bundle. */
  metafile: Metafile;
}

/** Bundles one Lambda exactly as the stack does, into `outdir/index.js` (+ `index.js.map`). */
export async function bundleLambda(name: LambdaName, outdir: string): Promise<BundleResult> {
  const outfile = path.join(outdir, 'index.js');
  const result = await build({ ...esbuildOptions(LAMBDA_ENTRIES[name]), outfile, metafile: true });
  const output = result.metafile.outputs[path.relative(PROJECT_ROOT, outfile)];
  return { outfile, bytes: output?.bytes ?? 0, metafile: result.metafile };
}
