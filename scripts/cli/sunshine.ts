import type { SunshineAwardPage, SunshinePrices, SunshineScorecards } from "../../api/sunshine";
import type { GroupSpec } from "./command";
import { list } from "./output";

/**
 * The public sunshine figures (GET /v1/sunshine/*): anyone, no key — a journalist's or an
 * auditor's script reads the awards and the prices hospitals paid and billed.
 */
export const publicGroup: GroupSpec = {
  name: "public",
  summary: "the public sunshine figures: awards and the prices hospitals paid and billed (no key)",
  commands: [
    {
      path: ["awards"],
      summary:
        "every award: category, winner and its standing, tier prices, committed volume, term, transaction",
      options: {},
      examples: ["sunshine public awards --gateway http://127.0.0.1:8080"],
      async run(ctx) {
        const gateway = await ctx.gateway(false);
        const rows = [];
        for await (const page of gateway.pages<SunshineAwardPage>("/v1/sunshine/awards?limit=500"))
          for (const a of page.items)
            rows.push({
              agreement: a.agreementId,
              category: a.categoryName,
              supplier: a.supplierName,
              standing: a.supplierStatus,
              qualifiedUntil: a.qualifiedUntil,
              tiers: a.tiers.map((t) => `${t.threshold}:${t.unitPrice}`).join(" "),
              committed: a.commitments.reduce((n, c) => n + BigInt(c.committed), 0n),
              start: a.startAt,
              end: a.endAt,
              tx: a.awardTx,
            });
        return list(rows, { empty: "no awards" });
      },
    },
    {
      path: ["prices"],
      summary:
        "per item, the unit price each hospital paid and billed (fen), with the spread across hospitals",
      details:
        "An item is flagged when its paid or billed prices across hospitals differ by more than --spread-percent (default: the gateway's PRICE_SPREAD_PERCENT).",
      options: {
        "spread-percent": { type: "string", value: "<n>", description: "the flag's threshold, 0–1000" },
        flagged: { type: "boolean", description: "only the flagged items" },
      },
      examples: ["sunshine public prices --flagged --spread-percent 5"],
      async run(ctx, o) {
        const query = new URLSearchParams();
        if (o.has("spread-percent"))
          query.set("spreadPercent", String(o.int("spread-percent", undefined, 1_000)));
        if (o.flag("flagged")) query.set("flaggedOnly", "true");
        const gateway = await ctx.gateway(false);
        const prices = await gateway.get<SunshinePrices>(`/v1/sunshine/prices?${query}`);
        const rows = prices.items.flatMap((item) =>
          item.hospitals.map((h) => ({
            gtin: item.gtin,
            category: item.categoryName,
            hospital: h.hospitalName ?? h.hospital,
            accepted: h.acceptedUnits,
            paidPerUnit: h.paidPerUnit,
            billedPerUnit: h.billedPerUnit,
            paidSpread: percent(item.paid.spreadPercent),
            billedSpread: item.billed === null ? null : percent(item.billed.spreadPercent),
            flagged: item.flagged,
          })),
        );
        const empty = o.flag("flagged")
          ? `no item flagged: no paid or billed prices differ across hospitals by more than ${prices.spreadPercent} %`
          : "no settled items";
        return list(rows, { empty, json: prices });
      },
    },
    {
      path: ["scorecards"],
      summary:
        "each supplier's record: on-time deliveries, short and over, excursions, recalls, suspensions, lapsed documents, days to payment",
      options: {},
      examples: ["sunshine public scorecards --json"],
      async run(ctx) {
        const gateway = await ctx.gateway(false);
        const cards = await gateway.get<SunshineScorecards>("/v1/sunshine/scorecards");
        const rows = cards.items.map((c) => ({
          supplier: c.supplierName,
          standing: c.supplierStatus,
          deliveries: c.deliveries,
          onTime: c.onTimePercent === null ? null : `${c.onTimePercent}%`,
          short: c.shortDeliveries,
          over: c.overDeliveries,
          excursions: c.excursions,
          recalls: c.recalls,
          suspensions: c.suspensions,
          lapses: c.documentLapses,
          daysToPayment: c.medianDaysToPayment,
        }));
        return list(rows, { empty: "no suppliers", json: cards });
      },
    },
  ],
};

/** A spread as printed: null when the lowest price is 0 (no ratio; the item is flagged). */
const percent = (p: number | null) => (p === null ? "lowest price 0" : `${p}%`);
