import { Type, type Static } from "typebox";
import { Nullable } from "./common";

/**
 * The operational endpoints (unauthenticated): GET /health (liveness), GET /ready (readiness
 * checks), GET /metrics (Prometheus text).
 */

const closed = { additionalProperties: false } as const;

export const Health = Type.Object(
  { status: Type.Enum(["ok"], { type: "string" }), uptimeSeconds: Type.Number() },
  closed,
);
export type Health = Static<typeof Health>;

/** Any check's outcome: a failing or timed-out check has only these two fields. */
const checkOutcome = {
  ok: Type.Boolean(),
  error: Type.Optional(Nullable(Type.String({ description: "why the check fails" }))),
};

export const DatabaseCheck = Type.Object(
  {
    ...checkOutcome,
    engine: Type.Optional(Type.Enum(["pglite", "postgres"], { type: "string" })),
    latencyMs: Type.Optional(Type.Integer()),
  },
  closed,
);
export type DatabaseCheck = Static<typeof DatabaseCheck>;

export const IndexerCheck = Type.Object(
  {
    ...checkOutcome,
    lagBlocks: Type.Optional(Nullable(Type.Integer({ description: "null until the chain head is known" }))),
    indexedTo: Type.Optional(Nullable(Type.Integer({ description: "the last indexed block" }))),
    head: Type.Optional(Nullable(Type.Integer({ description: "the chain head the indexer last saw" }))),
  },
  closed,
);
export type IndexerCheck = Static<typeof IndexerCheck>;

export const RelayerCheck = Type.Object(
  {
    ...checkOutcome,
    address: Type.Optional(Type.String({ description: "the relayer key's account" })),
    balanceWei: Type.Optional(Type.String({ pattern: "^[0-9]+$", description: "its balance, in wei" })),
    minBalanceWei: Type.Optional(
      Type.String({ pattern: "^[0-9]+$", description: "RELAYER_MIN_BALANCE_WEI: the alarm threshold" }),
    ),
    low: Type.Optional(
      Type.Boolean({ description: "balance below the threshold: a warning, the check stays ok; top it up" }),
    ),
  },
  closed,
);
export type RelayerCheck = Static<typeof RelayerCheck>;

export const CheckOutcome = Type.Object(checkOutcome, closed);
export type CheckOutcome = Static<typeof CheckOutcome>;

export const Readiness = Type.Object(
  {
    status: Type.Enum(["ready", "not_ready"], { type: "string" }),
    checks: Type.Optional(
      Type.Object(
        {
          database: Type.Optional(DatabaseCheck),
          indexer: Type.Optional(IndexerCheck),
          relayer: Type.Optional(RelayerCheck),
        },
        {
          additionalProperties: CheckOutcome,
          description:
            "one entry per registered check (operators only: from this host, or with X-Ops-Token); " +
            "a check's details beyond ok and error are listed here",
        },
      ),
    ),
  },
  closed,
);
export type Readiness = Static<typeof Readiness>;

/** GET /metrics answers text, not JSON: an OpenAPI response object rather than a schema. */
export const MetricsResponse = {
  description: "Prometheus text exposition format 0.0.4",
  content: { "text/plain": { schema: Type.String() } },
} as const;
