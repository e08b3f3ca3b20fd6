import type {
  ListSuppliersQuery,
  Supplier,
  SupplierDocument,
  SupplierDocumentPage,
  SupplierGtin,
  SupplierGtinPage,
  SupplierStatus,
  SupplierSummary,
  SupplierPage,
} from "../../../api/suppliers";
import type { Db } from "../../db";
import { keysetList, type PageQuery } from "../../lib/keyset-list";
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

  /** A supplier with the first page of its documents and of its GTINs. */
  async get(address: string): Promise<Supplier | null> {
    const supplier = address.toLowerCase();
    const { rows } = await this.db.query<Row>(`SELECT * FROM suppliers WHERE address = $1`, [supplier]);
    if (!rows[0]) return null;
    const documents = await this.documents(supplier, {});
    const gtins = await this.gtins(supplier, {});
    return {
      ...summaryView(rows[0]),
      documents: documents.items,
      documentsNextCursor: documents.nextCursor,
      gtins: gtins.items,
      gtinsNextCursor: gtins.nextCursor,
    };
  }

  /** Its qualification documents, newest first: what is in force now comes before what lapsed. */
  documents(address: string, q: PageQuery): Promise<SupplierDocumentPage> {
    return keysetList(
      this.db,
      {
        from: `SELECT * FROM supplier_documents`,
        filters: [["supplier", address]],
        key: "id",
        numericKey: true,
        descending: true,
        view: documentView,
      },
      q,
    );
  }

  gtins(address: string, q: PageQuery): Promise<SupplierGtinPage> {
    return keysetList(
      this.db,
      {
        from: `SELECT * FROM supplier_gtins`,
        filters: [["supplier", address]],
        key: "gtin",
        numericKey: false,
        view: (g): SupplierGtin => ({
          gtin: text(g.gtin),
          documentId: text(g.document_id),
          validFrom: iso(g.valid_from),
          validUntil: iso(g.valid_until),
        }),
      },
      q,
    );
  }

  /** Whether the registry has `address`: the sub-lists answer 404 for one it has not. */
  async exists(address: string): Promise<boolean> {
    const { rows } = await this.db.query(`SELECT 1 FROM suppliers WHERE address = $1`, [
      address.toLowerCase(),
    ]);
    return rows.length > 0;
  }
}

function documentView(d: Row): SupplierDocument {
  return {
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
  };
}
