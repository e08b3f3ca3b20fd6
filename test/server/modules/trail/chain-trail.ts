import type { JsonRpcProvider } from "ethers";
import { LedgerEventDecoder } from "../../../../ledger/events";
import { ORDER_STATUS } from "../../../../ledger/enums";
import type { DeploymentRecord, Ledger } from "../../../../ledger/contracts";
import type {
  AgreementState,
  OrderState,
  ShipmentState,
  Trail,
  TrailStep,
  TrailSubject,
} from "../../../../api/trail";
import { TRAIL_CONTRACTS } from "../../../../ledger/trail/event-spec";
import { EVENT_SPECS } from "../../../../ledger/trail/event-specs";
import type { Figures } from "../../../../ledger/trail/figures";
import { qualificationAt, qualificationMoments } from "../../../../ledger/trail/qualification";
import { recordHash, recordOf } from "../../../../ledger/trail/shipment-record";
import { acceptedUnits, fundedVolume } from "../../support/agreement-volumes";

/**
 * A trail made straight from the chain, for testing the verifier without the gateway's
 * database: EVERY ledger event the chain holds becomes a step, but those `exclude` names — so a
 * test's story decides, independently of the trail rule in the code, which events belong. The
 * state is read from the contracts; the qualification is replayed from the registry's steps.
 */

export interface ChainLogRef {
  contract: string;
  event: string;
  figures: Figures;
  args: Record<string, unknown>;
  txHash: string;
  blockNumber: number;
  logIndex: number;
}

