/**
 * GS1 Application Identifier table.
 *
 * Facts (lengths, character sets, content rules, mandatory and invalid pairings, Digital Link roles)
 * are taken from the GS1 Barcode Syntax Dictionary (github.com/gs1/gs1-syntax-engine,
 * src/c-lib/gs1-syntax-dictionary.txt, 2025 release), expressed in this project's own structure.
 * When GS1 publishes new AIs, add them here; the parsers derive everything else from this table.
 */

/** N: digits; X: GS1 character set 82; Y: GS1 character set 39; Z: GS1 character set 64 (base64url). */
export type CharacterSet = "N" | "X" | "Y" | "Z";

/** Content rules attached to a component, named as in the GS1 Barcode Syntax Tests. */
export type ContentRule =
  | "csum"
  | "csumalpha"
  | "yymmd0"
  | "yymmdd"
  | "yyyymmdd"
  | "hh"
  | "mi"
  | "ss"
  | "hhmi"
  | "zero"
  | "nonzero"
  | "yesno"
  | "winding"
  | "pieceoftotal"
  | "hyphen"
  | "nozeroprefix"
  | "hasnondigit"
  | "latitude"
  | "longitude"
  | "pcenc"
  | "posinseqslash"
  | "iso5218"
  | "mediatype"
  | "importeridx"
  | "iban"
  | "iso3166"
  | "iso3166999"
  | "iso3166alpha2"
  | "iso4217"
  | "packagetype"
  | "couponcode"
  | "couponposoffer"
  | "gcppos1"
  | "gcppos2";

export interface AiComponent {
  readonly cset: CharacterSet;
  readonly min: number;
  readonly max: number;
  /** Optional components only ever trail the mandatory ones. */
  readonly optional: boolean;
  readonly rules: readonly ContentRule[];
}

export interface AiDefinition {
  readonly ai: string;
  /** GS1 data title, as printed in human readable text. */
  readonly title: string;
  /** Short description used in error messages. */
  readonly label: string;
  /** Predefined-length AI: no GS/FNC1 separator is needed after it, even when it is not last. */
  readonly predefinedLength: boolean;
  /** The AI is a GS1 identification key. */
  readonly identificationKey: boolean;
  /** The AI may appear as a data attribute in the query string of a GS1 Digital Link URI. */
  readonly dlDataAttribute: boolean;
  readonly components: readonly AiComponent[];
  /**
   * Mandatory associations. Every entry must be satisfied; an entry is satisfied when any one of its
   * alternatives is fully present. An alternative is a list of AIs or patterns ("31nn": n is any digit).
   */
  readonly requires: readonly (readonly (readonly string[])[])[];
  /** AIs or patterns that must not appear together with this AI (the AI itself never conflicts). */
  readonly excludes: readonly string[];
  /**
   * Present when the AI is a Digital Link primary key: each entry is an allowed sequence of key
   * qualifiers, any subset of which may follow the key in the URI path, in that order.
   */
  readonly dlQualifiers?: readonly (readonly string[])[];
  /** The last AI digit gives the number of decimal places of the (last) numeric component. */
  readonly impliedDecimalPoint: boolean;
}

const fixed = (cset: CharacterSet, length: number, ...rules: ContentRule[]): AiComponent => ({
  cset,
  min: length,
  max: length,
  optional: false,
  rules,
});
const upTo = (cset: CharacterSet, max: number, ...rules: ContentRule[]): AiComponent => ({
  cset,
  min: 1,
  max,
  optional: false,
  rules,
});
const optional = (component: AiComponent): AiComponent => ({ ...component, optional: true });

const n = (length: number, ...rules: ContentRule[]) => fixed("N", length, ...rules);
const x = (length: number, ...rules: ContentRule[]) => fixed("X", length, ...rules);
const nv = (max: number, ...rules: ContentRule[]) => upTo("N", max, ...rules);
const xv = (max: number, ...rules: ContentRule[]) => upTo("X", max, ...rules);

