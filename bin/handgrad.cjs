#!/usr/bin/env node
'use strict';
// The installed `handgrad` command: a two-line shim over the compiled CLI.
const { runCli } = require('../dist/cjs/cli/main.js');

runCli(process.argv.slice(2)).then(
  // Exit once stdout is flushed: a long --json report piped to a slow reader outgrows the pipe's buffer.
  (code) => process.stdout.write('', () => process.exit(code)),
  (err) => {
    process.stderr.write(`handgrad: internal error: ${err?.message ? err.message : String(err)}\n`);
    process.exit(70);
  },
);
