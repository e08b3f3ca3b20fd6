/**
 * The layering, checked by `npm run lint` (`npm run lint:layers`): imports point down.
 *
 *   console/  the web console (browser) — the top floor, beside scripts/
 *   scripts/  start, reset, demo, deploy, the CLI — the top floor
 *   server/   the gateway: app, config, db, lib, plugins (infrastructure), modules/<capability>
 *   api/      the gateway's public contract (TypeBox schemas and the error catalogue)
 *   ledger/   everything chain-facing (typed contracts, enums, acts, events, reverts)
 *
 * test/ may import anything; bench/ may import anything, and nothing imports bench/. Type-only
 * imports count: a type pulled upward couples the layers as much as a value does.
 * test/server/infra/layering.test.ts proves each rule fails on a violation.
 */
module.exports = {
  forbidden: [
    {
      name: "server-not-to-scripts-or-test",
      comment: "The gateway stands on its own: it never imports the scripts on top of it or the tests.",
      severity: "error",
      from: { path: "^server/" },
      to: { path: "^(scripts|test)/" },
    },
    {
      name: "scripts-not-to-server-modules",
      comment:
        "Scripts and the CLI use ledger/, api/ and the app factory (server/app.ts, server/config.ts), " +
        "never a module's internals: move what they need to ledger/ or api/.",
      severity: "error",
      from: { path: "^scripts/" },
      to: { path: "^server/modules/" },
    },
    {
      name: "plugins-not-to-modules",
      comment:
        "Infrastructure plugins serve every module; a module registers itself, plugins never reach into one.",
      severity: "error",
      from: { path: "^server/plugins/" },
      to: { path: "^server/modules/" },
    },
    {
      name: "ledger-imports-nothing-above",
      comment: "ledger/ is the bottom layer: libraries and the generated typechain-types only.",
      severity: "error",
      from: { path: "^ledger/" },
      to: { path: "^(api|server|scripts|test|bench)/" },
    },
    {
      name: "api-imports-only-ledger",
      comment:
        "api/ is the public contract: it may use ledger/ (enums) and libraries, nothing of the gateway.",
      severity: "error",
      from: { path: "^api/" },
      to: { dependencyTypes: ["local"], pathNot: "^(api|ledger)/" },
    },
    {
      name: "console-only-to-api-and-ledger",
      comment:
        "The web console runs in the browser and speaks the wire contract: it may use api/ (types), ledger/ " +
        "(encoding acts) and the generated contract types, never the gateway, the scripts or the tests.",
      severity: "error",
      from: { path: "^console/" },
      to: { dependencyTypes: ["local"], pathNot: "^(console|api|ledger|typechain-types)/" },
    },
    {
      name: "console-no-node-builtins",
      comment: "Nothing the console imports may need Node's built-in modules: a browser has none.",
      severity: "error",
      from: { path: "^console/" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "nothing-imports-bench",
      comment: "Benchmarks are leaves: nothing may depend on them.",
      severity: "error",
      from: { pathNot: "^bench/" },
      to: { path: "^bench/" },
    },
    {
      name: "no-unresolvable-imports",
      comment: "An import the cruiser cannot resolve would escape every rule above.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|artifacts|cache|coverage)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      // typebox 1.x and others resolve only through their package.json "exports".
      exportsFields: ["exports"],
      conditionNames: ["require", "import", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".cjs", ".mjs", ".json", ".d.ts"],
    },
  },
};
