import { closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";

/**
 * A lock file naming the one process that may use something: PGlite's data folder
 * (server/db/pglite-lock.ts) and a stack's DATA_DIR (scripts/lib/stack/lock.ts).
 *
 * The file holds JSON, `{"pid":1234}` plus whatever the owner records beside it (the stack
 * records its chain's pid). It is created exclusively, so of two processes starting together
 * one wins. A lock whose process is gone is stale and taken over, so a crash never needs manual
 * clean-up; so is a lock with our own pid that this process did not take (in a container the
 * process is pid 1 on every start). Locks still held when the process exits are removed then.
 */

export interface PidLockContent {
  pid: number;
  [key: string]: unknown;
}

export interface PidLock {
  readonly file: string;
  /** The stale lock this one replaced (its process is gone), if there was one. */
  readonly previous: PidLockContent | undefined;
  /** Records `extra` beside the pid, replacing what was recorded before. */
  update(extra: Record<string, unknown>): void;
  /** Removes the file, unless another process has taken it over meanwhile. Idempotent. */
  release(): void;
}

/** The lock is held by a live process: `owner` is its pid (our own when this process holds it). */
export class PidLockHeldError extends Error {
  override readonly name = "PidLockHeldError";
  constructor(
    readonly file: string,
    readonly owner: number | undefined,
  ) {
    super(`${file} is held by ${owner === undefined ? "another process" : `process ${owner}`}`);
  }
}

const heldHere = new Map<string, PidLock>();
let exitHookInstalled = false;

export function acquirePidLock(file: string, extra: Record<string, unknown> = {}): PidLock {
  const lockFile = path.resolve(file);
  if (heldHere.has(lockFile)) throw new PidLockHeldError(lockFile, process.pid);
  let previous: PidLockContent | undefined;
  if (!tryCreate(lockFile, extra)) {
    previous = readPidLock(lockFile);
    if (previous && previous.pid !== process.pid && isAlive(previous.pid)) {
      throw new PidLockHeldError(lockFile, previous.pid);
    }
    rmSync(lockFile, { force: true });
    // Lost to another process that took over the same stale lock in between.
    if (!tryCreate(lockFile, extra)) throw new PidLockHeldError(lockFile, readPidLock(lockFile)?.pid);
  }
  const lock: PidLock = {
    file: lockFile,
    previous,
    update(next) {
      if (heldHere.get(lockFile) !== lock) return;
      // Written beside and renamed over, so a reader never sees half a file.
      const tmp = `${lockFile}.${process.pid}.tmp`;
      writeFileSync(tmp, serialise(next));
      renameSync(tmp, lockFile);
    },
    release() {
      if (heldHere.get(lockFile) !== lock) return;
      heldHere.delete(lockFile);
      if (readPidLock(lockFile)?.pid === process.pid) rmSync(lockFile, { force: true });
    },
  };
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", releaseAll);
  }
  heldHere.set(lockFile, lock);
  return lock;
}

/** The pid of the live process holding `file` (not this one), or undefined when it is free or stale. */
export function pidLockOwner(file: string): number | undefined {
  const content = readPidLock(file);
  if (!content || content.pid === process.pid || !isAlive(content.pid)) return undefined;
  return content.pid;
}

/** What `file` records, or undefined when it is missing or not a lock. A bare pid (older lock files) counts. */
export function readPidLock(file: string): PidLockContent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined; // removed meanwhile, or unreadable: treated as stale
  }
  if (isPid(parsed)) return { pid: parsed };
  if (typeof parsed === "object" && parsed !== null && isPid((parsed as { pid?: unknown }).pid)) {
    return parsed as PidLockContent;
  }
  return undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0 checks existence without signalling
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function isPid(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}

function serialise(extra: Record<string, unknown>): string {
  return JSON.stringify({ ...extra, pid: process.pid }) + "\n";
}

function tryCreate(file: string, extra: Record<string, unknown>): boolean {
  let fd: number;
  try {
    fd = openSync(file, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    writeSync(fd, serialise(extra));
  } finally {
    closeSync(fd);
  }
  return true;
}

function releaseAll(): void {
  for (const lock of [...heldHere.values()]) lock.release();
}
