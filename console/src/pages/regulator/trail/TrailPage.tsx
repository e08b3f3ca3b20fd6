import { useQuery } from "@tanstack/react-query";
import { App, Button, Descriptions, Space, Typography } from "antd";
import { useMemo, useState } from "react";
import { useSearchParams } from "react-router-dom";
import type { Trail, Verification } from "../../../../../api/trail";
import { ErrorToastText } from "../../../components/ActToasts";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { QueryState } from "../../../components/QueryState";
import { useI18n } from "../../../i18n/i18n";
import { api } from "../../../lib/api";
import { useFormat } from "../../../lib/use-format";
import { downloadJson } from "./download";
import { epcisPath, searchFromParams, trailPath, type SearchBy, type TrailSearch } from "./trail-subject";
import { TrailSearchForm } from "./TrailSearchForm";
import { TrailTimeline } from "./TrailTimeline";
import { TrailVerification } from "./TrailVerification";

/**
 * The trail explorer: an order's, a lot's or a serial's audit trail as a timeline of its steps,
 * each with its transaction and block; its re-verification against the chain; its EPCIS export.
 * The search is in the page's address, so a trail can be linked.
 */
export function TrailPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const search = searchFromParams(params);
  const key = params.toString();
  const initial = useMemo(() => {
    const p = new URLSearchParams(key);
    return {
      by: (p.get("by") as SearchBy | null) ?? "lot",
      id: p.get("id") ?? "",
      gtin: p.get("gtin") ?? "",
      lot: p.get("lot") ?? "",
      serial: p.get("serial") ?? "",
    };
  }, [key]);

  return (
    <section>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("nav.regulator.trail")}
      </Typography.Title>
      <TrailSearchForm
        initial={initial}
        onSearch={(v) => {
          const next = new URLSearchParams({ by: v.by });
          const fields = v.by === "order" ? ["id"] : v.by === "lot" ? ["gtin", "lot"] : ["gtin", "serial"];
          for (const f of fields) next.set(f, (v[f as keyof typeof v] ?? "").trim());
          setParams(next);
        }}
      />
      {search ? <TrailResult key={trailPath(search)} search={search} /> : <p>{t("regulator.trail.hint")}</p>}
    </section>
  );
}

function TrailResult({ search }: { search: TrailSearch }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const path = trailPath(search);
  const epcis = epcisPath(search);
  const trail = useQuery({ queryKey: [path], queryFn: () => api.get<Trail>(path) });
  // Verifying reads the chain: only when asked, and again each time asked.
  const [asked, setAsked] = useState(false);
  const verification = useQuery({
    queryKey: [`${path}/verify`],
    queryFn: () => api.get<Verification>(`${path}/verify`),
    enabled: asked,
    staleTime: 0,
  });
  const [exporting, setExporting] = useState(false);

  async function exportEpcis(to: string) {
    setExporting(true);
    try {
      await downloadJson(to, `trail-${Object.values(search).join("-")}.epcis.jsonld`);
    } catch (error) {
      message.error(<ErrorToastText error={error} />);
    } finally {
      setExporting(false);
    }
  }

  return (
    <QueryState query={trail}>
      {(x) => (
        <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
          <TrailSummary trail={x} />
          <Space wrap>
            <Button
              type="primary"
              loading={verification.isFetching}
              onClick={() => (asked ? verification.refetch() : setAsked(true))}
            >
              {t("regulator.trail.verify")}
            </Button>
            {epcis && (
              <Button loading={exporting} onClick={() => exportEpcis(epcis)}>
                {t("regulator.trail.epcis")}
              </Button>
            )}
          </Space>
          {verification.error ? (
            <ErrorAlert error={verification.error} />
          ) : (
            verification.data && <TrailVerification result={verification.data} />
          )}
          <TrailTimeline steps={x.steps} mismatches={verification.data?.mismatches} />
        </Space>
      )}
    </QueryState>
  );
}

function TrailSummary({ trail }: { trail: Trail }) {
  const { t } = useI18n();
  const { dateTime } = useFormat();
  const list = (values: string[]) => (values.length ? values.join(", ") : "—");
  return (
    <Descriptions size="small" bordered column={{ xs: 1, md: 2, xl: 3 }}>
      <Descriptions.Item label={t("regulator.trail.steps")}>
        <span data-testid="trail-steps">{trail.steps.length}</span>
      </Descriptions.Item>
      <Descriptions.Item label={t("regulator.trail.orders")}>{list(trail.orders)}</Descriptions.Item>
      <Descriptions.Item label={t("regulator.trail.shipments")}>{list(trail.shipments)}</Descriptions.Item>
      <Descriptions.Item label={t("regulator.trail.lots")}>
        {list(trail.lots.map((l) => `${l.gtin} / ${l.lot}`))}
      </Descriptions.Item>
      <Descriptions.Item label={t("regulator.trail.chainId")}>{trail.chainId}</Descriptions.Item>
      <Descriptions.Item label={t("regulator.trail.generatedAt")}>
        {dateTime(trail.generatedAt)}
      </Descriptions.Item>
    </Descriptions>
  );
}
