import type { FulfilmentHospital } from "../../../../api/fulfilment";
import type { OrderSummary } from "../../../../api/orders";
import type { Trail } from "../../../../api/trail";

/**
 * A hospital's volume under an agreement against time, from the ledger's own steps in its
 * orders' trails: ordered units rise when an order is funded (its whole quantity) and fall
 * when units are cancelled; accepted units rise with each settlement. Beside them, the
 * commitment, the even pace that would meet it over the term, and the pace still needed from
 * now to the end of the term.
 */

export type Point = [time: number, units: number];

export interface FulfilmentSeries {
  ordered: Point[];
  accepted: Point[];
  committed: Point[];
  evenPace: Point[];
  neededPace: Point[];
}

export function fulfilmentSeries(input: {
  startAt: string;
  endAt: string;
  asOf: string;
  row: FulfilmentHospital;
  orders: OrderSummary[];
  trails: Trail[];
}): FulfilmentSeries {
  const start = Date.parse(input.startAt);
  const end = Date.parse(input.endAt);
  const now = Math.min(Date.parse(input.asOf), end);
  const quantity = new Map(input.orders.map((o) => [o.id, Number(o.quantity)]));
  const orderedSteps: Point[] = [];
  const acceptedSteps: Point[] = [];
  for (const trail of input.trails) {
    for (const step of trail.steps) {
      if (step.source !== "chain") continue;
      const at = Date.parse(step.at);
      const orderId = String(step.data.orderId);
      if (step.kind === "funding" && quantity.has(orderId)) orderedSteps.push([at, quantity.get(orderId)!]);
      else if (step.kind === "cancellation" && step.data.units !== undefined)
        orderedSteps.push([at, -Number(step.data.units)]);
      else if (step.kind === "payment" && step.data.accepted !== undefined)
        acceptedSteps.push([at, Number(step.data.accepted)]);
    }
  }
  const committed = Number(input.row.committed);
  const acceptedNow = Number(input.row.accepted);
  return {
    ordered: cumulative(orderedSteps, start, now),
    accepted: cumulative(acceptedSteps, start, now),
    committed: [
      [start, committed],
      [end, committed],
    ],
    evenPace: [
      [start, 0],
      [end, committed],
    ],
    neededPace:
      now < end
        ? [
            [now, acceptedNow],
            [end, Math.max(committed, acceptedNow)],
          ]
        : [],
  };
}

/** A running total as a step line from `start` (0) to `now`. */
function cumulative(changes: Point[], start: number, now: number): Point[] {
  const points: Point[] = [[start, 0]];
  let total = 0;
  for (const [at, delta] of [...changes].sort((a, b) => a[0] - b[0])) {
    total += delta;
    points.push([at, total]);
  }
  points.push([now, total]);
  return points;
}
