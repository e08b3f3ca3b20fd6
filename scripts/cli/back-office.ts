import { createHash } from "node:crypto";
import type { Exception, ExceptionList, ResolveRequest } from "../../api/exceptions";
import type { ReceiptResult } from "../../api/receipts";
import { GatewayError } from "../lib/gateway-client";
import { CliError, parseGtin, parseWhen, readInput, UsageError, type CommandSpec } from "./command";
import { parseCsv } from "./csv";
import { list, record, type Row } from "./output";

/**
 * The hospital's back office on the gateway: goods receipts (scanned barcodes) matched against
 * the shipment, usage records from the billing system, and the match exceptions an approver
 * resolves. The gateway confirms clean matches and resolved exceptions on chain.
 */

function count(value: string | undefined, what: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value) || Number(value) < min)
    throw new UsageError(`${what} must be a whole number ≥ ${min} (got "${value}")`);
  return Number(value);
}

export const receipt: CommandSpec = {
  path: ["receipt"],
  summary: "send a goods receipt from a CSV of scanned barcodes; prints the match result",
  details:
    "CSV columns: barcode[,quantity,rejected,rejectReason] (a GS1 scan: bracketed, raw or Digital Link), or gtin,lot,expiry[,serial] instead of barcode (expiry as YYYY-MM-DD). Every line gives the item's lot and expiry (AI 10 and 17 in a scan), and its serial once the supplier uploaded a manifest. The Idempotency-Key is a hash of the receipt number and the file, so sending the same receipt again is harmless.",
  options: {
    "receipt-no": {
      type: "string",
      value: "<no>",
      description: "the warehouse's receipt number",
      required: true,
    },
    shipment: { type: "string", value: "<id>", description: "shipment id", required: true },
    file: { type: "string", value: "<csv>", description: "the scanned lines", required: true },
    "received-at": { type: "string", value: "<iso>", description: "when the goods arrived (default now)" },
  },
  examples: [
    "sunshine hospital receipt --receipt-no GR-0001 --shipment 4 --file scans.csv --gateway http://127.0.0.1:8080",
  ],
  async run(ctx, o) {
    const receiptNo = o.string("receipt-no");
    const shipmentId = o.id("shipment");
    const file = o.string("file");
    const content = readInput(file, "--file");
    const receivedAt = o.has("received-at")
      ? new Date(parseWhen(o.string("received-at"), "--received-at", Math.floor(Date.now() / 1000)) * 1000)
      : new Date();
    const csv = parseCsv(content.toString("utf8"), file);
    if (!csv.header.includes("barcode") && !csv.header.includes("gtin")) {
      throw new UsageError(`--file ${file}: needs a "barcode" column (or gtin,lot,expiry,serial)`);
    }
    if (csv.rows.length === 0) throw new UsageError(`--file ${file}: no lines`);
    const lines = csv.rows.map((r, i) => {
      const where = `--file ${file} line ${csv.lines[i]}`;
      const line: Record<string, unknown> = {};
      if (r.barcode) line.barcode = r.barcode;
      else if (r.gtin) {
        line.gtin = parseGtin(r.gtin, `${where}: gtin`);
        for (const k of ["lot", "expiry", "serial"]) if (r[k]) line[k] = r[k];
      } else throw new UsageError(`${where}: no barcode`);
      const quantity = count(r.quantity, `${where}: quantity`, 1);
      const rejected = count(r.rejected, `${where}: rejected`, 0);
      if (quantity !== undefined) line.quantity = quantity;
      if (rejected !== undefined) line.rejected = rejected;
      if (r.rejectReason) line.rejectReason = r.rejectReason;
      return line;
    });
    const key = createHash("sha256").update(receiptNo).update("\0").update(content).digest("hex");
    const gateway = await ctx.gateway();
    const result = await gateway.post<ReceiptResult>(
      "/v1/receipts",
      { receiptNo, shipmentId: shipmentId.toString(), receivedAt: receivedAt.toISOString(), lines },
      { "Idempotency-Key": key },
    );
    return record({
      receiptNo: result.receiptNo,
      shipmentId: result.shipmentId,
      orderId: result.orderId,
      received: result.received,
      match: result.match.status,
      accepted: result.match.accepted,
      rejected: result.match.rejected,
      reasons: result.match.reasons.map((r) => `${r.code}: ${r.message}`),
      exceptionId: result.exceptionId,
      settlement: result.settlement,
    });
  },
};

const USAGE_FIELDS = [
  "usageId",
  "barcode",
  "gtin",
  "lot",
  "serial",
  "expiry",
  "department",
  "patientRef",
  "usedAt",
  "billingCode",
  "billedAmount",
  "quantity",
  "correctsUsageId",
  "caseId",
  "caseGroup",
];

/** Gateway errors that would fail every row alike: stop at the first. */
const FATAL = new Set(["ROUTE_NOT_FOUND", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "INTERNAL"]);

