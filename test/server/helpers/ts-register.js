"use strict";

/**
 * Loads TypeScript for the test runs and the processes they start, like
 * `-r ts-node/register/transpile-only` (each file transpiled on its own, types not checked) but
 * with each file's JavaScript cached on disk, keyed by the compiler's version and options, the
 * file's path and its content. ts-node transpiles the whole import graph again in every process:
 * about 7 s of CPU for the gateway and the typechain factories, paid by each mocha worker, each
 * crash-test child and each bench the smoke tests start. From the cache it takes under 2 s, and
 * TypeScript itself (the slowest module of all) is not even loaded. Stack traces point at the
 * TypeScript lines (inline source maps).
 */

const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const CACHE = path.join(os.tmpdir(), "sunshine-ts-cache");
// As tsconfig.json has them, for what transpiling a single file reads (test/server/infra/ts-register.test.ts
// keeps them equal).
const COMPILER_OPTIONS = {
  module: "commonjs",
  target: "es2022",
  esModuleInterop: true,
  resolveJsonModule: true,
  inlineSourceMap: true,
  inlineSources: false,
};
const TS_VERSION = require("typescript/package.json").version;
const SALT = `${TS_VERSION}\0${JSON.stringify(COMPILER_OPTIONS)}\0`;
let ts; // loaded only on a cache miss

process.setSourceMapsEnabled(true);

require.extensions[".ts"] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, "utf8");
  const key = crypto
    .createHash("sha256")
    .update(SALT)
    .update(filename)
    .update("\0")
    .update(source)
    .digest("hex");
  const cached = path.join(CACHE, `${key}.js`);
  let code;
  try {
    code = fs.readFileSync(cached, "utf8");
  } catch {
    ts ??= require("typescript");
    code = ts.transpileModule(source, {
      fileName: filename,
      compilerOptions: ts.convertCompilerOptionsFromJson(COMPILER_OPTIONS, path.dirname(filename)).options,
    }).outputText;
    fs.mkdirSync(CACHE, { recursive: true });
    // Write then rename: a process killed mid-write never leaves half a file in the cache.
    const partial = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(partial, code);
    fs.renameSync(partial, cached);
  }
  module._compile(code, filename);
};

module.exports = { COMPILER_OPTIONS };
