import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { readFileSync } from "node:fs";
import { ConsoleConfig, LedgerClock, type DemoAccount } from "../../../api/console";
import { requestLedgerNow } from "../../plugins/chain";
import { errorResponses } from "../../../api/errors";
import { LOCAL_DEVELOPMENT_CHAIN_ID } from "../../../ledger/deployment";

/**
 * GET /v1/console/config: public, as a sign-in page must read it before anyone is signed in.
 * The demo accounts (development keys of the local chain's public mnemonic) are offered only
 * on a local development chain: on any other chain the file is never read, whatever is set.
 */
const consoleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { deployment } = app.chain;
  const localChain = deployment.chainId === LOCAL_DEVELOPMENT_CHAIN_ID;
  const file = app.config.console.demoAccountsFile;
  const demoAccounts = localChain && file !== undefined ? readDemoAccounts(file) : [];
  const config: ConsoleConfig = {
    chainId: deployment.chainId,
    localChain,
    contracts: deployment.contracts,
    timeZone: app.config.console.timeZone,
    settler: app.chain.settler?.address ?? null,
    demoAccounts,
  };

  app.get(
    "/config",
    {
      schema: {
        tags: ["console"],
        summary:
          "The chain, contracts and time zone the console works with (and, on a local chain, its demo accounts)",
        response: { 200: ConsoleConfig, ...errorResponses },
      },
    },
    async () => config,
  );

  app.get(
    "/clock",
    {
      schema: {
        tags: ["console"],
        summary: "The ledger's time now: what deadlines, phases and expiries are judged against",
        response: { 200: LedgerClock, ...errorResponses },
      },
    },
    async (request) => ({ ledgerTime: (await requestLedgerNow(app.chain, request)).toISOString() }),
  );
};

/** The accounts `npm start` wrote; only those with a key can sign, so only those are offered. */
function readDemoAccounts(file: string): DemoAccount[] {
  const entries = JSON.parse(readFileSync(file, "utf8")) as Partial<DemoAccount>[];
  return entries
    .filter((e): e is DemoAccount => typeof e.privateKey === "string")
    .map(({ role, name, address, privateKey }) => ({ role, name, address, privateKey }));
}

export default consoleRoutes;
