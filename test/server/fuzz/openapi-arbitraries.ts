import fc from "fast-check";

/**
 * fast-check arbitraries for requests to the operations of an OpenAPI 3.0 document, as the
 * gateway's `/openapi.json` publishes them: valid-ish requests built from each operation's
 * parameter and body schemas (with known-good values mixed in by field name, so generated
 * requests reach past "no such order" into the handlers), and mutated ones (a wrong type, a
 * missing required field, an extra field, huge strings, extreme numbers, unicode and control
 * characters, malformed JSON, a wrong content type).
 *
 * Every value comes from fast-check's own arbitraries (`stringMatching` for `pattern`, `record`
 * for objects, `date` for formats, `jsonValue` for anything at all); this file only maps the
 * schema keywords the document uses onto them. No schema library maps OpenAPI 3.0 (with
 * `nullable`) onto fast-check, and the document is ours: a keyword it starts using that this
 * mapping does not know fails `operationsOf` loudly instead of being generated wrong.
 */

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  oneOf?: Schema[];
  anyOf?: Schema[];
  nullable?: boolean;
  default?: unknown;
  description?: string;
  "x-finite"?: boolean;
  "x-min-year"?: number;
}

export interface Parameter {
  in: "path" | "query" | "header";
  name: string;
  required: boolean;
  schema: Schema;
}

export interface Operation {
  method: "GET" | "POST" | "PUT";
  /** The OpenAPI path, e.g. `/v1/orders/{id}`. */
  path: string;
  /** `get /v1/orders/{id}`: how the operation is named in reports. */
  key: string;
  /** Whether the document says it needs a bearer token. */
  secured: boolean;
  parameters: Parameter[];
  /** The JSON body's schema, for operations that take one. */
  body?: Schema;
}

/** Known-good values by field or parameter name (the test ledger's ids, addresses, GTIN …). */
export type Hints = Readonly<Record<string, readonly string[]>>;

/**
 * A whole request known to succeed for some caller: a body that agrees with the ledger in every
 * field at once (a receipt's lines with its shipment, a usage with stock on hand, a sign-in with
 * a member's signature), which values drawn field by field almost never do. Its path values and
 * headers replace the generated ones.
 */
export interface Example {
  body: unknown;
  path?: Readonly<Record<string, string>>;
  headers?: Readonly<Record<string, string>>;
}

/** Examples by operation key (`post /v1/usages`). */
export type Examples = Readonly<Record<string, fc.Arbitrary<Example>>>;

interface OpenApiDoc {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Parameter[];
        requestBody?: { content: Record<string, { schema: Schema }> };
        security?: unknown[];
      }
    >
  >;
}

const KNOWN_KEYWORDS = new Set<string>([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "minItems",
  "maxItems",
  "enum",
  "pattern",
  "format",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "oneOf",
  "anyOf",
  "nullable",
  "default",
  "description",
  "x-finite",
  "x-min-year",
]);

/** Every operation of the document, its parameters and JSON body schema. */
export function operationsOf(doc: OpenApiDoc): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]): Operation => {
      const content = op.requestBody?.content;
      if (content && Object.keys(content).some((type) => type !== "application/json"))
        throw new Error(`${method} ${path}: a request body other than JSON is not generated`);
      const operation: Operation = {
        method: method.toUpperCase() as Operation["method"],
        path,
        key: `${method} ${path}`,
        secured: (op.security ?? []).length > 0,
        parameters: op.parameters ?? [],
        body: content?.["application/json"]?.schema,
      };
      for (const p of operation.parameters) checkKeywords(p.schema, `${operation.key} ${p.in} ${p.name}`);
      if (operation.body) checkKeywords(operation.body, `${operation.key} body`);
      return operation;
    }),
  );
}

