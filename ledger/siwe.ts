import { SiweMessage } from "siwe";

/** The fields of an EIP-4361 (Sign-In with Ethereum) message a client fills in; the version is 1. */
export interface SiweFields {
  domain: string;
  /** EIP-55 checksummed. */
  address: string;
  statement?: string;
  uri: string;
  chainId: number;
  nonce: string;
  issuedAt: Date;
  expirationTime?: Date;
  notBefore?: Date;
  requestId?: string;
  resources?: string[];
}

/**
 * The text of a SIWE message, laid out by the `siwe` package (for clients, tests and the CLI);
 * it throws on a field the EIP-4361 grammar refuses, such as an address that is not checksummed.
 */
export function formatSiwe(m: SiweFields): string {
  return new SiweMessage({
    domain: m.domain,
    address: m.address,
    statement: m.statement,
    uri: m.uri,
    version: "1",
    chainId: m.chainId,
    nonce: m.nonce,
    issuedAt: m.issuedAt.toISOString(),
    expirationTime: m.expirationTime?.toISOString(),
    notBefore: m.notBefore?.toISOString(),
    requestId: m.requestId,
    resources: m.resources?.length ? m.resources : undefined,
  }).prepareMessage();
}
