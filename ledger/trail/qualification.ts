import { Type, type Static } from "typebox";
import { DOCUMENT_KINDS } from "../enums";
import { AccountFigure, DecimalFigure, kindsOf, TimeFigure, WordFigure, type Figures } from "./figures";

/**
 * A supplier's qualification at one moment, replayed from the supplier registry's events exactly
 * as `SupplierRegistry.isQualified(supplier, category, at)` answered it then. The trail service
 * replays the events it holds; the verifier replays the chain's own logs and compares.
 *
 * The rule (docs/ledger-rules.md, "Qualification"): the supplier is active, and for every
 * required document kind its *current* window for the category contains the time. Each
 * attestation of a document that expires later than the current window of its kind replaces it
 * for every category the document covers; a renewal whose window overlaps or directly follows
 * the current one keeps the earlier start. A document that expires no later than the current
 * window changes nothing, whatever its start.
 */

/** One registry event in chain order, with its figures as the trail states them. */
export interface RegistryFact {
  event: string;
  figures: Figures;
  blockNumber: number;
  logIndex: number;
}

export const QualificationDocumentAt = Type.Object(
  {
    documentId: DecimalFigure,
    kind: Type.String({ description: `the document kind: ${DOCUMENT_KINDS.join(", ")}` }),
    status: Type.Enum(["pending", "attested", "rejected"]),
    validFrom: TimeFigure,
    validUntil: TimeFigure,
    coversCategory: Type.Boolean({ description: "the document names the category" }),
    validAtTime: Type.Boolean({ description: "the moment is within the document's validity" }),
  },
  { additionalProperties: false, description: "a document the supplier had filed by then" },
);
export type QualificationDocumentAt = Static<typeof QualificationDocumentAt>;