export const usage: CommandSpec = {
  path: ["usage"],
  summary: "send usage records from the billing system (CSV), one POST /v1/usages per row",
  details:
    "CSV columns: usageId, barcode (or gtin,lot,serial[,expiry]), department, patientRef, usedAt, billingCode, billedAmount[, quantity, correctsUsageId, caseId, caseGroup (the inpatient case and its DRG/DIP group)]. Each row's Idempotency-Key is its usageId, so a file can be sent again after a failure.",
  options: { file: { type: "string", value: "<csv>", description: "usage records", required: true } },
  examples: ["sunshine hospital usage --file usages.csv --gateway http://127.0.0.1:8080"],
  async run(ctx, o) {
    const file = o.string("file");
    const csv = parseCsv(readInput(file, "--file").toString("utf8"), file);
    const unknown = csv.header.filter((h) => !USAGE_FIELDS.includes(h));
    if (unknown.length) throw new UsageError(`--file ${file}: unknown column ${unknown.join(", ")}`);
    for (const required of ["usageId", "department", "patientRef", "usedAt", "billingCode", "billedAmount"]) {
      if (!csv.header.includes(required)) throw new UsageError(`--file ${file}: no "${required}" column`);
    }
    if (csv.rows.length === 0) throw new UsageError(`--file ${file}: no rows`);
    const bodies = csv.rows.map((r, i) => {
      const where = `--file ${file} line ${csv.lines[i]}`;
      if (!r.usageId) throw new UsageError(`${where}: no usageId`);
      if (!r.barcode && !r.gtin) throw new UsageError(`${where}: needs a barcode or a gtin`);
      const body: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) if (v !== undefined) body[k] = v;
      if (r.quantity !== undefined) {
        if (!/^-?\d+$/.test(r.quantity)) throw new UsageError(`${where}: quantity must be a whole number`);
        body.quantity = Number(r.quantity);
      }
      return body;
    });
    const gateway = await ctx.gateway();
    const rows: Row[] = [];
    let failed = 0;
    for (const body of bodies) {
      const usageId = String(body.usageId);
      try {
        await gateway.post("/v1/usages", body, { "Idempotency-Key": usageId });
        rows.push({ usageId, status: "recorded", error: undefined });
      } catch (error) {
        if (!(error instanceof GatewayError) || FATAL.has(error.code)) throw error;
        failed++;
        rows.push({ usageId, status: "failed", error: error.message });
      }
    }
    if (failed > 0) {
      const first = rows.find((r) => r.status === "failed")!;
      throw new CliError(
        `${failed} of ${rows.length} usage records failed; the first, ${first.usageId}: ${first.error} (the others were recorded; send the file again after fixing it)`,
        "USAGE_ROWS_FAILED",
      );
    }
    return list(rows, { columns: ["usageId", "status"] });
  },
};

function exceptionRow(e: Exception): Row {
  return {
    id: e.id,
    shipment: e.shipmentId,
    order: e.orderId,
    receipt: e.receiptNo,
    source: e.source,
    reasons: [...new Set(e.reasons.map((r) => r.code))],
    proposed: e.proposedAccepted,
    shipped: e.shipped,
    // Units the receipt withholds on the ledger until decided, and whether the ledger has them.
    held: e.ledgerHold === null ? null : `${e.ledgerHold.units} ${e.ledgerHold.status}`,
    status: e.status,
    resolution: e.resolution,
  };
}

export const exceptions: CommandSpec = {
  path: ["exceptions"],
  summary: "list the hospital's match and settlement exceptions (open ones by default)",
  options: {
    status: { type: "string", value: "<status>", description: "open (default), resolved or all" },
    reason: {
      type: "string",
      value: "<code>",
      description: "only those with this reason, e.g. SHORT_DELIVERY",
    },
  },
  examples: [
    "sunshine hospital exceptions --gateway http://127.0.0.1:8080",
    "sunshine hospital exceptions --status all --json",
  ],
  async run(ctx, o) {
    const status = o.choice("status", ["open", "resolved", "all"] as const, "open");
    const query = new URLSearchParams();
    if (status !== "all") query.set("status", status);
    if (o.has("reason")) query.set("reason", o.string("reason"));
    const gateway = await ctx.gateway();
    const qs = query.toString();
    const { items } = await gateway.get<ExceptionList>(`/v1/exceptions${qs ? `?${qs}` : ""}`);
    return list(items.map(exceptionRow), {
      json: items,
      empty: status === "all" ? "no exceptions" : `no ${status} exceptions`,
    });
  },
};

export const resolve: CommandSpec = {
  path: ["resolve"],
  summary: "decide an exception (approvers): accept all, accept part, or reject",
  options: {
    exception: { type: "string", value: "<id>", description: "exception id", required: true },
    action: {
      type: "string",
      value: "<action>",
      description: "accept_all, accept_part or reject",
      required: true,
    },
    "accepted-quantity": { type: "string", value: "<n>", description: "units to pay for (accept_part)" },
    note: { type: "string", value: "<text>", description: "why (kept with the decision)", required: true },
  },
  positional: "exception",
  examples: [
    'sunshine hospital resolve --exception 2 --action accept_part --accepted-quantity 8 --note "2 damaged"',
  ],
  async run(ctx, o) {
    const id = o.id("exception");
    const action = o.choice("action", ["accept_all", "accept_part", "reject"] as const);
    const acceptedQuantity = o.has("accepted-quantity") ? o.int("accepted-quantity") : undefined;
    if (action === "accept_part" && acceptedQuantity === undefined) {
      throw new UsageError("--action accept_part needs --accepted-quantity");
    }
    if (action !== "accept_part" && acceptedQuantity !== undefined) {
      throw new UsageError("--accepted-quantity goes only with --action accept_part");
    }
    const note = o.string("note");
    const gateway = await ctx.gateway();
    const decision: ResolveRequest = { action, acceptedQuantity, note };
    const e = await gateway.post<Exception>(`/v1/exceptions/${id}/resolve`, decision);
    return record({
      id: e.id,
      shipmentId: e.shipmentId,
      status: e.status,
      resolution: e.resolution,
      accepted: e.resolvedAccepted,
      shipped: e.shipped,
      note: e.note,
      settlement: "queued",
    });
  },
};