function checkKeywords(schema: Schema, where: string): void {
  for (const key of Object.keys(schema))
    if (!KNOWN_KEYWORDS.has(key)) throw new Error(`${where}: schema keyword ${key} is not generated`);
  for (const [name, s] of Object.entries(schema.properties ?? {})) checkKeywords(s, `${where}.${name}`);
  if (schema.items) checkKeywords(schema.items, `${where}[]`);
  for (const s of [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) checkKeywords(s, `${where} (branch)`);
}

// ---------------------------------------------------------------------------------------------
// Values a schema accepts.

const NOW = Date.now();
const YEAR_MS = 365 * 86_400_000;

function dateArb(minYear: number | undefined): fc.Arbitrary<Date> {
  return fc.oneof(
    // Around now, where the ledger's data is …
    fc.date({ min: new Date(NOW - 3 * YEAR_MS), max: new Date(NOW + 3 * YEAR_MS), noInvalidDate: true }),
    // … and anywhere the format allows.
    fc.date({
      min: new Date(Date.UTC(minYear ?? 0, 0, 1)),
      max: new Date(Date.UTC(9999, 11, 31)),
      noInvalidDate: true,
    }),
  );
}

function stringArb(schema: Schema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength;
  if (schema.format === "date-time") return dateArb(schema["x-min-year"]).map((d) => d.toISOString());
  if (schema.format === "date") return dateArb(schema["x-min-year"]).map((d) => d.toISOString().slice(0, 10));
  if (schema.pattern !== undefined) {
    // Most patterns fix the length themselves; the rest are bounded by min/maxLength.
    const matching = fc.stringMatching(new RegExp(schema.pattern));
    return min > 0 || max !== undefined
      ? matching.filter((s) => s.length >= min && (max === undefined || s.length <= max))
      : matching;
  }
  // Lengths count code points, as the schemas' validator does.
  const upTo = Math.min(max ?? 40, 40);
  return fc
    .oneof(
      fc.string({ maxLength: upTo, unit: "grapheme-ascii" }),
      fc.string({ maxLength: upTo, unit: "grapheme" }),
    )
    .map((s) => [...s].slice(0, upTo).join("").padEnd(min, "a"));
}

function integerArb(schema: Schema): fc.Arbitrary<number> {
  const min = BigInt(Math.max(schema.minimum ?? -(2 ** 40), Number.MIN_SAFE_INTEGER));
  const max = BigInt(Math.min(schema.maximum ?? 2 ** 40, Number.MAX_SAFE_INTEGER));
  // Small values are the ones that mean something (a limit, a quantity, days).
  const small = fc.bigInt({ min, max: min + 100n < max ? min + 100n : max });
  return fc.oneof(small, fc.bigInt({ min, max })).map(Number);
}

/**
 * Values `schema` accepts. `hints` give known-good values for fields of the same name, mixed in
 * (half the time) where the schema is a string.
 */
export function validValue(schema: Schema, hints: Hints, name?: string): fc.Arbitrary<unknown> {
  // Built once per schema and name: building an arbitrary (a long `pattern` above all) costs
  // more than drawing from it.
  const forHints = built.get(hints) ?? new WeakMap<Schema, Map<string, fc.Arbitrary<unknown>>>();
  built.set(hints, forHints);
  const byName = forHints.get(schema) ?? new Map<string, fc.Arbitrary<unknown>>();
  forHints.set(schema, byName);
  const key = name ?? "";
  let value = byName.get(key);
  if (!value) {
    value = validOf(schema, hints, name);
    if (schema.nullable) value = fc.oneof({ weight: 4, arbitrary: value }, fc.constant(null));
    byName.set(key, value);
  }
  return value;
}

const built = new WeakMap<Hints, WeakMap<Schema, Map<string, fc.Arbitrary<unknown>>>>();

function validOf(schema: Schema, hints: Hints, name?: string): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  // A hint is used only where it fits the schema: `from` is an address in one operation and a
  // month or a timestamp in others.
  const pattern = schema.pattern === undefined ? undefined : new RegExp(schema.pattern);
  const hinted = (name !== undefined ? hints[name] : undefined)?.filter(
    (h) => (!pattern || pattern.test(h)) && (schema.format !== "date-time" || !Number.isNaN(Date.parse(h))),
  );
  if (schema.type === "object" || schema.properties) return objectArb(schema, hints);
  switch (schema.type) {
    case "string": {
      const generated = stringArb(schema);
      return hinted?.length ? fc.oneof(fc.constantFrom(...hinted), generated) : generated;
    }
    case "integer":
      return integerArb(schema);
    case "number":
      return fc.double({
        min: schema.minimum ?? -1e9,
        max: schema.maximum ?? 1e9,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case "boolean":
      return fc.boolean();
    case "array":
      return fc.array(validValue(schema.items ?? {}, hints, name), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 5, Math.max(schema.minItems ?? 0, 5)),
      });
    default:
      if (schema.oneOf ?? schema.anyOf)
        return fc.oneof(...(schema.oneOf ?? schema.anyOf)!.map((s) => validValue(s, hints, name)));
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function objectArb(schema: Schema, hints: Hints): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const record = (required: readonly string[], left: ReadonlySet<string> = new Set()) => {
    const keys = Object.keys(properties).filter((k) => !left.has(k));
    return fc.record(Object.fromEntries(keys.map((k) => [k, validValue(properties[k], hints, k)])), {
      requiredKeys: [...new Set(required)].filter((k) => keys.includes(k)),
    });
  };
  // A `oneOf`/`anyOf` of `required` lists (a receipt line: a barcode, or a GTIN, or an agency's
  // identifier) picks one branch and requires its fields too; for `oneOf`, the fields only the
  // other branches require are left out, so that exactly one branch matches.
  const branches = schema.oneOf ?? schema.anyOf;
  if (branches?.length)
    return fc.constantFrom(...branches).chain((branch) => {
      const own = new Set(branch.required ?? []);
      const others = schema.oneOf
        ? new Set(branches.flatMap((b) => b.required ?? []).filter((k) => !own.has(k)))
        : new Set<string>();
      return record([...(schema.required ?? []), ...own], others);
    });
  return record(schema.required ?? []);
}

// ---------------------------------------------------------------------------------------------
// Values a schema (most likely) refuses, and edge values it may accept.

const printable = fc.stringMatching(/^[\x20-\x7e]*$/);

/** Strings meant to trip a parser, a query or a log: encodings, control characters, injection. */
const nastyString = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "0",
    "-1",
    "-0",
    "1.5",
    "1e309",
    "-1e309",
    "NaN",
    "Infinity",
    "0x",
    "0xZZ",
    "00000000000000000000000000000000000000000000000000000000000000000000000000000001",
    "115792089237316195423570985008687907853269984665640564039457584007913129639936",
    "9223372036854775808",
    "null",
    "true",
    "[]",
    "{}",
    "\u0000",
    "a\u0000b",
    "\u001d",
    "\ud800",
    "\udfff\ud800",
    "\u202e\u0645\u0631\u062d\u0628\u0627",
    "😀👩‍👩‍👧‍👦",
    "' OR '1'='1",
    "'; DROP TABLE receipts; --",
    '"\\',
    "%",
    "%zz",
    "%00",
    "%2F..%2F",
    "../../../etc/passwd",
    "<script>alert(1)</script>",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "\r\nX-Injected: 1",
    "1970-01-01T00:00:00Z",
    "0001-01-01",
    "9999-12-31T23:59:59.999Z",
    "2026-02-30",
    "-000001-01-01T00:00:00Z",
  ),
  fc.string({ unit: "binary", maxLength: 64 }),
  fc.string({ unit: "grapheme", maxLength: 64 }),
  printable,
  // Huge: past every maxLength, some past the body limits.
  fc.constantFrom(300, 5_000, 70_000, 1_100_000).map((n) => "x".repeat(n)),
  fc.bigInt().map(String),
);

