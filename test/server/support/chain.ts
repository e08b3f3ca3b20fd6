import { ethers, type HDNodeWallet, type JsonRpcProvider } from "ethers";
import type { TenderTermsStruct } from "../../../typechain-types/contracts/TenderHouse";
import * as act from "../../../ledger/acts";
import { DEV_ACCOUNT_COUNT } from "../../../scripts/lib/stack/accounts";
import { devWallet, startAnvil, type AnvilNode } from "../../../scripts/lib/anvil";
import {
  deployLedger,
  deploymentRecord,
  type DeploymentRecord,
  type Ledger,
} from "../../../ledger/contracts";
import { freePort, freePorts } from "../../../scripts/lib/stack/settings";

/** Re-exported for the tests that start a server of their own. */
export { freePort, freePorts };

/**
 * A real JSON-RPC node (Anvil) with the ledger deployed and a cast of accounts, for the
 * gateway's integration tests. Time moves only when a test moves it.
 */

export const DAY = 86_400;
export const STENTS = act.categoryCode("C0401-DES");
export const GTIN = "09520123456788";
export const LOT = "LOT2026A";
/** The bid bond of the tenders below: each bidder escrows it with its first commitment. */
export const BID_BOND = 50_000n;

/**
 * Terms of a one-winner tender opened at `now`: commit for a day, reveal for a day, a year's
 * term; orders must be funded within a week, and the hospital confirms within a week of
 * receiving.
 */
export function tenderTerms(now: number, overrides: Partial<TenderTermsStruct> = {}): TenderTermsStruct {
  return {
    category: STENTS,
    reservePrice: 1_000_000n,
    commitDeadline: now + DAY,
    revealDeadline: now + 2 * DAY,
    termSeconds: 365 * DAY,
    leadTimeDays: 10,
    penaltyBpsPerDay: 50,
    penaltyCapBps: 1000,
    winners: 1,
    bidBond: BID_BOND,
    fundingWindow: 7 * DAY,
    receivingWindow: 2 * DAY,
    confirmWindow: 7 * DAY,
    ...overrides,
  };
}

/**
 * Registers `supplier`, qualifies it for stents and registers the test GTIN to it, and gives it
 * the tokens for one bid bond: everything a supplier needs before it bids and ships.
 */
export async function onboardSupplier(
  chain: ChainStack,
  supplier: HDNodeWallet,
  name: string,
  registrationId: string,
): Promise<void> {
  const { ledger, cast } = chain;
  const now = await chain.now();
  const validUntil = now + 3 * 365 * DAY;
  await act.registerSupplier(ledger, supplier, name, registrationId);
  await act.qualifySupplier(ledger, cast.regulator, supplier, [STENTS], now - DAY, validUntil);
  await act.registerProducts(ledger, cast.regulator, supplier, {
    gtins: [GTIN],
    categories: [STENTS],
    validFrom: now - DAY,
    validUntil,
  });
  await act.sent(ledger.token.connect(cast.admin).mint(supplier.address, BID_BOND));
}

export interface Cast {
  admin: HDNodeWallet;
  regulator: HDNodeWallet;
  supplier: HDNodeWallet;
  supplier2: HDNodeWallet;
  hospital: HDNodeWallet;
  approver: HDNodeWallet;
  approver2: HDNodeWallet;
  settler: HDNodeWallet;
  receiver: HDNodeWallet;
  hospital2: HDNodeWallet;
  receiver2: HDNodeWallet;
  stranger: HDNodeWallet;
}