interface Options {
  label?: string;
  predefinedLength?: boolean;
  key?: boolean;
  dlAttr?: boolean;
  /** Each string is one mandatory association: comma-separated alternatives, "+" joins AIs within one. */
  req?: string[];
  ex?: string[];
  /** Alternative qualifier sequences; [] marks a primary key that takes no qualifiers. */
  dlpkey?: string[][];
  impliedDecimalPoint?: boolean;
}

// Flag combinations shared by most AIs, named once to keep the table readable.
const PREDEF = { predefinedLength: true, dlAttr: true } as const;
const ATTR = { dlAttr: true } as const;
const WITH_TRADE_ITEM = ["01,02,03,8006,8026"];

function define(ai: string, title: string, components: AiComponent[], options: Options = {}): AiDefinition {
  return {
    ai,
    title,
    label: options.label ?? title,
    predefinedLength: options.predefinedLength ?? false,
    identificationKey: options.key ?? false,
    dlDataAttribute: options.dlAttr ?? false,
    components,
    requires: (options.req ?? []).map((entry) =>
      entry.split(",").map((alternative) => alternative.split("+")),
    ),
    excludes: options.ex ?? [],
    dlQualifiers: options.dlpkey,
    impliedDecimalPoint: options.impliedDecimalPoint ?? false,
  };
}

function range(
  first: string,
  last: string,
  title: (ai: string) => string,
  components: AiComponent[],
  options: Options,
): AiDefinition[] {
  const defs: AiDefinition[] = [];
  for (let code = Number(first); code <= Number(last); code++) {
    const ai = String(code).padStart(first.length, "0");
    defs.push(define(ai, title(ai), components, options));
  }
  return defs;
}

/** Trade measures 3nn0-3nn5: six digits, implied decimal point, one decimal variant per message. */
function measure(prefix: string, title: string, req: string): AiDefinition[] {
  return range(`${prefix}0`, `${prefix}5`, () => title, [n(6)], {
    ...PREDEF,
    req: [req],
    ex: [`${prefix}n`],
    impliedDecimalPoint: true,
  });
}

const countryList = [
  n(3, "iso3166"),
  optional(n(3, "iso3166")),
  optional(n(3, "iso3166")),
  optional(n(3, "iso3166")),
  optional(n(3, "iso3166")),
];
const PRICED_BY_MEASURE = "30,31nn,32nn,35nn,36nn";

