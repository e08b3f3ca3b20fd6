import { ApiError } from "../lib/api";
import { FormProblem } from "../lib/form-problem";
import { ActDropped, ActFailed, ActPending } from "../lib/relay";
import { NoBrowserWallet } from "../lib/signers";
import { chainErrorSentence } from "./chain-errors";
import { gatewayErrorSentence } from "./gateway-errors";
import type { Lang } from "./lang";
import type { Translate } from "./translate";

export interface ErrorText {
  /** What the user reads, in their language. */
  title: string;
  /** The ledger's error name or the gateway's code, for whoever the user calls for help. */
  code: string | null;
  /** The code and the English message behind the title, or null where the title is that message. */
  detail: string | null;
}

/**
 * An error as a person reads it: a refused ledger act by a plain sentence for its decoded error;
 * any other gateway error by a sentence for its code (in Chinese; in English the gateway's own
 * message, which names the very order or field); a check of a form by its own sentence; the
 * console's own failures (a dropped or reverted
 * transaction, one still pending, no wallet, a signature the user declined) by their sentences.
 * What the gateway or wallet said stays in `detail`.
 */
export function errorText(error: unknown, lang: Lang, t: Translate): ErrorText {
  if (error instanceof ApiError) {
    const chainError = typeof error.details?.error === "string" ? error.details.error : undefined;
    const sentence = chainErrorSentence(chainError, lang) ?? gatewayErrorSentence(error.code, lang);
    const code = chainError ?? error.code;
    const detail = `${code} — ${error.message}`;
    if (sentence !== null) return { title: sentence, code, detail };
    // No sentence (English; a proxy's HTTP_502 page, a code newer than the console): the
    // gateway's message, which names the very order or field; in Chinese a general sentence.
    return lang === "en"
      ? { title: error.message, code, detail: code }
      : { title: t("error.other"), code, detail };
  }
  // A check of the form: its message is the sentence, already in the reader's language.
  if (error instanceof FormProblem) return { title: error.message, code: null, detail: null };
  const own = (title: string, e: Error): ErrorText => ({ title, code: null, detail: e.message });
  if (error instanceof ActDropped) return own(t("act.dropped"), error);
  if (error instanceof ActFailed) return own(t("act.failed"), error);
  if (error instanceof ActPending) return own(t("act.pending"), error);
  if (error instanceof NoBrowserWallet) return own(t("act.noWallet"), error);
  // ethers' code for a request the user declined in the wallet (EIP-1193's 4001).
  if ((error as { code?: unknown } | null)?.code === "ACTION_REJECTED")
    return own(t("act.rejected"), error as Error);
  const message = error instanceof Error ? error.message : String(error);
  return lang === "en"
    ? { title: message, code: null, detail: null }
    : { title: t("error.other"), code: null, detail: message };
}
