/** The fields of an EIP-4361 (Sign-In with Ethereum) message. */
export interface SiweMessage {
  domain: string;
  address: string;
  statement?: string;
  uri: string;
  version: string;
  chainId: number;
  nonce: string;
  issuedAt: Date;
  expirationTime?: Date;
  notBefore?: Date;
  requestId?: string;
  resources: string[];
}

/** Builds the text of a SIWE message (for clients, tests and the CLI). */
export function formatSiwe(m: Omit<SiweMessage, "resources" | "version"> & { resources?: string[] }): string {
  const lines = [`${m.domain} wants you to sign in with your Ethereum account:`, m.address, ""];
  if (m.statement) lines.push(m.statement, "");
  lines.push(`URI: ${m.uri}`, "Version: 1", `Chain ID: ${m.chainId}`, `Nonce: ${m.nonce}`);
  lines.push(`Issued At: ${m.issuedAt.toISOString()}`);
  if (m.expirationTime) lines.push(`Expiration Time: ${m.expirationTime.toISOString()}`);
  if (m.notBefore) lines.push(`Not Before: ${m.notBefore.toISOString()}`);
  if (m.requestId) lines.push(`Request ID: ${m.requestId}`);
  if (m.resources && m.resources.length > 0) lines.push("Resources:", ...m.resources.map((r) => `- ${r}`));
  return lines.join("\n");
}
