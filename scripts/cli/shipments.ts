import * as act from "../../ledger/acts";
import { GatewayError } from "../lib/gateway-client";
import {
  CliError,
  isoDate,
  isoTime,
  parseLot,
  parseGtin,
  parseWhen,
  readInput,
  UsageError,
  type CommandSpec,
} from "./command";
import { parseCsv } from "./csv";
import { chainAct, type Context } from "./options";
import { record } from "./output";

/**
 * Shipments: ship serialised goods against a funded order (Merkle root of the serials on chain,
 * the serial manifest to the gateway), record EPCIS trace steps (the supplier and its carriers up
 * to arrival, the hospital from receiving on), and name the carriers that may record for a
 * supplier. Later acts pass the shipment's record back to the ledger: it is read from the
 * shipment's `ShipmentCreated` event.
 */

const MAX_SERIAL_LENGTH = 20;

/** Serials from a .txt (one per line) or a .csv with a `serial` column; checked for the manifest's rules. */
export function readSerials(file: string): { serials: string[]; content: Buffer } {
  const content = readInput(file, "--serials");
  const text = content.toString("utf8");
  let serials: string[];
  if (file.toLowerCase().endsWith(".csv")) {
    const { header, rows } = parseCsv(text, file);
    if (!header.includes("serial")) throw new UsageError(`--serials ${file}: no "serial" column`);
    serials = rows.map((r) => (r.serial ?? "").trim());
  } else {
    serials = text
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter((s) => s !== "" && !s.startsWith("#"));
  }
  if (serials.length === 0) throw new UsageError(`--serials ${file}: no serial numbers in it`);
  const seen = new Set<string>();
  serials.forEach((s, i) => {
    if (s === "") throw new UsageError(`--serials ${file}: serial ${i + 1} is empty`);
    if (s.length > MAX_SERIAL_LENGTH)
      throw new UsageError(`--serials ${file}: serial "${s}" is longer than ${MAX_SERIAL_LENGTH} characters`);
    if (seen.has(s)) throw new UsageError(`--serials ${file}: serial "${s}" appears twice`);
    seen.add(s);
  });
  return { serials, content };
}