/** Numbers at the edges: negative, huge, fractional, beyond 2^53 and 2^256. */
const nastyNumber = fc.oneof(
  fc.constantFrom(
    -1,
    0,
    -0,
    0.5,
    -(2 ** 31),
    2 ** 31,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 63),
    2 ** 64,
    1e21,
    1.7976931348623157e308,
    -1.7976931348623157e308,
    5e-324,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Any value, most likely of the wrong type or out of range for `schema`. */
export function wrongValue(schema: Schema): fc.Arbitrary<unknown> {
  const wrongType: fc.Arbitrary<unknown>[] = [fc.constant(null), fc.boolean(), fc.jsonValue({ maxDepth: 3 })];
  if (schema.type !== "string") wrongType.push(nastyString);
  if (schema.type !== "integer" && schema.type !== "number") wrongType.push(nastyNumber);
  if (schema.type !== "array") wrongType.push(fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }));
  if (schema.type !== "object") wrongType.push(fc.dictionary(printable, fc.jsonValue({ maxDepth: 1 })));
  const sameType: fc.Arbitrary<unknown>[] = [];
  if (schema.type === "string") sameType.push(nastyString);
  if (schema.type === "integer" || schema.type === "number") sameType.push(nastyNumber);
  if (schema.type === "array" && schema.items) {
    // Too many items, or items of the wrong type.
    sameType.push(
      fc.array(wrongValue(schema.items), { minLength: 1, maxLength: 3 }),
      fc
        .constant(Math.min((schema.maxItems ?? 100) + 1, 100_001))
        .map((n) => Array.from({ length: n }, () => "1")),
    );
  }
  return fc.oneof(...wrongType, ...sameType);
}