export const AI_DEFINITIONS: readonly AiDefinition[] = [
  define("00", "SSCC", [n(18, "csum", "gcppos2")], { ...PREDEF, key: true, dlpkey: [[]] }),
  define("01", "GTIN", [n(14, "csum", "gcppos2")], {
    ...PREDEF,
    key: true,
    ex: ["255", "37"],
    dlpkey: [["22", "10", "21"], ["235"]],
  }),
  define("02", "CONTENT", [n(14, "csum", "gcppos2")], {
    ...PREDEF,
    label: "GTIN of contained trade items",
    ex: ["01", "03"],
    req: ["37"],
  }),
  define("03", "MTO GTIN", [n(14, "csum", "gcppos2")], {
    predefinedLength: true,
    label: "made-to-order GTIN",
    ex: ["01", "02", "37"],
  }),
  define("10", "BATCH/LOT", [xv(20)], { ...ATTR, label: "batch/lot", req: WITH_TRADE_ITEM }),
  define("11", "PROD DATE", [n(6, "yymmd0")], { ...PREDEF, label: "production date", req: WITH_TRADE_ITEM }),
  define("12", "DUE DATE", [n(6, "yymmd0")], { ...PREDEF, label: "due date", req: ["8020"] }),
  define("13", "PACK DATE", [n(6, "yymmd0")], { ...PREDEF, label: "packaging date", req: WITH_TRADE_ITEM }),
  define("15", "BEST BEFORE or BEST BY", [n(6, "yymmd0")], {
    ...PREDEF,
    label: "best before date",
    req: WITH_TRADE_ITEM,
  }),
  define("16", "SELL BY", [n(6, "yymmd0")], { ...PREDEF, label: "sell by date", req: WITH_TRADE_ITEM }),
  define("17", "USE BY or EXPIRY", [n(6, "yymmd0")], {
    ...PREDEF,
    label: "expiry date",
    req: ["01,02,03,255,8006,8026"],
  }),
  define("20", "VARIANT", [n(2)], { ...PREDEF, label: "variant", req: ["01,02,8006,8026"] }),
  define("21", "SERIAL", [xv(20)], { label: "serial", req: ["01,03,8006"], ex: ["235"] }),
  define("22", "CPV", [xv(20)], { label: "consumer product variant", req: ["01"] }),
  define("235", "TPX", [xv(28)], { label: "third party controlled serialised extension", req: ["01"] }),
  define("240", "ADDITIONAL ID", [xv(30)], { ...ATTR, req: ["01,02,8006,8026"] }),
  define("241", "CUST. PART No.", [xv(30)], { ...ATTR, req: ["01,02,8006,8026"] }),
  define("242", "MTO VARIANT", [nv(6)], { ...ATTR, req: ["01,02,8006,8026"] }),
  define("243", "PCN", [xv(20)], { ...ATTR, req: ["01"] }),
  define("250", "SECONDARY SERIAL", [xv(30)], { ...ATTR, req: ["01,8006", "21"] }),
  define("251", "REF. TO SOURCE", [xv(30)], { ...ATTR, req: ["01,8006"] }),
  define("253", "GDTI", [n(13, "csum", "gcppos1"), optional(xv(17))], { ...ATTR, key: true, dlpkey: [[]] }),
  define("254", "GLN EXTENSION COMPONENT", [xv(20)], { req: ["414"] }),
  define("255", "GCN", [n(13, "csum", "gcppos1"), optional(nv(12))], {
    ...ATTR,
    key: true,
    dlpkey: [[]],
    ex: ["01", "02", "415", "8006", "8020", "8026"],
  }),
  define("30", "VAR. COUNT", [nv(8)], { ...ATTR, label: "variable count", req: ["01,02"] }),
  ...measure("310", "NET WEIGHT (kg)", "01,02"),
  ...measure("311", "LENGTH (m)", "01,02"),
  ...measure("312", "WIDTH (m)", "01,02"),
  ...measure("313", "HEIGHT (m)", "01,02"),
  ...measure("314", "AREA (m²)", "01,02"),
  ...measure("315", "NET VOLUME (l)", "01,02"),
  ...measure("316", "NET VOLUME (m³)", "01,02"),
  ...measure("320", "NET WEIGHT (lb)", "01,02"),
  ...measure("321", "LENGTH (in)", "01,02"),
  ...measure("322", "LENGTH (ft)", "01,02"),
  ...measure("323", "LENGTH (yd)", "01,02"),
  ...measure("324", "WIDTH (in)", "01,02"),
  ...measure("325", "WIDTH (ft)", "01,02"),
  ...measure("326", "WIDTH (yd)", "01,02"),
  ...measure("327", "HEIGHT (in)", "01,02"),
  ...measure("328", "HEIGHT (ft)", "01,02"),
  ...measure("329", "HEIGHT (yd)", "01,02"),
  ...measure("330", "GROSS WEIGHT (kg)", "00,01"),
  ...measure("331", "LENGTH (m), log", "00,01"),
  ...measure("332", "WIDTH (m), log", "00,01"),
  ...measure("333", "HEIGHT (m), log", "00,01"),
  ...measure("334", "AREA (m²), log", "00,01"),
  ...measure("335", "VOLUME (l), log", "00,01"),
  ...measure("336", "VOLUME (m³), log", "00,01"),
  ...measure("337", "KG PER m²", "01"),
  ...measure("340", "GROSS WEIGHT (lb)", "00,01"),
  ...measure("341", "LENGTH (in), log", "00,01"),
  ...measure("342", "LENGTH (ft), log", "00,01"),
  ...measure("343", "LENGTH (yd), log", "00,01"),
  ...measure("344", "WIDTH (in), log", "00,01"),
  ...measure("345", "WIDTH (ft), log", "00,01"),
  ...measure("346", "WIDTH (yd), log", "00,01"),
  ...measure("347", "HEIGHT (in), log", "00,01"),
  ...measure("348", "HEIGHT (ft), log", "00,01"),
  ...measure("349", "HEIGHT (yd), log", "00,01"),
  ...measure("350", "AREA (in²)", "01,02"),
  ...measure("351", "AREA (ft²)", "01,02"),
  ...measure("352", "AREA (yd²)", "01,02"),
  ...measure("353", "AREA (in²), log", "00,01"),
  ...measure("354", "AREA (ft²), log", "00,01"),
  ...measure("355", "AREA (yd²), log", "00,01"),
  ...measure("356", "NET WEIGHT (t oz)", "01,02"),
  ...measure("357", "NET VOLUME (oz)", "01,02"),
  ...measure("360", "NET VOLUME (qt)", "01,02"),
  ...measure("361", "NET VOLUME (gal.)", "01,02"),
  ...measure("362", "VOLUME (qt), log", "00,01"),
  ...measure("363", "VOLUME (gal.), log", "00,01"),
  ...measure("364", "VOLUME (in³)", "01,02"),
  ...measure("365", "VOLUME (ft³)", "01,02"),
  ...measure("366", "VOLUME (yd³)", "01,02"),
  ...measure("367", "VOLUME (in³), log", "00,01"),
  ...measure("368", "VOLUME (ft³), log", "00,01"),
  ...measure("369", "VOLUME (yd³), log", "00,01"),
  define("37", "COUNT", [nv(8)], { ...ATTR, label: "count of trade items", req: ["00", "02,8026"] }),
  ...range("3900", "3909", () => "AMOUNT", [nv(15)], {
    ...ATTR,
    req: ["255,8020"],
    ex: ["390n", "391n", "394n", "8111"],
    impliedDecimalPoint: true,
  }),
  ...range("3910", "3919", () => "AMOUNT", [n(3, "iso4217"), nv(15)], {
    ...ATTR,
    req: ["8020"],
    ex: ["391n"],
    impliedDecimalPoint: true,
  }),
  ...range("3920", "3929", () => "PRICE", [nv(15)], {
    ...ATTR,
    req: ["01", PRICED_BY_MEASURE],
    ex: ["392n", "393n"],
    impliedDecimalPoint: true,
  }),
  ...range("3930", "3939", () => "PRICE", [n(3, "iso4217"), nv(15)], {
    ...ATTR,
    req: [PRICED_BY_MEASURE],
    ex: ["393n"],
    impliedDecimalPoint: true,
  }),
  ...range("3940", "3943", () => "PRCNT OFF", [n(4)], {
    ...ATTR,
    req: ["255"],
    ex: ["394n", "8111"],
    impliedDecimalPoint: true,
  }),
  ...range("3950", "3955", () => "PRICE/UoM", [n(6)], {
    ...ATTR,
    req: [PRICED_BY_MEASURE],
    ex: ["392n", "393n", "395n", "8005"],
    impliedDecimalPoint: true,
  }),
  define("400", "ORDER NUMBER", [xv(30)], ATTR),
  define("401", "GINC", [xv(30, "gcppos1")], { ...ATTR, key: true, dlpkey: [[]] }),
  define("402", "GSIN", [n(17, "csum", "gcppos1")], { ...ATTR, key: true, dlpkey: [[]] }),
  define("403", "ROUTE", [xv(30)], { ...ATTR, req: ["00"] }),
  define("410", "SHIP TO LOC", [n(13, "csum", "gcppos1")], PREDEF),
  define("411", "BILL TO", [n(13, "csum", "gcppos1")], PREDEF),
  define("412", "PURCHASE FROM", [n(13, "csum", "gcppos1")], PREDEF),
  define("413", "SHIP FOR LOC", [n(13, "csum", "gcppos1")], PREDEF),
  define("414", "LOC No.", [n(13, "csum", "gcppos1")], {
    ...PREDEF,
    label: "GLN",
    key: true,
    dlpkey: [["254"], ["7040"]],
  }),
  define("415", "PAY TO", [n(13, "csum", "gcppos1")], { ...PREDEF, req: ["8020"], dlpkey: [["8020"]] }),
  define("416", "PROD/SERV LOC", [n(13, "csum", "gcppos1")], PREDEF),
  define("417", "PARTY", [n(13, "csum", "gcppos1")], { ...PREDEF, dlpkey: [["7040"]] }),
  define("420", "SHIP TO POST", [xv(20)], { ...ATTR, ex: ["421"] }),
  define("421", "SHIP TO POST", [n(3, "iso3166"), xv(9)], { ...ATTR, ex: ["4307"] }),
  define("422", "ORIGIN", [n(3, "iso3166")], { ...ATTR, req: ["01,02,8006,8026"], ex: ["426"] }),
  define("423", "COUNTRY - INITIAL PROCESS", countryList, { ...ATTR, req: ["01,02"], ex: ["426"] }),
  define("424", "COUNTRY - PROCESS", [n(3, "iso3166")], { ...ATTR, req: ["01,02"], ex: ["426"] }),
  define("425", "COUNTRY - DISASSEMBLY", countryList, { ...ATTR, req: ["01,02"], ex: ["426"] }),
  define("426", "COUNTRY - FULL PROCESS", [n(3, "iso3166")], { ...ATTR, req: ["01,02"] }),
  define("427", "ORIGIN SUBDIVISION", [xv(3)], { ...ATTR, req: ["01,02", "422"] }),
  define("4300", "SHIP TO COMP", [xv(35, "pcenc")], { ...ATTR, req: ["00"] }),
  define("4301", "SHIP TO NAME", [xv(35, "pcenc")], { ...ATTR, req: ["00"] }),
  define("4302", "SHIP TO ADD1", [xv(70, "pcenc")], { ...ATTR, req: ["00"] }),
  define("4303", "SHIP TO ADD2", [xv(70, "pcenc")], { ...ATTR, req: ["4302"] }),
  define("4304", "SHIP TO SUB", [xv(70, "pcenc")], { ...ATTR, req: ["00"] }),
  define("4305", "SHIP TO LOC", [xv(70, "pcenc")], { ...ATTR, req: ["00"] }),
  define("4306", "SHIP TO REG", [xv(70, "pcenc")], { ...ATTR, req: ["00"] }),
  define("4307", "SHIP TO COUNTRY", [x(2, "iso3166alpha2")], { ...ATTR, req: ["00"] }),
  define("4308", "SHIP TO PHONE", [xv(30)], { ...ATTR, req: ["00"] }),
  define("4309", "SHIP TO GEO", [n(10, "latitude"), n(10, "longitude")], { ...ATTR, req: ["00"] }),
  define("4310", "RTN TO COMP", [xv(35, "pcenc")], { ...ATTR, req: ["00"] }),
  define("4311", "RTN TO NAME", [xv(35, "pcenc")], { ...ATTR, req: ["00"] }),
  define("4312", "RTN TO ADD1", [xv(70, "pcenc")], { ...ATTR, req: ["00"] }),
  define("4313", "RTN TO ADD2", [xv(70, "pcenc")], { ...ATTR, req: ["4312"] }),
  define("4314", "RTN TO SUB", [xv(70, "pcenc")], { ...ATTR, req: ["00"] }),
  define("4315", "RTN TO LOC", [xv(70, "pcenc")], { ...ATTR, req: ["00"] }),
  define("4316", "RTN TO REG", [xv(70, "pcenc")], { ...ATTR, req: ["00"] }),
  define("4317", "RTN TO COUNTRY", [x(2, "iso3166alpha2")], { ...ATTR, req: ["00"] }),
  define("4318", "RTN TO POST", [xv(20)], { ...ATTR, req: ["00"] }),
  define("4319", "RTN TO PHONE", [xv(30)], { ...ATTR, req: ["00"] }),
  define("4320", "SRV DESCRIPTION", [xv(35, "pcenc")], { ...ATTR, req: ["00"] }),
  define("4321", "DANGEROUS GOODS", [n(1, "yesno")], { ...ATTR, req: ["00"] }),
  define("4322", "AUTH TO LEAVE", [n(1, "yesno")], { ...ATTR, req: ["00"] }),
  define("4323", "SIG REQUIRED", [n(1, "yesno")], { ...ATTR, req: ["00"] }),
  define("4324", "NOT BEF DEL DT", [n(6, "yymmd0"), n(4, "hhmi")], { ...ATTR, req: ["00"] }),
  define("4325", "NOT AFT DEL DT", [n(6, "yymmd0"), n(4, "hhmi")], { ...ATTR, req: ["00"] }),
  define("4326", "REL DATE", [n(6, "yymmdd")], { ...ATTR, req: ["00"] }),
  define("4330", "MAX TEMP F.", [n(6), optional(x(1, "hyphen"))], { ...ATTR, req: ["00"], ex: ["4331"] }),
  define("4331", "MAX TEMP C.", [n(6), optional(x(1, "hyphen"))], { ...ATTR, req: ["00"], ex: ["4330"] }),
  define("4332", "MIN TEMP F.", [n(6), optional(x(1, "hyphen"))], { ...ATTR, req: ["00"], ex: ["4333"] }),
  define("4333", "MIN TEMP C.", [n(6), optional(x(1, "hyphen"))], { ...ATTR, req: ["00"], ex: ["4332"] }),
  define("7001", "NSN", [n(13)], { ...ATTR, req: ["01,02,8006,8026"] }),
  define("7002", "MEAT CUT", [xv(30)], { ...ATTR, req: ["01,02"] }),
  define("7003", "EXPIRY TIME", [n(6, "yymmdd"), n(4, "hhmi")], { ...ATTR, req: ["01,02"] }),
  define("7004", "ACTIVE POTENCY", [nv(4)], { ...ATTR, req: ["01", "10"] }),
  define("7005", "CATCH AREA", [xv(12)], { ...ATTR, req: ["01,02"] }),
  define("7006", "FIRST FREEZE DATE", [n(6, "yymmdd")], { ...ATTR, req: ["01,02"] }),
  define("7007", "HARVEST DATE", [n(6, "yymmdd"), optional(n(6, "yymmdd"))], { ...ATTR, req: ["01,02"] }),
  define("7008", "AQUATIC SPECIES", [xv(3)], { ...ATTR, req: ["01,02"] }),
  define("7009", "FISHING GEAR TYPE", [xv(10)], { ...ATTR, req: ["01,02"] }),
  define("7010", "PROD METHOD", [xv(2)], { ...ATTR, req: ["01,02"] }),
  define("7011", "TEST BY DATE", [n(6, "yymmdd"), optional(n(4, "hhmi"))], { ...ATTR, req: ["01,02"] }),
  define("7020", "REFURB LOT", [xv(20)], { ...ATTR, req: ["01,8006", "416"] }),
  define("7021", "FUNC STAT", [xv(20)], { ...ATTR, req: ["01,8006"] }),
  define("7022", "REV STAT", [xv(20)], { ...ATTR, req: ["7021"] }),
  define("7023", "GIAI - ASSEMBLY", [xv(30, "gcppos1")], ATTR),
  ...range("7030", "7039", (ai) => `PROCESSOR # ${ai[3]}`, [n(3, "iso3166999"), xv(27)], {
    ...ATTR,
    req: ["01,02"],
  }),
  define("7040", "UIC+EXT", [n(1), x(1), x(1), x(1, "importeridx")]),
  define("7041", "UFRGT UNIT TYPE", [xv(4, "packagetype")], { req: ["00"] }),
  define("710", "NHRN PZN", [xv(20)], { ...ATTR, req: ["01"] }),
  define("711", "NHRN CIP", [xv(20)], { ...ATTR, req: ["01"] }),
  define("712", "NHRN CN", [xv(20)], { ...ATTR, req: ["01"] }),
  define("713", "NHRN DRN", [xv(20)], { ...ATTR, req: ["01"] }),
  define("714", "NHRN AIM", [xv(20)], { ...ATTR, req: ["01"] }),
  define("715", "NHRN NDC", [xv(20)], { ...ATTR, req: ["01"] }),
  define("716", "NHRN AIC", [xv(20)], { ...ATTR, req: ["01"] }),
  ...range("7230", "7239", (ai) => `CERT # ${Number(ai[3]) + 1}`, [x(2), xv(28)], {
    ...ATTR,
    req: ["01,8004"],
  }),
  define("7240", "PROTOCOL", [xv(20)], { ...ATTR, req: ["01,8006"] }),
  define("7241", "AIDC MEDIA TYPE", [n(2, "mediatype")], { ...ATTR, req: ["8017,8018"] }),
  define("7242", "VCN", [xv(25)], { ...ATTR, req: ["8017,8018"] }),
  define("7250", "DOB", [n(8, "yyyymmdd")], { ...ATTR, req: ["8018"], ex: ["7251"] }),
  define("7251", "DOB TIME", [n(8, "yyyymmdd"), n(4, "hhmi")], { ...ATTR, req: ["8018"], ex: ["7250"] }),
  define("7252", "BIO SEX", [n(1, "iso5218")], { ...ATTR, req: ["8018"] }),
  define("7253", "FAMILY NAME", [xv(40, "pcenc")], { ...ATTR, req: ["8017,8018"], ex: ["7256", "7259"] }),
  define("7254", "GIVEN NAME", [xv(40, "pcenc")], { ...ATTR, req: ["8017,8018"], ex: ["7256", "7259"] }),
  define("7255", "SUFFIX", [xv(10)], { ...ATTR, req: ["8017,8018"], ex: ["7256", "7259"] }),
  define("7256", "FULL NAME", [xv(90, "pcenc")], { ...ATTR, req: ["8017,8018"] }),
  define("7257", "PERSON ADDR", [xv(70, "pcenc")], { ...ATTR, req: ["8018"] }),
  define("7258", "BIRTH SEQUENCE", [x(3, "posinseqslash")], { ...ATTR, req: ["8018+7259"] }),
  define("7259", "BABY", [xv(40, "pcenc")], { ...ATTR, req: ["8018"], ex: ["7256"] }),
  define("8001", "DIMENSIONS", [n(4, "nonzero"), n(5, "nonzero"), n(3, "nonzero"), n(1, "winding"), n(1)], {
    ...ATTR,
    req: ["01"],
  }),
  define("8002", "CMT No.", [xv(20)], ATTR),
  define("8003", "GRAI", [n(1, "zero"), n(13, "csum", "gcppos1"), optional(xv(16))], {
    ...ATTR,
    key: true,
    dlpkey: [[]],
  }),
  define("8004", "GIAI", [xv(30, "gcppos1")], { ...ATTR, key: true, dlpkey: [["7040"]] }),
  define("8005", "PRICE PER UNIT", [n(6)], { ...ATTR, req: ["01,02"] }),
  define("8006", "ITIP", [n(14, "csum", "gcppos2"), n(4, "pieceoftotal")], {
    ...ATTR,
    ex: ["01", "37"],
    dlpkey: [["22", "10", "21"]],
  }),
  define("8007", "IBAN", [xv(34, "iban")], { ...ATTR, req: ["415"] }),
  define("8008", "PROD TIME", [n(6, "yymmdd"), n(2, "hh"), optional(n(2, "mi")), optional(n(2, "ss"))], {
    ...ATTR,
    req: ["01,02"],
  }),
  define("8009", "OPTSEN", [xv(50)], { ...ATTR, req: ["00,01"] }),
  define("8010", "CPID", [upTo("Y", 30, "gcppos1")], { ...ATTR, key: true, dlpkey: [["8011"]] }),
  define("8011", "CPID SERIAL", [nv(12, "nozeroprefix")], { req: ["8010"] }),
  define("8012", "VERSION", [xv(20)], { ...ATTR, req: ["01,8006"] }),
  define("8013", "GMN", [xv(25, "csumalpha", "gcppos1")], { ...ATTR, key: true, dlpkey: [[]] }),
  define("8014", "MUDI", [xv(25, "csumalpha", "gcppos1", "hasnondigit")], { req: ["01"] }),
  define("8017", "GSRN - PROVIDER", [n(18, "csum", "gcppos1")], {
    ...ATTR,
    key: true,
    ex: ["8018"],
    dlpkey: [["8019"]],
  }),
  define("8018", "GSRN - RECIPIENT", [n(18, "csum", "gcppos1")], {
    ...ATTR,
    key: true,
    ex: ["8017"],
    dlpkey: [["8019"]],
  }),
  define("8019", "SRIN", [nv(10)], { req: ["8017,8018"] }),
  define("8020", "REF No.", [xv(25)], { label: "payment slip reference", req: ["415"] }),
  define("8026", "ITIP CONTENT", [n(14, "csum", "gcppos2"), n(4, "pieceoftotal")], {
    ...ATTR,
    req: ["37"],
    ex: ["02", "8006"],
  }),
  define("8030", "DIGSIG", [upTo("Z", 90)], {
    ...ATTR,
    req: ["00,01+21,253,255,8003,8004,8006+21,8010+8011,8017,8018"],
  }),
  // The dictionary gives no data title for the two North American coupon AIs.
  define("8110", "COUPON CODE", [xv(70, "couponcode")], ATTR),
  define("8111", "POINTS", [n(4)], { ...ATTR, req: ["255"] }),
  define("8112", "PAPERLESS COUPON CODE", [xv(70, "couponposoffer")], ATTR),
  define("8200", "PRODUCT URL", [xv(70)], { req: ["01"] }),
  define("90", "INTERNAL", [xv(30)], ATTR),
  ...range("91", "99", () => "INTERNAL", [xv(90)], ATTR),
];

const BY_AI = new Map(AI_DEFINITIONS.map((def) => [def.ai, def]));

/**
 * GS1 allocates AIs so that the first two digits fix the AI's length and no AI is a prefix of another;
 * the table itself is therefore the source of the "AI length by prefix" rule.
 */
const AI_LENGTH_BY_PREFIX = new Map(AI_DEFINITIONS.map((def) => [def.ai.slice(0, 2), def.ai.length]));

export function lookupAi(ai: string): AiDefinition | undefined {
  return BY_AI.get(ai);
}

/** Length of the AI that starts with these two digits, or undefined when GS1 has none there. */
export function aiLengthForPrefix(prefix: string): number | undefined {
  return AI_LENGTH_BY_PREFIX.get(prefix);
}

/** Matches an AI against an AI or a pattern such as "31nn" from `requires`/`excludes`. */
export function aiMatches(ai: string, pattern: string): boolean {
  if (ai.length !== pattern.length) return false;
  for (let i = 0; i < ai.length; i++) {
    if (pattern[i] !== "n" && pattern[i] !== ai[i]) return false;
  }
  return true;
}
