import { expect } from "chai";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { buildOnce, compiled } from "../helpers/build";
import { tempDir } from "../helpers/temp-dir";

/** `npm run reset` (scripts/reset.ts, compiled): what it deletes, and what it refuses to. */

const ROOT = path.resolve(__dirname, "../../..");
const RESET = compiled("scripts/reset.ts");
const exec = promisify(execFile);

async function reset(
  env: Record<string, string>,
  args: string[] = [],
  cwd = ROOT,
): Promise<{ code: number; output: string }> {
  try {
    // Found from any working directory (one test runs it outside the project).
    const { stdout, stderr } = await exec(process.execPath, [RESET, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

function stackFolder(): string {
  const dir = path.join(tempDir("reset"), "data");
  mkdirSync(path.join(dir, "pglite"), { recursive: true });
  mkdirSync(path.join(dir, "chain"));
  writeFileSync(path.join(dir, "chain/state.json"), "{}");
  writeFileSync(path.join(dir, "accounts.json"), "[]");
  writeFileSync(path.join(dir, "deployment.json"), "{}");
  return dir;
}

describe("npm run reset (scripts/reset.ts)", function () {
  this.timeout(60_000);

  before(async function () {
    this.timeout(300_000);
    await buildOnce();
  });

  it("deletes a stack's DATA_DIR after listing what it removes", async function () {
    const dir = stackFolder();
    const { code, output } = await reset({ DATA_DIR: dir });
    expect(code, output).to.equal(0);
    expect(output).to.include(`Resetting the stack in ${dir}`);
    expect(output).to.match(/pglite .*the gateway's database/);
    expect(output).to.match(/chain .*the local chain's state/);
    expect(existsSync(dir)).to.equal(false);
  });

  it("refuses a folder that does not look like a stack's, unless --force", async function () {
    const dir = tempDir("not-a-stack");
    writeFileSync(path.join(dir, "thesis.tex"), "precious");
    const refused = await reset({ DATA_DIR: dir });
    expect(refused.code).to.equal(1);
    expect(refused.output).to.match(/does not look like a stack's data folder/);
    expect(existsSync(path.join(dir, "thesis.tex"))).to.equal(true);
    const forced = await reset({ DATA_DIR: dir }, ["--force"]);
    expect(forced.code, forced.output).to.equal(0);
    expect(existsSync(dir)).to.equal(false);
  });

  it("refuses a running stack, a gateway on its database, the project itself, and a default folder outside the project", async function () {
    const running = stackFolder();
    writeFileSync(path.join(running, "stack.lock"), JSON.stringify({ pid: process.pid }));
    const busy = await reset({ DATA_DIR: running });
    expect(busy.code).to.equal(1);
    expect(busy.output).to.match(/a stack is running/);
    expect(existsSync(path.join(running, "pglite"))).to.equal(true);

    const gatewayOnly = stackFolder();
    writeFileSync(path.join(gatewayOnly, "pglite.lock"), JSON.stringify({ pid: process.pid }));
    const inUse = await reset({ DATA_DIR: gatewayOnly });
    expect(inUse.code).to.equal(1);
    expect(inUse.output).to.match(
      new RegExp(`a gateway is using the database in .* \\(pid ${process.pid}\\)`),
    );
    expect(existsSync(path.join(gatewayOnly, "pglite")), "the database kept").to.equal(true);

    const project = await reset({ DATA_DIR: ROOT }, ["--force"]);
    expect(project.code).to.equal(1);
    expect(project.output).to.match(/refusing to delete/);
    expect(existsSync(path.join(ROOT, "package.json"))).to.equal(true);

    const elsewhere = path.dirname(stackFolder()); // holds ./data, and is not the project
    const outside = await reset({}, [], elsewhere);
    expect(outside.code).to.equal(1);
    expect(outside.output).to.match(/outside the project/);
    expect(existsSync(path.join(elsewhere, "data/pglite"))).to.equal(true);
  });

  it("says so when there is nothing to reset", async function () {
    const dir = path.join(tempDir("reset-none"), "data");
    const { code, output } = await reset({ DATA_DIR: dir });
    expect(code).to.equal(0);
    expect(output).to.include("nothing to reset");
  });
});
