import { getAddress } from "ethers";
import type { GroupSpec } from "./command";
import { record, type Result } from "./output";

/**
 * The caller's own account at the gateway. `token` signs in with the caller's key (Sign-In with
 * Ethereum, as the console does) and prints the bearer token the gateway's API takes, so that
 * curl and scripts outside this CLI can call it: an auditor's `GET /v1/trail/…`, a hospital's
 * export of its payments.
 */
export const accountGroup: GroupSpec = {
  name: "account",
  summary: "your account at the gateway: a bearer token for curl and scripts",
  commands: [
    {
      path: ["token"],
      summary: "signs in with your key and prints a bearer token for the gateway's API, with your roles",
      details:
        "Keep the token secret: until its expiresAt (AUTH_TOKEN_TTL_SECONDS, an hour by default) it acts as you. It carries the roles the ledger showed when you signed in: reads go by those until it expires (a role revoked since still reads), while a write whose role the token lacks is asked of the ledger again. --bare prints the token alone, for a shell's $(…); --json prints the session (address, roles, hospital, expiry, token), with --bare too.",
      options: {
        bare: { type: "boolean", description: "print the token alone" },
      },
      examples: [
        'TOKEN=$(sunshine account token --bare) && curl -H "authorization: Bearer $TOKEN" "$SUNSHINE_GATEWAY/v1/payments"',
      ],
      async run(ctx, o): Promise<Result> {
        const session = await (await ctx.gateway(false)).login(await ctx.wallet());
        const json = {
          address: getAddress(session.address),
          roles: session.roles,
          hospital: session.hospital === null ? null : getAddress(session.hospital),
          expiresAt: session.expiresAt,
          token: session.token,
        };
        if (o.flag("bare")) return { kind: "text", text: session.token, json };
        return {
          ...record({
            ...json,
            roles: json.roles.length ? json.roles : "none",
            hospital: json.hospital ?? undefined,
          }),
          json,
        };
      },
    },
  ],
};
