export { parseGs1, gtinCheckDigit, isValidGln, isValidGtin, Gs1Error } from "./gs1.parser";
export type { BarcodeForm, ParsedGs1, ParseOptions, Gs1Element, Gs1ErrorCode } from "./gs1.parser";
export type { ParsedBarcode } from "../../../api/barcodes";
export { parseUdi } from "./udi.parser";
export { UdiError } from "./udi.errors";
export { toDigitalLink, CANONICAL_DIGITAL_LINK_BASE } from "./gs1.digital-link";
export type { DigitalLinkInput } from "./gs1.digital-link";
export { AI_DEFINITIONS, lookupAi } from "./gs1.ai";
export type { AiDefinition, AiComponent, CharacterSet, ContentRule } from "./gs1.ai";
