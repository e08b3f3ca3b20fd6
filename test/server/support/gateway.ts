import { Wallet, type HDNodeWallet } from "ethers";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { buildApp } from "../../../server/app";
import type { Db } from "../../../server/db";
import { formatSiwe } from "../../../ledger/siwe";
import type { ChainContext } from "../../../server/plugins/chain";
import { connectLedger } from "../../../ledger/contracts";
import { devWallet } from "../../../scripts/lib/anvil";
import { testConfig } from "../helpers/config";
import type { ChainStack } from "./chain";

/**
 * The whole gateway on a test database and a test chain, with the indexer and the payment
 * worker stepped by the test (`app.indexer.catchUp()`, `app.settlementWorker.drain()`). The
 * relayer is dev wallet 19 (RELAYER_WALLET_INDEX), unless `env` names another key or none ("").
 */
export async function buildGateway(
  db: Db,
  chain: ChainStack,
  env: Record<string, string> = {},
): Promise<FastifyInstance> {
  const config = testConfig({
    CONFIRMATIONS: "0",
    AUTH_SECRET: "test-secret-".padEnd(40, "x"),
    RELAYER_PRIVATE_KEY: devWallet(RELAYER_WALLET_INDEX).privateKey,
    PATIENT_REF_SALT: "test-patient-salt-".padEnd(32, "x"),
    ...env,
  });
  const relayerKey = config.relay.relayerKey;
  const context: ChainContext = {
    provider: chain.provider,
    deployment: chain.deployment,
    chainId: chain.deployment.chainId,
    ledger: connectLedger(chain.deployment, chain.provider),
    settler: chain.cast.settler,
    relayer: relayerKey ? new Wallet(relayerKey, chain.provider) : null,
  };
  const app = buildApp(config, { db, ledger: { chain: context, background: false } });
  await app.ready();
  return app;
}

/** The dev wallet the test gateways relay with: none of the cast, so its nonces are the relay's alone. */
export const RELAYER_WALLET_INDEX = 19;

/** Signs in with SIWE and returns the bearer token. */
export async function login(app: FastifyInstance, wallet: HDNodeWallet): Promise<string> {
  const res = await app.inject({ method: "POST", url: "/v1/auth/login", payload: await signIn(app, wallet) });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return res.json<{ token: string }>().token;
}

/** A sign-in's body for `wallet`: the gateway's message on a fresh nonce, signed. */
export async function signIn(
  app: FastifyInstance,
  wallet: HDNodeWallet,
): Promise<{ message: string; signature: string }> {
  const nonce = (await app.inject({ method: "POST", url: "/v1/auth/nonce" })).json<{
    nonce: string;
    domain: string;
    chainId: number;
  }>();
  const message = formatSiwe({
    domain: nonce.domain,
    address: wallet.address,
    statement: "Sign in to the Sunshine Ledger gateway",
    uri: `http://${nonce.domain}`,
    chainId: nonce.chainId,
    nonce: nonce.nonce,
    issuedAt: new Date(),
  });
  return { message, signature: await wallet.signMessage(message) };
}

export function as(token: string) {
  return { authorization: `Bearer ${token}` };
}

export function errorOf(res: LightMyRequestResponse): { error: string; message: string } {
  return res.json<{ error: string; message: string }>();
}
