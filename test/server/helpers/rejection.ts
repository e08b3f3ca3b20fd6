import { expect } from "chai";

/** The error `promise` rejects with; fails the test if it resolves. (chai-as-promised is not a dependency.) */
export async function rejectionOf(promise: PromiseLike<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(Error);
    return error as Error;
  }
  expect.fail("expected a rejection, but the promise resolved");
}
