import { Type, type Static } from "typebox";
import { Address, DateTime, Nullable } from "./common";

/**
 * GET /v1/console/config: what the web console (and any client) needs before signing in —
 * which chain and contracts the gateway serves, the time zone dates are shown in, and on a
 * local development chain only, the demo accounts with their (public) development keys.
 */

export const DemoAccount = Type.Object(
  {
    role: Type.String({ description: "the demo role: regulator, supplier, hospital-approver, …" }),
    name: Type.String(),
    address: Address,
    privateKey: Type.String({
      pattern: "^0x[0-9a-fA-F]{64}$",
      description: "a development key of the local chain's well-known mnemonic",
    }),
  },
  { additionalProperties: false },
);
export type DemoAccount = Static<typeof DemoAccount>;

export const ConsoleConfig = Type.Object(
  {
    chainId: Type.Integer(),
    localChain: Type.Boolean({ description: "a local development chain (31337), whose keys are public" }),
    contracts: Type.Record(Type.String(), Address, { description: "the ledger's contracts by name" }),
    timeZone: Type.String({ description: "the IANA time zone dates are shown in, e.g. Asia/Shanghai" }),
    settler: Nullable(
      Type.With(Address, {
        description:
          "the account this gateway pays suppliers with (SETTLER_KEY's), a settler of its hospital; null when it pays nobody",
      }),
    ),
    demoAccounts: Type.With(Type.Array(DemoAccount), {
      description: "empty except on a local development chain started with demo accounts",
    }),
  },
  { additionalProperties: false },
);
export type ConsoleConfig = Static<typeof ConsoleConfig>;

/** GET /v1/console/clock: the ledger's time, which a development chain may run ahead of the wall clock. */
export const LedgerClock = Type.Object(
  {
    ledgerTime: Type.With(DateTime, {
      description: "the time the ledger would give an act sent now: the latest block's, or now if later",
    }),
  },
  { additionalProperties: false },
);
export type LedgerClock = Static<typeof LedgerClock>;
