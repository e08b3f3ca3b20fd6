import type { Campus, CampusPage, RegisterCampusRequest } from "../../api/campuses";
import type { HolderPage, StockPage, StockRow, SuggestionPage } from "../../api/stock";
import * as act from "../../ledger/acts";
import { CliError, UsageError, type CommandSpec, type Opts } from "./command";
import { chainAct } from "./options";
import { list, record, type Row } from "./output";
import type { GatewayClient } from "../lib/gateway-client";

/**
 * A hospital group's campuses and stock: register campuses (GLNs) on the gateway, read stock
 * per campus × GTIN × lot, who holds an item and the suggested moves, and record a transfer
 * between campuses on the ledger (CampusTransfers) — after the gateway says the source campus
 * holds the units, which the ledger cannot know.
 */

/** The form only: the gateway (GLN_INVALID) and the ledger (TransferInvalidGln) check the check digit. */
export function gln(o: Opts, name: string): string {
  const value = o.string(name).trim();
  if (!/^\d{13}$/.test(value)) throw new UsageError(`--${name} must be a GLN: 13 digits (got "${value}")`);
  return value;
}

function gtin(o: Opts): string {
  const value = o.string("gtin").trim();
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(value))
    throw new UsageError(`--gtin must be a GTIN-8, -12, -13 or -14 (got "${value}")`);
  return value.padStart(14, "0");
}

export async function all<P extends { items: T[]; nextCursor: string | null }, T>(
  g: GatewayClient,
  path: string,
): Promise<T[]> {
  const items: T[] = [];
  for await (const page of g.pages<P>(path)) items.push(...page.items);
  return items;
}

function stockRow(r: StockRow): Row {
  return {
    campus: r.campusName ?? r.campus,
    gtin: r.gtin,
    lot: r.lot,
    expiry: r.expiry,
    received: r.received,
    used: r.used,
    returned: r.returned,
    in: r.transferredIn,
    out: r.transferredOut,
    onHand: r.onHand,
    shortfall: r.shortfall,
  };
}

export const campusAdd: CommandSpec = {
  path: ["campus", "add"],
  summary:
    "register a campus of your hospital: a GLN and a name (the hospital account); the first is the main one",
  options: {
    gln: { type: "string", value: "<gln>", description: "13 digits with a GS1 check digit", required: true },
    name: { type: "string", value: "<name>", description: "the campus's name", required: true },
  },
  examples: ['sunshine hospital campus add --gln 6901234000017 --name "East campus"'],
  async run(ctx, o) {
    const body: RegisterCampusRequest = { gln: gln(o, "gln"), name: o.string("name") };
    const campus = await (await ctx.gateway()).post<Campus>("/v1/campuses", body);
    return { ...record({ ...campus }), json: campus };
  },
};

export const campuses: CommandSpec = {
  path: ["campuses"],
  summary: "list your hospital's campuses",
  options: {},
  examples: ["sunshine hospital campuses --gateway http://127.0.0.1:8080"],
  async run(ctx) {
    const items = await all<CampusPage, Campus>(await ctx.gateway(), "/v1/campuses");
    return list(
      items.map((c) => ({ gln: c.gln, name: c.name, main: c.main })),
      { json: items, empty: "no campuses: register one with `campus add`" },
    );
  },
};

export const stock: CommandSpec = {
  path: ["stock"],
  summary: "print stock per campus × GTIN × lot: received − used − returned ± transfers, and any shortfall",
  options: {
    campus: { type: "string", value: "<gln>", description: "only this campus" },
    gtin: { type: "string", value: "<gtin>", description: "only this item" },
  },
  examples: ["sunshine hospital stock --gateway http://127.0.0.1:8080 --gtin 09520123456788"],
  async run(ctx, o) {
    const query = new URLSearchParams();
    if (o.has("campus")) query.set("campus", gln(o, "campus"));
    if (o.has("gtin")) query.set("gtin", gtin(o));
    const items = await all<StockPage, StockRow>(await ctx.gateway(), `/v1/stock?${query}`);
    return list(items.map(stockRow), { json: items, empty: "no stock" });
  },
};

