import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import path from "node:path";

/**
 * One process per PGlite data folder. PGlite has no postmaster to refuse a second opener, and
 * two processes writing the same folder corrupt it, so a gateway started twice on one DATA_DIR
 * (or a replica pointed at PGlite instead of PostgreSQL) must fail at start instead.
 *
 * The lock is a file `<folder>.lock` holding the owner's pid. A lock whose process is gone is stale and taken
 * over, so a crash never needs manual clean-up. A lock with our own pid that this process did
 * not take is stale too: in a container the gateway is pid 1 on every start.
 */

const heldHere = new Set<string>();

export interface DirLock {
  release(): void;
}

export class DataDirLockedError extends Error {
  override readonly name = "DataDirLockedError";
}

export function lockDataDir(dir: string): DirLock {
  // Beside the folder, not in it: PGlite initialises a folder only while it is empty.
  const file = `${path.resolve(dir)}.lock`;
  if (heldHere.has(file)) {
    throw new DataDirLockedError(`PGlite data folder ${dir} is already open in this process`);
  }
  if (!tryCreate(file)) {
    const owner = readOwner(file);
    if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
      throw new DataDirLockedError(
        `PGlite data folder ${dir} is in use by process ${owner}; PGlite serves one process — ` +
          `stop that process, or run several gateways against PostgreSQL (DATABASE_URL)`,
      );
    }
    rmSync(file, { force: true });
    if (!tryCreate(file)) {
      throw new DataDirLockedError(`PGlite data folder ${dir} was locked by another process while starting`);
    }
  }
  heldHere.add(file);
  return {
    release() {
      if (!heldHere.delete(file)) return;
      rmSync(file, { force: true });
    },
  };
}

function tryCreate(file: string): boolean {
  try {
    const fd = openSync(file, "wx");
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

function readOwner(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, "utf8"), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined; // removed meanwhile, or unreadable: treated as stale
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0 checks existence without signalling
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
