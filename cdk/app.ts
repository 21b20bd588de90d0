/** The CDK app entry (cdk.json: `npx tsx cdk/app.ts`). */
import { App } from 'aws-cdk-lib';
import { CatalogError } from '../lambda/core/templates';
import { ContextError } from './config';
import { buildGatewayApp } from './gateway-app';

const app = new App();
try {
  buildGatewayApp(app);
} catch (err) {
  // A wrong -c value or a broken template is the user's to fix, not a crash: print the sentence
  // naming the key or the template path, without a stack trace.
  if (!(err instanceof ContextError || err instanceof CatalogError)) throw err;
  console.error(err.message);
  process.exit(1);
}
app.synth();
