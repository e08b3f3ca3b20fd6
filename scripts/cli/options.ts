import { readFileSync } from "node:fs";
import path from "node:path";
import { Wallet, type BaseWallet } from "ethers";
import { HeadroomProvider } from "../../ledger/gas";
import type { DeploymentRecord, Ledger } from "../../ledger/contracts";
import type { GatewayClient } from "../lib/gateway-client";
import { CliError, UsageError, type OptionSpec } from "./command";
import type { CliSigner } from "./relay";

/**
 * Options every command takes, and the context built from them: the key (SUNSHINE_KEY or a
 * keystore), the chain (node, deployment, typed contracts, a signer that sends directly or
 * through the gateway's relay) and the gateway client — each made only when a command needs it.
 * Heavy modules (typed contracts, the gateway client) load lazily, so `--help` stays quick.
 */

export const DEFAULT_RPC_URL = "http://127.0.0.1:8545";

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  rpc: {
    type: "string",
    value: "<url>",
    description: `JSON-RPC node (env SUNSHINE_RPC_URL, default ${DEFAULT_RPC_URL})`,
  },
  deployment: {
    type: "string",
    value: "<file>",
    description:
      "deployment record (env SUNSHINE_DEPLOYMENT; default $DATA_DIR/deployment.json if DATA_DIR is set, else deployments/localhost.json)",
  },
  keystore: {
    type: "string",
    value: "<file>",
    description:
      "encrypted JSON keystore, password in env SUNSHINE_KEYSTORE_PASSWORD (default: the hex key in env SUNSHINE_KEY)",
  },
  gateway: {
    type: "string",
    value: "<url>",
    description: "gateway for API commands (env SUNSHINE_GATEWAY; default the --relay URL)",
  },
  relay: {
    type: "string",
    value: "<gatewayURL>",
    description: "send chain acts gas-less as signed ERC-2771 requests through this gateway's POST /v1/relay",
  },
  json: { type: "boolean", description: "print JSON instead of a table" },
  help: { type: "boolean", short: "h", description: "show help" },
};

export interface Globals {
  rpc: string;
  deployment: string;
  keystore: string | undefined;
  gateway: string | undefined;
  relay: string | undefined;
  json: boolean;
}

export function resolveGlobals(values: Record<string, unknown>, env: NodeJS.ProcessEnv): Globals {
  const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  const deployment =
    str(values.deployment) ??
    str(env.SUNSHINE_DEPLOYMENT) ??
    (str(env.DATA_DIR) ? path.join(env.DATA_DIR!, "deployment.json") : "deployments/localhost.json");
  return {
    rpc: str(values.rpc) ?? str(env.SUNSHINE_RPC_URL) ?? DEFAULT_RPC_URL,
    deployment,
    keystore: str(values.keystore) ?? str(env.SUNSHINE_KEYSTORE),
    gateway: str(values.gateway) ?? str(env.SUNSHINE_GATEWAY) ?? str(values.relay),
    relay: str(values.relay),
    json: values.json === true,
  };
}

export interface Chain {
  provider: HeadroomProvider;
  deployment: DeploymentRecord;
  chainId: number;
  /** Contracts connected to the provider (reads); acts go through `signer`. */
  ledger: Ledger;
  signer: CliSigner;
  address: string;
  /** The latest block's timestamp: the ledger's clock. */
  now(): Promise<number>;
  /** The hash of the last transaction this command sent. */
  lastTx(): string | undefined;
}

/** A chain act's output: what the command reports, the transaction that did it, and whether it was relayed. */
export function chainAct<T extends Record<string, unknown>>(
  chain: Chain,
  data: T,
): T & { tx: string | undefined; relayed: true | undefined } {
  return { ...data, tx: chain.lastTx(), relayed: chain.signer.relay ? true : undefined };
}

export class Context {
  private walletPromise?: Promise<BaseWallet>;
  private chainPromise?: Promise<Chain>;
  private gatewayPromise?: Promise<GatewayClient>;
  private provider?: HeadroomProvider;