/**
 * A value of `schema` with one thing wrong somewhere inside: a field missing, a field the schema
 * does not list, a field (at any depth) of the wrong type or out of range, or the whole value
 * replaced.
 */
export function mutatedValue(
  schema: Schema,
  hints: Hints,
  // The objects to mutate: by default drawn from the schema.
  objects?: fc.Arbitrary<Record<string, unknown>>,
): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const keys = Object.keys(properties);
  const options: fc.Arbitrary<unknown>[] = [wrongValue(schema)];
  if (keys.length > 0) {
    const valid = objects ?? objectArb(schema, hints);
    options.push(
      // A required field (or any field) left out.
      fc
        .tuple(valid, fc.constantFrom(...(schema.required?.length ? schema.required : keys)))
        .map(([value, key]) => omit(value, key)),
      // A field the schema does not list.
      fc
        .tuple(
          valid,
          printable.filter((k) => !(k in properties)),
          fc.jsonValue({ maxDepth: 2 }),
        )
        .map(([value, key, extra]) => ({ ...value, [key]: extra })),
      // One listed field wrong, or mutated deeper down.
      fc
        .constantFrom(...keys)
        .chain((key) =>
          fc
            .tuple(valid, mutatedValue(properties[key], hints))
            .map(([value, wrong]) => ({ ...value, [key]: wrong })),
        ),
    );
  }
  if (schema.type === "array" && schema.items) {
    options.push(
      fc
        .tuple(fc.array(validValue(schema.items, hints), { maxLength: 3 }), mutatedValue(schema.items, hints))
        .map(([items, wrong]) => [...items, wrong]),
    );
  }
  return fc.oneof(...options);
}

function omit<T>(value: Record<string, T>, key: string): Record<string, T> {
  const copy = { ...value };
  delete copy[key];
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Whole requests.

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The raw body (JSON text, or not), sent as is. */
  payload?: string;
  /** Whether the request is built to be valid (`valid`) or has something wrong (what). */
  kind: string;
  /**
   * A raw path value that can take the request to another route: `/`, `?`, `#` or `\` (a slash
   * to the URL parser), or a `.`/`..` segment (plain or percent-encoded), which the URL parser
   * resolves. Such a request answers as the route it reaches, not the operation's.
   */
  reroutes?: boolean;
}

/** See `FuzzRequest.reroutes`. */
export function reroutes(value: string): boolean {
  return /[/?#\\]/.test(value) || isDotSegment(value);
}

/** A `.` or `..` segment, which the URL parser resolves whether it is percent-encoded or not. */
function isDotSegment(value: string): boolean {
  return /^(\.|%2e){1,2}$/i.test(value);
}

/** A parameter's value as it goes in a URL or header: strings as they are, the rest as JSON. */
function text(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Header values must be visible ASCII (or a tab/space) for the request to be sent at all. */
const headerText = fc.oneof(
  fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,198}[\x21-\x7e])?$/),
  fc.constantFrom("x".repeat(201), "x".repeat(20_000)),
);

export interface Parts {
  path: Record<string, string>;
  query: [string, string][];
  headers: Record<string, string>;
  body?: unknown;
}

/**
 * Parameters a valid request leaves out: a pagination cursor is opaque, issued by the API, so a
 * generated one is never valid (the mutations still send them).
 */
const ISSUED_BY_THE_API = new Set(["cursor"]);

function validParts(op: Operation, hints: Hints): fc.Arbitrary<Parts> {
  const of = (where: Parameter["in"]) =>
    op.parameters.filter((p) => p.in === where && !ISSUED_BY_THE_API.has(p.name));
  const valueOf = (p: Parameter) =>
    p.in === "header"
      ? headerText.filter(
          (v) => v.length >= (p.schema.minLength ?? 0) && v.length <= (p.schema.maxLength ?? 200),
        )
      : validValue(p.schema, hints, p.name).map(text);
  const params = (where: Parameter["in"], requiredOnly = false) =>
    fc.record(Object.fromEntries(of(where).map((p) => [p.name, valueOf(p)] as const)), {
      requiredKeys: of(where)
        .filter((p) => requiredOnly || p.required)
        .map((p) => p.name),
    });
  return fc.record({
    path: params("path", true),
    query: params("query").map((q) => Object.entries(q)),
    headers: params("header"),
    body: op.body ? validValue(op.body, hints) : fc.constant(undefined),
  });
}

