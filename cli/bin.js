#!/usr/bin/env node
'use strict';
// The `sms-gateway` bin: runs the TypeScript CLI through tsx, so there is nothing to compile first.
require('tsx/cjs');
const { main } = require('./main.ts');

// The command is done when main resolves: exit once what it wrote has been flushed, rather than
// wait for timers a library left behind (the auth0 SDK keeps a request's timeout timer after a
// failed request: auth0/provision/management.ts).
function exit(code) {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

main(process.argv.slice(2)).then(exit, (err) => {
  process.stderr.write(`${(err && err.stack) || err}\n`);
  exit(1);
});
