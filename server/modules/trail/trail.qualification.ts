import type { TrailStep } from "../../../api/trail";
import { EVENT_SPECS } from "../../../ledger/trail/event-specs";
import {
  QUALIFICATION_EVENTS,
  qualificationAt,
  qualificationMoments,
  type QualificationAt,
} from "../../../ledger/trail/qualification";
import type * as repo from "./trail.repository";
import { str } from "./trail.rows";

/**
 * The supplier's qualification at each moment the ledger checked it (its bids, the award, its
 * shipments, its paid settlements), replayed from the trail's own registry steps with the
 * ledger's replay (ledger/trail/qualification.ts) — the one the verifier runs on the chain's logs.
 */
export function qualificationOf(
  steps: TrailStep[],
  tenderEvents: repo.ChainEventRow[],
  agreements: repo.AgreementRow[],
  orders: repo.OrderRow[],
): QualificationAt[] {
  const onChain = steps.flatMap((s) =>
    s.onChain
      ? [
          {
            id: s.id,
            at: s.at,
            event: s.onChain.event,
            figures: s.data,
            blockNumber: s.onChain.blockNumber,
            logIndex: s.onChain.logIndex,
          },
        ]
      : [],
  );
  const registry = onChain
    .filter((s) => QUALIFICATION_EVENTS.has(s.event))
    .sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
  const tenderCategory = new Map(
    tenderEvents
      .filter((e) => e.event === "TenderOpened")
      .map((e) => [
        str(e.args.tenderId),
        EVENT_SPECS.get("tenders.TenderOpened")!.figures(e.args).category as string,
      ]),
  );
  const orderCategory = new Map(
    orders.map((o) => [str(o.id), agreements.find((a) => str(a.id) === str(o.agreement_id))?.category]),
  );
  const suppliers = new Set(agreements.map((a) => a.supplier));
  return qualificationMoments(
    onChain,
    { tender: (id) => tenderCategory.get(id), order: (id) => orderCategory.get(id) },
    suppliers,
  ).map((m) => qualificationAt(registry, m));
}
