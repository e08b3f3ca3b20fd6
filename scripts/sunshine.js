#!/usr/bin/env node
"use strict";

/**
 * `sunshine`: the Sunshine Ledger CLI. It runs the compiled JavaScript of scripts/cli/main.ts
 * from dist/, which `npm run build` (and `npm start`, which builds first) writes; nothing is
 * transpiled at run time.
 */

const path = require("node:path");

const root = path.join(__dirname, "..");
const entry = path.join(root, "dist", "scripts", "cli", "main.js");

let cli;
try {
  cli = require(entry);
} catch (error) {
  if (!error || error.code !== "MODULE_NOT_FOUND" || !String(error.message).includes(entry)) throw error;
  process.stderr.write(`error: the CLI is not built yet: run npm run build in ${root}\n`);
  process.exit(1);
}

cli.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`error: ${error && error.stack ? error.stack : error}\n`);
    process.exitCode = 1;
  },
);
