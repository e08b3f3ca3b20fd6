import { Fragment, type ReactNode } from "react";
import type { TrailStep } from "../../../../../api/trail";
import { PartyName } from "../../../components/PartyName";
import { useI18n } from "../../../i18n/i18n";
import { bytes32Text } from "../../../lib/format";
import { useReasonLabel } from "../../../lib/reasons";
import { useFormat } from "../../../lib/use-format";
import { list, offChain, ON_CHAIN, type Figures, type Show } from "./step-sentences";

/**
 * A trail step as a sentence in the reader's language, written from its figures: amounts in
 * yuan, times in the gateway's zone, a party by its name (any other account short), the whole
 * address copyable. A step the console has no sentence for (an event newer than it, or an
 * on-chain step whose log the gateway has not stored, so its event is unknown) reads as the
 * gateway's own English summary.
 */
export function useStepSentence(): (step: TrailStep) => ReactNode {
  const { t, tn } = useI18n();
  const { calendarDate, date, dateTime, yuan } = useFormat();
  const reasonLabel = useReasonLabel();
  const join = (items: ReactNode[]) =>
    items.length === 0
      ? "—"
      : items.map((it, i) => (
          <Fragment key={i}>
            {i > 0 && ", "}
            {it}
          </Fragment>
        ));
  const show: Show = {
    account: (v) => <PartyName address={String(v)} />,
    accounts: (v) => join(list(v).map((a) => <PartyName address={String(a)} />)),
    yuan: (v) => yuan(String(v)),
    time: (v) => dateTime(String(v)),
    day: (v) => date(String(v)),
    expiry: (v) => calendarDate(String(v)),
    text: (v) => bytes32Text(String(v)),
    reason: (v) => reasonLabel(Number(v)),
    join,
    t,
    tn,
  };
  return (step) => {
    const f = step.data as unknown as Figures;
    const sentence = step.onChain
      ? ON_CHAIN[`${step.onChain.contractName}.${step.onChain.event}`]?.(f, show)
      : offChain(step, f, show);
    return sentence ? tn(...sentence) : step.summary;
  };
}
