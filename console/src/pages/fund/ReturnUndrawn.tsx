import { Typography } from "antd";
import type { FundAccount } from "../../../../api/fund";
import { ActButton } from "../../components/ActButton";
import { useI18n } from "../../i18n/i18n";
import { useLedgerNow } from "../../lib/ledger-clock";
import { useNames } from "../../lib/names";
import { useFormat } from "../../lib/use-format";
import { useFundBook } from "./fund-book";

/**
 * An account's undrawn balance back to the payer (FundBook.returnUndrawn, relayed): only once the
 * agreement's term has ended by the ledger's clock, and only while something is undrawn; before
 * the end the row says when.
 */
export function ReturnUndrawn({ account }: { account: FundAccount }) {
  const { t } = useI18n();
  const { date } = useFormat();
  const names = useNames();
  const now = useLedgerNow()();
  const book = useFundBook();
  const undrawn = BigInt(account.prepaymentBalance) + BigInt(account.escrowBalance);
  if (undrawn === 0n) return null;
  if (Date.parse(account.termEnd) >= now)
    return (
      // One line: a wrapped date reads as two numbers.
      <Typography.Text type="secondary" style={{ whiteSpace: "nowrap" }}>
        {t("fund.returnAfter", { date: date(account.termEnd) })}
      </Typography.Text>
    );
  return (
    <ActButton
      size="small"
      aria-label={t("fund.returnOf", {
        agreement: account.agreementId,
        hospital: names(account.hospital) ?? account.hospital,
      })}
      call={() => book.returnUndrawn(account.agreementId, account.hospital)}
    >
      {t("fund.return")}
    </ActButton>
  );
}
