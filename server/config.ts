import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";

/**
 * Every setting the gateway reads, in one schema, parsed and checked once at start.
 *
 * Sources, first match wins: the environment; the JSON object in the file named by the
 * CONFIG_FILE environment variable (keys are the same names, values strings, numbers or
 * booleans); the defaults below. An empty value counts as unset. Relative
 * paths resolve against the working directory. Every problem is reported at once, by setting
 * name, and secret values are never echoed back.
 */

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type DbConfig =
  | { engine: "postgres"; url: string }
  /** `dir` undefined: in memory, gone when the process ends. */
  | { engine: "pglite"; dir: string | undefined };

export type SettlerKeySource =
  | { kind: "privateKey"; privateKey: string }
  /** Decrypted with ethers when the chain plugin starts. */
  | { kind: "keystore"; path: string; password: string };

export interface Config {
  http: { port: number; host: string };
  /** Root of the files the gateway keeps; `:memory:` keeps everything in memory (tests). */
  dataDir: string;
  db: DbConfig;
  chain: { network: string; rpcUrl: string; deploymentFile: string; confirmations: number };
  indexer: { batchBlocks: number; pollMs: number; reorgWindow: number };
  /** `settler` is always set when `enabled`. */
  payments: { enabled: boolean; settler: SettlerKeySource | undefined };
  /**
   * The hospital (lower-case address) whose back office this gateway keeps (HOSPITAL); other
   * hospitals' staff are refused it (auth.plugin.ts `hospitalOf`). Unset: any hospital's.
   */
  hospital: string | undefined;
  /**
   * Consumption batches of consigned stock, per hospital × supplier: cut when the usages not yet
   * batched reach `batchUnits` units, or when the oldest of them is `batchIntervalMs` old.
   */
  consignment: { batchIntervalMs: number; batchUnits: number };
  sunshine: { spreadPercent: number };
  /**
   * `secret` signs tokens; tokens signed with one of `previousSecrets` are still accepted
   * (docs/operations-keys.md). `secretGenerated`: no AUTH_SECRET was set, so tokens die with the
   * process and one replica.
   */
  auth: {
    tokenTtlSeconds: number;
    secret: string;
    previousSecrets: string[];
    secretGenerated: boolean;
    /**
     * The origins (scheme://host[:port]) a Sign-In with Ethereum message may name; empty: unset,
     * which only a local development chain accepts (server/modules/auth/origins.ts).
     */
    publicOrigins: string[];
    /** Unused, unexpired sign-in nonces one client (IP address) may hold at once. */
    maxNoncesPerClient: number;
  };
  patientRefSalt: string | undefined;
  /**
   * The relay's own key (never the settler's) and the limits on what callers may spend of it.
   * `relayerKey` unset: /v1/relay answers 503 NOT_CONFIGURED.
   */
  relay: {
    relayerKey: string | undefined;
    maxGasPerRequest: number;
    dailyGasBudget: number;
    accountDailyRequests: number;
    ipDailyRequests: number;
    minBalanceWei: bigint;
  };
  /** Headers, CORS, body and rate limits (plugins/edge.ts). Limits per caller and minute. */
  edge: {
    corsOrigins: string[];
    /** Proxies whose X-Forwarded-For is believed (Fastify's trustProxy); empty: none. */
    trustProxy: string[];
    bodyLimit: number;
    largeBodyLimit: number;
    perMinute: number;
    signInPerMinute: number;
    relayPerMinute: number;
    verifyPerMinute: number;
  };
  /** The web console: its built files, the demo accounts (local chain only), its time zone. */
  console: { dir: string; demoAccountsFile: string | undefined; timeZone: string };
  /** Shows /ready's details to callers sending it as X-Ops-Token (plugins/readiness.ts). */
  opsToken: string | undefined;
  matching: { shortfallPct: number; minShelfLifeDays: number };
  logLevel: LogLevel;
}

export const IN_MEMORY = ":memory:";

export interface ConfigProblem {
  setting: string;
  problem: string;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(["invalid configuration:", ...problems.map((p) => `  ${p.setting}: ${p.problem}`)].join("\n"));
  }
}

/** A parser's verdict on one value; collected into a ConfigProblem. */
class Invalid extends Error {}

