#!/usr/bin/env node
'use strict';
// The `sms-gateway` bin: runs the TypeScript CLI through tsx, so there is nothing to compile first.
require('tsx/cjs');
const { main } = require('./main.ts');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`${(err && err.stack) || err}\n`);
    process.exitCode = 1;
  },
);
