"use strict";

/**
 * Loads TypeScript for the crash test's child processes, like `-r ts-node/register/transpile-only`
 * but with each file's JavaScript cached on disk (keyed by path and content). The crash test
 * starts the worker dozens of times; ts-node re-transpiles the typechain factories on every
 * start (about 3 s a run), this takes well under a second once the cache is warm.
 */

const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const CACHE = path.join(os.tmpdir(), "sunshine-settlement-child-js");
let ts; // loaded only on a cache miss: it is the slowest module of all

require.extensions[".ts"] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, "utf8");
  const key = crypto.createHash("sha256").update(filename).update("\0").update(source).digest("hex");
  const cached = path.join(CACHE, `${key}.js`);
  let code;
  try {
    code = fs.readFileSync(cached, "utf8");
  } catch {
    ts ??= require("typescript");
    code = ts.transpileModule(source, {
      fileName: filename,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        resolveJsonModule: true,
      },
    }).outputText;
    fs.mkdirSync(CACHE, { recursive: true });
    // Write then rename: a child killed mid-write never leaves half a file in the cache.
    const partial = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(partial, code);
    fs.renameSync(partial, cached);
  }
  module._compile(code, filename);
};
