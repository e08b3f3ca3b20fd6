import type { Hospital, HospitalPage, ListHospitalsQuery } from "../../../api/hospitals";
import type { Db } from "../../db";
import { keysetList } from "../../lib/keyset-list";
import { int, iso, text, textOrNull, type Row } from "../../lib/projection-row";

/**
 * The enrolled hospitals as the indexer projects them (`hospitals`, and the enrolment's log in
 * `chain_events`), with the names published to this gateway (`hospital_names`, written here
 * only). A name shows only while its hash is the hospital's indexed nameHash.
 */

const HOSPITALS = `SELECT * FROM (
  SELECT h.address, h.name_hash, h.enrolled_by, h.enrolled_at,
         n.name, n.published_by, n.published_at, e.tx_hash AS enrolled_tx, e.block_number AS enrolled_block
  FROM hospitals h
  LEFT JOIN hospital_names n ON n.address = h.address AND n.name_hash = h.name_hash
  LEFT JOIN chain_events e
    ON e.contract = 'hospitals' AND e.event = 'HospitalEnrolled' AND e.args->>'hospital' = h.address
) hospital`;

function hospitalView(r: Row): Hospital {
  return {
    address: text(r.address),
    name: textOrNull(r.name),
    nameHash: text(r.name_hash),
    namePublished: r.name === null ? null : { by: text(r.published_by), at: iso(r.published_at) },
    enrolledBy: text(r.enrolled_by),
    enrolledAt: iso(r.enrolled_at),
    enrolment: { txHash: text(r.enrolled_tx), blockNumber: int(r.enrolled_block) },
  };
}

export class HospitalsRepository {
  constructor(private readonly db: Db) {}

  list(q: ListHospitalsQuery): Promise<HospitalPage> {
    return keysetList(
      this.db,
      { from: HOSPITALS, filters: [], key: "address", numericKey: false, view: hospitalView },
      q,
    );
  }

  async get(address: string): Promise<Hospital | null> {
    const { rows } = await this.db.query<Row>(`${HOSPITALS} WHERE address = $1`, [address.toLowerCase()]);
    return rows[0] ? hospitalView(rows[0]) : null;
  }

  /** The on-chain nameHash of an enrolled hospital; null for an address the ledger never enrolled. */
  async nameHash(address: string): Promise<string | null> {
    const { rows } = await this.db.query<{ name_hash: string }>(
      `SELECT name_hash FROM hospitals WHERE address = $1`,
      [address.toLowerCase()],
    );
    return rows[0]?.name_hash ?? null;
  }

  /**
   * Stores a name whose hash was checked against `nameHash`. True when it was new: the same
   * name again changes nothing (its first publisher stays on record); a stored name of an
   * earlier nameHash (an enrolment a reorg replaced) is replaced.
   */
  async saveName(address: string, nameHash: string, name: string, publishedBy: string): Promise<boolean> {
    const { rows } = await this.db.query(
      `INSERT INTO hospital_names (address, name_hash, name, published_by, published_at)
       VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (address) DO UPDATE
         SET name_hash = EXCLUDED.name_hash, name = EXCLUDED.name,
             published_by = EXCLUDED.published_by, published_at = EXCLUDED.published_at
         WHERE hospital_names.name_hash <> EXCLUDED.name_hash
       RETURNING address`,
      [address.toLowerCase(), nameHash, name, publishedBy.toLowerCase()],
    );
    return rows.length > 0;
  }
}
