/**
 * What the trail explorer looks up, as the page's address holds it (?by=lot&gtin=…&lot=…), and
 * the gateway's path of its trail (GET /v1/trail/…; …/verify and …/epcis hang below it).
 */
export type TrailSearch =
  | { by: "order"; id: string }
  | { by: "lot"; gtin: string; lot: string }
  | { by: "serial"; gtin: string; serial: string };

export type SearchBy = TrailSearch["by"];

export function searchFromParams(params: URLSearchParams): TrailSearch | null {
  const get = (name: string) => params.get(name)?.trim() || "";
  const by = params.get("by");
  if (by === "order" && get("id")) return { by, id: get("id") };
  if (by === "lot" && get("gtin") && get("lot")) return { by, gtin: get("gtin"), lot: get("lot") };
  if (by === "serial" && get("gtin") && get("serial"))
    return { by, gtin: get("gtin"), serial: get("serial") };
  return null;
}

export function trailPath(s: TrailSearch): string {
  const e = encodeURIComponent;
  switch (s.by) {
    case "order":
      return `/v1/trail/orders/${e(s.id)}`;
    case "lot":
      return `/v1/trail/lots/${e(s.gtin)}/${e(s.lot)}`;
    case "serial":
      return `/v1/trail/serials/${e(s.gtin)}/${e(s.serial)}`;
  }
}

/** The gateway exports an order's or a lot's trail as EPCIS; a serial's is not exported. */
export function epcisPath(s: TrailSearch): string | null {
  return s.by === "serial" ? null : `${trailPath(s)}/epcis`;
}