interface Setting<T> {
  readonly description: string;
  readonly parse: (text: string) => T;
  /** The value when the setting is absent. */
  readonly fallback: T;
  /** Never echoed in error messages. */
  readonly secret: boolean;
}

const SECRET = true;

function withDefault<T>(
  description: string,
  parse: (text: string) => T,
  fallback: T,
  secret = false,
): Setting<T> {
  return { description, parse, fallback, secret };
}

function optional<T>(
  description: string,
  parse: (text: string) => T,
  secret = false,
): Setting<T | undefined> {
  return { description, parse, fallback: undefined, secret };
}

// Parsers: each returns the typed value or throws Invalid with what was expected.

function integer(min: number, max = Number.MAX_SAFE_INTEGER): (text: string) => number {
  const expected =
    max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
  return (text) => {
    const value = Number(text);
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new Invalid(`must be ${expected}`);
    }
    return value;
  };
}

function percentage(text: string): number {
  // Two decimals at most, so the matching maths can scale it to an integer exactly.
  if (!/^\d+(\.\d{1,2})?$/.test(text) || Number(text) > 100) {
    throw new Invalid("must be a percentage from 0 to 100 with at most two decimals");
  }
  return Number(text);
}

function boolean(text: string): boolean {
  const value = text.toLowerCase();
  if (["true", "1", "yes"].includes(value)) return true;
  if (["false", "0", "no"].includes(value)) return false;
  throw new Invalid("must be true or false");
}

function verbatim(value: string): string {
  return value;
}

function minLength(length: number): (text: string) => string {
  return (value) => {
    if (value.length < length) throw new Invalid(`must be at least ${length} characters`);
    return value;
  };
}

/** Comma-separated, each item parsed by `item`; empty items are ignored. */
function listOf<T>(item: (text: string) => T): (text: string) => T[] {
  return (value) =>
    value
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== "")
      .map(item);
}

function oneOf<T extends string>(values: readonly T[]): (text: string) => T {
  return (value) => {
    const match = values.find((v) => v === value);
    if (match === undefined) throw new Invalid(`must be one of ${values.join(", ")}`);
    return match;
  };
}

function url(protocols: readonly string[]): (text: string) => string {
  const expected = `must be a ${protocols.map((p) => `${p}//`).join(" or ")} URL`;
  return (value) => {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new Invalid(expected);
    }
    if (!protocols.includes(parsed.protocol)) throw new Invalid(expected);
    return value;
  };
}

/** Order of secp256k1: a private key must lie in [1, n − 1]. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function privateKey(value: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) throw new Invalid("must be 0x followed by 64 hex digits");
  const key = BigInt(value);
  if (key === 0n || key >= SECP256K1_N) throw new Invalid("is not a valid secp256k1 private key");
  return value;
}

function address(value: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(value))
    throw new Invalid("must be an address: 0x followed by 40 hex digits");
  return value.toLowerCase();
}

function wei(value: string): bigint {
  if (!/^\d{1,78}$/.test(value)) throw new Invalid("must be a whole number of wei");
  return BigInt(value);
}

/** A web origin, `scheme://host[:port]` and nothing more, normalised as browsers serialise it. */
function origin(value: string): string {
  const expected = "must be origins like https://ledger.example.org (scheme, host and port only)";
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new Invalid(expected);
  }
  if (!["http:", "https:"].includes(parsed.protocol) || parsed.origin !== value.replace(/\/$/, "")) {
    throw new Invalid(expected);
  }
  return parsed.origin;
}

/** An IP address or a CIDR range (10.0.0.0/8, fd00::/8), as proxy-addr takes them. */
function ipRange(value: string): string {
  const [ip, bits, extra] = value.split("/");
  const version = isIP(ip);
  const max = version === 4 ? 32 : 128;
  const validBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
  if (version === 0 || !validBits || extra !== undefined)
    throw new Invalid("must be IP addresses or CIDR ranges like 10.0.0.0/8");
  return value;
}

function timeZone(value: string): string {
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
  } catch {
    throw new Invalid("must be an IANA time zone like Asia/Shanghai");
  }
  return value;
}

