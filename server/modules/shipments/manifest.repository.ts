import type { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { Db } from "../../db";

/** Serial manifests (manifests, manifest_serials) and the shipment facts an upload is checked against. */

export type TreeDump = ReturnType<StandardMerkleTree<string[]>["dump"]>;

export class ManifestRepository {
  constructor(private readonly db: Db) {}

  /** The indexed shipment's supplier, root and quantity; null for a shipment the index does not have. */
  async target(
    shipmentId: string,
  ): Promise<{ supplier: string; serialRoot: string; quantity: bigint } | null> {
    const { rows } = await this.db.query<{ supplier: string; serial_root: string; quantity: string }>(
      `SELECT supplier, serial_root, quantity FROM shipments WHERE id = $1`,
      [shipmentId],
    );
    const r = rows[0];
    return r ? { supplier: r.supplier, serialRoot: r.serial_root, quantity: BigInt(r.quantity) } : null;
  }

  /**
   * Stores the manifest unless the shipment has one: false when it had (the caller checked the
   * tree's root against the shipment's, so an existing manifest lists the same serials).
   */
  save(
    shipmentId: string,
    tree: StandardMerkleTree<string[]>,
    uploadedBy: string,
    ledgerTime: Date,
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query(`SELECT 1 FROM manifests WHERE shipment_id = $1 FOR UPDATE`, [
        shipmentId,
      ]);
      if (rows.length > 0) return false;
      await tx.query(
        `INSERT INTO manifests (shipment_id, serial_root, serial_count, tree, uploaded_by, ledger_time)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          shipmentId,
          tree.root,
          tree.length,
          JSON.stringify(tree.dump()),
          uploadedBy,
          ledgerTime.toISOString(),
        ],
      );
      for (const [i, v] of tree.entries()) {
        await tx.query(`INSERT INTO manifest_serials (shipment_id, serial, leaf_index) VALUES ($1, $2, $3)`, [
          shipmentId,
          v[0],
          i,
        ]);
      }
      return true;
    });
  }

  /** The manifest's tree and the serial's leaf index (null if not listed); null without a manifest. */
  async leaf(
    shipmentId: string,
    serial: string,
  ): Promise<{ tree: TreeDump; leafIndex: number | null } | null> {
    const { rows } = await this.db.query<{ tree: TreeDump; leaf_index: number | null }>(
      `SELECT m.tree, s.leaf_index FROM manifests m
       LEFT JOIN manifest_serials s ON s.shipment_id = m.shipment_id AND s.serial = $2
       WHERE m.shipment_id = $1`,
      [shipmentId, serial],
    );
    return rows[0] ? { tree: rows[0].tree, leafIndex: rows[0].leaf_index } : null;
  }
}
