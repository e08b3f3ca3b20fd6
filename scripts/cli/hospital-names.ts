import type { Hospital } from "../../api/hospitals";
import type { CommandSpec } from "./command";
import { record } from "./output";

/**
 * Publishing a hospital's name to the gateway. The ledger holds only the keccak256 of the name
 * the regulator enrolled it under; the gateway takes the name only if its hash is that one, so
 * anyone may send it — the regulator after enrolling, or the hospital account itself.
 */
export const publishHospitalName: CommandSpec = {
  path: ["publish-hospital-name"],
  summary: "publish a hospital's name to the gateway (taken only if it hashes to the enrolled nameHash)",
  details:
    "The name must be exactly the one enrolled (`sunshine regulator enrol-hospital --name`): its keccak256, of the UTF-8 bytes, is compared with the hospital's on-chain nameHash, so case and spaces count. Publishing the same name again changes nothing.",
  options: {
    hospital: {
      type: "string",
      value: "<address>",
      description: "the hospital's account (default: the key's own account, the hospital account)",
    },
    name: { type: "string", value: "<name>", description: "its name, exactly as enrolled", required: true },
  },
  examples: [
    'sunshine regulator publish-hospital-name --hospital 0x976EA74026E726554dB657fA54763abd0C3a0aa9 --name "City General Hospital"',
  ],
  async run(ctx, o) {
    const hospital = o.has("hospital") ? o.address("hospital") : await (await ctx.wallet()).getAddress();
    const name = o.string("name");
    const gateway = await ctx.gateway();
    const published = await gateway.put<Hospital>(`/v1/hospitals/${hospital}/name`, { name });
    return record({
      hospital: published.address,
      name: published.name,
      nameHash: published.nameHash,
      publishedBy: published.namePublished?.by,
      publishedAt: published.namePublished?.at,
    });
  },
};
