import { Space, Tag, Timeline, Typography } from "antd";
import type { Mismatch, TrailStep } from "../../../../../api/trail";
import type { MessageKey } from "../../../i18n/en";
import { useI18n } from "../../../i18n/i18n";
import { useFormat } from "../../../lib/use-format";
import { ChainRef } from "../common/ChainRef";
import { useStepSentence } from "./step-sentence";

/**
 * The trail's steps in time order: what happened, when, and where on the chain (transaction,
 * block, log) or in which gateway table an off-chain step is. Once verified, a step the chain
 * contradicts is marked red.
 */
export function TrailTimeline({ steps, mismatches }: { steps: TrailStep[]; mismatches?: Mismatch[] }) {
  const { t } = useI18n();
  const { dateTime } = useFormat();
  const sentence = useStepSentence();
  const contradicted = new Set(mismatches?.map((m) => m.step));
  return (
    <section aria-label={t("regulator.trail.timeline")}>
      <Timeline
        items={steps.map((step) => ({
          key: step.id,
          color: contradicted.has(step.id) ? "red" : step.onChain ? "blue" : "gray",
          content: (
            <Space orientation="vertical" size={2} style={{ maxWidth: "100%" }} data-testid="trail-step">
              <Space size={6} wrap>
                <Typography.Text type="secondary">{dateTime(step.at)}</Typography.Text>
                <Tag>{t(`trail.kind.${step.kind}` as MessageKey)}</Tag>
                <Typography.Text strong style={{ wordBreak: "break-word" }}>
                  {sentence(step)}
                </Typography.Text>
              </Space>
              {step.onChain ? (
                <Space size={6} wrap>
                  <Typography.Text type="secondary">
                    {step.onChain.contractName}.{step.onChain.event} ·{" "}
                    {t("regulator.trail.log", { index: step.onChain.logIndex })}
                  </Typography.Text>
                  <ChainRef txHash={step.onChain.txHash} blockNumber={step.onChain.blockNumber} />
                </Space>
              ) : (
                <Typography.Text type="secondary">
                  {t("regulator.trail.offChain", { source: step.source })}
                </Typography.Text>
              )}
              <details>
                <summary>{t("regulator.trail.figures")}</summary>
                <pre style={{ whiteSpace: "pre-wrap", wordBreak: "break-all", fontSize: 12, margin: 0 }}>
                  {JSON.stringify(step.data, null, 2)}
                </pre>
              </details>
            </Space>
          ),
        }))}
      />
    </section>
  );
}
