import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { tempDir } from "../helpers/temp-dir";

/**
 * The layering lint (`npm run lint:layers`, .dependency-cruiser.cjs): the real tree passes,
 * and a tree with one deliberate violation per rule fails with each rule's name on the import
 * that breaks it — so a rule that silently stopped matching would show here.
 */

const ROOT = path.resolve(__dirname, "../../..");
const CONFIG = path.join(ROOT, ".dependency-cruiser.cjs");
const DEPCRUISE = path.join(ROOT, "node_modules/.bin/depcruise");
const LAYERS = ["ledger", "api", "server", "scripts", "bench", "test", "console/src"];

interface Violation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
}

/** Runs depcruise on `cwd` with the project's rules, in `outputType` ("err" is what `npm run lint` prints). */
async function depcruise(cwd: string, outputType: "err" | "json"): Promise<{ code: number; stdout: string }> {
  const args = ["--config", CONFIG, "--output-type", outputType, ...LAYERS];
  try {
    const { stdout } = await promisify(execFile)(DEPCRUISE, args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string };
    if (typeof e.code !== "number" || e.stdout === undefined) throw error;
    return { code: e.code, stdout: e.stdout };
  }
}

async function violations(cwd: string): Promise<string[]> {
  const { stdout } = await depcruise(cwd, "json");
  const found = (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
  expect(found.every((v) => v.rule.severity === "error")).to.equal(true);
  return found.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
}

function write(root: string, file: string, content: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), content);
}

describe("layering lint (.dependency-cruiser.cjs)", function () {
  this.timeout(180_000);

  it("passes on the real tree", async function () {
    const lint = await depcruise(ROOT, "err");
    expect(lint.code, lint.stdout).to.equal(0);
    expect(lint.stdout).to.match(/no dependency violations found/);
  });

  it("fails on each kind of upward import, naming the rule", async function () {
    const root = tempDir("layering");
    write(root, "tsconfig.json", JSON.stringify({ compilerOptions: { module: "commonjs", strict: true } }));
    // Allowed imports, which must not be reported.
    write(root, "ledger/enums.ts", "export const STATUS = 1;\n");
    write(root, "api/common.ts", 'import { STATUS } from "../ledger/enums";\nexport const S = STATUS;\n');
    write(root, "server/lib/util.ts", "export const u = 1;\n");
    write(root, "server/modules/orders/orders.service.ts", "export const svc = 1;\n");
    write(root, "server/app.ts", 'import "./modules/orders/orders.service";\nimport "../api/common";\n');
    write(root, "scripts/start.ts", 'import "../server/app";\nimport "../server/lib/util";\n');
    write(
      root,
      "test/a.test.ts",
      'import "../server/modules/orders/orders.service";\nimport "../scripts/start";\n',
    );
    write(
      root,
      "bench/run.ts",
      'import "../server/modules/orders/orders.service";\nimport "../test/a.test";\n',
    );
    // One violation per rule.
    write(root, "server/lib/bad.ts", 'import "../../scripts/start";\nimport "../../test/a.test";\n');
    write(
      root,
      "scripts/cli/bad.ts",
      'import type { svc } from "../../server/modules/orders/orders.service";\n',
    );
    write(root, "server/plugins/bad.ts", 'import "../modules/orders/orders.service";\n');
    write(root, "ledger/bad.ts", 'import "../api/common";\n');
    write(root, "api/bad.ts", 'import "../server/lib/util";\n');
    write(root, "test/bench.test.ts", 'import "../bench/run";\n');
    write(root, "scripts/missing.ts", 'import "./no-such-file";\n');
    write(root, "console/src/ok.tsx", 'import "../../api/common";\nimport "../../ledger/enums";\n');
    write(root, "console/src/bad.tsx", 'import "../../server/lib/util";\nimport "node:fs";\n');

    expect(await violations(root)).to.deep.equal(
      [
        "server-not-to-scripts-or-test: server/lib/bad.ts → scripts/start.ts",
        "server-not-to-scripts-or-test: server/lib/bad.ts → test/a.test.ts",
        "scripts-not-to-server-modules: scripts/cli/bad.ts → server/modules/orders/orders.service.ts",
        "plugins-not-to-modules: server/plugins/bad.ts → server/modules/orders/orders.service.ts",
        "ledger-imports-nothing-above: ledger/bad.ts → api/common.ts",
        "api-imports-only-ledger: api/bad.ts → server/lib/util.ts",
        "nothing-imports-bench: test/bench.test.ts → bench/run.ts",
        "no-unresolvable-imports: scripts/missing.ts → ./no-such-file",
        "console-only-to-api-and-ledger: console/src/bad.tsx → server/lib/util.ts",
        "console-no-node-builtins: console/src/bad.tsx → fs",
      ].sort(),
    );
    const lint = await depcruise(root, "err");
    expect(lint.code, "npm run lint fails: one error per violation").to.equal(10);
    expect(lint.stdout).to.include(
      "error plugins-not-to-modules: server/plugins/bad.ts → server/modules/orders/orders.service.ts",
    );
  });
});
