#!/usr/bin/env node
"use strict";

/**
 * `sunshine`: the Sunshine Ledger CLI (scripts/cli/main.ts), run through ts-node in
 * transpile-only mode. Transpiled output is cached in node_modules/.cache/sunshine-cli, keyed
 * by a hash of each file's path and source (and the TypeScript version and tsconfig), so a
 * command starts without re-transpiling the typed contracts every time. SUNSHINE_NO_CACHE=1
 * turns the cache off.
 */

const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const project = path.join(root, "tsconfig.json");
const service = require("ts-node").register({ transpileOnly: true, project });

if (!process.env.SUNSHINE_NO_CACHE) {
  const cacheDir = path.join(root, "node_modules", ".cache", "sunshine-cli");
  let salt = "";
  try {
    salt = `${service.ts.version}\0${fs.readFileSync(project, "utf8")}\0`;
    fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  } catch {
    salt = "";
  }
  if (salt) {
    const compile = service.compile.bind(service);
    service.compile = (code, fileName, lineOffset) => {
      const key = crypto
        .createHash("sha256")
        .update(salt)
        .update(fileName)
        .update("\0")
        .update(code)
        .digest("hex");
      const file = path.join(cacheDir, `${key}.js`);
      try {
        return fs.readFileSync(file, "utf8");
      } catch {
        // not cached yet
      }
      const output = compile(code, fileName, lineOffset);
      try {
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, output, { mode: 0o600 });
        fs.renameSync(tmp, file);
      } catch {
        // an unwritable cache only costs time
      }
      return output;
    };
  }
}

require("./cli/main")
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`error: ${error && error.stack ? error.stack : error}\n`);
      process.exitCode = 1;
    },
  );