function networkName(value: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) throw new Invalid("must contain only letters, digits, _ and -");
  return value;
}

const SETTINGS = {
  PORT: withDefault("HTTP port (0 picks a free one)", integer(0, 65535), 8080),
  HOST: withDefault("address to listen on", verbatim, "127.0.0.1"),
  DATA_DIR: withDefault(
    `folder for the gateway's files, PGlite in DATA_DIR/pglite; ${IN_MEMORY} for none`,
    verbatim,
    "./data",
  ),
  DATABASE_URL: optional(
    "PostgreSQL URL; PGlite in DATA_DIR when unset",
    url(["postgres:", "postgresql:"]),
    SECRET,
  ),
  RPC_URL: withDefault(
    "chain JSON-RPC endpoint",
    url(["http:", "https:", "ws:", "wss:"]),
    "http://127.0.0.1:8545",
    SECRET,
  ),
  NETWORK: withDefault("network name as in hardhat.config.ts", networkName, "localhost"),
  DEPLOYMENT_FILE: optional("contract addresses; deployments/<NETWORK>.json when unset", verbatim),
  PAYMENTS_ENABLED: withDefault("run the payment worker, which needs the settler key", boolean, true),
  CONSUMPTION_BATCH_INTERVAL_MS: withDefault(
    "a consignment's usages are paid at the latest this long after the oldest unpaid one",
    integer(1_000),
    3_600_000,
  ),
  CONSUMPTION_BATCH_UNITS: withDefault(
    "a consignment's usages are paid as soon as this many units are unpaid (per hospital × supplier)",
    integer(1, 10_000),
    50,
  ),
  PRICE_SPREAD_PERCENT: withDefault(
    "the public price list flags an item whose prices across hospitals differ by more than this percentage",
    integer(0, 1_000),
    10,
  ),
  HOSPITAL: optional(
    "address of the hospital whose back office (receipts, exceptions, usages, stock…) this gateway keeps; other hospitals' staff are refused it with 403. Unset: any hospital's staff may use it",
    address,
  ),
  SETTLER_KEY: optional("the settler's private key", privateKey, SECRET),
  SETTLER_KEYSTORE: optional("encrypted JSON keystore holding the settler key", verbatim),
  SETTLER_KEYSTORE_PASSWORD: optional("password of SETTLER_KEYSTORE", verbatim, SECRET),
  RELAYER_PRIVATE_KEY: optional(
    "the key that pays the gas of POST /v1/relay (its own account, never the settler's); relay off when unset",
    privateKey,
    SECRET,
  ),
  RELAY_MAX_GAS_PER_REQUEST: withDefault(
    "most gas a relayed request may ask for (its signed gas)",
    integer(21_000),
    1_000_000,
  ),
  RELAY_DAILY_GAS_BUDGET: withDefault(
    "gas the relayer may spend per UTC day, counted at each relaying transaction's gas limit",
    integer(21_000),
    100_000_000,
  ),
  RELAY_ACCOUNT_DAILY_REQUESTS: withDefault(
    "relay requests per signed-in account per UTC day",
    integer(1),
    500,
  ),
  RELAY_IP_DAILY_REQUESTS: withDefault("relay requests per client IP per UTC day", integer(1), 2000),
  RELAYER_MIN_BALANCE_WEI: withDefault(
    "relayer balance below which /metrics and /ready raise the low-balance alarm",
    wei,
    10n ** 17n,
  ),
  CONFIRMATIONS: withDefault("blocks an event must be buried under before it is indexed", integer(0), 2),
  INDEXER_BATCH_BLOCKS: withDefault("blocks per log query", integer(1), 2000),
  INDEXER_POLL_MS: withDefault("pause between polls for new blocks, ms", integer(10), 1000),
  REORG_WINDOW: withDefault("recent blocks kept to detect and rewind reorgs", integer(1), 64),
  AUTH_TOKEN_TTL_SECONDS: withDefault("bearer token lifetime", integer(1), 3600),
  AUTH_SECRET: optional(
    "key that signs bearer tokens (HS256); random per process when unset; rotation: docs/operations-keys.md",
    minLength(32),
    SECRET,
  ),
  AUTH_PREVIOUS_SECRETS: withDefault(
    "comma-separated earlier AUTH_SECRETs, whose tokens are still accepted until they expire",
    listOf(minLength(32)),
    [],
    SECRET,
  ),
  PUBLIC_ORIGINS: withDefault(
    "comma-separated origins users reach the gateway at (https://ledger.example.org); sign-in messages must name one; required unless the chain is a local development chain (31337)",
    listOf(origin),
    [],
  ),
  AUTH_MAX_NONCES_PER_CLIENT: withDefault(
    "sign-in nonces one IP address may hold unused at once; more are refused with 429",
    integer(1, 10_000),
    20,
  ),
  PATIENT_REF_SALT: optional("salt for hashing patient references from billing", minLength(16), SECRET),
  CONSOLE_DIR: withDefault(
    "folder of the built web console (npm run build), served at /; the gateway serves the API alone when it is missing",
    verbatim,
    "dist/console",
  ),
  DEMO_ACCOUNTS_FILE: optional(
    "accounts.json of `npm start`: offered as demo accounts in the console's sign-in, and only on a local development chain (31337)",
    verbatim,
  ),
  TIME_ZONE: withDefault("IANA time zone the console shows dates in", timeZone, "Asia/Shanghai"),
  TRUST_PROXY: withDefault(
    "comma-separated addresses or CIDR ranges of the reverse proxies in front of the gateway; their X-Forwarded-For names the client whose IP counts for limits and quotas. None when unset: the connecting address counts",
    listOf(ipRange),
    [],
  ),
  CORS_ORIGINS: withDefault(
    "comma-separated browser origins (scheme://host[:port]) allowed to call the API; none when unset",
    listOf(origin),
    [],
  ),
  BODY_LIMIT_BYTES: withDefault(
    "largest request body, bytes (sign-in: 4 KiB, relay: 64 KiB)",
    integer(1024),
    1024 * 1024,
  ),
  LARGE_BODY_LIMIT_BYTES: withDefault(
    "largest serial manifest or goods receipt body, bytes",
    integer(1024),
    8 * 1024 * 1024,
  ),
  RATE_LIMIT_PER_MINUTE: withDefault(
    "requests a minute per account (or per IP when anonymous)",
    integer(1),
    600,
  ),
  RATE_LIMIT_SIGN_IN_PER_MINUTE: withDefault("sign-in requests (/v1/auth/*) a minute per IP", integer(1), 20),
  RATE_LIMIT_RELAY_PER_MINUTE: withDefault("relayed calls a minute per account or IP", integer(1), 30),
  RATE_LIMIT_VERIFY_PER_MINUTE: withDefault("trail verifications a minute per account", integer(1), 10),
  OPS_TOKEN: optional(
    "X-Ops-Token that shows /ready's checks; unset: only requests from this host see them",
    minLength(32),
    SECRET,
  ),
  LOG_LEVEL: withDefault("log level", oneOf(LOG_LEVELS), "info"),
  MATCH_SHORTFALL_TOLERANCE_PCT: withDefault("shortfall, % of shipped, that still settles", percentage, 2),
  MATCH_MIN_SHELF_LIFE_DAYS: withDefault(
    "shelf life left at receipt below which a match fails",
    integer(0),
    90,
  ),
} as const;