export interface ChainStack {
  node: AnvilNode;
  provider: JsonRpcProvider;
  ledger: Ledger;
  deployment: DeploymentRecord;
  cast: Cast;
  now(): Promise<number>;
  advance(seconds: number): Promise<void>;
  mine(blocks?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startChain(): Promise<ChainStack> {
  // The whole demo cast is funded, its payer included (the demo test plays the demo here).
  const node = await startAnvil({ port: await freePort(), accounts: DEV_ACCOUNT_COUNT });
  const provider = node.provider;
  const w = (i: number) => devWallet(i, provider);
  const cast: Cast = {
    admin: w(0),
    regulator: w(1),
    supplier: w(2),
    supplier2: w(3),
    hospital: w(4),
    approver: w(5),
    approver2: w(6),
    settler: w(7),
    receiver: w(8),
    hospital2: w(9),
    receiver2: w(10),
    stranger: w(11),
  };
  // One NonceManager per sender keeps back-to-back transactions from reusing a nonce.
  const admin = new ethers.NonceManager(cast.admin);
  const { ledger, deploymentBlock } = await deployLedger(admin, { regulators: [cast.regulator.address] });
  const deployment = await deploymentRecord("anvil", ledger, deploymentBlock);
  const now = async () => (await provider.getBlock("latest"))!.timestamp;
  return {
    node,
    provider,
    ledger,
    deployment,
    cast,
    now,
    async advance(seconds: number) {
      await provider.send("evm_increaseTime", [seconds]);
      await provider.send("evm_mine", []);
    },
    async mine(blocks = 1) {
      await provider.send("anvil_mine", [ethers.toQuantity(blocks)]);
    },
    stop: () => node.stop(),
  };
}

export interface Procurement {
  agreementId: bigint;
  orderId: bigint;
  shipmentId: bigint;
  serials: string[];
  expiry: number;
}

/**
 * Enrols the cast's hospital ("General Hospital") with `approvers`, its settler and its
 * receiver, each having accepted its invitation.
 */
export async function enrolGeneralHospital(chain: ChainStack, approvers: HDNodeWallet[]): Promise<void> {
  const { ledger, cast } = chain;
  await act.enrolHospital(
    ledger,
    cast.regulator,
    cast.hospital,
    "General Hospital",
    [
      ...approvers.map((member) => ({ member, roles: act.HOSPITAL_ROLES.approver })),
      { member: cast.settler, roles: act.HOSPITAL_ROLES.settler },
      { member: cast.receiver, roles: act.HOSPITAL_ROLES.receiver },
    ],
    10_000_000n,
  );
}

/**
 * The common path up to a shipment in transit: a qualified supplier registered for the test
 * GTIN bids (escrowing its bond) and wins a stents tender, the hospital (two approvers, a
 * settler and a receiver, each having accepted its invitation) orders `quantity` units and funds
 * them, and the supplier ships them with serial numbers.
 */
export async function procure(chain: ChainStack, quantity = 10): Promise<Procurement> {
  const { ledger, cast } = chain;
  await onboardSupplier(chain, cast.supplier, "Acme Medical", "91310000X");
  await enrolGeneralHospital(chain, [cast.approver, cast.approver2]);
  await act.sent(ledger.token.connect(cast.admin).mint(cast.hospital.address, 1_000_000_000n));
  const tiers = [
    { threshold: 0n, unitPrice: 10_000n },
    { threshold: 100n, unitPrice: 9_000n },
  ];
  const tenderId = await act.openTender(ledger, cast.regulator, tenderTerms(await chain.now()), [
    { hospital: cast.hospital.address, volume: 1000n },
  ]);
  const salt = ethers.id("salt");
  await act.commitBid(ledger, cast.supplier, tenderId, tiers, salt);
  await chain.advance(DAY + 1);
  await act.revealBid(ledger, cast.supplier, tenderId, tiers, salt);
  await chain.advance(DAY + 1);
  const [agreementId] = await act.finalizeTender(ledger, cast.admin, tenderId);
  const t = await chain.now();
  const orderId = await act.placeOrder(ledger, cast.hospital, {
    agreementId,
    quantity: BigInt(quantity),
    requestedDelivery: t + 20 * DAY,
    reference: "PO-1",
  });
  await act.approveOrder(ledger, cast.approver, orderId);
  const serials = Array.from({ length: quantity }, (_, i) => `SN${String(i + 1).padStart(5, "0")}`);
  const expiry = t + 2 * 365 * DAY;
  const { shipmentId } = await act.createShipment(ledger, cast.supplier, {
    orderId,
    gtin: GTIN,
    lot: LOT,
    expiry,
    serials,
    notice: "DESADV-1",
  });
  return { agreementId, orderId, shipmentId, serials, expiry };
}