  constructor(
    readonly globals: Globals,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  /** The caller's key: --keystore (password from SUNSHINE_KEYSTORE_PASSWORD) or SUNSHINE_KEY. */
  wallet(): Promise<BaseWallet> {
    this.walletPromise ??= loadWallet(this.globals.keystore, this.env);
    return this.walletPromise;
  }

  chain(): Promise<Chain> {
    this.chainPromise ??= this.connect();
    return this.chainPromise;
  }

  /** The gateway client, signed in as the caller (SIWE) unless `login` is false. */
  gateway(login = true): Promise<GatewayClient> {
    this.gatewayPromise ??= (async () => {
      const url = this.gatewayUrl();
      const { GatewayClient } = await import("../lib/gateway-client");
      const client = new GatewayClient(url);
      if (login) await client.login(await this.wallet());
      return client;
    })();
    return this.gatewayPromise;
  }

  gatewayUrl(): string {
    const url = this.globals.gateway;
    if (!url)
      throw new UsageError("this command talks to the gateway: pass --gateway <url> or set SUNSHINE_GATEWAY");
    return url;
  }

  close(): void {
    this.provider?.destroy();
  }

  private async connect(): Promise<Chain> {
    const deployment = await readDeployment(this.globals.deployment);
    const { connectLedger } = await import("../../ledger/contracts");
    const { CliSigner } = await import("./relay");
    const rpc = this.globals.rpc;
    // A command's requests go one after another: a batch is sent once the current task is done,
    // not after ethers' default 10 ms wait (scripts/lib/anvil.ts, LOCAL_NODE, says why it stays a batch).
    const provider = new HeadroomProvider(rpc, deployment.chainId, {
      staticNetwork: true,
      cacheTimeout: -1,
      pollingInterval: 200,
      batchStallTime: 0,
    });
    this.provider = provider;
    let chainId: number;
    try {
      chainId = Number(await provider.send("eth_chainId", []));
    } catch (error) {
      throw new CliError(`cannot reach the JSON-RPC node at ${rpc}: ${reasonOf(error)}`, "RPC_UNREACHABLE");
    }
    if (chainId !== deployment.chainId) {
      throw new CliError(
        `the node at ${rpc} serves chain ${chainId} but the deployment ${this.globals.deployment} is for chain ${deployment.chainId}`,
        "WRONG_CHAIN",
      );
    }
    const ledger = connectLedger(deployment, provider);
    const relay = this.globals.relay
      ? { gatewayUrl: this.globals.relay, forwarder: ledger.forwarder, chainId }
      : null;
    const wallet = await this.wallet();
    const signer = new CliSigner(wallet, provider, relay);
    return {
      provider,
      deployment,
      chainId,
      ledger,
      signer,
      address: wallet.address,
      async now() {
        const block = await provider.getBlock("latest");
        return block?.timestamp ?? Math.floor(Date.now() / 1000);
      },
      lastTx: () => signer.sent[signer.sent.length - 1],
    };
  }
}

export async function loadWallet(keystore: string | undefined, env: NodeJS.ProcessEnv): Promise<BaseWallet> {
  if (keystore) {
    let json: string;
    try {
      json = readFileSync(keystore, "utf8");
    } catch (error) {
      throw new UsageError(`--keystore ${keystore}: ${reasonOf(error)}`);
    }
    const password = env.SUNSHINE_KEYSTORE_PASSWORD;
    if (password === undefined) {
      throw new UsageError(`--keystore ${keystore}: set its password in SUNSHINE_KEYSTORE_PASSWORD`);
    }
    try {
      const wallet = await Wallet.fromEncryptedJson(json, password);
      return wallet instanceof Wallet ? wallet : new Wallet(wallet.privateKey);
    } catch (error) {
      const message = (error as Error).message;
      throw new CliError(
        /password/i.test(message)
          ? `--keystore ${keystore}: wrong password (SUNSHINE_KEYSTORE_PASSWORD)`
          : `--keystore ${keystore}: not a readable keystore (${message})`,
        "KEY_INVALID",
      );
    }
  }
  const key = env.SUNSHINE_KEY?.trim();
  if (!key) {
    throw new UsageError(
      "no key: set SUNSHINE_KEY to a hex private key, or pass --keystore <file> with SUNSHINE_KEYSTORE_PASSWORD",
    );
  }
  const hex = key.startsWith("0x") ? key : `0x${key}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) {
    throw new UsageError("SUNSHINE_KEY must be a 32-byte hex private key");
  }
  return new Wallet(hex);
}

/** Reads the deployment record (loaded lazily: the checker pulls in the ledger's typed contracts). */
export async function readDeployment(file: string): Promise<DeploymentRecord> {
  const { loadDeployment } = await import("../../ledger/deployment");
  try {
    return loadDeployment(file);
  } catch (error) {
    throw new CliError(
      (error as Error).message.replace(/^DEPLOYMENT_FILE /, "deployment "),
      "DEPLOYMENT_INVALID",
    );
  }
}

export function reasonOf(error: unknown): string {
  type E = { code?: string; message?: string; shortMessage?: string; cause?: E; errors?: E[] };
  const e = error as E | undefined;
  if (e?.code === "ENOENT") return "no such file";
  // fetch() wraps the socket error (or, trying several addresses, an AggregateError of them).
  const cause = e?.cause?.errors?.[0] ?? e?.cause;
  if (cause?.code)
    return `${cause.code}${cause.message && !cause.message.startsWith(cause.code) ? ` (${cause.message})` : ""}`;
  if (cause?.message) return cause.message;
  return e?.shortMessage ?? e?.message ?? String(error);
}
