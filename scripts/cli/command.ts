import { readFileSync } from "node:fs";
import { isProductKey } from "../../ledger/product-key";
import { getAddress, isAddress } from "ethers";
import { REASON_LIST, reasonOf, reasonsFor, type Reason, type ReasonAct } from "../../ledger/reasons";
import { categoryCode } from "../../ledger/acts";
import type { Context } from "./options";
import type { Result } from "./output";

/**
 * What every command is made of: a spec (path, options, help text, example) and a `run` that
 * gets the shared context (keys, chain, gateway) and the parsed option values. Also the errors
 * the CLI reports as one line without a stack trace, and the value parsers the commands share.
 */

export interface OptionSpec {
  type: "string" | "boolean";
  /** Placeholder shown in help, e.g. `<id>`. */
  value?: string;
  description: string;
  required?: boolean;
  multiple?: boolean;
  short?: string;
  /** Lines listed under the option in the command's help, e.g. the values it takes. */
  notes?: string[];
}

export interface CommandSpec {
  /** Words after the group, e.g. `["bid", "commit"]`. */
  path: string[];
  summary: string;
  /** Longer explanation shown by `--help`. */
  details?: string;
  options: Record<string, OptionSpec>;
  /** The option that may also be given as the single positional argument. */
  positional?: string;
  examples: string[];
  run(ctx: Context, opts: Opts): Promise<Result>;
}

export interface GroupSpec {
  name: string;
  summary: string;
  commands: CommandSpec[];
}

/** A problem with how the CLI was called: bad or missing options, unreadable input files. */
export class UsageError extends Error {}

/** An expected failure with a one-line explanation (no stack trace). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code = "ERROR",
  ) {
    super(message);
  }
}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Typed access to one command's parsed options, with the CLI's usage errors. */
export class Opts {
  constructor(private readonly values: Values) {}

  has(name: string): boolean {
    const v = this.values[name];
    return v !== undefined && !(Array.isArray(v) && v.length === 0);
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }

  optional(name: string): string | undefined {
    const v = this.values[name];
    if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
    return typeof v === "string" ? v : undefined;
  }

  string(name: string): string {
    const v = this.optional(name);
    if (v === undefined || v === "") throw new UsageError(`--${name} is required`);
    return v;
  }

  /** A repeatable option's values as given (for values that may hold a comma, e.g. GS1 scans). */
  repeated(name: string): string[] {
    const v = this.values[name];
    return Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : [];
  }

  /** A repeatable option; each value may also be a comma-separated list. */
  list(name: string): string[] {
    return this.repeated(name)
      .flatMap((s) => s.split(","))
      .map((s) => s.trim())
      .filter((s) => s !== "");
  }

  /** A non-negative whole number (ids, quantities, prices) as a bigint. */
  id(name: string): bigint {
    return parseWhole(this.string(name), `--${name}`);
  }

  optionalId(name: string): bigint | undefined {
    const v = this.optional(name);
    return v === undefined ? undefined : parseWhole(v, `--${name}`);
  }

  int(name: string, fallback?: number, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.optional(name);
    if (v === undefined) {
      if (fallback === undefined) throw new UsageError(`--${name} is required`);
      return fallback;
    }
    const n = parseWhole(v, `--${name}`);
    if (n > BigInt(max)) throw new UsageError(`--${name} must be at most ${max} (got ${v})`);
    return Number(n);
  }

  address(name: string): string {
    return parseAddress(this.string(name), `--${name}`);
  }

  choice<T extends string>(name: string, choices: readonly T[], fallback?: T): T {
    const v = this.optional(name);
    if (v === undefined) {
      if (fallback === undefined)
        throw new UsageError(`--${name} is required (one of ${choices.join(", ")})`);
      return fallback;
    }
    if (!(choices as readonly string[]).includes(v)) {
      throw new UsageError(`--${name} must be one of ${choices.join(", ")} (got "${v}")`);
    }
    return v as T;
  }
}

