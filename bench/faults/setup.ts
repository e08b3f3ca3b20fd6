import { writeFileSync } from "node:fs";
import { ethers, NonceManager, type HDNodeWallet, type JsonRpcProvider } from "ethers";
import * as act from "../../ledger/acts";
import { deployLedger, deploymentRecord, type DeploymentRecord, type Ledger } from "../../ledger/contracts";
import { devWallet } from "../../scripts/lib/anvil";
import { DAY, GTIN, STENTS, tenderTerms } from "../../test/server/support/chain";

/**
 * The ledger the traffic runs on, set up with the ledger's own acts (ledger/acts.ts, which the
 * CLI and the demo use): a deployment; a qualified supplier registered for the test GTIN that
 * wins a stents tender with room for every unit the run ships; a hospital whose settler is the
 * gateways' SETTLER_KEY and whose receiver posts the receipts; and a pool of funded orders
 * shipped in shipments of SHIPMENT_UNITS units, one per receipt the run will post.
 */

export const SHIPMENT_UNITS = 2;
/** Shipments per order (an order of SHIPMENT_UNITS × this many units). */
const SHIPMENTS_PER_ORDER = 20;

export interface Cast {
  admin: HDNodeWallet;
  regulator: HDNodeWallet;
  supplier: HDNodeWallet;
  hospital: HDNodeWallet;
  approver: HDNodeWallet;
  approver2: HDNodeWallet;
  settler: HDNodeWallet;
  receiver: HDNodeWallet;
  /** The two replicas' relayers (one key per replica: each hands out its own nonces). */
  relayers: [HDNodeWallet, HDNodeWallet];
}

export function benchCast(provider: JsonRpcProvider): Cast {
  const w = (i: number) => devWallet(i, provider);
  return {
    admin: w(0),
    regulator: w(1),
    supplier: w(2),
    hospital: w(4),
    approver: w(5),
    approver2: w(6),
    settler: w(7),
    receiver: w(8),
    relayers: [w(19), w(20)],
  };
}

/** A shipment waiting for its goods receipt. */
export interface PoolShipment {
  shipmentId: string;
  lot: string;
  /** YYYY-MM-DD (UTC), as a receipt line gives it. */
  expiry: string;
  quantity: number;
}

export interface Ledgered {
  deployment: DeploymentRecord;
  ledger: Ledger;
  cast: Cast;
  shipments: PoolShipment[];
  /** Chain time (s) after the last shipment was created. */
  shippedBy: number;
}

async function chainNow(provider: JsonRpcProvider): Promise<number> {
  return (await provider.getBlock("latest"))!.timestamp;
}

async function advance(provider: JsonRpcProvider, seconds: number): Promise<void> {
  await provider.send("evm_increaseTime", [seconds]);
  await provider.send("evm_mine", []);
}

/**
 * How far behind the wall clock the set-up leaves the chain. A restarted Anvil jumps to the wall
 * clock (chain.ts); a jump longer than a forward request's lifetime (an hour) would expire every
 * relayed act pending across it, which a consortium chain down for seconds never does.
 */
const BEHIND_WALL_CLOCK_SECONDS = 300;

/** Moves the chain on to BEHIND_WALL_CLOCK_SECONDS before the wall clock, if it is further behind. */
async function nearWallClock(provider: JsonRpcProvider): Promise<void> {
  const behind = Math.floor(Date.now() / 1000) - (await chainNow(provider));
  if (behind > BEHIND_WALL_CLOCK_SECONDS) await advance(provider, behind - BEHIND_WALL_CLOCK_SECONDS);
}

