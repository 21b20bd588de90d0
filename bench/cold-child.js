// One cold start, in a fresh process: load the bundled handler, invoke it once, report the
// times to the parent over IPC. Plain JavaScript so that nothing but the bundle is loaded.
'use strict';
const event = JSON.parse(process.env.BENCH_EVENT);
const context = {
  functionName: 'bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
  memoryLimitInMB: '512',
  awsRequestId: 'cold-start',
  getRemainingTimeInMillis: () => 10000,
};

const started = performance.now();
const { handler } = require(process.env.BENCH_BUNDLE);
const loaded = performance.now();
handler(event, context).then(
  (response) => {
    const answered = performance.now();
    process.send({ loadMs: loaded - started, invokeMs: answered - loaded, totalMs: answered - started, status: response.statusCode }, () => process.exit(0));
  },
  (err) => process.send({ error: String(err && err.stack || err) }, () => process.exit(1)),
);
