import type { ClaimOutlier, ClaimsRisk, RareHighValueUse, RiskHospital, RiskLine } from "../../../api/claims";
import type { Db } from "../../db";
import type { ReconciliationService } from "../reconciliation/reconciliation.service";
import { monthBoundsSql } from "../../lib/month-range";

/**
 * The risk view per hospital: every reconciliation flag of the period (phantom use, reuse,
 * resale, use after expiry or recall, markup, waste) and the claim audit's findings, counted,
 * with the money billed on the usages behind them. The reconciliation's figures are balances as
 * of the period's end (or the ledger's now, if sooner); its lots are those with activity in the
 * period.
 */

interface Period {
  from: string;
  to: string;
  timeZone: string;
  hospital?: string;
}

/** The period's first instant and the instant after it, in the gateway's time zone. */
export async function periodInstants(db: Db, p: Period): Promise<{ start: Date; end: Date }> {
  const { start, end } = monthBoundsSql("$1", "$2", "$3");
  const { rows } = await db.query<{ start: Date; end: Date }>(`SELECT ${start} AS start, ${end} AS "end"`, [
    p.timeZone,
    p.from,
    p.to,
  ]);
  return { start: new Date(rows[0].start), end: new Date(rows[0].end) };
}

type Tally = { count: number; usages: Set<string>; units: number };
/** A flag's usage always exists (usages are never deleted); this only keeps a sum total. */
const NOTHING = { billed: 0n, quantity: 0 };

export async function riskView(
  db: Db,
  reports: ReconciliationService,
  p: Period & { asOf: Date; start: Date },
  findings: { outliers: ClaimOutlier[]; rareHighValue: RareHighValueUse[] },
): Promise<ClaimsRisk> {
  const tallies = new Map<string, Map<string, Tally>>();
  const tally = (hospital: string, code: string): Tally => {
    let byCode = tallies.get(hospital);
    if (!byCode) tallies.set(hospital, (byCode = new Map()));
    let t = byCode.get(code);
    if (!t) byCode.set(code, (t = { count: 0, usages: new Set(), units: 0 }));
    return t;
  };
  let cursor: string | undefined;
  // A period that starts after the ledger's now has no activity yet.
  if (p.asOf > p.start)
    do {
      const page = await reports.report({
        from: p.start.toISOString(),
        to: p.asOf.toISOString(),
        hospital: p.hospital,
        limit: 500,
        cursor,
      });
      for (const row of page.rows)
        for (const flag of row.flags) {
          const t = tally(row.hospital, flag.code);
          t.count++;
          if (flag.code === "WASTE") t.units += Number(flag.evidence.units);
          else for (const id of flag.evidence.usageIds) t.usages.add(id);
        }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);

  const billed = await billedByUsage(db, tallies);
  const hospitals = new Set([
    ...tallies.keys(),
    ...findings.outliers.map((o) => o.hospital),
    ...findings.rareHighValue.map((r) => r.hospital),
  ]);
  const out: RiskHospital[] = [];
  for (const hospital of hospitals) {
    const lines: RiskLine[] = [];
    // Each flagged usage's bill once, however many flags name it.
    const flagged = new Set<string>();
    let flaggedBilled = 0n;
    for (const [code, t] of tallies.get(hospital) ?? []) {
      let amount = 0n;
      let units = t.units;
      for (const id of t.usages) {
        const u = billed.get(`${hospital}/${id}`) ?? NOTHING;
        amount += u.billed;
        units += u.quantity;
        if (!flagged.has(id)) flaggedBilled += u.billed;
        flagged.add(id);
      }
      lines.push({
        hospital,
        code: code as RiskLine["code"],
        count: t.count,
        usages: t.usages.size,
        units,
        amount: String(amount),
      });
    }
    const outliers = findings.outliers.filter((o) => o.hospital === hospital);
    const outlierExcess = outliers.reduce((sum, o) => sum + BigInt(o.cost) - BigInt(o.groupP95), 0n);
    if (outliers.length > 0)
      lines.push({
        hospital,
        code: "CASE_COST_OUTLIER",
        count: outliers.length,
        usages: 0,
        units: outliers.reduce((n, o) => n + o.units, 0),
        amount: String(outlierExcess),
      });
    const rare = findings.rareHighValue.filter((r) => r.hospital === hospital);
    const rareBilled = rare.reduce((sum, r) => sum + BigInt(r.billed), 0n);
    if (rare.length > 0)
      lines.push({
        hospital,
        code: "RARE_HIGH_VALUE",
        count: rare.length,
        usages: 0,
        units: rare.reduce((n, r) => n + r.units, 0),
        amount: String(rareBilled),
      });
    out.push({
      hospital,
      flaggedBilled: String(flaggedBilled),
      outlierExcess: String(outlierExcess),
      rareHighValueBilled: String(rareBilled),
      total: String(flaggedBilled + outlierExcess + rareBilled),
      lines,
    });
  }
  // Most at risk first; a tie by address, so the order never depends on the map's.
  const atRisk = (h: RiskHospital) => BigInt(h.total);
  out.sort(
    (a, b) =>
      Number(atRisk(b) - atRisk(a) > 0n) - Number(atRisk(b) - atRisk(a) < 0n) ||
      a.hospital.localeCompare(b.hospital),
  );
  return { from: p.from, to: p.to, asOf: p.asOf.toISOString(), hospitals: out };
}

/** What each flagged usage billed and how many units it counts, keyed `hospital/usageId`. */
async function billedByUsage(
  db: Db,
  tallies: Map<string, Map<string, Tally>>,
): Promise<Map<string, { billed: bigint; quantity: number }>> {
  const out = new Map<string, { billed: bigint; quantity: number }>();
  for (const [hospital, byCode] of tallies) {
    const ids = [...new Set([...byCode.values()].flatMap((t) => [...t.usages]))];
    if (ids.length === 0) continue;
    const { rows } = await db.query<{ usage_id: string; billed: string; quantity: number }>(
      `SELECT usage_id, billed_amount::text AS billed, quantity FROM usages WHERE hospital = $1 AND usage_id = ANY($2)`,
      [hospital, ids],
    );
    for (const r of rows)
      out.set(`${hospital}/${r.usage_id}`, { billed: BigInt(r.billed), quantity: Number(r.quantity) });
  }
  return out;
}