type SettingName = keyof typeof SETTINGS;
type Values = { [K in SettingName]: (typeof SETTINGS)[K] extends Setting<infer T> ? T : never };

/** Reads, parses and validates every setting; throws ConfigError listing every bad one. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: ConfigProblem[] = [];
  const file = readConfigFile(env.CONFIG_FILE || undefined, problems);
  const values = parseSettings(env, file, problems);
  const config = assemble(values, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function readConfigFile(file: string | undefined, problems: ConfigProblem[]): Map<string, string> {
  const entries = new Map<string, string>();
  if (file === undefined) return entries;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    problems.push({ setting: "CONFIG_FILE", problem: `cannot read ${file}: ${(error as Error).message}` });
    return entries;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    problems.push({ setting: "CONFIG_FILE", problem: `${file} must hold a JSON object of settings` });
    return entries;
  }
  for (const [key, value] of Object.entries(parsed)) {
    if (!(key in SETTINGS)) {
      problems.push({
        setting: key,
        problem: `in ${file} is not a setting (known: ${Object.keys(SETTINGS).join(", ")})`,
      });
    } else if (typeof value === "number" || typeof value === "boolean") {
      entries.set(key, String(value));
    } else if (typeof value === "string") {
      if (value !== "") entries.set(key, value); // empty means unset, as in the environment
    } else if (value !== null) {
      problems.push({ setting: key, problem: `in ${file} must be a string, number or boolean` });
    }
  }
  return entries;
}

function parseSettings(env: NodeJS.ProcessEnv, file: Map<string, string>, problems: ConfigProblem[]): Values {
  const values: Partial<Record<SettingName, unknown>> = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const setting: Setting<unknown> = SETTINGS[name];
    const input = env[name] || file.get(name);
    if (input === undefined) {
      values[name] = setting.fallback;
      continue;
    }
    try {
      values[name] = setting.parse(input);
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const got = setting.secret ? "" : ` (got ${JSON.stringify(input)})`;
      problems.push({ setting: name, problem: `${error.message}${got} — ${setting.description}` });
    }
  }
  // Every name was assigned its parsed value or fallback, or a problem was recorded and the
  // result is never returned to a caller.
  return values as Values;
}

/** Derives the Config and checks the rules that span several settings. */
function assemble(values: Values, problems: ConfigProblem[]): Config {
  const dataDir = values.DATA_DIR === IN_MEMORY ? IN_MEMORY : path.resolve(values.DATA_DIR);
  const db: DbConfig = values.DATABASE_URL
    ? { engine: "postgres", url: values.DATABASE_URL }
    : { engine: "pglite", dir: dataDir === IN_MEMORY ? undefined : path.join(dataDir, "pglite") };

  const settler = settlerKeySource(values, problems);
  if (
    values.PAYMENTS_ENABLED &&
    settler === undefined &&
    !problems.some((p) => p.setting.startsWith("SETTLER_"))
  ) {
    problems.push({
      setting: "SETTLER_KEY",
      problem:
        "the payment worker needs the settler key: set SETTLER_KEY, or SETTLER_KEYSTORE and " +
        "SETTLER_KEYSTORE_PASSWORD (or PAYMENTS_ENABLED=false to run without paying)",
    });
  }

  return {
    http: { port: values.PORT, host: values.HOST },
    dataDir,
    db,
    chain: {
      network: values.NETWORK,
      rpcUrl: values.RPC_URL,
      deploymentFile: path.resolve(
        values.DEPLOYMENT_FILE ?? path.join("deployments", `${values.NETWORK}.json`),
      ),
      confirmations: values.CONFIRMATIONS,
    },
    indexer: {
      batchBlocks: values.INDEXER_BATCH_BLOCKS,
      pollMs: values.INDEXER_POLL_MS,
      reorgWindow: values.REORG_WINDOW,
    },
    payments: { enabled: values.PAYMENTS_ENABLED, settler },
    hospital: values.HOSPITAL,
    consignment: {
      batchIntervalMs: values.CONSUMPTION_BATCH_INTERVAL_MS,
      batchUnits: values.CONSUMPTION_BATCH_UNITS,
    },
    sunshine: { spreadPercent: values.PRICE_SPREAD_PERCENT },
    auth: authKeys(values, problems),
    patientRefSalt: values.PATIENT_REF_SALT,
    relay: relaySettings(values, settler, problems),
    opsToken: values.OPS_TOKEN,
    console: {
      dir: path.resolve(values.CONSOLE_DIR),
      demoAccountsFile:
        values.DEMO_ACCOUNTS_FILE === undefined ? undefined : path.resolve(values.DEMO_ACCOUNTS_FILE),
      timeZone: values.TIME_ZONE,
    },
    edge: {
      corsOrigins: values.CORS_ORIGINS,
      trustProxy: values.TRUST_PROXY,
      bodyLimit: values.BODY_LIMIT_BYTES,
      largeBodyLimit: values.LARGE_BODY_LIMIT_BYTES,
      perMinute: values.RATE_LIMIT_PER_MINUTE,
      signInPerMinute: values.RATE_LIMIT_SIGN_IN_PER_MINUTE,
      relayPerMinute: values.RATE_LIMIT_RELAY_PER_MINUTE,
      verifyPerMinute: values.RATE_LIMIT_VERIFY_PER_MINUTE,
    },
    matching: {
      shortfallPct: values.MATCH_SHORTFALL_TOLERANCE_PCT,
      minShelfLifeDays: values.MATCH_MIN_SHELF_LIFE_DAYS,
    },
    logLevel: values.LOG_LEVEL,
  };
}

