import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

/**
 * An embedded DynamoDB-compatible store (dynalite) on loopback, so that `npm start` and the
 * tests run the same DynamoDB code as Lambda: there is no second, in-memory implementation of
 * the idempotency store or the rate limiter.
 */
export interface EmbeddedDynamoDb {
  endpoint: string;
  close(): Promise<void>;
}

/** `directory` keeps the state in LevelDB files across runs; in memory otherwise. */
export async function startEmbeddedDynamoDb(directory?: string): Promise<EmbeddedDynamoDb> {
  if (directory) mkdirSync(directory, { recursive: true });
  const server = dynalite({ path: directory, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
