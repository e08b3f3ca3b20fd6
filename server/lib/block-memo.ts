/**
 * Answers of chain reads pinned to a block, kept while that block is the newest one asked about.
 * A read at a given block always answers the same, so a burst of requests within one block can
 * share one read per question instead of one each; the next block starts afresh, so nothing is
 * answered from an older state than the caller's block. At most one entry per question asked
 * since the newest block.
 */
export class BlockMemo<V> {
  private block = -1;
  private readonly answers = new Map<string, Promise<V>>();

  /** The answer to `key` at `block`, from `read` (which must read at that block) or shared. */
  get(block: number, key: string, read: () => Promise<V>): Promise<V> {
    // A node behind the newest one asked (several behind a load balancer): answer for its block,
    // without disturbing the newer block's answers.
    if (block < this.block) return read();
    if (block > this.block) {
      this.block = block;
      this.answers.clear();
    }
    let answer = this.answers.get(key);
    if (answer === undefined) {
      answer = read();
      this.answers.set(key, answer);
      // A failed read is not an answer: the next caller asks again.
      const failed = answer;
      failed.catch(() => {
        if (this.answers.get(key) === failed) this.answers.delete(key);
      });
    }
    return answer;
  }
}
