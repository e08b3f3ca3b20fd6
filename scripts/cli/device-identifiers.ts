import { ISSUING_AGENCIES, type IssuingAgency } from "../../ledger/enums";
import * as act from "../../ledger/acts";
import { UsageError, type CommandSpec } from "./command";
import { chainAct } from "./options";
import { record } from "./output";

/**
 * A device identifier of another UDI agency (MA (IDcode), AHM) declared on the ledger: its product
 * key then stands for it wherever a GTIN goes (register-products --gtin, ship --gtin, recalls).
 */
export const declareDevice: CommandSpec = {
  path: ["declare-device"],
  summary: "declare another agency's device identifier (MA, AHM) and print the product key it is known by",
  details:
    "The key is a number of 15 to 20 digits (never a GTIN), the same for every supplier: after declaring, list it in register-products --gtin so a regulator's attestation registers it to you, then ship it like a GTIN. An MA identifier is the first five segments of the code (MA.156.M0.<registrant>.<product>); an AHM one is kept as typed.",
  options: {
    agency: { type: "string", value: "<MA|AHM>", description: "the issuing agency", required: true },
    di: {
      type: "string",
      value: "<device identifier>",
      description: "the device identifier (UDI-DI)",
      required: true,
    },
  },
  examples: ["sunshine supplier declare-device --agency MA --di MA.156.M0.100761.21234561"],
  async run(ctx, o) {
    const agency = o.string("agency");
    if (!ISSUING_AGENCIES.includes(agency as IssuingAgency) || agency === "none") {
      throw new UsageError(`--agency must be MA or AHM (got "${agency}")`);
    }
    const deviceIdentifier = o.string("di");
    const chain = await ctx.chain();
    const productKey = await act.declareDeviceIdentifier(
      chain.ledger,
      chain.signer,
      agency as IssuingAgency,
      deviceIdentifier,
    );
    return record(chainAct(chain, { productKey, agency, deviceIdentifier, supplier: chain.address }));
  },
};