/** The current window of one document kind for the category, as `isQualified` reads it. */
export const QualificationWindow = Type.Object(
  {
    kind: Type.String(),
    documentId: Type.With(DecimalFigure, { description: "the attested document that set the window's end" }),
    validFrom: TimeFigure,
    validUntil: TimeFigure,
    containsTime: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type QualificationWindow = Static<typeof QualificationWindow>;

/** The supplier's qualification as the registry stood just before one step. */
export const QualificationAt = Type.Object(
  {
    step: Type.String({ description: "the id of the step at which the ledger checked it" }),
    at: TimeFigure,
    blockNumber: Type.Integer({ minimum: 0 }),
    supplier: AccountFigure,
    category: WordFigure,
    status: Type.Enum(["unregistered", "active", "suspended"]),
    requiredKinds: Type.Array(Type.String()),
    qualified: Type.Boolean({
      description: "what SupplierRegistry.isQualified(supplier, category, at) answered then",
    }),
    windows: Type.Array(QualificationWindow, {
      description: "the current window of each document kind for the category (kinds without one are absent)",
    }),
    documents: Type.Array(QualificationDocumentAt),
  },
  { additionalProperties: false },
);
export type QualificationAt = Static<typeof QualificationAt>;

export interface Moment {
  step: string;
  at: string;
  blockNumber: number;
  logIndex: number;
  supplier: string;
  category: string;
}

const ALL_KINDS = (1 << DOCUMENT_KINDS.length) - 1;

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** Replays `registry` (in chain order) up to, not including, the moment's log. */
export function qualificationAt(registry: RegistryFact[], moment: Moment): QualificationAt {
  const { supplier, category } = moment;
  let status: QualificationAt["status"] = "unregistered";
  let required = ALL_KINDS;
  const documents = new Map<string, QualificationDocumentAt & { categories: string[] }>();
  const windows = new Map<string, { documentId: string; from: number; until: number }>();
  const t = seconds(moment.at);

  for (const fact of registry) {
    if (
      fact.blockNumber > moment.blockNumber ||
      (fact.blockNumber === moment.blockNumber && fact.logIndex >= moment.logIndex)
    ) {
      break;
    }
    const f = fact.figures;
    if (fact.event === "RequiredKindsChanged") required = Number(f.requiredKinds);
    if (f.supplier !== supplier) continue;
    switch (fact.event) {
      case "SupplierRegistered":
      case "SupplierReinstated":
        status = "active";
        break;
      case "SupplierSuspended":
        status = "suspended";
        break;
      case "DocumentFiled":
        documents.set(String(f.documentId), {
          documentId: String(f.documentId),
          kind: String(f.kind),
          status: "pending",
          validFrom: String(f.validFrom),
          validUntil: String(f.validUntil),
          categories: (f.categories as string[]).map(String),
          coversCategory: false,
          validAtTime: false,
        });
        break;
      case "DocumentRejected": {
        const doc = documents.get(String(f.documentId));
        if (doc) doc.status = "rejected";
        break;
      }
      case "DocumentAttested": {
        const doc = documents.get(String(f.documentId));
        if (!doc) break;
        doc.status = "attested";
        if (!doc.categories.includes(category)) break;
        const from = seconds(doc.validFrom);
        const until = seconds(doc.validUntil);
        const current = windows.get(doc.kind);
        if (current && until <= current.until) break;
        const keepsStart = current !== undefined && from <= current.until + 1 && current.from < from;
        windows.set(doc.kind, { documentId: doc.documentId, from: keepsStart ? current.from : from, until });
        break;
      }
    }
  }

  const requiredKinds = kindsOf(required);
  const windowList: QualificationWindow[] = DOCUMENT_KINDS.flatMap((kind) => {
    const w = windows.get(kind);
    if (!w) return [];
    return [
      {
        kind,
        documentId: w.documentId,
        validFrom: new Date(w.from * 1000).toISOString(),
        validUntil: new Date(w.until * 1000).toISOString(),
        containsTime: w.from <= t && t <= w.until,
      },
    ];
  });
  const qualified =
    status === "active" &&
    requiredKinds.every((kind) => windowList.some((w) => w.kind === kind && w.containsTime));
  return {
    step: moment.step,
    at: moment.at,
    blockNumber: moment.blockNumber,
    supplier,
    category,
    status,
    requiredKinds,
    qualified,
    windows: windowList,
    documents: [...documents.values()].map(({ categories, ...d }) => ({
      ...d,
      coversCategory: categories.includes(category),
      validAtTime: seconds(d.validFrom) <= t && t <= seconds(d.validUntil),
    })),
  };
}

/** The events a moment's replay reads: the registry's, in chain order. */
export const QUALIFICATION_EVENTS: ReadonlySet<string> = new Set([
  "SupplierRegistered",
  "SupplierSuspended",
  "SupplierReinstated",
  "DocumentFiled",
  "DocumentAttested",
  "DocumentRejected",
  "RequiredKindsChanged",
]);

/**
 * The moments the ledger checked a supplier's qualification, out of a trail's on-chain steps:
 * each bid it committed (TenderHouse), each award it won (TenderHouse skips the unqualified),
 * each shipment it created (DeliveryTrace) and each settlement that paid for units (OrderBook).
 * The chain accepted each of them, so each must replay as qualified.
 */
export function qualificationMoments(
  steps: { id: string; at: string; event: string; figures: Figures; blockNumber: number; logIndex: number }[],
  categoryOf: { tender(tenderId: string): string | undefined; order(orderId: string): string | undefined },
  suppliers: ReadonlySet<string>,
): Moment[] {
  const out: Moment[] = [];
  for (const s of steps) {
    const f = s.figures;
    const moment = (supplier: string, category: string | undefined) => {
      if (suppliers.has(supplier) && category !== undefined) {
        out.push({
          step: s.id,
          at: s.at,
          blockNumber: s.blockNumber,
          logIndex: s.logIndex,
          supplier,
          category,
        });
      }
    };
    switch (s.event) {
      case "BidCommitted":
        moment(String(f.bidder), categoryOf.tender(String(f.tenderId)));
        break;
      case "TenderAwarded":
        for (const winner of f.winners as string[]) moment(winner, categoryOf.tender(String(f.tenderId)));
        break;
      case "ShipmentCreated":
        moment(String(f.supplier), categoryOf.order(String(f.orderId)));
        break;
      case "ShipmentSettled":
        if (f.accepted !== "0") moment(String(f.supplier), categoryOf.order(String(f.orderId)));
        break;
    }
  }
  return out.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
}
