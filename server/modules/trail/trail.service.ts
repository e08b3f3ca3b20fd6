import type { EpcisDocument } from "../../../api/epcis";
import { TRAIL_CONTRACTS } from "../../../ledger/trail/event-spec";
import type { Trail, TrailContracts, TrailSubject } from "../../../api/trail";
import type { Db } from "../../db";
import { appError } from "../../plugins/error-catalogue";
import { isProductKey } from "../../../ledger/product-key";
import { declaredIdentifiers } from "../device-identifiers/device-identifiers.repository";
import { buildEpcisDocument, EpcisExportError } from "./epcis.export";
import { epcisInput } from "./epcis.input";
import { loadTrail } from "./trail.load";
import type { TrailScope } from "./trail.repository";
import { str } from "./trail.rows";
import type { TrailContext, TrailData } from "./trail.types";

/**
 * The regulator's audit trail: everything that happened to one order, lot or serial, as steps in
 * time order, each on-chain step pointing at its log (chain id, contract, transaction, block, log
 * index) so that it can be checked against the chain without the gateway (trail.verify.ts does
 * it for you; docs/verify-a-trail.md says how to do it yourself), and the ledger's state of the
 * trail's shipments, orders and agreements as the gateway holds it (`state`), which the verifier
 * reads back from the contracts. What a trail is made of, and which events belong to it:
 * trail.load.ts and trail.chain-steps.ts; the document's schema: api/trail.ts.
 */
export class TrailService {
  constructor(
    private readonly db: Db,
    private readonly ctx: TrailContext,
  ) {}

  async orderTrail(orderId: string, scope: TrailScope): Promise<Trail> {
    return this.trailOf(await loadTrail(this.db, this.ctx, { type: "order", orderId }, scope));
  }

  async lotTrail(gtin: string, lot: string, scope: TrailScope): Promise<Trail> {
    return this.trailOf(await loadTrail(this.db, this.ctx, { type: "lot", gtin, lot }, scope));
  }

  async serialTrail(gtin: string, serial: string, scope: TrailScope): Promise<Trail> {
    return this.trailOf(await loadTrail(this.db, this.ctx, { type: "serial", gtin, serial }, scope));
  }

  /** The GS1 EPCIS 2.0 document of an order's or a lot's trail. */
  async epcis(subject: Exclude<TrailSubject, { type: "serial" }>, scope: TrailScope): Promise<EpcisDocument> {
    const data = await loadTrail(this.db, this.ctx, subject, scope);
    const input = epcisInput(this.ctx, data);
    const keys = [...input.shipments, ...input.recalls, ...(input.transfers ?? [])]
      .map((item) => item.gtin)
      .filter(isProductKey);
    input.deviceIdentifiers = Object.fromEntries(await declaredIdentifiers(this.db, keys));
    try {
      return buildEpcisDocument(input);
    } catch (error) {
      if (error instanceof EpcisExportError) {
        // The database contradicts itself (e.g. a shipment without its stored event): no truthful
        // document can be made until it is re-indexed.
        throw appError("CONFLICT", `the trail cannot be exported: ${error.message}`);
      }
      throw error;
    }
  }

  private trailOf(data: TrailData): Trail {
    const c = this.ctx.contracts;
    return {
      subject: data.subject,
      chainId: this.ctx.chainId,
      contracts: Object.fromEntries(
        TRAIL_CONTRACTS.map((name) => [name, c[name].toLowerCase()]),
      ) as TrailContracts,
      generatedAt: new Date().toISOString(),
      orders: data.orders.map((o) => str(o.id)),
      shipments: data.shipments.map((s) => str(s.id)),
      lots: data.lots,
      qualification: data.qualification,
      state: data.state,
      ...(data.proofs ? { proofs: data.proofs } : {}),
      steps: data.steps,
    };
  }
}
