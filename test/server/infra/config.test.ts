import { expect } from "chai";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { ConfigError, loadConfig } from "../../../server/config";
import { tempDir } from "../helpers/temp-dir";

const KEY = `0x${"11".repeat(32)}`;

/** The problems loadConfig reports for `env`, as "SETTING: problem" lines. */
function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.setting}: ${p.problem}`);
  }
  expect.fail("loadConfig accepted an invalid configuration");
}

function configFile(content: string): string {
  const file = path.join(tempDir("config"), "gateway.json");
  writeFileSync(file, content);
  return file;
}

describe("loadConfig", function () {
  describe("with only the settler key set", function () {
    it("applies every default", function () {
      const config = loadConfig({ SETTLER_KEY: KEY });
      expect(config.http).to.deep.equal({ port: 8080, host: "127.0.0.1" });
      expect(config.dataDir).to.equal(path.resolve("data"));
      expect(config.db).to.deep.equal({ engine: "pglite", dir: path.resolve("data", "pglite") });
      expect(config.chain).to.deep.equal({
        network: "localhost",
        rpcUrl: "http://127.0.0.1:8545",
        deploymentFile: path.resolve("deployments", "localhost.json"),
        confirmations: 2,
      });
      expect(config.indexer).to.deep.equal({ batchBlocks: 2000, pollMs: 1000, reorgWindow: 64 });
      expect(config.payments).to.deep.equal({
        enabled: true,
        settler: { kind: "privateKey", privateKey: KEY },
      });
      expect(config.auth.tokenTtlSeconds).to.equal(3600);
      expect(config.patientRefSalt).to.equal(undefined);
      expect(config.matching).to.deep.equal({ shortfallPct: 2, minShelfLifeDays: 90 });
      expect(config.logLevel).to.equal("info");
    });

    it("generates a per-process auth secret and says so", function () {
      const a = loadConfig({ SETTLER_KEY: KEY }).auth;
      const b = loadConfig({ SETTLER_KEY: KEY }).auth;
      expect(a.secretGenerated).to.equal(true);
      expect(a.secret).to.have.length(64);
      expect(a.secret).not.to.equal(b.secret);
    });
  });

  describe("with settings given", function () {
    it("parses each one", function () {
      const config = loadConfig({
        PORT: "0",
        HOST: "0.0.0.0",
        DATABASE_URL: "postgresql://gw:pw@db:5432/ledger",
        NETWORK: "consortium",
        PAYMENTS_ENABLED: "false",
        CONFIRMATIONS: "0",
        MATCH_SHORTFALL_TOLERANCE_PCT: "2.5",
        AUTH_SECRET: "s".repeat(32),
        PUBLIC_ORIGINS: "https://ledger.example.org, http://localhost:8080/",
        AUTH_MAX_NONCES_PER_CLIENT: "5",
        LOG_LEVEL: "debug",
      });
      expect(config.http).to.deep.equal({ port: 0, host: "0.0.0.0" });
      expect(config.db).to.deep.equal({ engine: "postgres", url: "postgresql://gw:pw@db:5432/ledger" });
      expect(config.chain.deploymentFile).to.equal(path.resolve("deployments", "consortium.json"));
      expect(config.chain.confirmations).to.equal(0);
      expect(config.payments).to.deep.equal({ enabled: false, settler: undefined });
      expect(config.matching.shortfallPct).to.equal(2.5);
      expect(config.auth).to.deep.equal({
        tokenTtlSeconds: 3600,
        secret: "s".repeat(32),
        previousSecrets: [],
        secretGenerated: false,
        publicOrigins: ["https://ledger.example.org", "http://localhost:8080"],
        maxNoncesPerClient: 5,
      });
      expect(config.logLevel).to.equal("debug");
    });

    it("keeps PGlite in memory for DATA_DIR=:memory:", function () {
      const config = loadConfig({ DATA_DIR: ":memory:", PAYMENTS_ENABLED: "false" });
      expect(config.db).to.deep.equal({ engine: "pglite", dir: undefined });
    });

    it("accepts a keystore with its password", function () {
      const config = loadConfig({ SETTLER_KEYSTORE: "keys/settler.json", SETTLER_KEYSTORE_PASSWORD: "pw" });
      expect(config.payments.settler).to.deep.equal({
        kind: "keystore",
        path: path.resolve("keys/settler.json"),
        password: "pw",
      });
    });

    it("takes HOSPITAL as an address, lower-cased; unset, the gateway serves any hospital", function () {
      const address = "0xAbCdEf0123456789aBcDeF0123456789AbCdEf01";
      expect(loadConfig({ SETTLER_KEY: KEY, HOSPITAL: address }).hospital).to.equal(address.toLowerCase());
      expect(loadConfig({ SETTLER_KEY: KEY }).hospital).to.equal(undefined);
      expect(problemsOf({ SETTLER_KEY: KEY, HOSPITAL: "general" })[0]).to.match(
        /^HOSPITAL: must be an address: 0x followed by 40 hex digits \(got "general"\)/,
      );
    });

    it("treats an empty variable as unset", function () {
      expect(loadConfig({ SETTLER_KEY: KEY, PORT: "" }).http.port).to.equal(8080);
    });
  });

  describe("with invalid settings", function () {
    it("names every bad setting and why, in one error", function () {
      const problems = problemsOf({
        PORT: "80a",
        RPC_URL: "ftp://node",
        CONFIRMATIONS: "-1",
        INDEXER_BATCH_BLOCKS: "0",
        REORG_WINDOW: "1.5",
        PAYMENTS_ENABLED: "maybe",
        LOG_LEVEL: "loud",
        MATCH_SHORTFALL_TOLERANCE_PCT: "101",
        MATCH_MIN_SHELF_LIFE_DAYS: "ninety",
        NETWORK: "../etc",
      });
      expect(problems).to.have.length(10);
      expect(problems).to.include.members([
        'PORT: must be an integer from 0 to 65535 (got "80a") — HTTP port (0 picks a free one)',
        "RPC_URL: must be a http:// or https:// or ws:// or wss:// URL — chain JSON-RPC endpoint",
        'CONFIRMATIONS: must be an integer ≥ 0 (got "-1") — blocks an event must be buried under before it is indexed',
      ]);
      for (const name of [
        "INDEXER_BATCH_BLOCKS: must be an integer ≥ 1",
        "REORG_WINDOW: must be an integer ≥ 1",
        "PAYMENTS_ENABLED: must be true or false",
        "LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent",
        "MATCH_SHORTFALL_TOLERANCE_PCT: must be a percentage from 0 to 100 with at most two decimals",
        "MATCH_MIN_SHELF_LIFE_DAYS: must be an integer ≥ 0",
        "NETWORK: must contain only letters, digits, _ and -",
      ]) {
        expect(
          problems.some((p) => p.startsWith(name)),
          name,
        ).to.equal(true);
      }
    });

    it("takes only bare http(s) origins as PUBLIC_ORIGINS", function () {
      for (const bad of [
        "ledger.example.org",
        "https://ledger.example.org/app",
        "ftp://x.org",
        "https://u:p@x.org",
      ]) {
        expect(problemsOf({ PAYMENTS_ENABLED: "false", PUBLIC_ORIGINS: bad }), bad).to.deep.equal([
          `PUBLIC_ORIGINS: must be origins like https://ledger.example.org (scheme, host and port only) (got ${JSON.stringify(bad)}) — ${"comma-separated origins users reach the gateway at (https://ledger.example.org); sign-in messages must name one; required unless the chain is a local development chain (31337)"}`,
        ]);
      }
    });

    it("lists the problems in the error message", function () {
      expect(() => loadConfig({ PORT: "x", LOG_LEVEL: "loud", PAYMENTS_ENABLED: "false" }))
        .to.throw(ConfigError)
        .with.property("message")
        .that.matches(/^invalid configuration:\n {2}PORT: .*\n {2}LOG_LEVEL: /);
    });

    it("never echoes a secret value", function () {
      const problems = problemsOf({
        SETTLER_KEY: "0xnotakey",
        DATABASE_URL: "mysql://user:hunter2@db/x",
        AUTH_SECRET: "short",
        AUTH_PREVIOUS_SECRETS: "old-and-short",
        PATIENT_REF_SALT: "salt",
      });
      expect(problems).to.have.length(5);
      expect(problems.join("\n")).not.to.match(/notakey|hunter2|short"|salt"/);
      expect(problems).to.include.members([
        "SETTLER_KEY: must be 0x followed by 64 hex digits — the settler's private key",
        "DATABASE_URL: must be a postgres:// or postgresql:// URL — PostgreSQL URL; PGlite in DATA_DIR when unset",
        "AUTH_SECRET: must be at least 32 characters — key that signs bearer tokens (HS256); random per process when unset; rotation: docs/operations-keys.md",
        "AUTH_PREVIOUS_SECRETS: must be at least 32 characters — comma-separated earlier AUTH_SECRETs, whose tokens are still accepted until they expire",
        "PATIENT_REF_SALT: must be at least 16 characters — salt for hashing patient references from billing",
      ]);
    });

    it("reads the previous token keys, which only make sense beside a current one", function () {
      const [current, old1, old2] = ["c", "a", "b"].map((c) => c.repeat(32));
      expect(
        loadConfig({
          PAYMENTS_ENABLED: "false",
          AUTH_SECRET: current,
          AUTH_PREVIOUS_SECRETS: ` ${old1}, ${old2},`,
        }).auth.previousSecrets,
      ).to.deep.equal([old1, old2]);
      expect(problemsOf({ PAYMENTS_ENABLED: "false", AUTH_PREVIOUS_SECRETS: old1 })).to.deep.equal([
        "AUTH_PREVIOUS_SECRETS: is set but AUTH_SECRET is not",
      ]);
      expect(
        problemsOf({
          PAYMENTS_ENABLED: "false",
          AUTH_SECRET: current,
          AUTH_PREVIOUS_SECRETS: `${old1},${current}`,
        }),
      ).to.deep.equal(["AUTH_PREVIOUS_SECRETS: repeats AUTH_SECRET"]);
    });

    it("rejects a settler key outside the curve order", function () {
      expect(problemsOf({ SETTLER_KEY: `0x${"0".repeat(64)}` })[0]).to.match(
        /^SETTLER_KEY: is not a valid secp256k1 private key/,
      );
      expect(problemsOf({ SETTLER_KEY: `0x${"f".repeat(64)}` })[0]).to.match(/^SETTLER_KEY: is not a valid/);
    });
  });

  describe("the settler key", function () {
    it("is required while payments are enabled", function () {
      expect(problemsOf({})).to.deep.equal([
        "SETTLER_KEY: the payment worker needs the settler key: set SETTLER_KEY, or SETTLER_KEYSTORE and " +
          "SETTLER_KEYSTORE_PASSWORD (or PAYMENTS_ENABLED=false to run without paying)",
      ]);
    });

    it("is optional with payments disabled", function () {
      expect(loadConfig({ PAYMENTS_ENABLED: "false" }).payments.settler).to.equal(undefined);
    });

    it("comes one way only", function () {
      expect(
        problemsOf({ SETTLER_KEY: KEY, SETTLER_KEYSTORE: "k.json", SETTLER_KEYSTORE_PASSWORD: "pw" }),
      ).to.deep.equal(["SETTLER_KEY: set either SETTLER_KEY or SETTLER_KEYSTORE, not both"]);
    });

    it("needs the keystore password with a keystore, and a keystore with the password", function () {
      expect(problemsOf({ SETTLER_KEYSTORE: "k.json" })).to.deep.equal([
        "SETTLER_KEYSTORE_PASSWORD: is required with SETTLER_KEYSTORE",
      ]);
      expect(problemsOf({ SETTLER_KEY: KEY, SETTLER_KEYSTORE_PASSWORD: "pw" })).to.deep.equal([
        "SETTLER_KEYSTORE_PASSWORD: is set but SETTLER_KEYSTORE is not",
      ]);
    });
  });

  describe("CONFIG_FILE", function () {
    it("supplies settings the environment does not, with their JSON types", function () {
      const file = configFile(
        JSON.stringify({ PORT: 9000, PAYMENTS_ENABLED: false, NETWORK: "sepolia", HOST: "" }),
      );
      const config = loadConfig({ CONFIG_FILE: file, NETWORK: "mainnet" });
      expect(config.http).to.deep.equal({ port: 9000, host: "127.0.0.1" });
      expect(config.payments.enabled).to.equal(false);
      expect(config.chain.network).to.equal("mainnet");
    });

    it("reports unknown keys and bad values along with the environment's problems", function () {
      const file = configFile(JSON.stringify({ PROT: 9000, CONFIRMATIONS: "many", HOST: { a: 1 } }));
      const problems = problemsOf({ CONFIG_FILE: file, PAYMENTS_ENABLED: "false", PORT: "-3" });
      expect(problems).to.have.length(4);
      expect(problems[0]).to.match(/^PROT: in .*gateway\.json is not a setting \(known: PORT, HOST, /);
      expect(problems[1]).to.match(/^HOST: in .*gateway\.json must be a string, number or boolean$/);
      expect(problems.slice(2)).to.satisfy((rest: string[]) =>
        rest.some((p) => p.startsWith('PORT: must be an integer from 0 to 65535 (got "-3")')),
      );
      expect(problems.slice(2)).to.satisfy((rest: string[]) =>
        rest.some((p) => p.startsWith('CONFIRMATIONS: must be an integer ≥ 0 (got "many")')),
      );
    });

    it("reports a missing file or invalid JSON under CONFIG_FILE", function () {
      expect(problemsOf({ CONFIG_FILE: "/nonexistent/gateway.json", PAYMENTS_ENABLED: "false" })[0]).to.match(
        /^CONFIG_FILE: cannot read \/nonexistent\/gateway\.json: ENOENT/,
      );
      expect(problemsOf({ CONFIG_FILE: configFile("{ PORT: 1 }"), PAYMENTS_ENABLED: "false" })[0]).to.match(
        /^CONFIG_FILE: cannot read .*gateway\.json: /,
      );
      expect(problemsOf({ CONFIG_FILE: configFile("[1]"), PAYMENTS_ENABLED: "false" })[0]).to.match(
        /^CONFIG_FILE: .*gateway\.json must hold a JSON object of settings$/,
      );
    });
  });
});
