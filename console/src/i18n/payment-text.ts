import type { Payment, PaymentHold } from "../../../api/payments";
import { chainErrorSentence } from "./chain-errors";
import type { Lang } from "./lang";
import { reasonLabel } from "./exception-reasons";
import { hasMessage, type Translate } from "./translate";

/** A hold's short label, for its tag; a code newer than this console, as it is. */
export function holdLabel(h: PaymentHold, t: Translate): string {
  const key = `hold.label.${h.code}`;
  return hasMessage(key) ? t(key) : h.code;
}

/**
 * Why a payment is held (GET /v1/payments/overdue's `holds`), in the reader's language: an open
 * exception by its reasons' labels, a refused settlement by its error's sentence (its name where
 * the console has none), a recall by who made it and since when.
 */
export function holdSentence(
  h: PaymentHold,
  lang: Lang,
  t: Translate,
  dateTime: (iso: string) => string,
): string {
  switch (h.code) {
    case "OPEN_EXCEPTION":
      return t("hold.OPEN_EXCEPTION", {
        ids: h.exceptionIds.map((id) => `#${id}`).join(t("common.listSeparator")),
        reasons: h.reasonCodes.map((code) => reasonLabel(code, t)).join(t("common.listSeparator")),
      });
    case "SETTLEMENT_FAILED":
      return refused(h.errorName, lang, t);
    case "LOT_RECALLED":
      // The zero address is a regulator's recall; any other, the supplier's own.
      return t(/^0x0+$/.test(h.scope) ? "hold.LOT_RECALLED" : "hold.LOT_RECALLED_SUPPLIER", {
        at: dateTime(h.recalledAt),
      });
    case "SETTLEMENT_SUBMITTED":
    case "SETTLEMENT_NOT_INDEXED":
      return t(`hold.${h.code}`, { tx: h.txHash ?? "—" });
    default: {
      // The others need no figures; a hold newer than this console has only its label's code.
      const key = `hold.${h.code}`;
      return hasMessage(key) ? t(key) : "";
    }
  }
}

/**
 * Why a payment is not made yet, in the reader's language, or null: a settlement the chain
 * refused by its error's sentence; an attempt that failed on the way (the node, the network) and
 * is retried, by saying so. The gateway's English message is `detail`.
 */
export function paymentErrorText(
  p: Pick<Payment, "error" | "errorName">,
  lang: Lang,
  t: Translate,
): { text: string; detail: string } | null {
  if (p.error === null) return null;
  if (p.errorName === null) return { text: t("payment.retrying"), detail: p.error };
  return { text: refused(p.errorName, lang, t), detail: p.error };
}

/** A settlement the ledger refused, by its error's sentence (its name where the console has none). */
function refused(errorName: string | null, lang: Lang, t: Translate): string {
  return t("hold.SETTLEMENT_FAILED", {
    error: chainErrorSentence(errorName ?? undefined, lang) ?? errorName ?? "—",
  });
}
