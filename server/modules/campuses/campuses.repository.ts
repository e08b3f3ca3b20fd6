import type { Db } from "../../db";
import type { Campus, CampusPage, ListCampusesQuery } from "../../../api/campuses";
import { keysetList } from "../../lib/keyset-list";
import { iso, text, type Row } from "../../lib/projection-row";

/** SQL of a hospital group's campuses. Every function takes the connection or transaction to use. */

function view(r: Row): Campus {
  return {
    hospital: text(r.hospital),
    gln: text(r.gln),
    name: text(r.name),
    main: Boolean(r.main),
    registeredBy: text(r.registered_by),
    registeredAt: iso(r.registered_at),
  };
}

export async function findCampus(db: Db, gln: string): Promise<Campus | null> {
  const { rows } = await db.query(`SELECT * FROM campuses WHERE gln = $1`, [gln]);
  return rows[0] ? view(rows[0]) : null;
}

/** The hospital's main campus (its first registered), or null while it has none. */
export async function mainCampus(db: Db, hospital: string): Promise<string | null> {
  const { rows } = await db.query<{ gln: string }>(`SELECT gln FROM campuses WHERE hospital = $1 AND main`, [
    hospital,
  ]);
  return rows[0]?.gln ?? null;
}

/**
 * Inserts a campus; the first of a hospital becomes its main campus. The table lock makes two
 * first registrations arriving together take turns, so exactly one of them is main.
 */
export async function insertCampus(
  tx: Db,
  c: { hospital: string; gln: string; name: string; registeredBy: string; registeredAt: Date },
): Promise<Campus> {
  await tx.query(`LOCK TABLE campuses IN SHARE ROW EXCLUSIVE MODE`);
  const main = (await mainCampus(tx, c.hospital)) === null;
  const { rows } = await tx.query(
    `INSERT INTO campuses (hospital, gln, name, main, registered_by, registered_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
    [c.hospital, c.gln, c.name, main, c.registeredBy, c.registeredAt.toISOString()],
  );
  return view(rows[0]);
}

export function listCampuses(db: Db, q: ListCampusesQuery, own: string | undefined): Promise<CampusPage> {
  return keysetList(
    db,
    {
      from: `SELECT * FROM campuses`,
      filters: [
        ["hospital", own],
        ["hospital", q.hospital],
      ],
      key: "gln",
      numericKey: false,
      view,
    },
    q,
  );
}
