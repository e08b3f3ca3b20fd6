import type {
  ListSuppliersQuery,
  Supplier,
  SupplierDocument,
  SupplierGtin,
  SupplierStatus,
  SupplierSummary,
  SupplierPage,
} from "../../../api/suppliers";
import type { Db } from "../../db";
import { keysetList } from "../../lib/keyset-list";
import { intOrNull, iso, lastChangeOf, text, textOrNull, type Row } from "../../lib/projection-row";

/** The supplier registry as the indexer projects it (suppliers, supplier_documents, supplier_gtins). */

function summaryView(r: Row): SupplierSummary {
  return {
    address: text(r.address),
    name: text(r.name),
    registrationId: text(r.registration_id),
    status: text(r.status) as SupplierStatus,
    statusReason: intOrNull(r.status_reason),
    registeredAt: iso(r.registered_at),
    lastChange: lastChangeOf(r),
  };
}

export class SuppliersRepository {
  constructor(private readonly db: Db) {}

  list(q: ListSuppliersQuery): Promise<SupplierPage> {
    return keysetList(
      this.db,
      {
        from: `SELECT * FROM suppliers`,
        filters: [["status", q.status]],
        key: "address",
        numericKey: false,
        view: summaryView,
      },
      q,
    );
  }

  async get(address: string): Promise<Supplier | null> {
    const supplier = address.toLowerCase();
    const { rows } = await this.db.query<Row>(`SELECT * FROM suppliers WHERE address = $1`, [supplier]);
    if (!rows[0]) return null;
    const { rows: documents } = await this.db.query<Row>(
      `SELECT * FROM supplier_documents WHERE supplier = $1 ORDER BY id`,
      [supplier],
    );
    const { rows: gtins } = await this.db.query<Row>(
      `SELECT * FROM supplier_gtins WHERE supplier = $1 ORDER BY gtin`,
      [supplier],
    );
    return {
      ...summaryView(rows[0]),
      documents: documents.map((d): SupplierDocument => ({
        id: text(d.id),
        kind: text(d.kind) as SupplierDocument["kind"],
        sha256: text(d.sha256),
        validFrom: iso(d.valid_from),
        validUntil: iso(d.valid_until),
        categories: d.categories as string[],
        gtins: (d.gtins as string[] | null) ?? null,
        status: text(d.status) as SupplierDocument["status"],
        reasonCode: intOrNull(d.reason_code),
        decidedBy: textOrNull(d.decided_by),
        lastChange: lastChangeOf(d),
      })),
      gtins: gtins.map((g): SupplierGtin => ({
        gtin: text(g.gtin),
        documentId: text(g.document_id),
        validFrom: iso(g.valid_from),
        validUntil: iso(g.valid_until),
      })),
    };
  }
}