/** The token keys: previous keys only make sense beside a configured current one. */
function authKeys(values: Values, problems: ConfigProblem[]): Config["auth"] {
  const secret = values.AUTH_SECRET;
  // Unset when its value was refused (a problem is recorded then, and this result is not used).
  const previous = values.AUTH_PREVIOUS_SECRETS ?? [];
  if (secret === undefined && previous.length > 0) {
    problems.push({ setting: "AUTH_PREVIOUS_SECRETS", problem: "is set but AUTH_SECRET is not" });
  }
  if (secret !== undefined && previous.includes(secret)) {
    problems.push({ setting: "AUTH_PREVIOUS_SECRETS", problem: "repeats AUTH_SECRET" });
  }
  return {
    tokenTtlSeconds: values.AUTH_TOKEN_TTL_SECONDS,
    secret: secret ?? randomBytes(32).toString("hex"),
    previousSecrets: previous,
    secretGenerated: secret === undefined,
    publicOrigins: values.PUBLIC_ORIGINS ?? [],
    maxNoncesPerClient: values.AUTH_MAX_NONCES_PER_CLIENT,
  };
}

/**
 * The relayer must not be the settler: a shared key shares its nonce lane and balance, so
 * relayed acts could delay or starve supplier payments. One request's cap fits in the budget.
 */
