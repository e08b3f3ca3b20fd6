import { readFileSync } from "node:fs";
import { JsonRpcProvider, Wallet, type BaseWallet } from "ethers";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { Config } from "../config";
import { isConnectionFailure } from "../lib/failures";
import { redactSecrets, redactUrl } from "../lib/redact";
import { appError, ERROR_CATALOGUE } from "./error-catalogue";
import type { Histogram } from "./metrics";
import { assertLedgerIdentity } from "../db";
import { loadDeployment } from "../../ledger/deployment";
import { connectLedger, type DeploymentRecord, type Ledger } from "../../ledger/contracts";

/**
 * `app.chain`: the JSON-RPC provider, the deployment the gateway serves, typed read-only
 * contracts, the hospital's settler wallet and the relayer wallet (the only keys the gateway
 * holds; each its own account, so its own nonce lane and balance). At start it refuses a node on another chain than the deployment, and a database that was indexed
 * from another chain or deployment.
 */

export interface ChainContext {
  provider: JsonRpcProvider;
  deployment: DeploymentRecord;
  chainId: number;
  /** Contracts connected to the provider, for reads. */
  ledger: Ledger;
  /** The settler wallet, when payments are enabled. */
  settler: BaseWallet | null;
  /** The wallet that pays for relayed requests (RELAYER_PRIVATE_KEY); null: no relay. */
  relayer: BaseWallet | null;
}

declare module "fastify" {
  interface FastifyInstance {
    chain: ChainContext;
  }
}

export class ChainConfigError extends Error {}

export interface ChainPluginOptions {
  config: Config;
  /** A context built by the caller (tests); its provider is not destroyed on close. */
  chain?: ChainContext;
}

/** Builds the chain context from configuration: provider, deployment file, settler and relayer keys. */
export async function openChain(config: Config): Promise<ChainContext> {
  const deployment = loadDeployment(config.chain.deploymentFile);
  const provider = new JsonRpcProvider(config.chain.rpcUrl, deployment.chainId, {
    cacheTimeout: -1,
    pollingInterval: 250,
    staticNetwork: true,
    // Calls made in the same tick still go as one batch, but none waits ethers' default 10 ms
    // for company: each chain read on a request's path would otherwise add those 10 ms to it.
    batchStallTime: 0,
  });
  let chainId: number;
  try {
    chainId = Number(await provider.send("eth_chainId", []));
  } catch (error) {
    provider.destroy();
    throw new ChainConfigError(
      `RPC_URL ${redactUrl(config.chain.rpcUrl)} does not answer: ${redactSecrets((error as Error).message)}`,
    );
  }
  if (chainId !== deployment.chainId) {
    provider.destroy();
    throw new ChainConfigError(
      `RPC_URL ${redactUrl(config.chain.rpcUrl)} serves chain ${chainId}, but DEPLOYMENT_FILE ${config.chain.deploymentFile} is for chain ${deployment.chainId}`,
    );
  }
  const settler = config.payments.settler
    ? (await loadSettler(config.payments.settler)).connect(provider)
    : null;
  const relayer = config.relay.relayerKey ? new Wallet(config.relay.relayerKey, provider) : null;
  if (relayer && settler && relayer.address === settler.address) {
    provider.destroy();
    throw new ChainConfigError("RELAYER_PRIVATE_KEY must not be the settler's key (SETTLER_KEYSTORE)");
  }
  return { provider, deployment, chainId, ledger: connectLedger(deployment, provider), settler, relayer };
}

async function loadSettler(source: NonNullable<Config["payments"]["settler"]>): Promise<Wallet> {
  if (source.kind === "privateKey") return new Wallet(source.privateKey);
  let json: string;
  try {
    json = readFileSync(source.path, "utf8");
  } catch (error) {
    throw new ChainConfigError(`SETTLER_KEYSTORE ${source.path}: ${(error as Error).message}`);
  }
  try {
    const wallet = await Wallet.fromEncryptedJson(json, source.password);
    return wallet instanceof Wallet ? wallet : new Wallet(wallet.privateKey);
  } catch (error) {
    throw new ChainConfigError(
      `SETTLER_KEYSTORE ${source.path}: cannot decrypt (${(error as Error).message})`,
    );
  }
}

async function chainPlugin(app: FastifyInstance, options: ChainPluginOptions): Promise<void> {
  const chain = options.chain ?? (await openChain(options.config));
  if (!options.chain) app.addHook("onClose", async () => chain.provider.destroy());
  await assertLedgerIdentity(app.db, { chainId: chain.chainId, deploymentId: chain.deployment.deploymentId });
  const unmeter = meterRpc(
    chain.provider,
    app.metrics.histogram({
      name: "rpc_request_duration_seconds",
      help: "JSON-RPC calls to the chain node as the gateway waits for them, by method and outcome",
      labelNames: ["method", "outcome"],
    }),
  );
  app.addHook("onClose", async () => unmeter());
  app.decorate("chain", chain);
}

type RpcHistogram = Histogram<"method" | "outcome">;

