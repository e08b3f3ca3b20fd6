import type { JsonRpcProvider } from "ethers";

/**
 * The chain reads `work` makes through `provider`: the latest blocks it read (their numbers, as
 * the node answers them) and each `eth_call`'s calldata and block. To check that a request reads
 * the head once and makes its other reads at that block.
 */
export async function chainReads<T>(
  provider: JsonRpcProvider,
  work: () => Promise<T>,
): Promise<{ result: T; heads: string[]; calls: { data: string; block: string }[] }> {
  const own = Object.getOwnPropertyDescriptor(provider, "send");
  const send = provider.send.bind(provider);
  const heads: string[] = [];
  const calls: { data: string; block: string }[] = [];
  provider.send = async (method: string, params: unknown[] | Record<string, unknown>) => {
    const result = await send(method, params);
    if (method === "eth_getBlockByNumber" && (params as unknown[])[0] === "latest") {
      heads.push((result as { number: string }).number);
    }
    if (method === "eth_call") {
      const [tx, block] = params as [{ data: string }, string];
      calls.push({ data: tx.data, block });
    }
    return result;
  };
  try {
    return { result: await work(), heads, calls };
  } finally {
    if (own) Object.defineProperty(provider, "send", own);
    else delete (provider as { send?: unknown }).send;
  }
}
