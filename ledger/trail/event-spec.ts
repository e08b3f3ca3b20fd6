import { Type, type Static, type TObject, type TProperties } from "typebox";
import type { EventArgs } from "../events";
import type { Figures } from "./figures";

/**
 * How one ledger event becomes a trail step: the figures it carries in the canonical form
 * (figures.ts) with their schema, the step's kind, id and sentence. The gateway's trail and the
 * verifier both go through it, so a step states exactly what its log carries.
 */

/** The contracts whose events make up a trail. */
export const TRAIL_CONTRACTS = [
  "registry",
  "tenders",
  "agreements",
  "hospitals",
  "orderBook",
  "trace",
  "budgets",
  "campusTransfers",
] as const;
export type TrailContract = (typeof TRAIL_CONTRACTS)[number];

export const STEP_KINDS = [
  "qualification",
  "product",
  "tender",
  "bid",
  "bond",
  "agreement",
  "membership",
  "order",
  "approval",
  "funding",
  "budget",
  "consent",
  "cancellation",
  "closure",
  "shipment",
  "trace",
  "waiver",
  "dispute",
  "recall",
  "manifest",
  "receipt",
  "match",
  "exception",
  "resolution",
  "payment",
  "usage",
  "transfer",
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** A log's position, for the ids of events that can repeat (suspensions, cancellations, …). */
export interface LogPosition {
  blockNumber: number;
  logIndex: number;
}

export interface EventSpec {
  contract: TrailContract;
  event: string;
  kind: StepKind;
  /** The figures' schema (no other field): what a step of this event states in `data`. */
  schema: TObject;
  /** The step's `data` when it states more than the event carries (a trace step's `eventIndex`). */
  stepSchema: TObject;
  /** The event's arguments in the trail's canonical form: what a step states and verify compares. */
  figures(args: EventArgs): Figures;
  id(f: Figures, at: LogPosition): string;
  summary(f: Figures): string;
  /** The figure that is the step's time; the block's time when absent. */
  timeFigure?: string;
}

/** An event's spec as written: its figures' fields, and `figures` typed by them. */
interface EventSpecOf<P extends TProperties> extends Omit<EventSpec, "schema" | "stepSchema" | "figures"> {
  fields: P;
  /** Fields a step adds to the event's figures. */
  stepFields?: TProperties;
  figures(args: EventArgs): NoInfer<Static<TObject<P>>>;
}

/** `contract.event` → its spec, with the schemas built from the fields. */
export function spec<P extends TProperties>(s: EventSpecOf<P>): [string, EventSpec] {
  const { fields, stepFields, figures, ...rest } = s;
  const describe = (properties: TProperties) =>
    Type.Object(properties, {
      additionalProperties: false,
      title: s.event,
      description: `the figures of ${s.contract}.${s.event}`,
    });
  const schema = describe(fields);
  return [
    `${s.contract}.${s.event}`,
    {
      ...rest,
      schema,
      stepSchema: stepFields ? describe({ ...fields, ...stepFields }) : schema,
      // A Static<TObject<P>> is a Figures: every field schema is a JSON value's.
      figures: figures as (args: EventArgs) => Figures,
    },
  ];
}

/** The `@block.log` suffix of the id of an event that can repeat. */
export const pos = (at: LogPosition): string => `@${at.blockNumber}.${at.logIndex}`;