/** PUT /v1/shipments/{id}/manifest, waiting (up to `timeoutMs`) for the gateway to index the shipment. */
async function uploadManifest(
  ctx: Context,
  shipmentId: bigint,
  serials: string[],
  timeoutMs: number,
): Promise<{ created: boolean; serials: number }> {
  const gateway = await ctx.gateway();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await gateway.put(`/v1/shipments/${shipmentId}/manifest`, { serials });
    } catch (error) {
      if (!(error instanceof GatewayError && error.code === "SHIPMENT_NOT_FOUND") || Date.now() > deadline)
        throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

const waitOption = {
  "index-timeout": {
    type: "string",
    value: "<seconds>",
    description: "how long to wait for the gateway to index the shipment (default 60)",
  },
} as const;

export const ship: CommandSpec = {
  path: ["ship"],
  summary: "ship serialised goods against an order: Merkle root on chain, manifest to the gateway",
  details:
    "Reads the serials from a .txt file (one per line) or a .csv file (a `serial` column), builds the StandardMerkleTree, records the shipment (the notice hash is of --notice or else of the file) and, when a gateway is given, uploads the serial manifest.",
  options: {
    order: { type: "string", value: "<id>", description: "order id", required: true },
    gtin: { type: "string", value: "<gtin>", description: "14-digit GTIN", required: true },
    lot: { type: "string", value: "<lot>", description: "lot / batch number", required: true },
    expiry: { type: "string", value: "<date>", description: "expiry date YYYY-MM-DD", required: true },
    serials: { type: "string", value: "<file>", description: "serial numbers: .txt or .csv", required: true },
    notice: {
      type: "string",
      value: "<text>",
      description: "despatch advice id or text to hash (default the file)",
    },
    ...waitOption,
  },
  examples: [
    "sunshine supplier ship --order 3 --gtin 09520123456788 --lot LOT2026A --expiry 2028-06-30 --serials serials.txt --gateway http://127.0.0.1:8080",
  ],
  async run(ctx, o) {
    const orderId = o.id("order");
    const gtin = parseGtin(o.string("gtin"));
    const lot = parseLot(o.string("lot"));
    const expiry = isoDate(o.string("expiry"), "--expiry");
    const { serials, content } = readSerials(o.string("serials"));
    const timeoutMs = o.int("index-timeout", 60) * 1000;
    const notice = o.optional("notice") ?? content.toString("utf8");
    const chain = await ctx.chain();
    const { shipmentId, root } = await act.createShipment(chain.ledger, chain.signer, {
      orderId,
      gtin,
      lot,
      expiry,
      serials,
      notice,
    });
    let manifest = "not uploaded (no --gateway)";
    if (ctx.globals.gateway) {
      try {
        const uploaded = await uploadManifest(ctx, shipmentId, serials, timeoutMs);
        manifest = uploaded.created ? "uploaded" : "already uploaded";
      } catch (error) {
        const why = error instanceof GatewayError ? error.message : (error as Error).message;
        throw new CliError(
          `shipment ${shipmentId} was recorded (root ${root}) but the manifest upload failed: ${why}; retry with: sunshine supplier manifest --shipment ${shipmentId} --serials ${o.string("serials")}`,
          "MANIFEST_UPLOAD_FAILED",
        );
      }
    }
    return record(
      chainAct(chain, {
        shipmentId,
        orderId,
        gtin,
        lot,
        expiry: o.string("expiry"),
        quantity: serials.length,
        root,
        manifest,
      }),
    );
  },
};

export const manifest: CommandSpec = {
  path: ["manifest"],
  summary: "upload (again) the serial manifest of a shipment to the gateway",
  options: {
    shipment: { type: "string", value: "<id>", description: "shipment id", required: true },
    serials: { type: "string", value: "<file>", description: "serial numbers: .txt or .csv", required: true },
    ...waitOption,
  },
  positional: "shipment",
  examples: ["sunshine supplier manifest --shipment 4 --serials serials.txt --gateway http://127.0.0.1:8080"],
  async run(ctx, o) {
    const shipmentId = o.id("shipment");
    const { serials } = readSerials(o.string("serials"));
    const uploaded = await uploadManifest(ctx, shipmentId, serials, o.int("index-timeout", 60) * 1000);
    return record({
      shipmentId,
      root: act.serialTree(serials).root,
      serials: serials.length,
      manifest: uploaded.created ? "uploaded" : "already uploaded",
    });
  },
};

export const trace: CommandSpec = {
  path: ["trace"],
  summary: "record an EPCIS trace event on a shipment",
  details:
    "Suppliers and their carriers record shipping, departing and arriving; the receiving hospital records the later steps.",
  options: {
    shipment: { type: "string", value: "<id>", description: "shipment id", required: true },
    step: {
      type: "string",
      value: "<step>",
      description: `one of ${act.TRACE_STEPS.join(", ")}`,
      required: true,
    },
    location: {
      type: "string",
      value: "<gln|text>",
      description: "where (a GLN or a place name)",
      required: true,
    },
    "event-time": {
      type: "string",
      value: "<when>",
      description: "when it happened: ISO date-time, unix seconds (default the chain's now)",
    },
    "sensor-log": { type: "string", value: "<file>", description: "sensor log whose hash is recorded" },
    excursion: { type: "boolean", description: "a temperature excursion happened" },
  },
  positional: "shipment",
  examples: ["sunshine supplier trace --shipment 4 --step departing --location 6901234000017"],
  async run(ctx, o) {
    const shipmentId = o.id("shipment");
    const step = o.choice("step", act.TRACE_STEPS);
    const location = o.string("location");
    const sensorLog = o.has("sensor-log")
      ? readInput(o.string("sensor-log"), "--sensor-log").toString("utf8")
      : undefined;
    const chain = await ctx.chain();
    const now = await chain.now();
    const eventTime = o.has("event-time") ? parseWhen(o.string("event-time"), "--event-time", now) : now;
    await act.recordTrace(chain.ledger, chain.signer, shipmentId, step, {
      location,
      eventTime,
      sensorLog,
      excursion: o.flag("excursion"),
    });
    return record(
      chainAct(chain, {
        shipmentId,
        step,
        location,
        eventTime: isoTime(eventTime),
        excursion: o.flag("excursion"),
        actor: chain.address,
      }),
    );
  },
};

export const setCarrier: CommandSpec = {
  path: ["set-carrier"],
  summary: "allow a carrier to record shipping, departing and arriving steps for you (or --revoke it)",
  options: {
    carrier: { type: "string", value: "<address>", description: "the carrier's account", required: true },
    revoke: { type: "boolean", description: "take the permission back" },
  },
  positional: "carrier",
  examples: ["sunshine supplier set-carrier --carrier 0x976EA74026E726554dB657fA54763abd0C3a0aa9"],
  async run(ctx, o) {
    const carrier = o.address("carrier");
    const allowed = !o.flag("revoke");
    const chain = await ctx.chain();
    await act.sent(chain.ledger.trace.connect(chain.signer).setCarrier(carrier, allowed));
    return record(chainAct(chain, { supplier: chain.address, carrier, allowed }));
  },
};
