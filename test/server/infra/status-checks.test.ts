import { expect } from "chai";
import { migrate, type Db } from "../../../server/db";
import { LEDGER_CONTRACTS } from "../../../ledger/contracts";
import {
  ADJUSTMENT_STATUS,
  DOCUMENT_KINDS,
  ORDER_STATUS,
  TENDER_STATUS,
  TRACE_STEPS,
} from "../../../ledger/enums";
import { forEachEngine } from "../helpers/engines";
import { rejectionOf } from "../helpers/rejection";

/**
 * Migration 0007's CHECK constraints, on both engines: every status column (and every other
 * column with a fixed set of values) takes each value the code writes and refuses any other.
 * Rows are built from the catalog (every NOT NULL column without a default gets a plain value
 * of its type), so each refusal is the constraint's and nothing else's.
 */

const known = <T extends string>(values: readonly T[]) => values.filter((v) => v !== "none");

/** table → column → the values the code writes there. */
const CHECKED: Record<string, Record<string, readonly (string | number)[]>> = {
  chain_events: { contract: LEDGER_CONTRACTS },
  suppliers: { status: ["active", "suspended"] },
  supplier_documents: { kind: DOCUMENT_KINDS, status: ["pending", "attested", "rejected"] },
  tenders: { status: known(TENDER_STATUS) },
  orders: { status: known(ORDER_STATUS) },
  trace_events: { step: TRACE_STEPS },
  hospital_members: { roles: [1, 2, 3, 4, 5, 6, 7] },
  hospital_invitations: { roles: [1, 2, 3, 4, 5, 6, 7] },
  budget_adjustments: { status: known(ADJUSTMENT_STATUS) },
  matches: { status: ["matched", "exception"] },
  exceptions: {
    status: ["open", "resolved"],
    source: ["match", "settlement"],
    resolution: ["accept_all", "accept_part", "reject"],
  },
  settlement_jobs: { status: ["pending", "submitted", "confirmed", "failed"] },
  idempotency_keys: { status_code: [100, 200, 201, 409, 599] },
};

/**
 * Nullable columns another CHECK of the table needs on a plain row: a settlement job (the
 * default kind, migration 0016) names its shipment.
 */
const REQUIRED: Record<string, string[]> = { settlement_jobs: ["shipment_id"] };

/** Values that must be refused, by the column's type. */
const INVALID_TEXT = ["", "Active", "unknown", "none"];
const INVALID_NUMBER: Record<string, number[]> = { roles: [0, 8, -1], status_code: [99, 600] };

/** A plain value of each column type the schema uses. */
const PLAIN: Record<string, string | number | boolean> = {
  text: "x",
  bigint: 1,
  integer: 1,
  numeric: 1,
  boolean: false,
  "timestamp with time zone": "2026-01-01T00:00:00Z",
  date: "2026-01-01",
  jsonb: "[]",
};

describe("status CHECK constraints", function () {
  forEachEngine((engine) => {
    let db: Db;
    let key = 0;

    before(async () => {
      db = engine.db;
      await migrate(db);
    });

    /** Inserts a row into `table` with `column` = `value` and plain values elsewhere. */
    async function insert(table: string, column: string, value: string | number): Promise<void> {
      const { rows } = await db.query<{ column_name: string; data_type: string }>(
        `SELECT column_name, data_type FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 AND is_nullable = 'NO' AND column_default IS NULL
         ORDER BY ordinal_position`,
        [table],
      );
      const values = new Map<string, unknown>();
      for (const r of rows) {
        const plain = PLAIN[r.data_type];
        expect(plain, `a plain value for ${table}.${r.column_name} (${r.data_type})`).to.not.equal(undefined);
        // Unique per row: every key column is text or a number.
        values.set(r.column_name, typeof plain === "number" ? ++key : plain === "x" ? `x${++key}` : plain);
      }
      for (const column of REQUIRED[table] ?? []) values.set(column, ++key);
      for (const [other, valid] of Object.entries(CHECKED[table])) {
        if (values.has(other)) values.set(other, valid[0]);
      }
      values.set(column, value);
      const columns = [...values.keys()];
      await db.query(
        `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")})`,
        [...values.values()],
      );
    }

    for (const [table, columns] of Object.entries(CHECKED)) {
      for (const [column, valid] of Object.entries(columns)) {
        it(`${table}.${column} takes ${valid.join(", ")} and nothing else`, async function () {
          for (const value of valid) await insert(table, column, value);
          const invalid = typeof valid[0] === "number" ? INVALID_NUMBER[column] : INVALID_TEXT;
          for (const value of invalid) {
            const error = await rejectionOf(insert(table, column, value));
            expect(error, `${table}.${column} = ${JSON.stringify(value)}`).to.include({
              code: "23514",
              constraint: `${table}_${column}_known`,
            });
          }
        });
      }
    }

    it("leaves no status column unchecked", async function () {
      const { rows } = await db.query<{ table_name: string; column_name: string }>(
        `SELECT table_name, column_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND (column_name = 'status' OR column_name LIKE '%\\_status')
         ORDER BY 1, 2`,
      );
      const checked = Object.entries(CHECKED).flatMap(([t, cs]) => Object.keys(cs).map((c) => `${t}.${c}`));
      const statuses = rows.map((r) => `${r.table_name}.${r.column_name}`);
      expect(statuses).to.include("settlement_jobs.status");
      expect(statuses.filter((c) => !checked.includes(c))).to.deep.equal([]);
    });
  });
});
