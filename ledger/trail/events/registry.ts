import { Type } from "typebox";
import { DOCUMENT_KINDS, ISSUING_AGENCIES } from "../../enums";
import { pos, spec } from "../event-spec";
import {
  AccountFigure,
  DecimalFigure,
  dec,
  GtinFigure,
  gtin14,
  hex,
  int,
  kindsOf,
  list,
  SmallFigure,
  time,
  TimeFigure,
  WordFigure,
} from "../figures";
import { label } from "../../words";

/** SupplierRegistry's events as trail steps: qualification, documents, product registrations. */
export const REGISTRY_SPECS = [
  spec({
    contract: "registry",
    event: "SupplierRegistered",
    kind: "qualification",
    fields: {
      supplier: AccountFigure,
      name: Type.With(WordFigure, { description: "the name, packed as bytes32 text" }),
      registrationId: WordFigure,
      registeredAt: TimeFigure,
    },
    figures: (a) => ({
      supplier: hex(a.supplier),
      name: hex(a.name),
      registrationId: hex(a.registrationId),
      registeredAt: time(a.registeredAt),
    }),
    id: (f) => `registration:${f.supplier}`,
    summary: (f) => `Supplier ${f.supplier} registered as ${label(f.name)} (${label(f.registrationId)})`,
  }),
  spec({
    contract: "registry",
    event: "DocumentFiled",
    kind: "qualification",
    fields: {
      documentId: DecimalFigure,
      supplier: AccountFigure,
      kind: Type.String({ description: `the document kind: ${DOCUMENT_KINDS.join(", ")}` }),
      sha256Digest: WordFigure,
      validFrom: TimeFigure,
      validUntil: TimeFigure,
      categories: Type.Array(WordFigure),
    },
    figures: (a) => ({
      documentId: dec(a.documentId),
      supplier: hex(a.supplier),
      kind: DOCUMENT_KINDS[int(a.kind)] ?? dec(a.kind),
      sha256Digest: hex(a.sha256Digest),
      validFrom: time(a.validFrom),
      validUntil: time(a.validUntil),
      categories: list(a.categories).map(hex),
    }),
    id: (f) => `document:${f.documentId}`,
    summary: (f) =>
      `Supplier ${f.supplier} filed ${f.kind} document ${f.documentId}, valid ${f.validFrom} to ${f.validUntil}, ` +
      `for ${list(f.categories).map(label).join(", ")}`,
  }),
  spec({
    contract: "registry",
    event: "ProductsDeclared",
    kind: "product",
    fields: { documentId: DecimalFigure, supplier: AccountFigure, gtins: Type.Array(GtinFigure) },
    figures: (a) => ({
      documentId: dec(a.documentId),
      supplier: hex(a.supplier),
      gtins: list(a.gtins).map(gtin14),
    }),
    id: (f) => `products:${f.documentId}`,
    summary: (f) =>
      `Supplier ${f.supplier}'s product registration ${f.documentId} lists GTIN ${list(f.gtins).join(", ")}`,
  }),
  spec({
    contract: "registry",
    event: "DeviceIdentifierDeclared",
    kind: "product",
    fields: {
      productKey: GtinFigure,
      supplier: AccountFigure,
      agency: Type.String({ description: "the issuing agency: MA or AHM" }),
      deviceIdentifier: Type.String({ description: "the device identifier as the agency issued it" }),
    },
    figures: (a) => ({
      productKey: gtin14(a.productKey),
      supplier: hex(a.supplier),
      agency: ISSUING_AGENCIES[int(a.agency)] ?? dec(a.agency),
      deviceIdentifier: String(a.deviceIdentifier),
    }),
    id: (f) => `device:${f.productKey}`,
    summary: (f) =>
      `Supplier ${f.supplier} declared ${f.agency} device identifier ${f.deviceIdentifier} as product key ${f.productKey}`,
  }),
  spec({
    contract: "registry",
    event: "DocumentAttested",
    kind: "qualification",
    fields: { documentId: DecimalFigure, supplier: AccountFigure, regulator: AccountFigure },
    figures: (a) => ({
      documentId: dec(a.documentId),
      supplier: hex(a.supplier),
      regulator: hex(a.regulator),
    }),
    id: (f) => `document:${f.documentId}:attested`,
    summary: (f) => `Regulator ${f.regulator} attested document ${f.documentId} of ${f.supplier}`,
  }),
  spec({
    contract: "registry",
    event: "GtinRegistered",
    kind: "product",
    fields: {
      supplier: AccountFigure,
      gtin: GtinFigure,
      documentId: DecimalFigure,
      validFrom: TimeFigure,
      validUntil: TimeFigure,
    },
    figures: (a) => ({
      supplier: hex(a.supplier),
      gtin: gtin14(a.gtin),
      documentId: dec(a.documentId),
      validFrom: time(a.validFrom),
      validUntil: time(a.validUntil),
    }),
    id: (f) => `gtin:${f.supplier}:${f.gtin}:${f.documentId}`,
    summary: (f) =>
      `GTIN ${f.gtin} registered to supplier ${f.supplier} from ${f.validFrom} to ${f.validUntil} ` +
      `(product registration ${f.documentId})`,
  }),
  spec({
    contract: "registry",
    event: "DocumentRejected",
    kind: "qualification",
    fields: {
      documentId: DecimalFigure,
      supplier: AccountFigure,
      regulator: AccountFigure,
      reasonCode: SmallFigure,
    },
    figures: (a) => ({
      documentId: dec(a.documentId),
      supplier: hex(a.supplier),
      regulator: hex(a.regulator),
      reasonCode: int(a.reasonCode),
    }),
    id: (f) => `document:${f.documentId}:rejected`,
    summary: (f) =>
      `Regulator ${f.regulator} rejected document ${f.documentId} of ${f.supplier} (reason ${f.reasonCode})`,
  }),
  spec({
    contract: "registry",
    event: "SupplierSuspended",
    kind: "qualification",
    fields: { supplier: AccountFigure, regulator: AccountFigure, reasonCode: SmallFigure },
    figures: (a) => ({
      supplier: hex(a.supplier),
      regulator: hex(a.regulator),
      reasonCode: int(a.reasonCode),
    }),
    id: (f, at) => `suspension:${f.supplier}${pos(at)}`,
    summary: (f) => `Regulator ${f.regulator} suspended supplier ${f.supplier} (reason ${f.reasonCode})`,
  }),
  spec({
    contract: "registry",
    event: "SupplierReinstated",
    kind: "qualification",
    fields: { supplier: AccountFigure, regulator: AccountFigure, reasonCode: SmallFigure },
    figures: (a) => ({
      supplier: hex(a.supplier),
      regulator: hex(a.regulator),
      reasonCode: int(a.reasonCode),
    }),
    id: (f, at) => `reinstatement:${f.supplier}${pos(at)}`,
    summary: (f) => `Regulator ${f.regulator} reinstated supplier ${f.supplier} (reason ${f.reasonCode})`,
  }),
  spec({
    contract: "registry",
    event: "RequiredKindsChanged",
    kind: "qualification",
    fields: {
      requiredKinds: Type.With(SmallFigure, { description: "a bitmap of document kind indexes" }),
      regulator: AccountFigure,
    },
    figures: (a) => ({ requiredKinds: int(a.requiredKinds), regulator: hex(a.regulator) }),
    id: (_f, at) => `required-kinds${pos(at)}`,
    summary: (f) =>
      `Regulator ${f.regulator} set the required qualification documents to ${kindsOf(int(f.requiredKinds)).join(", ")}`,
  }),
];