export function parseWhole(text: string, what: string): bigint {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${what} must be a whole number (got "${text}")`);
  return BigInt(text.trim());
}

export function parseAddress(text: string, what: string): string {
  if (!isAddress(text)) throw new UsageError(`${what} must be an 0x address (got "${text}")`);
  return getAddress(text);
}

/** Text that must fit an on-chain bytes32 string. */
export function bytes32Text(text: string, what: string): string {
  if (text === "") throw new UsageError(`${what} must not be empty`);
  if (Buffer.byteLength(text, "utf8") > 31)
    throw new UsageError(`${what} must be at most 31 bytes (got "${text}")`);
  return text;
}

/** A 14-digit GTIN with a valid GS1 check digit. */
export function parseGtin(text: string, what = "--gtin"): string {
  // Another agency's device identifier goes by its product key (supplier declare-device).
  if (isProductKey(text)) return text;
  if (!/^\d{14}$/.test(text)) {
    throw new UsageError(`${what} must be a 14-digit GTIN or a product key (got "${text}")`);
  }
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += Number(text[i]) * (i % 2 === 0 ? 3 : 1);
  if ((10 - (sum % 10)) % 10 !== Number(text[13])) {
    throw new UsageError(`${what} ${text} has a wrong check digit`);
  }
  return text;
}

/**
 * A GS1 AI (10) lot as the ledger takes it (contracts/libraries/LotCode.sol): 1 to 20 characters
 * of GS1 character set 82, not starting with = + - @ (a spreadsheet would run it as a formula).
 */
export function parseLot(text: string, what = "--lot"): string {
  if (!/^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$/.test(text))
    throw new UsageError(`${what} must be 1 to 20 characters of GS1 character set 82 (got "${text}")`);
  if (/^[=+\-@]/.test(text)) throw new UsageError(`${what} must not start with =, +, - or @ (got "${text}")`);
  return text;
}

/** A category code, packed (up to 31 bytes) or hashed as the ledger keeps it, or a raw bytes32. */
export function parseCategory(text: string): string {
  return /^0x[0-9a-fA-F]{64}$/.test(text) ? text.toLowerCase() : categoryCode(text);
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** A span of time as seconds: `14d`, `12h`, `30m`, `90s`, or plain seconds. */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!m) throw new UsageError(`${what} must be <n>d|h|m|s or seconds (got "${text}")`);
  return Number(m[1]) * UNIT_SECONDS[m[2] || "s"];
}

/**
 * `--reason` of an act that records a reason code: a key or a code of the reason catalogue
 * (api/reason-codes.ts) that the act may record; the command's help lists them.
 */
export function reasonOption(act: ReasonAct): Record<"reason", OptionSpec> {
  const reasons = reasonsFor(act);
  const width = Math.max(...reasons.map((r) => `${r.key} (${r.code})`.length));
  return {
    reason: {
      type: "string",
      value: "<reason>",
      description: "why, as a key or code of the reason catalogue (default unspecified)",
      notes: reasons.map((r) => `${`${r.key} (${r.code})`.padEnd(width)}  ${r.label}`),
    },
  };
}

/** A reason as a command's record shows it: the code the ledger recorded, and its key. */
export function reasonFields(reason: Reason): { reason: number; reasonKey: string } {
  return { reason: reason.code, reasonKey: reason.key };
}

/** The catalogue's reason `--reason` names (by key or code), refused unless `act` may record it. */
export function parseReason(o: Opts, act: ReasonAct): Reason {
  const given = o.optional("reason") ?? "unspecified";
  const reason = /^\d+$/.test(given)
    ? reasonOf(Number(given))
    : REASON_LIST.find((r) => r.key === given.toLowerCase());
  const choices = reasonsFor(act).map((r) => r.key);
  if (reason === undefined)
    throw new UsageError(
      `--reason "${given}" is not in the reason catalogue; ${act} takes ${choices.join(", ")} (or their codes)`,
    );
  if (!reason.acts.includes(act))
    throw new UsageError(
      `--reason ${reason.key} (${reason.code}) is not a reason for ${act}; it takes ${choices.join(", ")}`,
    );
  return reason;
}

/**
 * A point in time as unix seconds: `+3d` / `+12h` / `+30m` / `+90s` from `now` (chain time), an
 * ISO date (midnight UTC) or date-time, or unix seconds.
 */
export function parseWhen(text: string, what: string, now: number): number {
  const t = text.trim();
  const relative = /^\+(\d+)([smhd])$/.exec(t);
  if (relative) return now + Number(relative[1]) * UNIT_SECONDS[relative[2]];
  if (/^\d{9,11}$/.test(t)) return Number(t);
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return isoDate(t, what);
  if (/^\d{4}-\d{2}-\d{2}T/.test(t)) {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
  }
  throw new UsageError(
    `${what} must be +<n>d|h|m|s (from now), an ISO date or date-time, or unix seconds (got "${text}")`,
  );
}

/** YYYY-MM-DD as unix seconds at midnight UTC. */
export function isoDate(text: string, what: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (m) {
    const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    if (new Date(ms).toISOString().slice(0, 10) === text.trim()) return ms / 1000;
  }
  throw new UsageError(`${what} must be a date YYYY-MM-DD (got "${text}")`);
}

/** Reads a file the user named, turning a missing or unreadable file into a usage error. */
export function readInput(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const reason =
      e.code === "ENOENT"
        ? "no such file"
        : e.code === "EISDIR"
          ? "is a directory"
          : e.code === "EACCES"
            ? "permission denied"
            : e.message;
    throw new UsageError(`${what} ${file}: ${reason}`);
  }
}

export function isoTime(seconds: number | bigint): string {
  return new Date(Number(seconds) * 1000).toISOString();
}
