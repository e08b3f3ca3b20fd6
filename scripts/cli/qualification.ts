import { ethers } from "ethers";
import * as act from "../../ledger/acts";
import {
  bytes32Text,
  isoTime,
  parseCategory,
  parseGtin,
  parseReason,
  parseWhen,
  readInput,
  reasonFields,
  reasonOption,
  UsageError,
  type CommandSpec,
  type OptionSpec,
  type Opts,
} from "./command";
import { chainAct } from "./options";
import { record } from "./output";

/**
 * Who may sell, and what: a supplier registers and files qualification documents and product
 * registrations (the GTINs it may ship); a regulator attests or rejects each, and suspends or
 * reinstates suppliers.
 */

/** A GTIN-14 as the ledger stores it (uint64), written with its leading zeros again. */
export function gtinText(gtin: bigint): string {
  return gtin.toString().padStart(14, "0");
}

export const register: CommandSpec = {
  path: ["register"],
  summary: "register the key's account as a supplier",
  options: {
    name: { type: "string", value: "<name>", description: "company name (at most 31 bytes)", required: true },
    "registration-id": {
      type: "string",
      value: "<id>",
      description: "business registration number (at most 31 bytes)",
      required: true,
    },
  },
  examples: ['sunshine supplier register --name "Acme Medical" --registration-id 91310000X'],
  async run(ctx, o) {
    const name = bytes32Text(o.string("name"), "--name");
    const registrationId = bytes32Text(o.string("registration-id"), "--registration-id");
    const chain = await ctx.chain();
    await act.registerSupplier(chain.ledger, chain.signer, name, registrationId);
    return record(chainAct(chain, { supplier: chain.address, name, registrationId, status: "active" }));
  },
};

/** Options of a filed document: its digest, validity window and categories. */
const DOCUMENT_OPTIONS: Record<string, OptionSpec> = {
  file: { type: "string", value: "<file>", description: "the document (its SHA-256 is filed)" },
  sha256: { type: "string", value: "<hex>", description: "the document's SHA-256, instead of --file" },
  "valid-from": {
    type: "string",
    value: "<when>",
    description: "start of validity: ISO date, date-time or +<n>d (default now)",
  },
  "valid-until": {
    type: "string",
    value: "<when>",
    description: "end of validity: ISO date, date-time or +<n>d",
    required: true,
  },
  category: {
    type: "string",
    multiple: true,
    value: "<code>",
    description: "product category covered (repeat or comma-separate)",
    required: true,
  },
};

/** The document's SHA-256 (of --file, or --sha256) and its category codes, checked before any chain call. */
function documentFacts(o: Opts): { sha256: string; categoryCodes: string[] } {
  let sha256: string;
  if (o.has("file") === o.has("sha256")) throw new UsageError("give exactly one of --file and --sha256");
  if (o.has("file")) sha256 = ethers.sha256(readInput(o.string("file"), "--file"));
  else {
    sha256 = o.string("sha256").toLowerCase();
    if (!sha256.startsWith("0x")) sha256 = `0x${sha256}`;
    if (!/^0x[0-9a-f]{64}$/.test(sha256)) throw new UsageError("--sha256 must be 32 bytes of hex");
  }
  const categoryCodes = o.list("category");
  if (categoryCodes.length === 0) throw new UsageError("--category is required");
  return { sha256, categoryCodes };
}

function validity(o: Opts, now: number): { validFrom: number; validUntil: number } {
  return {
    validFrom: o.has("valid-from") ? parseWhen(o.string("valid-from"), "--valid-from", now) : now,
    validUntil: parseWhen(o.string("valid-until"), "--valid-until", now),
  };
}

export const addDocument: CommandSpec = {
  path: ["qualify", "add-document"],
  summary: "file a qualification document for a regulator to attest",
  details:
    "The document itself stays with you: the ledger records its SHA-256 (of --file, or given as --sha256), its validity window and the product categories it covers. A product registration filed here counts towards qualification but registers no GTINs: file it with `register-products` to ship its products.",
  options: {
    kind: {
      type: "string",
      value: "<kind>",
      description: `one of ${act.DOCUMENT_KINDS.join(", ")}`,
      required: true,
    },
    ...DOCUMENT_OPTIONS,
  },
  examples: [
    "sunshine supplier qualify add-document --kind business_licence --file licence.pdf --valid-until 2029-12-31 --category C0401-DES",
  ],
  async run(ctx, o) {
    const kindName = o.choice("kind", act.DOCUMENT_KINDS);
    const { sha256, categoryCodes } = documentFacts(o);
    const chain = await ctx.chain();
    const { validFrom, validUntil } = validity(o, await chain.now());
    const documentId = await act.fileDocument(chain.ledger, chain.signer, {
      kind: act.DOCUMENT_KINDS.indexOf(kindName),
      sha256,
      validFrom,
      validUntil,
      categories: categoryCodes.map(parseCategory),
    });
    return record(
      chainAct(chain, {
        documentId,
        supplier: chain.address,
        kind: kindName,
        sha256,
        validFrom: isoTime(validFrom),
        validUntil: isoTime(validUntil),
        categories: categoryCodes,
        status: "pending",
      }),
    );
  },
};

