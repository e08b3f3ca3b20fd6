import { createHash } from "node:crypto";
import type { Stocktake, StocktakePage, StocktakeRequest } from "../../api/stock";
import { readInput, UsageError, type CommandSpec } from "./command";
import { list, record, type Row } from "./output";
import { all, gln } from "./stock";

/**
 * The stocktake: a campus's shelf scans sent to the gateway (POST /v1/stock/stocktakes), which
 * raises each lot whose count differs from the records' balance as an exception; and the list of
 * past stocktakes with their differences.
 */
/** A count's differences as rows: each lot whose count is not the records' balance. */
function differenceRows(s: Stocktake): Row[] {
  return s.differences.map((d) => ({
    gtin: d.gtin,
    lot: d.lot,
    expected: d.expected,
    counted: d.counted,
    difference:
      d.counted < d.expected ? `${d.expected - d.counted} missing` : `${d.counted - d.expected} extra`,
    exception: d.exceptionId,
  }));
}

export const stocktake: CommandSpec = {
  path: ["stocktake"],
  summary:
    "count a campus's shelf: send its scans; each lot whose count differs from the records becomes an exception",
  details:
    "Give the scans with --scan (repeatable, one GS1 scan each: bracketed, raw or Digital Link) or --file (one scan per line, blank lines ignored). Every lot the campus holds by the records and not scanned counts as 0. A serial scanned twice counts once. The Idempotency-Key is a hash of the campus, the scans and the day (UTC), so sending the same count again the same day (a retry after a lost answer) records it once; a recount another day is a new stocktake. The hospital's receivers and account.",
  options: {
    campus: { type: "string", value: "<gln>", description: "the campus counted", required: true },
    scan: { type: "string", value: "<gs1>", description: "a scanned unit", multiple: true },
    file: { type: "string", value: "<scans.txt>", description: "the scans, one per line" },
  },
  examples: [
    "sunshine hospital stocktake --campus 6901234000108 --scan '(01)09520123456788(10)DES2611A(21)S0001' --scan '(01)09520123456788(10)DES2611A(21)S0002'",
    "sunshine hospital stocktake --campus 6901234000108 --file shelf.txt --gateway http://127.0.0.1:8080",
  ],
  async run(ctx, o) {
    const campus = gln(o, "campus");
    if (o.has("scan") === o.has("file"))
      throw new UsageError("give the scans with --scan or --file (one of them)");
    const scans = o.has("file")
      ? readInput(o.string("file"), "--file")
          .toString("utf8")
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter((l) => l !== "")
      : o.repeated("scan");
    const body: StocktakeRequest = { campus, lines: scans.map((barcode) => ({ barcode })) };
    const key = createHash("sha256")
      .update(JSON.stringify([campus, scans, new Date().toISOString().slice(0, 10)]))
      .digest("hex");
    const taken = await (
      await ctx.gateway()
    ).post<Stocktake>("/v1/stock/stocktakes", body, {
      "Idempotency-Key": key,
    });
    return {
      kind: "sections",
      sections: [
        record({
          stocktake: taken.id,
          campus: taken.campus,
          countedAt: taken.countedAt,
          scans: scans.length,
          differences: taken.differences.length,
        }),
        list(differenceRows(taken), { empty: "the shelf matches the records" }),
      ],
      json: taken,
    };
  },
};

export const stocktakes: CommandSpec = {
  path: ["stocktake", "list"],
  summary: "list your hospital's stocktakes with their differences, newest first",
  options: { campus: { type: "string", value: "<gln>", description: "only this campus" } },
  examples: ["sunshine hospital stocktake list --campus 6901234000108 --gateway http://127.0.0.1:8080"],
  async run(ctx, o) {
    const path = o.has("campus") ? `/v1/stock/stocktakes?campus=${gln(o, "campus")}` : "/v1/stock/stocktakes";
    const items = await all<StocktakePage, Stocktake>(await ctx.gateway(), path);
    return list(
      items.flatMap((s) => {
        const head = { stocktake: s.id, campus: s.campus, countedAt: s.countedAt };
        return s.differences.length
          ? differenceRows(s).map((d) => ({ ...head, ...d }))
          : [
              {
                ...head,
                gtin: null,
                lot: null,
                expected: null,
                counted: null,
                difference: "none",
                exception: null,
              },
            ];
      }),
      { json: items, empty: "no stocktakes: count a campus with `stocktake --campus <gln> --scan …`" },
    );
  },
};
