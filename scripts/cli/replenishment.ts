import type { GatewayClient } from "../lib/gateway-client";
import type {
  ForecastReport,
  ParLevel,
  ParLevelPage,
  SetParLevelRequest,
  Suggestion,
  SuggestionPage,
} from "../../api/replenishment";
import * as act from "../../ledger/acts";
import { CliError, parseGtin, parseWhole, UsageError, type CommandSpec } from "./command";
import { chainAct } from "./options";
import { orderState } from "./orders";
import { list, record, type Row } from "./output";

/**
 * Replenishment on the gateway: par levels per campus × GTIN, an item's forecast with its
 * backtest, the suggested orders, and placing one exactly as the gateway suggests it.
 */

const GLN = /^[0-9]{13}$/;

function campusOf(text: string | undefined): string | null {
  if (text === undefined) return null;
  if (!GLN.test(text)) throw new UsageError(`--campus must be a 13-digit GLN (got "${text}")`);
  return text;
}

const campusOption = {
  campus: {
    type: "string" as const,
    value: "<gln>",
    description: "the campus's GLN (default: the whole hospital)",
  },
};

function parRow(p: ParLevel): Row {
  return {
    campus: p.campus ?? "whole hospital",
    gtin: p.gtin,
    min: p.min,
    max: p.max,
    setBy: p.setBy,
    setAt: p.setAt,
  };
}

function suggestionRow(s: Suggestion): Row {
  return {
    item: s.item,
    par: `${s.min}-${s.max}`,
    onHand: s.onHand,
    onOrder: s.onOrder,
    leadDemand: s.leadTimeDays === null ? null : `${s.demandOverLeadTime} in ${s.leadTimeDays}d`,
    status: s.status,
    quantity: s.status === "order" ? s.quantity : null,
    value: s.price?.value ?? null,
    agreement: s.agreement?.id ?? null,
    budgetAfter: s.budget?.remainingAfter ?? null,
    warnings:
      [
        s.agreement?.exceedsCommitment && s.status === "order" ? "beyond commitment" : "",
        s.budget?.exceeded ? "over budget" : "",
      ]
        .filter(Boolean)
        .join(", ") || null,
  };
}

async function allSuggestions(gateway: GatewayClient): Promise<Suggestion[]> {
  const items: Suggestion[] = [];
  for await (const page of gateway.pages<SuggestionPage>("/v1/replenishment/suggestions?limit=100"))
    items.push(...page.items);
  return items;
}

export const parSet: CommandSpec = {
  path: ["par", "set"],
  summary: "set (or replace) an item's par level: min and max units on hand (account or approvers)",
  options: {
    gtin: { type: "string", value: "<gtin>", description: "GTIN-14", required: true },
    ...campusOption,
    min: {
      type: "string",
      value: "<n>",
      description: "order when stock would fall below this",
      required: true,
    },
    max: { type: "string", value: "<n>", description: "an order brings stock back to this", required: true },
  },
  examples: ["sunshine hospital par set --gtin 09520123456788 --min 15 --max 50"],
  async run(ctx, o) {
    const body: SetParLevelRequest = {
      gtin: parseGtin(o.string("gtin")),
      campus: campusOf(o.has("campus") ? o.string("campus") : undefined),
      min: Number(parseWhole(o.string("min"), "--min")),
      max: Number(parseWhole(o.string("max"), "--max")),
    };
    const gateway = await ctx.gateway();
    const par = await gateway.put<ParLevel>("/v1/replenishment/par-levels", body);
    return { ...record(parRow(par)), json: par };
  },
};

export const parShow: CommandSpec = {
  path: ["par", "show"],
  summary: "print the hospital's par levels",
  options: { gtin: { type: "string", value: "<gtin>", description: "only this GTIN" } },
  examples: ["sunshine hospital par show"],
  async run(ctx, o) {
    const gateway = await ctx.gateway();
    const gtin = o.has("gtin") ? `&gtin=${parseGtin(o.string("gtin"))}` : "";
    const items: ParLevel[] = [];
    for await (const page of gateway.pages<ParLevelPage>(`/v1/replenishment/par-levels?limit=100${gtin}`))
      items.push(...page.items);
    return list(items.map(parRow), { json: items, empty: "no par levels set" });
  },
};