export const stockHolders: CommandSpec = {
  path: ["stock", "holders"],
  summary: "who holds an item on hand, per campus and lot, soonest expiry first",
  options: { gtin: { type: "string", value: "<gtin>", description: "the item", required: true } },
  examples: ["sunshine hospital stock holders --gtin 09520123456788"],
  async run(ctx, o) {
    const g = await ctx.gateway();
    const items = await all<HolderPage, HolderPage["items"][number]>(g, `/v1/stock/holders?gtin=${gtin(o)}`);
    return list(
      items.map((h) => ({
        campus: h.campusName ?? h.campus,
        lot: h.lot,
        expiry: h.expiry,
        onHand: h.onHand,
      })),
      { json: items, empty: "no campus holds it" },
    );
  },
};

export const stockSuggestions: CommandSpec = {
  path: ["stock", "suggestions"],
  summary:
    "suggested moves: near-expiry stock (≤ 90 days) to the fastest user, shortages (< 30 days' cover) from another campus",
  options: { gtin: { type: "string", value: "<gtin>", description: "only this item" } },
  examples: ["sunshine hospital stock suggestions --gateway http://127.0.0.1:8080"],
  async run(ctx, o) {
    const path = o.has("gtin") ? `/v1/stock/suggestions?gtin=${gtin(o)}` : "/v1/stock/suggestions";
    const items = await all<SuggestionPage, SuggestionPage["items"][number]>(await ctx.gateway(), path);
    return list(
      items.map((s) => ({
        kind: s.kind,
        gtin: s.gtin,
        lot: s.lot,
        from: s.from,
        to: s.to,
        quantity: s.quantity,
        reason: s.reason,
      })),
      { json: items, empty: "no moves to suggest" },
    );
  },
};

export const transfer: CommandSpec = {
  path: ["transfer"],
  summary: "record units of a lot moving from one campus to another on the ledger (receivers or the account)",
  details:
    "The gateway's stock of the source campus is asked first: a transfer of more units than it holds is refused here (the ledger cannot know stock). A destination that is not one of your campuses (e.g. the supplier's GLN) takes the units out of the hospital: a return.",
  options: {
    gtin: { type: "string", value: "<gtin>", description: "the item", required: true },
    lot: { type: "string", value: "<lot>", description: "the lot", required: true },
    from: { type: "string", value: "<gln>", description: "the campus the units leave", required: true },
    to: { type: "string", value: "<gln>", description: "where they go", required: true },
    quantity: { type: "string", value: "<n>", description: "units", required: true },
    serials: {
      type: "string",
      value: "<list>",
      description: "the units' serials, comma-separated, where known",
    },
  },
  examples: [
    "sunshine hospital transfer --gtin 09520123456788 --lot LOT2026A --from 6901234000017 --to 6901234000024 --quantity 5",
  ],
  async run(ctx, o) {
    const item = gtin(o);
    const lot = o.string("lot");
    const from = gln(o, "from");
    const to = gln(o, "to");
    const quantity = o.int("quantity", undefined, 1_000_000);
    if (quantity < 1) throw new UsageError("--quantity must be at least 1");
    const serials = o.has("serials") ? o.list("serials") : undefined;
    if (serials && serials.length !== quantity)
      throw new UsageError(`--serials lists ${serials.length} serial(s) for --quantity ${quantity}`);
    const query = new URLSearchParams({ campus: from, gtin: item, lot });
    const [row] = (await (await ctx.gateway()).get<StockPage>(`/v1/stock?${query}`)).items;
    const onHand = Number(row?.onHand ?? 0);
    if (onHand < quantity)
      throw new CliError(`campus ${from} holds ${onHand} unit(s) of lot ${lot}; it cannot move ${quantity}`);
    const chain = await ctx.chain();
    const id = await act.recordCampusTransfer(chain.ledger, chain.signer, {
      gtin: item,
      lot,
      from,
      to,
      quantity,
      serials,
    });
    return record(chainAct(chain, { transferId: id, gtin: item, lot, from, to, quantity }));
  },
};
