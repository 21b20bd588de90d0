import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildGatewayApp } from '../../cdk/gateway-app';
import type { SmsGatewayStack } from '../../cdk/sms-gateway-stack';

/**
 * Synthesizes the app the way `cdk synth` does (cdk.json's feature flags plus the given
 * context, cdk-nag included), offline: environment-agnostic stack, local esbuild, no Docker.
 * Bundling takes a moment, so each test file synthesizes once, in beforeAll.
 */

const CDK_JSON = path.resolve(__dirname, '..', '..', 'cdk.json');

export interface Synthesized {
  app: App;
  stack: SmsGatewayStack;
  template: Template;
  /** The raw template JSON, for checks that walk every resource. */
  json: { Resources: Record<string, CfnResourceJson>; Outputs?: Record<string, { Value: unknown }> };
  outdir: string;
}

export interface CfnResourceJson {
  Type: string;
  Properties?: Record<string, any>;
  DependsOn?: string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(CDK_JSON, 'utf8')).context;
}

const outdirs: string[] = [];

export function newApp(context: Record<string, unknown> = {}): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-gateway-cdk-'));
  outdirs.push(outdir);
  return new App({ outdir, context: { ...cdkJsonContext(), ...context } });
}

/** Removes every cloud assembly this test file synthesized (bundles included); for afterAll. */
export function removeAssemblies(): void {
  for (const outdir of outdirs.splice(0)) fs.rmSync(outdir, { recursive: true, force: true });
}

export function synthGateway(context: Record<string, unknown> = {}): Synthesized {
  const app = newApp(context);
  const stack = buildGatewayApp(app);
  app.synth();
  const template = Template.fromStack(stack);
  return { app, stack, template, json: template.toJSON() as Synthesized['json'], outdir: app.outdir };
}

export function resourcesOfType(json: Synthesized['json'], type: string): [string, CfnResourceJson][] {
  return Object.entries(json.Resources).filter(([, resource]) => resource.Type === type);
}

/** The one resource of a type whose construct path ends with `pathSuffix`. */
export function logicalIdOf(stack: Stack, pathSuffix: string): string {
  const matches = stack.node
    .findAll()
    .filter((c) => (c as CfnElement).logicalId !== undefined && c.node.path.endsWith(pathSuffix))
    .map((c) => stack.resolve((c as CfnElement).logicalId) as string);
  if (matches.length !== 1) throw new Error(`expected one resource at */${pathSuffix}, found ${matches.length}`);
  return matches[0];
}

/** Logical ids a value refers to through Ref, Fn::GetAtt or Fn::Sub. */
export function referencedIds(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedIds(item, into);
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') into.add(inner);
      else if (key === 'Fn::GetAtt') into.add(Array.isArray(inner) ? inner[0] : String(inner).split('.')[0]);
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(inner) ? inner[0] : inner;
        for (const match of String(text).matchAll(/\$\{([A-Za-z0-9]+)(\.[^}]*)?\}/g)) into.add(match[1]);
        if (Array.isArray(inner)) referencedIds(inner[1], into);
      } else referencedIds(inner, into);
    }
  }
  return into;
}

/** The dashboard's widgets; its body is a Fn::Join of JSON text and references, which become "<ref:…>" strings. */
export function dashboardWidgets(json: Synthesized['json']): { type: string; width: number; properties: Record<string, any> }[] {
  const [, dashboard] = resourcesOfType(json, 'AWS::CloudWatch::Dashboard')[0];
  const parts = dashboard.Properties!.DashboardBody['Fn::Join'][1] as unknown[];
  const text = parts.map((part) => (typeof part === 'string' ? part : `<ref:${JSON.stringify(part).replace(/"/g, "'")}>`)).join('');
  return JSON.parse(text).widgets;
}

/** A dependency cycle of the template as `A -> B -> A`, or undefined: CloudFormation refuses a template with one. */
export function dependencyCycle(json: Synthesized['json']): string | undefined {
  const edges = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(json.Resources)) {
    const deps = referencedIds(resource.Properties);
    for (const dep of resource.DependsOn ?? []) deps.add(dep);
    edges.set(id, new Set([...deps].filter((dep) => dep in json.Resources)));
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]): string | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...trail, id].join(' -> ');
    state.set(id, 'visiting');
    for (const dep of edges.get(id)!) {
      const cycle = visit(dep, [...trail, id]);
      if (cycle) return cycle;
    }
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id, []);
    if (cycle) return cycle;
  }
  return undefined;
}
