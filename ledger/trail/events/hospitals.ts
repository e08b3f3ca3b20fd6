import { Type } from "typebox";
import { HOSPITAL_ROLES } from "../../roles";
import { pos, spec } from "../event-spec";
import { AccountFigure, DecimalFigure, dec, hex, int, rolesOf, SmallFigure, WordFigure } from "../figures";

const Roles = Type.With(SmallFigure, {
  description: `role bits: ${Object.entries(HOSPITAL_ROLES)
    .map(([name, bit]) => `${bit} ${name}`)
    .join(", ")}; 0 for none`,
});

/** HospitalRegistry's events as trail steps: enrolment, approval thresholds and membership. */
export const HOSPITAL_SPECS = [
  spec({
    contract: "hospitals",
    event: "HospitalEnrolled",
    kind: "membership",
    fields: { hospital: AccountFigure, nameHash: WordFigure, regulator: AccountFigure },
    figures: (a) => ({ hospital: hex(a.hospital), nameHash: hex(a.nameHash), regulator: hex(a.regulator) }),
    id: (f) => `hospital:${f.hospital}`,
    summary: (f) => `Regulator ${f.regulator} enrolled hospital ${f.hospital}`,
  }),
  spec({
    contract: "hospitals",
    event: "ApprovalThresholdChanged",
    kind: "membership",
    fields: { hospital: AccountFigure, threshold: DecimalFigure },
    figures: (a) => ({ hospital: hex(a.hospital), threshold: dec(a.threshold) }),
    id: (f, at) => `threshold:${f.hospital}${pos(at)}`,
    summary: (f) =>
      `Hospital ${f.hospital} set its approval threshold to ${f.threshold}: an order placed while its approved ` +
      `value under the agreement (draining one threshold per 30 days) would pass it needs two approvers`,
  }),
  spec({
    contract: "hospitals",
    event: "MemberInvited",
    kind: "membership",
    fields: { hospital: AccountFigure, member: AccountFigure, roles: Roles },
    figures: (a) => ({ hospital: hex(a.hospital), member: hex(a.member), roles: int(a.roles) }),
    id: (f, at) => `member:${f.hospital}:${f.member}:invited${pos(at)}`,
    summary: (f) =>
      int(f.roles) === 0
        ? `Hospital ${f.hospital} withdrew its invitation to ${f.member}`
        : `Hospital ${f.hospital} invited ${f.member} as ${rolesOf(int(f.roles)).join(", ")}`,
  }),
  spec({
    contract: "hospitals",
    event: "HospitalMemberChanged",
    kind: "membership",
    fields: { hospital: AccountFigure, member: AccountFigure, roles: Roles },
    figures: (a) => ({ hospital: hex(a.hospital), member: hex(a.member), roles: int(a.roles) }),
    id: (f, at) => `member:${f.hospital}:${f.member}${pos(at)}`,
    summary: (f) =>
      int(f.roles) === 0
        ? `${f.member} is no longer a member of hospital ${f.hospital}`
        : `${f.member} is a member of hospital ${f.hospital} as ${rolesOf(int(f.roles)).join(", ")}`,
  }),
  spec({
    contract: "hospitals",
    event: "MemberLeft",
    kind: "membership",
    fields: { hospital: AccountFigure, member: AccountFigure },
    figures: (a) => ({ hospital: hex(a.hospital), member: hex(a.member) }),
    id: (f, at) => `member:${f.hospital}:${f.member}:left${pos(at)}`,
    summary: (f) => `${f.member} left hospital ${f.hospital}`,
  }),
  spec({
    contract: "hospitals",
    event: "MemberUnbound",
    kind: "membership",
    fields: {
      hospital: AccountFigure,
      member: AccountFigure,
      regulator: AccountFigure,
      reasonCode: SmallFigure,
    },
    figures: (a) => ({
      hospital: hex(a.hospital),
      member: hex(a.member),
      regulator: hex(a.regulator),
      reasonCode: int(a.reasonCode),
    }),
    id: (f, at) => `member:${f.hospital}:${f.member}:unbound${pos(at)}`,
    summary: (f) =>
      `Regulator ${f.regulator} unbound ${f.member} from hospital ${f.hospital} (reason ${f.reasonCode})`,
  }),
];
