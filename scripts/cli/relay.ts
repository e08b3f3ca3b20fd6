import {
  AbstractSigner,
  concat,
  getAddress,
  hexlify,
  resolveAddress,
  type BaseWallet,
  type Provider,
  type TransactionRequest,
  type TransactionResponse,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";
import type { LedgerForwarder, SettlementToken } from "../../typechain-types";
import type { PermitAccepted, RelayAccepted, RelayRequest, RelayTxStatus } from "../../api/relay";
import { FORWARD_REQUEST_TYPES } from "../../ledger/forward-request";
import type { HeadroomProvider } from "../../ledger/gas";
import { signPermitRequest } from "../../ledger/permit";
import { GatewayClient } from "../lib/gateway-client";
import { until } from "../lib/until";
import { CliError } from "./command";

/**
 * How the CLI's chain acts reach the chain. `CliSigner` is an ethers Signer, so the functions
 * of scripts/lib/actions.ts run unchanged whichever way it sends:
 * - directly: the key's wallet signs and pays for the transaction;
 * - relayed (`--relay <gatewayURL>`): the key signs in to the gateway (SIWE; the relay pays
 *   only for its signed-in caller's own requests), signs an ERC-2771 forward request (EIP-712,
 *   domain SunshineLedger/1 of the ledger's forwarder) and the gateway's POST /v1/relay pays
 *   the gas; the CLI waits until the gateway says the transaction is mined (or that it never will
 *   be: its deadline passed after the node lost it), then follows it like any other. A token allowance, which
 *   no forward request can give, goes as an EIP-2612 permit through POST /v1/relay/permits
 *   (`sendPermit`).
 * Either way it remembers the hashes it sent, for the command's output.
 */

/** Seconds a relayed request stays valid. */
export const RELAY_DEADLINE_SECONDS = 3600;

export interface RelayTarget {
  gatewayUrl: string;
  forwarder: LedgerForwarder;
  chainId: number;
  /** The gateway session, signed in at the first relayed act and shared by the signer's copies. */
  session?: Promise<GatewayClient>;
}

export class CliSigner extends AbstractSigner<HeadroomProvider> {
  constructor(
    private readonly wallet: BaseWallet,
    provider: HeadroomProvider,
    readonly relay: RelayTarget | null,
    /** Hashes of the transactions sent through this signer, in order. */
    readonly sent: string[] = [],
  ) {
    super(provider);
  }

  get address(): string {
    return this.wallet.address;
  }

  async getAddress(): Promise<string> {
    return this.wallet.address;
  }

  connect(provider: Provider | null): CliSigner {
    if (!provider) throw new Error("a CliSigner needs a provider");
    return new CliSigner(this.wallet, provider as HeadroomProvider, this.relay, this.sent);
  }

  signTransaction(tx: TransactionRequest): Promise<string> {
    return this.wallet.signTransaction(tx);
  }

  signMessage(message: string | Uint8Array): Promise<string> {
    return this.wallet.signMessage(message);
  }

  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string> {
    return this.wallet.signTypedData(domain, types, value);
  }

  async sendTransaction(tx: TransactionRequest): Promise<TransactionResponse> {
    const response = this.relay
      ? await this.sendRelayed(tx, this.relay)
      : await this.wallet.connect(this.provider).sendTransaction(tx);
    this.sent.push(response.hash);
    return response;
  }

  /**
   * Sets `spender`'s allowance of the settlement token to `value` without gas: the key signs an
   * EIP-2612 permit and the gateway's POST /v1/relay/permits has the relayer send it (the token
   * is not an ERC-2771 contract, so no forward request can call its approve). Only with --relay.
   */
  async sendPermit(token: SettlementToken, spender: string, value: bigint): Promise<TransactionResponse> {
    if (!this.relay) throw new Error("sendPermit needs --relay");
    const latest = await this.provider!.getBlock("latest");
    const now = Math.max(Math.floor(Date.now() / 1000), latest?.timestamp ?? 0);
    const permit = await signPermitRequest(
      token.connect(this.provider),
      this.wallet,
      spender,
      value,
      now + RELAY_DEADLINE_SECONDS,
    );
    const session = await this.session(this.relay);
    const { txHash } = await session.post<PermitAccepted>("/v1/relay/permits", permit);
    const response = await this.sentByGateway(session, txHash);
    this.sent.push(response.hash);
    return response;
  }

  private session(relay: RelayTarget): Promise<GatewayClient> {
    relay.session ??= this.signIn(relay.gatewayUrl);
    return relay.session;
  }

  private async signIn(gatewayUrl: string): Promise<GatewayClient> {
    const client = new GatewayClient(gatewayUrl);
    await client.login(this.wallet);
    return client;
  }

  private async sendRelayed(tx: TransactionRequest, relay: RelayTarget): Promise<TransactionResponse> {
    const provider = this.provider!;
    if (!tx.to) throw new CliError("--relay cannot deploy contracts");
    if (tx.value !== undefined && tx.value !== null && BigInt(tx.value) !== 0n) {
      throw new CliError("--relay cannot send value: relayed requests carry none");
    }
    const to = await resolveAddress(tx.to, provider);
    const data = hexlify(tx.data ?? "0x");
    const body = await signForwardRequest(this.wallet, provider, relay, to, data);
    const session = await this.session(relay);
    const { txHash } = await session.post<RelayAccepted>("/v1/relay", body);
    return this.sentByGateway(session, txHash);
  }

  /**
   * The transaction the gateway relayed, once mined (or reverted). Asked of the gateway, not the
   * node: a node that lost the transaction cannot tell it from one still to come, and would be
   * waited on for ever; the gateway sends it again while it can, and says when it never will.
   */
  private async sentByGateway(session: GatewayClient, txHash: string): Promise<TransactionResponse> {
    // The gateway says `dropped` once the deadline has passed, so it answers before this times out.
    const relayedFor = (RELAY_DEADLINE_SECONDS + 60) * 1000;
    await until(
      `transaction ${txHash} to be mined`,
      async () => {
        const { status } = await session.get<RelayTxStatus>(`/v1/relay/${txHash}`);
        if (status === "dropped") {
          throw new CliError(
            `the gateway says transaction ${txHash} will never be mined (the node lost it and its deadline passed, or its nonce went to another): nothing changed on the ledger; run the command again`,
          );
        }
        return status === "pending" ? undefined : status;
      },
      relayedFor,
    );
    // Mined at the gateway's node; give a node of ours behind a load balancer a moment.
    for (let attempt = 0; ; attempt++) {
      const response = await this.provider!.getTransaction(txHash);
      if (response) return response;
      if (attempt >= 100) throw new CliError(`the gateway relayed ${txHash} but the node does not know it`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Builds and signs the forward request for calling `to` with `data` as `wallet`: gas from an
 * estimate, with the provider's headroom (ledger/gas.ts), of the inner call as the forwarder
 * makes it (the sender appended to the calldata, ERC-2771), the signer's next forwarder nonce,
 * a deadline an hour after the later of the local and the chain clock. An estimate that reverts throws with the revert data, so the
 * caller decodes the ledger's reason before anything is sent.
 */
export async function signForwardRequest(
  wallet: BaseWallet,
  provider: HeadroomProvider,
  relay: RelayTarget,
  to: string,
  data: string,
): Promise<RelayRequest> {
  const forwarder = await relay.forwarder.getAddress();
  const from = wallet.address;
  const [gas, nonce, latest] = await Promise.all([
    provider.estimateGas({ from: forwarder, to, data: concat([data, from]) }),
    relay.forwarder.connect(provider).nonces(from),
    provider.getBlock("latest"),
  ]);
  const now = Math.max(Math.floor(Date.now() / 1000), latest?.timestamp ?? 0);
  const message = {
    from,
    to: getAddress(to),
    value: "0",
    gas: gas.toString(),
    nonce: nonce.toString(),
    deadline: now + RELAY_DEADLINE_SECONDS,
    data,
  };
  const domain = {
    name: "SunshineLedger",
    version: "1",
    chainId: relay.chainId,
    verifyingContract: forwarder,
  };
  const signature = await wallet.signTypedData(domain, FORWARD_REQUEST_TYPES, message);
  return { ...message, signature };
}