function relaySettings(
  values: Values,
  settler: SettlerKeySource | undefined,
  problems: ConfigProblem[],
): Config["relay"] {
  const key = values.RELAYER_PRIVATE_KEY;
  if (key !== undefined && settler?.kind === "privateKey" && BigInt(settler.privateKey) === BigInt(key)) {
    problems.push({ setting: "RELAYER_PRIVATE_KEY", problem: "must not be the settler's key (SETTLER_KEY)" });
  }
  if (values.RELAY_MAX_GAS_PER_REQUEST > values.RELAY_DAILY_GAS_BUDGET) {
    problems.push({
      setting: "RELAY_MAX_GAS_PER_REQUEST",
      problem: "must not exceed RELAY_DAILY_GAS_BUDGET",
    });
  }
  return {
    relayerKey: key,
    maxGasPerRequest: values.RELAY_MAX_GAS_PER_REQUEST,
    dailyGasBudget: values.RELAY_DAILY_GAS_BUDGET,
    accountDailyRequests: values.RELAY_ACCOUNT_DAILY_REQUESTS,
    ipDailyRequests: values.RELAY_IP_DAILY_REQUESTS,
    minBalanceWei: values.RELAYER_MIN_BALANCE_WEI,
  };
}

/** The key may come one way only; a keystore and its password come together. */
function settlerKeySource(values: Values, problems: ConfigProblem[]): SettlerKeySource | undefined {
  const { SETTLER_KEY: key, SETTLER_KEYSTORE: keystore, SETTLER_KEYSTORE_PASSWORD: password } = values;
  if (key !== undefined && keystore !== undefined) {
    problems.push({
      setting: "SETTLER_KEY",
      problem: "set either SETTLER_KEY or SETTLER_KEYSTORE, not both",
    });
    return undefined;
  }
  if (keystore !== undefined && password === undefined) {
    problems.push({ setting: "SETTLER_KEYSTORE_PASSWORD", problem: "is required with SETTLER_KEYSTORE" });
    return undefined;
  }
  if (password !== undefined && keystore === undefined) {
    problems.push({ setting: "SETTLER_KEYSTORE_PASSWORD", problem: "is set but SETTLER_KEYSTORE is not" });
    return undefined;
  }
  if (key !== undefined) return { kind: "privateKey", privateKey: key };
  if (keystore !== undefined && password !== undefined) {
    return { kind: "keystore", path: path.resolve(keystore), password };
  }
  return undefined;
}
