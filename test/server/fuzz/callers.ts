import fc from "fast-check";
import type { FastifyInstance } from "fastify";
import * as act from "../../../ledger/acts";
import { TokenKeys, tokenAudience, type Principal } from "../../../server/modules/auth/tokens";
import { extraWallet, type ApiStack } from "../support/api-fixtures";
import { login } from "../support/gateway";
import { garbageAuthorization } from "./openapi-arbitraries";

/**
 * Who the fuzzer calls as: each role the ledger gives (signed in with SIWE, as the route tests
 * do), an account the ledger gives no role, no token at all, and garbage in the Authorization
 * header (random text, other schemes, real tokens spoiled, a token signed with another secret,
 * an expired one).
 */

export interface Caller {
  name: string;
  /** The Authorization header of each request: fixed for a signed-in caller, generated for garbage. */
  authorization: fc.Arbitrary<string | undefined>;
  /** Whether the gateway must refuse it with 401 on every operation that needs a token. */
  unauthenticated: boolean;
}

export async function signInCallers(stack: ApiStack): Promise<Caller[]> {
  const { app, chain } = stack;
  const { cast } = chain;
  const payer = extraWallet(chain, 15);
  await act.grantPayer(chain.ledger, cast.regulator, payer.address);
  const accounts = {
    supplier: cast.supplier,
    "hospital-admin": cast.hospital,
    "hospital-approver": cast.approver,
    "hospital-settler": cast.settler,
    "hospital-receiver": cast.receiver,
    regulator: cast.regulator,
    payer,
    "no roles": cast.stranger,
  };
  const callers: Caller[] = [];
  const tokens: string[] = [];
  for (const [name, wallet] of Object.entries(accounts)) {
    const token = await login(app, wallet);
    tokens.push(token);
    callers.push({ name, authorization: fc.constant(`Bearer ${token}`), unauthenticated: false });
  }
  const spoilt = [...tokens, await forgedToken(app, stack), await expiredToken(app, stack)];
  callers.push(
    { name: "no token", authorization: fc.constant(undefined), unauthenticated: true },
    {
      name: "garbage token",
      authorization: fc.oneof(
        garbageAuthorization(tokens),
        fc.constantFrom(...spoilt.slice(tokens.length)).map((t) => `Bearer ${t}`),
      ),
      unauthenticated: true,
    },
  );
  return callers;
}

function regulatorPrincipal(stack: ApiStack, expiresAt: number): Principal {
  return {
    address: stack.chain.cast.regulator.address,
    roles: ["regulator"],
    hospital: null,
    expiresAt,
  };
}

/** A well-formed regulator token signed with a secret that is not the gateway's. */
async function forgedToken(_app: FastifyInstance, stack: ApiStack): Promise<string> {
  const { chainId, deploymentId } = stack.chain.deployment;
  const keys = new TokenKeys(
    "not-the-gateway-secret".padEnd(40, "x"),
    [],
    tokenAudience(chainId, deploymentId),
  );
  return keys.issue(regulatorPrincipal(stack, Math.floor(Date.now() / 1000) + 3600));
}

/** A regulator token the gateway itself issued, expired an hour ago. */
async function expiredToken(app: FastifyInstance, stack: ApiStack): Promise<string> {
  return app.tokens.issue(
    regulatorPrincipal(stack, Math.floor(Date.now() / 1000) - 3600),
    new Date(Date.now() - 2 * 3600 * 1000),
  );
}