/** The request with one part (a path, query or header parameter, or the body) made wrong. */
function mutatedParts(
  op: Operation,
  hints: Hints,
  valid: fc.Arbitrary<Parts>,
): fc.Arbitrary<[Parts, string]> {
  const mutations: fc.Arbitrary<[Parts, string]>[] = [];
  for (const p of op.parameters) {
    const wrong = fc.oneof(wrongValue(p.schema).map(text), nastyString);
    if (p.in === "path")
      mutations.push(
        fc
          .tuple(valid, wrong)
          .map(([parts, v]): [Parts, string] => [
            { ...parts, path: { ...parts.path, [p.name]: v } },
            `path ${p.name}`,
          ]),
      );
    if (p.in === "query") {
      mutations.push(
        fc
          .tuple(valid, wrong)
          .map(([parts, v]): [Parts, string] => [
            { ...parts, query: [...parts.query.filter(([k]) => k !== p.name), [p.name, v]] },
            `query ${p.name}`,
          ]),
        // The parameter twice (ajv sees an array).
        fc
          .tuple(valid, validValue(p.schema, hints, p.name).map(text), wrong)
          .map(([parts, a, b]): [Parts, string] => [
            { ...parts, query: [...parts.query, [p.name, a], [p.name, b]] },
            `query ${p.name} repeated`,
          ]),
      );
      if (p.required)
        mutations.push(
          valid.map((parts): [Parts, string] => [
            { ...parts, query: parts.query.filter(([k]) => k !== p.name) },
            `query ${p.name} missing`,
          ]),
        );
    }
    if (p.in === "header")
      mutations.push(
        fc.tuple(valid, fc.option(headerText, { nil: undefined })).map(([parts, v]): [Parts, string] => [
          {
            ...parts,
            headers: v === undefined ? omit(parts.headers, p.name) : { ...parts.headers, [p.name]: v },
          },
          `header ${p.name}`,
        ]),
      );
  }
  // A query parameter the operation does not define.
  mutations.push(
    fc
      .tuple(valid, printable, nastyString)
      .map(([parts, k, v]): [Parts, string] => [
        { ...parts, query: [...parts.query, [k, v]] },
        "query extra",
      ]),
  );
  if (op.body)
    mutations.push(
      fc
        .tuple(valid, mutatedValue(op.body, hints))
        .map(([parts, body]): [Parts, string] => [{ ...parts, body }, "body"]),
    );
  return fc.oneof(...mutations);
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function fillPath(path: string, values: Record<string, string>, encode: boolean): string {
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const v = values[name] ?? "";
    // A lone surrogate has no UTF-8 encoding: it goes as U+FFFD, as a browser would send it.
    return encode ? encodeURIComponent(v.replace(LONE_SURROGATE, "\ufffd")) : v;
  });
}

export function toRequest(op: Operation, parts: Parts, kind: string, rawPath = false): FuzzRequest {
  const search = new URLSearchParams(parts.query).toString();
  const url = fillPath(op.path, parts.path, !rawPath) + (search ? `?${search}` : "");
  const headers: Record<string, string> = { ...parts.headers };
  let payload: string | undefined;
  if (parts.body !== undefined) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(parts.body);
  }
  // Encoding keeps a value's slashes in its segment, but not a dot segment out of the resolution.
  const dotSegment = Object.values(parts.path).some(isDotSegment);
  return { method: op.method, url, headers, payload, kind, ...(dotSegment ? { reroutes: true } : {}) };
}

/** Bodies that are not the JSON the operation expects, or not JSON at all. */
const brokenBody = fc.oneof(
  fc.constantFrom(
    "",
    "{",
    '{"a":',
    "[",
    "nul",
    "{'a':1}",
    '{"a":1}}',
    "\u0000",
    "\ufeff{}",
    '{"__proto__":{"x":1}}',
  ),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.constant("[".repeat(10_000)),
  fc.constant(`{"a":"${"x".repeat(1_100_000)}"}`),
);

const wrongContentType = fc.constantFrom(
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  "application/json; charset=utf-16",
  "application/jsonx",
  "*/*",
  ";;;",
);

