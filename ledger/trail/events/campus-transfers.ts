import { Type } from "typebox";
import { pos, spec } from "../event-spec";
import {
  AccountFigure,
  DecimalFigure,
  dec,
  GtinFigure,
  gtin14,
  hex,
  LotFigure,
  time,
  TimeFigure,
  WordFigure,
} from "../figures";

/** A GS1 GLN as its log carries it: a uint64, which the contract takes only as 13 digits with a check digit. */
const GlnFigure = Type.With(DecimalFigure, { description: "a GS1 Global Location Number" });

/**
 * CampusTransfers' events as trail steps: units of the trail's lots moving between the locations
 * of a hospital the trail's shipments went to (its campuses), or out of it.
 */
export const CAMPUS_TRANSFER_SPECS = [
  spec({
    contract: "campusTransfers",
    event: "CampusTransferRecorded",
    kind: "transfer",
    fields: {
      transferId: DecimalFigure,
      hospital: AccountFigure,
      gtin: GtinFigure,
      lot: LotFigure,
      fromGln: GlnFigure,
      toGln: GlnFigure,
      quantity: DecimalFigure,
      serialRoot: Type.With(WordFigure, {
        description: "Merkle root of the moved units' serials; zero when they are not known",
      }),
      recordedBy: AccountFigure,
      at: TimeFigure,
    },
    figures: (a) => ({
      transferId: dec(a.transferId),
      hospital: hex(a.hospital),
      gtin: gtin14(a.gtin),
      lot: String(a.lot),
      fromGln: dec(a.fromGln),
      toGln: dec(a.toGln),
      quantity: dec(a.quantity),
      serialRoot: hex(a.serialRoot),
      recordedBy: hex(a.recordedBy),
      at: time(a.at),
    }),
    id: (f, at) => `transfer:${f.transferId}${pos(at)}`,
    summary: (f) =>
      `${f.quantity} unit(s) of lot ${f.lot} of GTIN ${f.gtin} moved from location ${f.fromGln} to ${f.toGln} ` +
      `in hospital ${f.hospital}'s custody, recorded by ${f.recordedBy}`,
    timeFigure: "at",
  }),
];