/** A provider whose `send` is wrapped: its own `send`, and the histograms each call is timed into. */
interface Metering {
  send: JsonRpcProvider["send"];
  histograms: Set<RpcHistogram>;
}

const metering = new WeakMap<JsonRpcProvider, Metering>();

/**
 * Times every `send` of `provider` (each JSON-RPC call: contract reads, logs, transactions) into
 * `histogram`, and turns a failure to reach the node into CHAIN_UNAVAILABLE (see wrap()); returns
 * what stops it. A provider may be shared (tests run several gateways on one), so it is wrapped
 * once for all of them and given its own `send` back when the last stops.
 */
function meterRpc(provider: JsonRpcProvider, histogram: RpcHistogram): () => void {
  const m = metering.get(provider) ?? wrap(provider);
  m.histograms.add(histogram);
  return () => {
    m.histograms.delete(histogram);
    if (m.histograms.size > 0) return;
    provider.send = m.send;
    metering.delete(provider);
  };
}

/**
 * Every chain call of the gateway passes here, so this is the one place a lost node becomes
 * CHAIN_UNAVAILABLE (503: clients and load balancers retry) wherever a request meets it: the
 * auth hook may have reached the node a moment before a handler's own read finds it gone, and
 * ethers passes Node's socket errors through unwrapped, which would otherwise answer 500 as a
 * fault of ours. The catalogue's message only (the upstream one may quote the RPC URL and its
 * key); the original is kept as the cause, for the log. The workers' loops count it retryable,
 * as they did the socket error.
 */
function wrap(provider: JsonRpcProvider): Metering {
  const m: Metering = { send: provider.send, histograms: new Set() };
  provider.send = async function (this: JsonRpcProvider, method, params) {
    const timers = [...m.histograms].map((h) => h.startTimer({ method }));
    const stop = (outcome: string) => timers.forEach((end) => end({ outcome }));
    try {
      const result: unknown = await m.send.call(this, method, params);
      stop("ok");
      return result;
    } catch (error) {
      stop("error");
      if (!isConnectionFailure(error)) throw error;
      throw appError("CHAIN_UNAVAILABLE", ERROR_CATALOGUE.CHAIN_UNAVAILABLE.summary, undefined, {
        cause: error,
      });
    }
  };
  metering.set(provider, m);
  return m;
}

export default fp(chainPlugin, { name: "chain", fastify: "5.x", dependencies: ["db", "metrics"] });

/**
 * "Now" for checks that the ledger will repeat against block time (receipt and usage times):
 * the later of our clock and the end of the latest block's second, so a chain that runs ahead (a
 * test chain whose time was advanced) does not make honest times look like the future, and
 * whatever the latest block recorded counts as past ("as of now" reports exclude `now` itself).
 * Outside a request only (metrics, tests): a route takes `requestLedgerNow`, so that its role
 * check, its checks and its clock share one read of the head.
 */
export async function ledgerNow(chain: ChainContext): Promise<Date> {
  return ledgerTime(await latestBlock(chain.provider));
}

/**
 * `ledgerNow` as of the request's block (`requestHead`): a write checks its times against the
 * block its role check read, with no second read.
 */
export async function requestLedgerNow(chain: ChainContext, request: object): Promise<Date> {
  return ledgerTime(await requestHead(chain, request));
}

/** `ledgerNow` for a block head already read. */
export function ledgerTime(head: BlockHead): Date {
  return new Date(Math.max(Date.now(), (head.timestamp + 1) * 1000));
}

export interface BlockHead {
  number: number;
  timestamp: number;
}

const requestHeads = new WeakMap<object, Promise<BlockHead>>();

/**
 * The latest block as this request first read it (`latestBlock`), the same for everything the
 * request asks of it once its body has arrived: its role check (auth.plugin.ts), its ledger time,
 * the chain reads matching makes. One read a request instead of one each, and a request whose
 * checks all see one block. Kept only as long as the request object lives.
 */
export function requestHead(chain: ChainContext, request: object): Promise<BlockHead> {
  let head = requestHeads.get(request);
  if (head === undefined) {
    head = latestBlock(chain.provider);
    requestHeads.set(request, head);
  }
  return head;
}

const headReads = new WeakMap<JsonRpcProvider, Promise<BlockHead>>();

/**
 * The latest block's number and time, read once for every caller that asks while the read is
 * on its way: every write checks the caller's roles at the latest block and most take the
 * ledger's time, so under load each request would otherwise wait for reads of its own. An
 * answer is never kept past its arrival: the next caller asks the node again.
 */
export function latestBlock(provider: JsonRpcProvider): Promise<BlockHead> {
  let read = headReads.get(provider);
  if (read === undefined) {
    read = provider.getBlock("latest").then((block) => {
      if (block === null) throw new Error("the chain node has no latest block");
      return { number: block.number, timestamp: block.timestamp };
    });
    const pending = read;
    headReads.set(provider, pending);
    const forget = () => {
      if (headReads.get(provider) === pending) headReads.delete(provider);
    };
    pending.then(forget, forget);
  }
  return read;
}
