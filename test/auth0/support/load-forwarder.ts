import { builtinModules } from 'node:module';
import { createContext, runInContext } from 'node:vm';
import { bundleForwarder, type ForwarderName } from '../../../auth0/build';

/**
 * Runs a built forwarder the way Auth0 does: its own module scope, a `require` that only knows
 * Node built-ins (anything else throws, as in the Auth0 editor with no dependencies added), and
 * no `process` or `fetch`. Timers and the clock can run faster than real time so timeout cases
 * stay quick and the forwarder's 20 s budget is measured in its own (scaled) time.
 */
export interface LoadedForwarder {
  exports: any;
  /** Every module the file required. */
  required: string[];
  /** Everything it wrote through console.*. */
  logged: string[];
}

export interface LoadOptions {
  /** Divide every timer delay by this, and speed the clock up as much (e.g. 50 turns the 5 s timeout into 100 ms). */
  timeScale?: number;
}

/** A Date whose now() runs `scale` times faster than real time from the moment it is made. */
function scaledDate(scale: number): DateConstructor {
  if (scale === 1) return Date;
  const origin = Date.now();
  return class ScaledDate extends Date {
    static override now(): number {
      return origin + (Date.now() - origin) * scale;
    }
  } as DateConstructor;
}

const bundles = new Map<ForwarderName, Promise<string>>();

/** Builds each bundle once per test file, from the sources (no prior `npm run build` needed). */
export function built(name: ForwarderName): Promise<string> {
  let bundle = bundles.get(name);
  if (!bundle) {
    bundle = bundleForwarder(name);
    bundles.set(name, bundle);
  }
  return bundle;
}

export function loadForwarder(code: string, options: LoadOptions = {}): LoadedForwarder {
  const scale = options.timeScale ?? 1;
  const required: string[] = [];
  const logged: string[] = [];
  const builtins = new Set(builtinModules);
  const restrictedRequire = (name: string) => {
    required.push(name);
    const bare = name.startsWith('node:') ? name.slice(5) : name;
    if (!builtins.has(bare)) throw new Error(`Cannot find module '${name}' (only Node built-ins are available)`);
    return require(name);
  };
  const record = (...args: unknown[]) => {
    logged.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
  };
  const module = { exports: {} as any };
  const sandbox = {
    module,
    exports: module.exports,
    require: restrictedRequire,
    console: { log: record, info: record, warn: record, error: record, debug: record },
    setTimeout: (fn: () => void, ms?: number) => setTimeout(fn, Math.ceil((ms ?? 0) / scale)),
    clearTimeout,
    Date: scaledDate(scale),
    Buffer,
    URL,
  };
  runInContext(code, createContext(sandbox), { filename: 'auth0-forwarder.js' });
  return { exports: module.exports, required, logged };
}