export const registerProducts: CommandSpec = {
  path: ["register-products"],
  summary: "file a product registration certificate listing the GTINs it covers",
  details:
    "Once a regulator attests it, the GTINs are registered to you for its validity window: the ledger lets a supplier ship only GTINs registered to it. It also counts as the product_registration document of your qualification.",
  options: {
    gtin: {
      type: "string",
      multiple: true,
      value: "<gtin>",
      description: "a 14-digit GTIN the certificate covers (repeat or comma-separate, 1 to 32)",
      required: true,
    },
    ...DOCUMENT_OPTIONS,
  },
  examples: [
    "sunshine supplier register-products --gtin 09520123456788,09520123456795 --file registration.pdf --valid-until 2030-06-30 --category C0401-DES",
  ],
  async run(ctx, o) {
    const gtins = o.list("gtin").map((g) => parseGtin(g));
    if (gtins.length === 0) throw new UsageError("--gtin is required");
    const { sha256, categoryCodes } = documentFacts(o);
    const chain = await ctx.chain();
    const { validFrom, validUntil } = validity(o, await chain.now());
    const documentId = await act.fileProductRegistration(chain.ledger, chain.signer, {
      sha256,
      gtins,
      categories: categoryCodes.map(parseCategory),
      validFrom,
      validUntil,
    });
    return record(
      chainAct(chain, {
        documentId,
        supplier: chain.address,
        kind: "product_registration",
        gtins,
        sha256,
        validFrom: isoTime(validFrom),
        validUntil: isoTime(validUntil),
        categories: categoryCodes,
        status: "pending",
      }),
    );
  },
};

export const attest: CommandSpec = {
  path: ["attest"],
  summary: "attest a supplier's pending qualification document or product registration",
  options: { document: { type: "string", value: "<id>", description: "document id", required: true } },
  positional: "document",
  examples: ["sunshine regulator attest --document 7"],
  async run(ctx, o) {
    const documentId = o.id("document");
    const chain = await ctx.chain();
    const receipt = await act.sent(chain.ledger.registry.connect(chain.signer).attestDocument(documentId));
    const doc = await chain.ledger.registry.document(documentId);
    const registered = act.eventsOf(receipt, chain.ledger.registry, "GtinRegistered");
    return record(
      chainAct(chain, {
        documentId,
        supplier: doc.supplier,
        kind: act.DOCUMENT_KINDS[Number(doc.kind)],
        status: "attested",
        gtinsRegistered: doc.kind === 2n ? registered.map((e) => gtinText(e.gtin as bigint)) : undefined,
      }),
    );
  },
};

export const reject: CommandSpec = {
  path: ["reject"],
  summary: "reject a supplier's pending qualification document",
  options: {
    document: { type: "string", value: "<id>", description: "document id", required: true },
    ...reasonOption("rejectDocument"),
  },
  positional: "document",
  examples: ["sunshine regulator reject --document 7 --reason document_not_valid"],
  async run(ctx, o) {
    const documentId = o.id("document");
    const reason = parseReason(o, "rejectDocument");
    const chain = await ctx.chain();
    await act.sent(chain.ledger.registry.connect(chain.signer).rejectDocument(documentId, reason.code));
    const doc = await chain.ledger.registry.document(documentId);
    return record(
      chainAct(chain, { documentId, supplier: doc.supplier, status: "rejected", ...reasonFields(reason) }),
    );
  },
};

export function supplierStatusCommand(name: "suspend" | "reinstate"): CommandSpec {
  return {
    path: [name],
    summary: name === "suspend" ? "suspend a supplier" : "reinstate a suspended supplier",
    options: {
      supplier: { type: "string", value: "<address>", description: "the supplier's account", required: true },
      ...reasonOption(name),
    },
    positional: "supplier",
    examples: [
      `sunshine regulator ${name} --supplier 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC --reason ${name === "suspend" ? "licence_revoked" : "corrective_action_completed"}`,
    ],
    async run(ctx, o) {
      const supplier = o.address("supplier");
      const reason = parseReason(o, name);
      const chain = await ctx.chain();
      const registry = chain.ledger.registry.connect(chain.signer);
      await act.sent(
        name === "suspend"
          ? registry.suspend(supplier, reason.code)
          : registry.reinstate(supplier, reason.code),
      );
      return record(
        chainAct(chain, {
          supplier,
          status: name === "suspend" ? "suspended" : "active",
          ...reasonFields(reason),
        }),
      );
    },
  };
}
