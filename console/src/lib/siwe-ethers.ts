/**
 * What the `siwe` package takes from ethers, for the console's bundle only (vite.config.mts sends
 * siwe's `require("ethers")` here). Its compatibility layer reads `ethers.verifyMessage` and the
 * rest through ethers' whole namespace object, which kept every provider, wordlist and keystore
 * of ethers in the bundle the sign-in page loads; these named imports let the bundler leave out
 * what the console never uses.
 */
import { Contract, getAddress, hashMessage, verifyMessage } from "ethers";

export { Contract };
export const ethers = { getAddress, hashMessage, verifyMessage };
