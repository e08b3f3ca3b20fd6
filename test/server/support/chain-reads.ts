import type { JsonRpcProvider } from "ethers";

/**
 * The chain reads `work` makes through `provider`: the latest blocks it read (their numbers, as
 * the node answers them) and the block each `eth_call` was made at. To check that a request reads
 * the head once and makes its other reads at that block.
 */
export async function chainReads<T>(
  provider: JsonRpcProvider,
  work: () => Promise<T>,
): Promise<{ result: T; heads: string[]; callBlocks: string[] }> {
  const own = Object.getOwnPropertyDescriptor(provider, "send");
  const send = provider.send.bind(provider);
  const heads: string[] = [];
  const callBlocks: string[] = [];
  provider.send = async (method: string, params: unknown[] | Record<string, unknown>) => {
    const result = await send(method, params);
    if (method === "eth_getBlockByNumber" && (params as unknown[])[0] === "latest") {
      heads.push((result as { number: string }).number);
    }
    if (method === "eth_call") callBlocks.push((params as unknown[])[1] as string);
    return result;
  };
  try {
    return { result: await work(), heads, callBlocks };
  } finally {
    if (own) Object.defineProperty(provider, "send", own);
    else delete (provider as { send?: unknown }).send;
  }
}