/**
 * Requests for `op`: valid ones (from its schemas and `hints`) and mutated ones, in about equal
 * parts, without an Authorization header (`withAuthorization` adds one).
 */
export function requestFor(
  op: Operation,
  hints: Hints,
  example?: fc.Arbitrary<Example>,
): fc.Arbitrary<FuzzRequest> {
  const base = validParts(op, hints);
  let valid = base.map((p) => toRequest(op, p, "valid"));
  const mutated: fc.Arbitrary<FuzzRequest>[] = [
    mutatedParts(op, hints, base).map(([parts, what]) => toRequest(op, parts, `mutated ${what}`)),
  ];
  if (example) {
    const known = fc.tuple(base, example).map(([parts, e]): Parts => ({
      path: { ...parts.path, ...e.path },
      query: parts.query,
      headers: { ...parts.headers, ...e.headers },
      body: e.body,
    }));
    valid = fc.oneof(
      valid,
      known.map((p) => toRequest(op, p, "known good")),
    );
    // One thing wrong in a request that would otherwise succeed: the checks behind validation.
    if (op.body)
      mutated.push(
        known.chain((parts) =>
          mutatedValue(op.body as Schema, hints, fc.constant(parts.body as Record<string, unknown>)).map(
            (body) => toRequest(op, { ...parts, body }, "known good, body mutated"),
          ),
        ),
      );
  }
  if (op.parameters.some((p) => p.in === "path"))
    // Path parameters as they are, unencoded: `/`, `%`, `?` and `#` change what the URL means.
    mutated.push(
      fc
        .tuple(base, fc.constantFrom(...op.parameters.filter((p) => p.in === "path")), nastyString)
        .map(([parts, p, v]) => ({
          ...toRequest(op, { ...parts, path: { ...parts.path, [p.name]: v } }, `raw path ${p.name}`, true),
          reroutes: reroutes(v),
        })),
    );
  if (op.body) {
    mutated.push(
      fc
        .tuple(base, brokenBody)
        .map(([parts, body]) => ({ ...toRequest(op, parts, "broken JSON"), payload: body })),
      fc.tuple(base, wrongContentType).map(([parts, type]) => {
        const request = toRequest(op, parts, `content-type ${type}`);
        return { ...request, headers: { ...request.headers, "content-type": type } };
      }),
      base.map((p) => {
        const request = toRequest(op, p, "no body");
        delete request.headers["content-type"];
        return { ...request, payload: undefined };
      }),
    );
  } else {
    // A body where none is expected.
    mutated.push(
      fc.tuple(base, fc.jsonValue({ maxDepth: 2 })).map(([parts, body]) => {
        const request = toRequest(op, parts, "unexpected body");
        return {
          ...request,
          headers: { ...request.headers, "content-type": "application/json" },
          payload: JSON.stringify(body),
        };
      }),
    );
  }
  return fc.oneof(valid, fc.oneof(...mutated));
}

/** `requests`, each with the Authorization header `authorization` gives (undefined: none). */
export function withAuthorization(
  requests: fc.Arbitrary<FuzzRequest>,
  authorization: fc.Arbitrary<string | undefined>,
): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(requests, authorization)
    .map(([request, auth]) =>
      auth === undefined ? request : { ...request, headers: { ...request.headers, authorization: auth } },
    );
}

/** Authorization headers that carry no valid token: garbage, other schemes, broken JWS. */
export function garbageAuthorization(tokensToSpoil: readonly string[]): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    fc.constantFrom("Bearer", "Bearer ", "Bearer x", "Bearer a.b.c", "Basic dXNlcjpwYXNz", "bearer  a.b.c"),
    headerText.map((s) => `Bearer ${s}`),
    headerText,
    // A real token with a character changed (its signature no longer holds), or cut short.
    fc
      .tuple(fc.constantFrom(...tokensToSpoil), fc.nat(), fc.constantFrom("A", "b", "-", "_"))
      .map(([token, at, c]) => {
        const i = at % token.length;
        return `Bearer ${token.slice(0, i)}${token[i] === c ? "B" : c}${token.slice(i + 1)}`;
      }),
    fc
      .tuple(fc.constantFrom(...tokensToSpoil), fc.nat())
      .map(([t, n]) => `Bearer ${t.slice(0, n % t.length)}`),
  );
}
