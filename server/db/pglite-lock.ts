import path from "node:path";
import { acquirePidLock, PidLockHeldError } from "../lib/pid-lock";

/**
 * One process per PGlite data folder. PGlite has no postmaster to refuse a second opener, and
 * two processes writing the same folder corrupt it, so a gateway started twice on one DATA_DIR
 * (or a replica pointed at PGlite instead of PostgreSQL) must fail at start instead. The lock
 * is a pid lock (server/lib/pid-lock.ts) in `<folder>.lock`.
 */

export interface DirLock {
  release(): void;
}

export class DataDirLockedError extends Error {
  override readonly name = "DataDirLockedError";
}

export function lockDataDir(dir: string): DirLock {
  // Beside the folder, not in it: PGlite initialises a folder only while it is empty.
  try {
    return acquirePidLock(`${path.resolve(dir)}.lock`);
  } catch (error) {
    if (!(error instanceof PidLockHeldError)) throw error;
    if (error.owner === process.pid) {
      throw new DataDirLockedError(`PGlite data folder ${dir} is already open in this process`);
    }
    if (error.owner === undefined) {
      throw new DataDirLockedError(`PGlite data folder ${dir} was locked by another process while starting`);
    }
    throw new DataDirLockedError(
      `PGlite data folder ${dir} is in use by process ${error.owner}; PGlite serves one process — ` +
        `stop that process, or run several gateways against PostgreSQL (DATABASE_URL)`,
    );
  }
}
