import { Type } from "typebox";
import { pos, spec } from "../event-spec";
import {
  AccountFigure,
  DecimalFigure,
  dec,
  hex,
  HospitalVolumeFigure,
  TierFigure,
  tiers,
  time,
  TimeFigure,
  volumes,
  WordFigure,
} from "../figures";
import { label } from "../../words";

/** AgreementBook's events as trail steps: an agreement awarded, and the volume moved under it. */
export const AGREEMENT_SPECS = [
  spec({
    contract: "agreements",
    event: "AgreementCreated",
    kind: "agreement",
    fields: {
      agreementId: DecimalFigure,
      tenderId: DecimalFigure,
      supplier: AccountFigure,
      category: WordFigure,
      start: TimeFigure,
      end: TimeFigure,
      tiers: Type.Array(TierFigure),
      hospitals: Type.Array(HospitalVolumeFigure),
    },
    figures: (a) => ({
      agreementId: dec(a.agreementId),
      tenderId: dec(a.tenderId),
      supplier: hex(a.supplier),
      category: hex(a.category),
      start: time(a.start),
      end: time(a.end),
      tiers: tiers(a.tiers),
      hospitals: volumes(a.hospitals, a.volumes),
    }),
    id: (f) => `agreement:${f.agreementId}`,
    summary: (f) =>
      `Agreement ${f.agreementId} from tender ${f.tenderId} with ${f.supplier} for ${label(f.category)}, ` +
      `${f.start} to ${f.end}`,
  }),
  spec({
    contract: "agreements",
    event: "AgreementVolumeChanged",
    kind: "agreement",
    fields: {
      agreementId: DecimalFigure,
      hospital: AccountFigure,
      hospitalFunded: DecimalFigure,
      acceptedVolume: DecimalFigure,
    },
    figures: (a) => ({
      agreementId: dec(a.agreementId),
      hospital: hex(a.hospital),
      hospitalFunded: dec(a.hospitalFunded),
      acceptedVolume: dec(a.acceptedVolume),
    }),
    id: (f, at) => `volume:${f.agreementId}:${f.hospital}${pos(at)}`,
    summary: (f) =>
      `Hospital ${f.hospital} now has ${f.hospitalFunded} units funded under agreement ${f.agreementId}, ` +
      `which has ${f.acceptedVolume} units accepted; prices follow the accepted volume`,
  }),
];
