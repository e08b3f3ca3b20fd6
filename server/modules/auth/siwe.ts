import { getAddress, isAddress } from "ethers";
import type { SiweMessage } from "../../../ledger/siwe";

export type { SiweMessage };

/**
 * Sign-In with Ethereum (EIP-4361) messages: parsing and the checks that do not need state.
 * The grammar is the ABNF of the EIP; fields the gateway does not use are still parsed so a
 * malformed message is refused with the field that is wrong.
 */

export class SiweError extends Error {}

const HEADER = / wants you to sign in with your Ethereum account:$/;
const FIELD = /^([A-Za-z ]+): (.*)$/;

export function parseSiwe(text: string): SiweMessage {
  const lines = text.split("\n");
  const header = lines[0] ?? "";
  if (!HEADER.test(header))
    throw new SiweError("line 1 must be '<domain> wants you to sign in with your Ethereum account:'");
  const domain = header.replace(HEADER, "");
  if (domain.length === 0) throw new SiweError("the domain in line 1 is empty");
  const address = lines[1] ?? "";
  if (!isAddress(address)) throw new SiweError(`line 2 must be the signing address, got "${address}"`);
  if (getAddress(address) !== address)
    throw new SiweError("the address in line 2 must be EIP-55 checksummed");
  if (lines[2] !== "") throw new SiweError("line 3 must be empty");

  let i = 3;
  let statement: string | undefined;
  if (lines[i] !== undefined && !FIELD.test(lines[i]) && lines[i] !== "") {
    statement = lines[i];
    i++;
  }
  if (lines[i] === "") i++;

  const fields = new Map<string, string>();
  const resources: string[] = [];
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (line === "Resources:") {
      for (i++; i < lines.length && lines[i].startsWith("- "); i++) resources.push(lines[i].slice(2));
      break;
    }
    const m = FIELD.exec(line);
    if (!m) throw new SiweError(`cannot read line ${i + 1}: "${line}"`);
    fields.set(m[1], m[2]);
  }

  const required = (name: string): string => {
    const value = fields.get(name);
    if (value === undefined) throw new SiweError(`the message has no "${name}:" field`);
    return value;
  };
  const date = (name: string, value: string | undefined): Date | undefined => {
    if (value === undefined) return undefined;
    const d = new Date(value);
    if (Number.isNaN(d.getTime())) throw new SiweError(`"${name}" is not an ISO-8601 date: ${value}`);
    return d;
  };
  const version = required("Version");
  if (version !== "1") throw new SiweError(`"Version" must be 1, got ${version}`);
  const chainId = Number(required("Chain ID"));
  if (!Number.isInteger(chainId) || chainId <= 0)
    throw new SiweError(`"Chain ID" must be a positive integer`);
  const nonce = required("Nonce");
  if (!/^[A-Za-z0-9]{8,}$/.test(nonce))
    throw new SiweError(`"Nonce" must be at least 8 alphanumeric characters`);

  return {
    domain,
    address,
    statement,
    uri: required("URI"),
    version,
    chainId,
    nonce,
    issuedAt: date("Issued At", required("Issued At"))!,
    expirationTime: date("Expiration Time", fields.get("Expiration Time")),
    notBefore: date("Not Before", fields.get("Not Before")),
    requestId: fields.get("Request ID"),
    resources,
  };
}
