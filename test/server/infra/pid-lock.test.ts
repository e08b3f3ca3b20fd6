import { expect } from "chai";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { acquirePidLock, pidLockOwner, PidLockHeldError, readPidLock } from "../../../server/lib/pid-lock";
import { tempDir } from "../helpers/temp-dir";

/**
 * The pid lock behind the stack's `stack.lock` and PGlite's `<folder>.lock`: one holder, stale
 * locks taken over with what they recorded, and a release that never removes another's lock.
 */
describe("pid lock (server/lib/pid-lock.ts)", function () {
  const dir = tempDir("pid-lock");
  let n = 0;
  const lockFile = () => path.join(dir, `lock-${++n}`);
  /** A pid no process has (above Linux's pid_max). */
  const GONE = 999_999_999;

  it("records our pid, refuses a second taker in this process, and removes the file on release", function () {
    const file = lockFile();
    const lock = acquirePidLock(file);
    expect(readPidLock(file)).to.deep.equal({ pid: process.pid });
    expect(lock.previous).to.equal(undefined);
    let error: unknown;
    try {
      acquirePidLock(file);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(PidLockHeldError);
    expect((error as PidLockHeldError).owner).to.equal(process.pid);
    expect(pidLockOwner(file), "not held by another process").to.equal(undefined);
    lock.release();
    lock.release(); // idempotent
    expect(existsSync(file)).to.equal(false);
  });

  it("refuses a lock held by another live process and names it", function () {
    const file = lockFile();
    writeFileSync(file, JSON.stringify({ pid: process.ppid }) + "\n");
    expect(pidLockOwner(file)).to.equal(process.ppid);
    expect(() => acquirePidLock(file))
      .to.throw(PidLockHeldError)
      .with.property("owner", process.ppid);
    expect(readPidLock(file)).to.deep.equal({ pid: process.ppid }, "left as it was");
  });

  it("takes over a stale lock and hands back what it recorded", function () {
    const file = lockFile();
    writeFileSync(file, JSON.stringify({ pid: GONE, chainPid: 42 }) + "\n");
    expect(pidLockOwner(file)).to.equal(undefined);
    const lock = acquirePidLock(file);
    expect(lock.previous).to.deep.equal({ pid: GONE, chainPid: 42 });
    expect(readPidLock(file)).to.deep.equal({ pid: process.pid });
    lock.release();
  });

  it("reads a bare pid, as PGlite's lock files held before", function () {
    const file = lockFile();
    writeFileSync(file, `${process.ppid}\n`);
    expect(readPidLock(file)).to.deep.equal({ pid: process.ppid });
    writeFileSync(file, "not a lock");
    expect(readPidLock(file)).to.equal(undefined);
    const lock = acquirePidLock(file);
    lock.release();
  });

  it("records extras beside the pid, and leaves a lock another process took over", function () {
    const file = lockFile();
    const lock = acquirePidLock(file);
    lock.update({ chainPid: 7 });
    expect(JSON.parse(readFileSync(file, "utf8"))).to.deep.equal({ chainPid: 7, pid: process.pid });
    writeFileSync(file, JSON.stringify({ pid: process.ppid }));
    lock.release();
    expect(readPidLock(file), "another's lock stays").to.deep.equal({ pid: process.ppid });
  });
});
