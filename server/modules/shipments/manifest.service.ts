import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { Db } from "../../db";
import { appError } from "../../plugins/error-catalogue";
import { shipmentRecord, type ShipmentRecordArgs } from "../indexer/indexer.repository";

/**
 * Serial manifests. The chain holds only a shipment's Merkle root; the supplier uploads the
 * serial list here and it is accepted only if it rebuilds exactly that root, so every serial
 * the gateway serves is provable against the chain (`DeliveryTrace.verifySerial`, which takes
 * the shipment's record with the proof). Leaves are OpenZeppelin StandardMerkleTree leaves over
 * `["string"]`, as the contract expects.
 */

export interface SerialProof {
  shipmentId: string;
  serial: string;
  root: string;
  leaf: string;
  proof: string[];
  /** The shipment's record as its ShipmentCreated event carried it: verifySerial's second argument. */
  record: ShipmentRecordArgs;
}

const MAX_SERIAL_LENGTH = 20;

export class ManifestService {
  constructor(private readonly db: Db) {}

  async upload(
    shipmentId: string,
    serials: string[],
    supplier: string,
  ): Promise<{ shipmentId: string; root: string; serials: number; created: boolean }> {
    const shipment = await this.shipment(shipmentId);
    if (shipment.supplier !== supplier.toLowerCase()) {
      throw appError("NOT_THE_SUPPLIER", `shipment ${shipmentId} belongs to another supplier`);
    }
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
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query(`SELECT 1 FROM manifests WHERE shipment_id = $1 FOR UPDATE`, [
        shipmentId,
      ]);
      // Same root means the same serials: a second upload is a harmless repeat.
      if (rows.length > 0) return { shipmentId, root: tree.root, serials: serials.length, created: false };
      await tx.query(
        `INSERT INTO manifests (shipment_id, serial_root, serial_count, tree, uploaded_by) VALUES ($1, $2, $3, $4, $5)`,
        [shipmentId, tree.root, serials.length, JSON.stringify(tree.dump()), supplier.toLowerCase()],
      );
      for (const [i, v] of tree.entries()) {
        await tx.query(`INSERT INTO manifest_serials (shipment_id, serial, leaf_index) VALUES ($1, $2, $3)`, [
          shipmentId,
          v[0],
          i,
        ]);
      }
      return { shipmentId, root: tree.root, serials: serials.length, created: true };
    });
  }

  /** The shipment's order parties, for visibility checks; null for an unknown shipment. */
  async parties(shipmentId: string): Promise<{ hospital: string; supplier: string } | null> {
    const { rows } = await this.db.query<{ hospital: string; supplier: string }>(
      `SELECT o.hospital, s.supplier FROM shipments s JOIN orders o ON o.id = s.order_id WHERE s.id = $1`,
      [shipmentId],
    );
    return rows[0] ?? null;
  }

  async proof(shipmentId: string, serial: string): Promise<SerialProof> {
    const { rows } = await this.db.query<{
      tree: ReturnType<StandardMerkleTree<string[]>["dump"]>;
      leaf_index: number | null;
    }>(
      `SELECT m.tree, s.leaf_index FROM manifests m
       LEFT JOIN manifest_serials s ON s.shipment_id = m.shipment_id AND s.serial = $2
       WHERE m.shipment_id = $1`,
      [shipmentId, serial],
    );
    if (rows.length === 0) {
      throw appError("MANIFEST_NOT_FOUND", `no serial manifest was uploaded for shipment ${shipmentId}`);
    }
    if (rows[0].leaf_index === null) {
      throw appError("SERIAL_NOT_FOUND", `serial ${serial} is not in shipment ${shipmentId}'s manifest`);
    }
    const tree = StandardMerkleTree.load(rows[0].tree);
    const index = rows[0].leaf_index;
    const record = await shipmentRecord(this.db, shipmentId);
    // Only after a reorg took the shipment's creation back out of the index.
    if (!record) throw notIndexed(shipmentId);
    return {
      shipmentId,
      serial,
      root: tree.root,
      leaf: tree.leafHash([serial]),
      proof: tree.getProof(index),
      record,
    };
  }

  private async shipment(
    shipmentId: string,
  ): Promise<{ supplier: string; serialRoot: string; quantity: bigint }> {
    const { rows } = await this.db.query<{ supplier: string; serial_root: string; quantity: string }>(
      `SELECT supplier, serial_root, quantity FROM shipments WHERE id = $1`,
      [shipmentId],
    );
    if (!rows[0]) throw notIndexed(shipmentId);
    return {
      supplier: rows[0].supplier,
      serialRoot: rows[0].serial_root,
      quantity: BigInt(rows[0].quantity),
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
