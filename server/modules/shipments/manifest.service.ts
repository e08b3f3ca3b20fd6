import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { ManifestUploaded, SerialProof } from "../../../api/shipments";
import type { Db } from "../../db";
import { appError } from "../../plugins/error-catalogue";
import { shipmentRecord } from "../indexer/indexer.repository";
import { ManifestRepository } from "./manifest.repository";

// The trail attaches proofs to its answers and names their type from here.

/**
 * Serial manifests. The chain holds only a shipment's Merkle root; the supplier uploads the
 * serial list here and it is accepted only if it rebuilds exactly that root, so every serial
 * the gateway serves is provable against the chain (`DeliveryTrace.verifySerial`, which takes
 * the shipment's record with the proof). Leaves are OpenZeppelin StandardMerkleTree leaves over
 * `["string"]`, as the contract expects.
 */

const MAX_SERIAL_LENGTH = 20;

export class ManifestService {
  private readonly manifests: ManifestRepository;

  constructor(private readonly db: Db) {
    this.manifests = new ManifestRepository(db);
  }

  /** `ledgerTime`: the upload's time on the ledger's clock (`requestLedgerNow`), which the trail shows. */
  async upload(
    shipmentId: string,
    serials: string[],
    supplier: string,
    ledgerTime: Date,
  ): Promise<ManifestUploaded> {
    const shipment = await this.manifests.target(shipmentId);
    // Another supplier's shipment answers exactly like a missing one: no hint that it exists.
    if (!shipment || shipment.supplier !== supplier.toLowerCase()) throw notIndexed(shipmentId);
    checkSerials(serials, shipment.quantity);
    const tree = StandardMerkleTree.of(
      serials.map((s) => [s]),
      ["string"],
    );
    if (tree.root !== shipment.serialRoot) {
      throw appError(
        "MANIFEST_ROOT_MISMATCH",
        `the serial list's Merkle root ${tree.root} is not the on-chain root ${shipment.serialRoot}`,
        { computedRoot: tree.root, onChainRoot: shipment.serialRoot },
      );
    }
    // Same root means the same serials: a second upload is a harmless repeat.
    const created = await this.manifests.save(shipmentId, tree, supplier.toLowerCase(), ledgerTime);
    return { shipmentId, root: tree.root, serials: serials.length, created };
  }

  async proof(shipmentId: string, serial: string): Promise<SerialProof> {
    const found = await this.manifests.leaf(shipmentId, serial);
    if (!found) {
      throw appError("MANIFEST_NOT_FOUND", `no serial manifest was uploaded for shipment ${shipmentId}`);
    }
    if (found.leafIndex === null) {
      throw appError("SERIAL_NOT_FOUND", `serial ${serial} is not in shipment ${shipmentId}'s manifest`);
    }
    const tree = StandardMerkleTree.load(found.tree);
    const record = await shipmentRecord(this.db, shipmentId);
    // Only after a reorg took the shipment's creation back out of the index.
    if (!record) throw notIndexed(shipmentId);
    return {
      shipmentId,
      serial,
      root: tree.root,
      leaf: tree.leafHash([serial]),
      proof: tree.getProof(found.leafIndex),
      record,
    };
  }
}

function notIndexed(shipmentId: string): Error {
  return appError("SHIPMENT_NOT_FOUND", `shipment ${shipmentId} is not on the ledger (or not indexed yet)`);
}

function checkSerials(serials: string[], quantity: bigint): void {
  if (BigInt(serials.length) !== quantity) {
    throw appError(
      "MANIFEST_INVALID",
      `the shipment has ${quantity} units but the manifest lists ${serials.length} serials`,
    );
  }
  const seen = new Set<string>();
  for (const [i, s] of serials.entries()) {
    if (s.length === 0 || s.length > MAX_SERIAL_LENGTH) {
      throw appError("MANIFEST_INVALID", `serial ${i + 1} must have 1 to ${MAX_SERIAL_LENGTH} characters`);
    }
    if (seen.has(s)) throw appError("MANIFEST_INVALID", `serial ${s} is listed twice`);
    seen.add(s);
  }
}
