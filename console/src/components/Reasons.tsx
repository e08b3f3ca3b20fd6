import { Tag, Typography } from "antd";
import type { ExceptionReason } from "../../../api/exceptions";
import { useCampusName } from "./CampusSelect";
import { TAG } from "./tag-colours";
import { reasonLabel, reasonSentence } from "../i18n/exception-reasons";
import { useI18n } from "../i18n/i18n";

/**
 * An exception's (or a receipt's) reasons, each a label and a sentence with its evidence in the
 * reader's language: the receipt line, the counts, the serial, a campus by its name. A settlement
 * the ledger refused keeps its error's name beside the sentence, for support.
 */
export function Reasons({ reasons }: { reasons: ExceptionReason[] }) {
  const { t, lang } = useI18n();
  const campusName = useCampusName();
  return (
    <ul style={{ margin: 0, paddingInlineStart: 16, maxWidth: 360 }}>
      {reasons.map((r, i) => (
        <li key={i} style={{ wordBreak: "break-word" }}>
          <Tag color={TAG.problem}>{reasonLabel(r.code, t)}</Tag>
          {reasonSentence(r, lang, t, campusName)}
          {r.code === "CHAIN_REVERT" && (
            <>
              {" "}
              <Typography.Text code>{r.error}</Typography.Text>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