export async function chainTrail(
  provider: JsonRpcProvider,
  ledger: Ledger,
  deployment: DeploymentRecord,
  subject: TrailSubject,
  exclude: (log: ChainLogRef) => boolean,
): Promise<Trail> {
  const decoder = new LedgerEventDecoder(deployment.contracts);
  const raw = await provider.getLogs({
    address: decoder.addresses,
    fromBlock: deployment.deploymentBlock,
    toBlock: await provider.getBlockNumber(),
  });
  const logs: ChainLogRef[] = [];
  for (const log of raw) {
    const decoded = decoder.decode(log);
    const spec = decoded && EVENT_SPECS.get(`${decoded.contract}.${decoded.event}`);
    if (!decoded || !spec) continue;
    const ref = {
      contract: decoded.contract,
      event: decoded.event,
      figures: spec.figures(decoded.args),
      args: decoded.args,
      txHash: log.transactionHash.toLowerCase(),
      blockNumber: log.blockNumber,
      logIndex: log.index,
    };
    if (!exclude(ref)) logs.push(ref);
  }

  const times = new Map<number, string>();
  const traceCount = new Map<string, number>();
  const steps: TrailStep[] = [];
  for (const l of logs) {
    if (!times.has(l.blockNumber)) {
      const block = await provider.getBlock(l.blockNumber);
      times.set(l.blockNumber, new Date(block!.timestamp * 1000).toISOString());
    }
    const spec = EVENT_SPECS.get(`${l.contract}.${l.event}`)!;
    const data = { ...l.figures };
    if (l.event === "TraceEventRecorded") {
      const index = (traceCount.get(String(data.shipmentId)) ?? 0) + 1;
      traceCount.set(String(data.shipmentId), index);
      data.eventIndex = index;
    }
    steps.push({
      id: spec.id(data, l),
      at: spec.timeFigure ? String(data[spec.timeFigure]) : times.get(l.blockNumber)!,
      kind: spec.kind,
      summary: spec.summary(data),
      source: "chain",
      data,
      onChain: {
        chainId: deployment.chainId,
        contract: deployment.contracts[spec.contract].toLowerCase(),
        contractName: spec.contract,
        event: l.event,
        txHash: l.txHash,
        blockNumber: l.blockNumber,
        logIndex: l.logIndex,
      },
    });
  }

  const of = (event: string) => logs.filter((l) => l.event === event);
  const created = of("ShipmentCreated");
  const placed = of("OrderPlaced");
  const agreements = of("AgreementCreated");
  const hospitals = [...new Set(placed.map((l) => String(l.figures.hospital)))];

  const shipments: ShipmentState[] = [];
  for (const l of created) {
    const id = String(l.figures.shipmentId);
    const record = recordOf(l.figures);
    const st = await ledger.trace.shipmentState(id);
    const disputedUnits = await ledger.orderBook.disputedUnits(id);
    shipments.push({
      shipmentId: id,
      record,
      recordHash: recordHash(record),
      lotKey: String(l.figures.lotKey),
      arrivedAt: st.arrivedAt === 0n ? null : iso(st.arrivedAt),
      receivedAt: st.receivedAt === 0n ? null : iso(st.receivedAt),
      excursion: st.excursion,
      excursionWaived: st.excursionWaived,
      confirmed: st.confirmed,
      disputedUnits: disputedUnits.toString(),
      recalled: await ledger.trace.isRecalled(BigInt(record.gtin), record.lot, record.supplier),
    });
  }
  const orders: OrderState[] = [];
  for (const l of placed) {
    const o = await ledger.orderBook.order(String(l.figures.orderId));
    orders.push({
      orderId: String(l.figures.orderId),
      agreementId: o.agreementId.toString(),
      hospital: o.hospital.toLowerCase(),
      status: ORDER_STATUS[Number(o.status)],
      quantity: o.quantity.toString(),
      shipped: o.shipped.toString(),
      accepted: o.accepted.toString(),
      cancelled: o.cancelled.toString(),
      escrow: o.escrow.toString(),
      excessConsented: o.excessConsented,
      lateShipmentAllowed: o.lateShipmentAllowed,
      fundingExpiresAt: iso(o.fundingExpiresAt),
      deliveryDeadline: iso(o.deliveryDeadline),
    });
  }
  const agreementStates: AgreementState[] = [];
  for (const l of agreements) {
    const id = String(l.figures.agreementId);
    const a = await ledger.agreements.agreement(id);
    const volumes = [];
    for (const hospital of hospitals) {
      const v = await ledger.agreements.hospitalVolume(id, hospital);
      volumes.push({
        hospital,
        committed: v.committed.toString(),
        funded: v.funded.toString(),
        accepted: (await acceptedUnits(ledger, id, hospital)).toString(),
      });
    }
    agreementStates.push({
      agreementId: id,
      tenderId: a.terms.tenderId.toString(),
      supplier: a.terms.supplier.toLowerCase(),
      category: a.terms.category.toLowerCase(),
      start: iso(a.terms.start),
      end: iso(a.terms.end),
      fundedVolume: (await fundedVolume(ledger, id)).toString(),
      acceptedVolume: a.acceptedVolume.toString(),
      hospitals: volumes,
    });
  }

  const onChain = steps.map((s) => ({
    id: s.id,
    at: s.at,
    event: s.onChain!.event,
    figures: s.data,
    blockNumber: s.onChain!.blockNumber,
    logIndex: s.onChain!.logIndex,
  }));
  const category = (event: string, key: string) =>
    new Map(of(event).map((l) => [String(l.figures[key]), String(l.figures.category)]));
  const tenderCategory = category("TenderOpened", "tenderId");
  const agreementCategory = category("AgreementCreated", "agreementId");
  const orderAgreement = new Map(
    placed.map((l) => [String(l.figures.orderId), String(l.figures.agreementId)]),
  );
  const registry = onChain.filter(
    (s) => steps.find((x) => x.id === s.id)!.onChain!.contractName === "registry",
  );
  const qualification = qualificationMoments(
    onChain,
    {
      tender: (id) => tenderCategory.get(id),
      order: (id) => agreementCategory.get(orderAgreement.get(id) ?? ""),
    },
    new Set(agreements.map((l) => String(l.figures.supplier))),
  ).map((m) => qualificationAt(registry, m));

  return {
    subject,
    chainId: deployment.chainId,
    contracts: Object.fromEntries(
      TRAIL_CONTRACTS.map((name) => [name, deployment.contracts[name].toLowerCase()]),
    ) as Trail["contracts"],
    generatedAt: new Date().toISOString(),
    orders: placed.map((l) => String(l.figures.orderId)),
    shipments: created.map((l) => String(l.figures.shipmentId)),
    lots: created.map((l) => ({ gtin: String(l.figures.gtin), lot: String(l.figures.lot) })),
    qualification,
    state: { shipments, orders, agreements: agreementStates },
    steps,
  };
}

function iso(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString();
}