export const forecastShow: CommandSpec = {
  path: ["forecast"],
  summary: "print an item's 90-day demand forecast and its 4-week backtest beside seasonal-naive's",
  options: { gtin: { type: "string", value: "<gtin>", description: "GTIN-14", required: true } },
  positional: "gtin",
  examples: ["sunshine hospital forecast --gtin 09520123456788"],
  async run(ctx, o) {
    const gateway = await ctx.gateway();
    const f = await gateway.get<ForecastReport>(
      `/v1/replenishment/forecast?gtin=${parseGtin(o.string("gtin"))}`,
    );
    const b = f.backtest;
    const wape = (w: number | null) => (w === null ? "n/a" : `${w.toFixed(1)}%`);
    return {
      ...record({
        gtin: f.gtin,
        method: f.method,
        params:
          f.params &&
          `alpha ${f.params.alpha}, beta ${f.params.beta}, gamma ${f.params.gamma}, damping ${f.params.damping}`,
        historyDays: f.history.length,
        next7Days: f.forecast
          .slice(0, 7)
          .map((d) => d.units.toFixed(2))
          .join(" "),
        next90Days: f.total.toFixed(1),
        backtest: b && `last ${b.holdoutDays} days from ${b.from}: ${b.actual} used`,
        model: b && `MAE ${b.model.mae.toFixed(3)}/day, WAPE ${wape(b.model.wape)}`,
        seasonalNaive: b && `MAE ${b.seasonalNaive.mae.toFixed(3)}/day, WAPE ${wape(b.seasonalNaive.wape)}`,
      }),
      json: f,
    };
  },
};

export const suggestionsShow: CommandSpec = {
  path: ["suggestions"],
  summary: "print each par level's suggested order: quantity, tier price, budget effect",
  details:
    "quantity = max − (on hand + on order) + the forecast demand over the agreement's lead time, when on hand + on order − that demand is below min.",
  options: {},
  examples: ["sunshine hospital suggestions"],
  async run(ctx) {
    const items = await allSuggestions(await ctx.gateway());
    return list(items.map(suggestionRow), { json: items, empty: "no par levels set" });
  },
};

export const suggestionPlace: CommandSpec = {
  path: ["suggestion", "place"],
  summary: "place an item's suggested order exactly as the gateway suggests it; it then awaits approval",
  options: {
    gtin: { type: "string", value: "<gtin>", description: "GTIN-14", required: true },
    ...campusOption,
  },
  examples: ["sunshine hospital suggestion place --gtin 09520123456788"],
  async run(ctx, o) {
    const gtin = parseGtin(o.string("gtin"));
    const campus = campusOf(o.has("campus") ? o.string("campus") : undefined);
    const item = `${campus ?? "ALL"}/${gtin}`;
    const suggestion = (await allSuggestions(await ctx.gateway())).find((s) => s.item === item);
    if (!suggestion) throw new CliError(`no par level for ${item}: set one with sunshine hospital par set`);
    if (!suggestion.place)
      throw new CliError(`nothing to order for ${item}: its status is ${suggestion.status}`);
    const { place } = suggestion;
    const chain = await ctx.chain();
    const orderId = await act.placeOrder(chain.ledger, chain.signer, {
      agreementId: BigInt(place.agreementId),
      quantity: BigInt(place.quantity),
      requestedDelivery: place.requestedDelivery,
      reference: place.reference,
    });
    return record(
      chainAct(chain, {
        ...(await orderState(chain, orderId)),
        reference: place.reference,
        value: suggestion.price?.value,
      }),
    );
  },
};

export const replenishmentCommands = [parSet, parShow, forecastShow, suggestionsShow, suggestionPlace];