/** Deploys, procures and ships `shipments` shipments; writes the deployment to `deploymentFile`. */
export async function setUpLedger(
  provider: JsonRpcProvider,
  deploymentFile: string,
  shipments: number,
): Promise<Ledgered> {
  const cast = benchCast(provider);
  const { ledger, deploymentBlock } = await deployLedger(new NonceManager(cast.admin), {
    regulators: [cast.regulator.address],
  });
  const deployment = await deploymentRecord("anvil", ledger, deploymentBlock);
  writeFileSync(deploymentFile, JSON.stringify(deployment, null, 2));

  const now = await chainNow(provider);
  const validUntil = now + 3 * 365 * DAY;
  await act.registerSupplier(ledger, cast.supplier, "Acme Medical", "91310000X");
  await act.qualifySupplier(ledger, cast.regulator, cast.supplier, [STENTS], now - DAY, validUntil);
  await act.registerProducts(ledger, cast.regulator, cast.supplier, {
    gtins: [GTIN],
    categories: [STENTS],
    validFrom: now - DAY,
    validUntil,
  });
  const units = BigInt(shipments * SHIPMENT_UNITS);
  await act.sent(ledger.token.connect(cast.admin).mint(cast.supplier.address, 10n ** 9n));
  await act.enrolHospital(
    ledger,
    cast.regulator,
    cast.hospital,
    "General Hospital",
    [
      { member: cast.approver, roles: act.HOSPITAL_ROLES.approver },
      { member: cast.approver2, roles: act.HOSPITAL_ROLES.approver },
      { member: cast.settler, roles: act.HOSPITAL_ROLES.settler },
      { member: cast.receiver, roles: act.HOSPITAL_ROLES.receiver },
    ],
    10n ** 12n,
  );
  await act.sent(ledger.token.connect(cast.admin).mint(cast.hospital.address, units * 20_000n));
  const tiers = [{ threshold: 0n, unitPrice: 10_000n }];
  const tenderId = await act.openTender(ledger, cast.regulator, tenderTerms(await chainNow(provider)), [
    { hospital: cast.hospital.address, volume: units + 100n },
  ]);
  const salt = ethers.id("faults bench");
  await act.commitBid(ledger, cast.supplier, tenderId, tiers, salt);
  await advance(provider, DAY + 1);
  await act.revealBid(ledger, cast.supplier, tenderId, tiers, salt);
  await advance(provider, DAY + 1);
  const [agreementId] = await act.finalizeTender(ledger, cast.admin, tenderId);

  // The supplier's shipments are sent back to back and awaited together: one block each, but
  // no round trip per transaction.
  const shipper = new NonceManager(cast.supplier);
  const pool: PoolShipment[] = [];
  for (let order = 0; pool.length < shipments; order++) {
    const count = Math.min(SHIPMENTS_PER_ORDER, shipments - pool.length);
    const t = await chainNow(provider);
    const orderId = await act.placeOrder(ledger, cast.hospital, {
      agreementId,
      quantity: BigInt(count * SHIPMENT_UNITS),
      requestedDelivery: t + 20 * DAY,
      reference: `PO-FAULTS-${order}`,
    });
    await act.approveOrder(ledger, cast.approver, orderId);
    const expiry = t + 2 * 365 * DAY;
    const sent = [];
    for (let i = 0; i < count; i++) {
      const lot = `F${order}-${i}`;
      const serials = Array.from({ length: SHIPMENT_UNITS }, (_, k) => `${lot}-${k}`);
      const tx = await ledger.trace.connect(shipper).createShipment({
        orderId,
        gtin: BigInt(GTIN),
        lot,
        expiry,
        quantity: serials.length,
        serialRoot: act.serialTree(serials).root,
        noticeHash: ethers.id(`DESADV-${lot}`),
      });
      sent.push({ lot, tx });
    }
    for (const { lot, tx } of sent) {
      const receipt = await act.sent(Promise.resolve(tx));
      pool.push({
        shipmentId: act.eventArg(receipt, ledger.trace, "ShipmentCreated", "shipmentId").toString(),
        lot,
        expiry: new Date(expiry * 1000).toISOString().slice(0, 10),
        quantity: SHIPMENT_UNITS,
      });
    }
  }
  await nearWallClock(provider);
  const shippedBy = await chainNow(provider);
  return { deployment, ledger, cast, shipments: pool, shippedBy };
}
