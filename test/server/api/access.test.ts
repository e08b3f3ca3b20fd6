import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { TokenKeys, tokenAudience, type Principal } from "../../../server/modules/auth/tokens";
import { forEachEngine } from "../helpers/engines";
import { GTIN, LOT } from "../support/chain";
import { login } from "../support/gateway";
import * as act from "../../../ledger/acts";
import { bearer, extraWallet, startApi, stopApi, type ApiStack } from "../support/api-fixtures";

/**
 * Who may do what, as a table, checked against every route the gateway documents: each route is
 * called without a token, with a forged token, with an expired one and with each role's token.
 * Nothing answers 2xx where the table says no, nobody the table allows is turned away for their
 * role, and nothing answers 5xx. A route missing from the table fails the test, so a new route
 * must say who may call it.
 */

const HOSPITAL = ["hospital-admin", "hospital-approver", "hospital-settler", "hospital-receiver"];
/** `signed-in`: any account with a valid token, whatever its roles. */
const SIGNED_IN = "signed-in";
const PUBLIC = "public";
/** Who reads the fund's accounts and statements: each its own (a regulator all). */
const FUND_READERS = ["payer", "regulator", ...HOSPITAL];
/** The parties of an order: each then sees only its own. */
const PARTIES = ["regulator", ...HOSPITAL, "supplier"];

const WHO_MAY: Record<string, readonly string[]> = {
  "post /v1/auth/nonce": [PUBLIC],
  "post /v1/auth/login": [PUBLIC],
  "post /v1/barcodes/parse": [PUBLIC],
  "get /health": [PUBLIC],
  "get /ready": [PUBLIC],
  "get /metrics": [PUBLIC],
  "post /v1/relay": [SIGNED_IN],
  "post /v1/relay/prepare": [SIGNED_IN],
  "get /v1/console/config": [PUBLIC],
  "get /v1/console/clock": [PUBLIC],
  "get /v1/relay/{txHash}": [SIGNED_IN],
  "get /v1/reason-codes": [PUBLIC],
  "get /v1/sunshine/awards": [PUBLIC],
  "get /v1/sunshine/prices": [PUBLIC],
  "get /v1/sunshine/scorecards": [PUBLIC],
  "get /v1/claims": ["regulator", "payer"],
  "get /v1/claims/risk": ["regulator", "payer"],
  "get /v1/fund/accounts": FUND_READERS,
  "get /v1/fund/statements": FUND_READERS,
  "get /v1/hospitals": [SIGNED_IN],
  "get /v1/hospitals/{address}": [SIGNED_IN],
  // The name's hash is checked against the chain, so who sends it does not matter.
  "put /v1/hospitals/{address}/name": [SIGNED_IN],
  // Whose acts draw on a token allowance: a supplier's bid bonds, a hospital account's escrow,
  // the fund's prepayments.
  "get /v1/relay/allowances": ["supplier", "hospital-admin", "payer"],
  "post /v1/relay/permits/prepare": ["supplier", "hospital-admin", "payer"],
  "post /v1/relay/permits": ["supplier", "hospital-admin", "payer"],
  "get /v1/suppliers": [SIGNED_IN],
  "get /v1/suppliers/{address}": [SIGNED_IN],
  "get /v1/suppliers/{address}/documents": [SIGNED_IN],
  "get /v1/suppliers/{address}/gtins": [SIGNED_IN],
  "get /v1/tenders": [SIGNED_IN],
  "get /v1/tenders/{id}": [SIGNED_IN],
  "get /v1/agreements": [SIGNED_IN],
  "get /v1/agreements/{id}": [SIGNED_IN],
  "get /v1/agreements/{id}/fulfilment": PARTIES,
  "get /v1/orders": PARTIES,
  "get /v1/orders/{id}": PARTIES,
  // A hospital's budget is its own business and the regulator's, not its suppliers'.
  "get /v1/budgets": ["regulator", ...HOSPITAL],
  "get /v1/consignment/stock": PARTIES,
  "get /v1/consignment/batches": PARTIES,
  "get /v1/consignment/movements": PARTIES,
  "get /v1/shipments": PARTIES,
  "get /v1/shipments/{id}": PARTIES,
  "put /v1/shipments/{id}/manifest": ["supplier"],
  "get /v1/shipments/{id}/serials/{serial}/proof": PARTIES,
  "post /v1/receipts": ["hospital-receiver"],
  "get /v1/receipts": ["regulator", ...HOSPITAL],
  "get /v1/receipts/{receiptNo}": ["regulator", ...HOSPITAL],
  "get /v1/exceptions": ["regulator", ...HOSPITAL],
  "post /v1/exceptions/{id}/resolve": ["hospital-approver"],
  "get /v1/payments": PARTIES,
  // A payer: the deliveries its money pays for.
  "get /v1/payments/overdue": ["regulator", ...HOSPITAL, "supplier", "payer"],
  "get /v1/payments/spend": PARTIES,
  "post /v1/usages": ["hospital-receiver"],
  // Not settlers: paying suppliers needs no patient-level billing records.
  "get /v1/usages": ["regulator", "hospital-admin", "hospital-approver", "hospital-receiver"],
  "get /v1/reconciliation": ["regulator", ...HOSPITAL],
  // Internal to the hospital: no regulator; cases (patient hashes) not for settlers.
  "get /v1/department-budgets": HOSPITAL,
  "put /v1/department-budgets": ["hospital-admin", "hospital-approver"],
  "get /v1/department-budgets/overspend": ["hospital-admin", "hospital-approver", "hospital-receiver"],
  // A hospital's stock and demand are its own and the regulator's; its buyers set par levels.
  "put /v1/replenishment/par-levels": ["hospital-admin", "hospital-approver"],
  "get /v1/replenishment/par-levels": ["regulator", ...HOSPITAL],
  "get /v1/replenishment/forecast": ["regulator", ...HOSPITAL],
  "get /v1/replenishment/suggestions": ["regulator", ...HOSPITAL],
  "get /v1/recalls/{gtin}/{lot}/exposure": ["regulator"],
  "get /v1/trail/orders/{id}": PARTIES,
  "get /v1/trail/orders/{id}/verify": PARTIES,
  "get /v1/trail/orders/{id}/epcis": PARTIES,
  "get /v1/trail/lots/{gtin}/{lot}": PARTIES,
  "get /v1/trail/lots/{gtin}/{lot}/verify": PARTIES,
  "get /v1/trail/lots/{gtin}/{lot}/epcis": PARTIES,
  "get /v1/trail/serials/{gtin}/{serial}": PARTIES,
  "get /v1/trail/serials/{gtin}/{serial}/verify": PARTIES,
  "post /v1/campuses": ["hospital-admin"],
  "get /v1/campuses": ["regulator", ...HOSPITAL],
  "get /v1/members": ["regulator", ...HOSPITAL],
  "put /v1/members/{address}/name": ["hospital-admin"],
  "get /v1/invitations": [SIGNED_IN],
  "get /v1/stock": HOSPITAL,
  "get /v1/stock/holders": HOSPITAL,
  "get /v1/stock/suggestions": HOSPITAL,
  "post /v1/stock/stocktakes": ["hospital-receiver", "hospital-admin"],
  "get /v1/stock/stocktakes": HOSPITAL,
};

interface Caller {
  name: string;
  /** Undefined: no Authorization header. */
  token?: string;
  /** The roles the gateway should see; null for a token it must refuse. */
  roles: readonly string[] | null;
}

type OpenApi = { paths: Record<string, Record<string, { security?: unknown }>> };

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let operations: [string, string][];
  const callers: Caller[] = [];

  before(async function () {
    this.timeout(240_000);
    stack = await startApi(engine.db);
    app = stack.app;
    const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json<OpenApi>();
    operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method): [string, string] => [method, path]),
    );
    const { cast } = stack.chain;
    const accounts = {
      regulator: cast.regulator,
      supplier: cast.supplier,
      "hospital account": cast.hospital,
      approver: cast.approver,
      settler: cast.settler,
      receiver: cast.receiver,
      "account without roles": cast.stranger,
      payer: extraWallet(stack.chain, 15),
    };
    await act.grantPayer(stack.chain.ledger, cast.regulator, accounts.payer.address);
    for (const [name, wallet] of Object.entries(accounts)) {
      const token = await login(app, wallet);
      callers.push({ name, token, roles: (await app.tokens.verify(token))!.roles });
    }
    const regulator = callers[0];
    const principal: Principal = {
      address: cast.regulator.address,
      roles: regulator.roles as Principal["roles"],
      hospital: null,
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    };
    const audience = tokenAudience(stack.chain.deployment.chainId, stack.chain.deployment.deploymentId);
    const forged = await new TokenKeys("not-the-gateway-secret".padEnd(40, "x"), [], audience).issue(
      principal,
    );
    const expired = await app.tokens.issue(
      { ...principal, expiresAt: Math.floor(Date.now() / 1000) - 3600 },
      new Date(Date.now() - 2 * 3600 * 1000),
    );
    callers.push(
      { name: "anonymous", roles: null },
      { name: "forged regulator token", token: forged, roles: null },
      { name: "expired regulator token", token: expired, roles: null },
    );
  });

  after(() => stopApi(stack));

  it("has an entry for every documented operation", function () {
    const missing = operations.map(([m, p]) => `${m} ${p}`).filter((op) => !(op in WHO_MAY));
    expect(missing).to.deep.equal([]);
  });

  it("answers every caller per the table: no 2xx where it says no, no role refusal where it says yes, no 5xx", async function () {
    this.timeout(240_000);
    const p = stack.p;
    const values: Record<string, string> = {
      id: String(p.orderId),
      address: stack.chain.cast.supplier.address,
      gtin: GTIN,
      lot: LOT,
      serial: p.serials[0],
      receiptNo: "GR-NONE",
      txHash: `0x${"ab".repeat(32)}`,
    };
    const problems: string[] = [];
    for (const [method, path] of operations) {
      const allowed = WHO_MAY[`${method} ${path}`];
      if (allowed.includes(PUBLIC)) continue;
      const url = path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(values[name]));
      for (const caller of callers) {
        const may =
          caller.roles !== null &&
          (allowed.includes(SIGNED_IN) || allowed.some((role) => caller.roles!.includes(role)));
        const res = await app.inject({
          method: method.toUpperCase() as "GET",
          url,
          headers: {
            ...(caller.token ? bearer(caller.token) : {}),
            "idempotency-key": `access-${caller.name}`,
          },
          ...(method === "get" ? {} : { payload: {} }),
        });
        const what = `${method.toUpperCase()} ${url} as ${caller.name}: ${res.statusCode} ${res.body.slice(0, 160)}`;
        const code = res.statusCode >= 400 ? res.json<{ error: string }>().error : "";
        if (res.statusCode >= 500) problems.push(`5xx: ${what}`);
        else if (!may && res.statusCode < 300) problems.push(`allowed but should not be: ${what}`);
        else if (!may && caller.roles === null && res.statusCode !== 401) problems.push(`not 401: ${what}`);
        else if (!may && caller.roles !== null && res.statusCode !== 403) problems.push(`not 403: ${what}`);
        else if (may && (code === "UNAUTHORIZED" || code === "FORBIDDEN")) problems.push(`refused: ${what}`);
      }
    }
    expect(problems).to.deep.equal([]);
  });
});
