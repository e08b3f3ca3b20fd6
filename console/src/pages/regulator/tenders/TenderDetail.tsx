import { useQuery } from "@tanstack/react-query";
import { Alert, Descriptions, Drawer, Space, Table, Tag, Typography, type TableColumnsType } from "antd";
import type { AgreementSummary } from "../../../../../api/agreements";
import type { Bid, Tender, TenderHospital, Tier } from "../../../../../api/tenders";
import { TenderHouse__factory } from "../../../../../typechain-types";
import { ActButton } from "../../../components/ActButton";
import { CursorTable } from "../../../components/CursorTable";
import { QueryState } from "../../../components/QueryState";
import { useI18n } from "../../../i18n/i18n";
import { api } from "../../../lib/api";
import { useSession } from "../../../lib/session";
import { useFormat } from "../../../lib/use-format";
import { Hex } from "../../../components/Hex";
import { PartyName } from "../../../components/PartyName";
import { bytes32Text } from "../../../lib/format";
import { TAG } from "../../../components/tag-colours";
import { TENDER_STATUS_COLOURS } from "./tender-status";

const tenders = TenderHouse__factory.createInterface();
const DAY = 86_400;

/** A tender's terms, the hospitals it buys for, its bids as revealed and its award. */
export function TenderDetail({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useI18n();
  const path = `/v1/tenders/${id}`;
  const tender = useQuery({ queryKey: [path], queryFn: () => api.get<Tender>(path) });
  return (
    <Drawer open onClose={onClose} size={1000} title={t("regulator.tenders.title", { id })}>
      <QueryState query={tender}>{(x) => <TenderView tender={x} />}</QueryState>
    </Drawer>
  );
}

function TenderView({ tender: x }: { tender: Tender }) {
  const { t } = useI18n();
  const { yuan, dateTime } = useFormat();
  const { config } = useSession();
  const dayCount = (n: number) =>
    n === 1 ? t("regulator.tenders.oneDay") : t("regulator.tenders.days", { days: n });
  const days = (seconds: number) => dayCount(+(seconds / DAY).toFixed(2));
  const percent = (bps: number) => `${bps / 100}%`;
  const tiers = (list: Tier[]) => (
    <Space orientation="vertical" size={0}>
      {list.map((tier) => (
        <span key={tier.threshold}>
          {t("regulator.tenders.tier", { from: tier.threshold, price: yuan(tier.unitPrice) })}
        </span>
      ))}
    </Space>
  );

  const hospitalColumns: TableColumnsType<TenderHospital> = [
    { title: t("common.hospital"), key: "hospital", render: (_, h) => <PartyName address={h.hospital} /> },
    { title: t("regulator.tenders.volume"), dataIndex: "volume", key: "volume" },
    {
      title: t("regulator.tenders.forfeitClaimed"),
      key: "forfeit",
      render: (_, h) => yuan(h.forfeitClaimed),
    },
  ];
  const bidColumns: TableColumnsType<Bid> = [
    {
      title: t("regulator.tenders.bidder"),
      key: "bidder",
      render: (_, b) => <PartyName address={b.bidder} />,
    },
    {
      title: t("regulator.tenders.committedAt"),
      key: "committedAt",
      render: (_, b) => dateTime(b.committedAt),
    },
    {
      title: t("regulator.tenders.bond"),
      key: "bond",
      render: (_, b) => `${yuan(b.bond)}${b.bondReturned ? ` (${t("regulator.tenders.bondReturned")})` : ""}`,
    },
    {
      title: t("regulator.tenders.prices"),
      key: "tiers",
      render: (_, b) => (b.tiers ? tiers(b.tiers) : <Tag>{t("regulator.tenders.sealed")}</Tag>),
    },
    {
      title: t("regulator.tenders.outcome"),
      key: "outcome",
      render: (_, b) =>
        b.won ? (
          <Tag color={TAG.good}>{t("regulator.tenders.won")}</Tag>
        ) : b.skipped ? (
          <Tag color={TAG.warning}>{t("regulator.tenders.skipped")}</Tag>
        ) : b.revealed ? (
          <Tag>{t("regulator.tenders.lost")}</Tag>
        ) : (
          <Tag>{t("regulator.tenders.unrevealed")}</Tag>
        ),
    },
  ];
  const agreementColumns: TableColumnsType<AgreementSummary> = [
    { title: t("common.id"), dataIndex: "id", key: "id" },
    { title: t("common.supplier"), key: "supplier", render: (_, a) => <PartyName address={a.supplier} /> },
    {
      title: t("regulator.tenders.term"),
      key: "term",
      render: (_, a) => `${dateTime(a.startAt)} – ${dateTime(a.endAt)}`,
    },
    { title: t("regulator.tenders.prices"), key: "tiers", render: (_, a) => tiers(a.tiers) },
    { title: t("regulator.tenders.accepted"), dataIndex: "acceptedVolume", key: "accepted" },
  ];

  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <Descriptions size="small" bordered column={2} title={t("regulator.tenders.terms")}>
        <Descriptions.Item label={t("common.status")}>
          <Tag color={TENDER_STATUS_COLOURS[x.status]}>{t(`regulator.tenders.status.${x.status}`)}</Tag>
        </Descriptions.Item>
        <Descriptions.Item label={t("common.category")}>
          <span style={{ wordBreak: "break-all" }}>{bytes32Text(x.category)}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t("regulator.tenders.reservePrice")}>
          {yuan(x.reservePrice)}
        </Descriptions.Item>
        <Descriptions.Item label={t("regulator.tenders.winners")}>{x.winners}</Descriptions.Item>
        <Descriptions.Item label={t("regulator.tenders.commitDeadline")}>
          {dateTime(x.commitDeadline)}
        </Descriptions.Item>
        <Descriptions.Item label={t("regulator.tenders.revealDeadline")}>
          {dateTime(x.revealDeadline)}
        </Descriptions.Item>
        <Descriptions.Item label={t("regulator.tenders.term")}>{days(x.termSeconds)}</Descriptions.Item>
        <Descriptions.Item label={t("regulator.tenders.leadTime")}>
          {dayCount(x.leadTimeDays)}
        </Descriptions.Item>
        <Descriptions.Item label={t("regulator.tenders.penalty")}>
          {t("regulator.tenders.penaltyValue", {
            perDay: percent(x.penaltyBpsPerDay),
            cap: percent(x.penaltyCapBps),
          })}
        </Descriptions.Item>
        <Descriptions.Item label={t("regulator.tenders.bidBond")}>{yuan(x.bidBond)}</Descriptions.Item>
        <Descriptions.Item label={t("regulator.tenders.windows")}>
          {t("regulator.tenders.windowsValue", {
            funding: days(x.fundingWindowSeconds),
            receiving: days(x.receivingWindowSeconds),
            confirm: days(x.confirmWindowSeconds),
          })}
        </Descriptions.Item>
        <Descriptions.Item label={t("regulator.tenders.forfeited")}>{yuan(x.forfeited)}</Descriptions.Item>
        <Descriptions.Item label={t("regulator.tenders.openedBy")}>
          <Hex value={x.openedBy} />
        </Descriptions.Item>
      </Descriptions>

      {x.status === "open" && (
        <Alert
          type="info"
          showIcon
          title={t("regulator.tenders.finalizeHint")}
          action={
            <ActButton
              type="primary"
              call={() => ({
                to: config?.contracts.tenders ?? "",
                data: tenders.encodeFunctionData("finalize", [x.id]),
              })}
            >
              {t("regulator.tenders.finalize")}
            </ActButton>
          }
        />
      )}

      <section>
        <Typography.Title level={2} style={{ fontSize: 16 }}>
          {t("regulator.tenders.hospitals")}
        </Typography.Title>
        <Table<TenderHospital>
          aria-label={t("regulator.tenders.hospitals")}
          size="small"
          pagination={false}
          rowKey="hospital"
          columns={hospitalColumns}
          dataSource={x.hospitals}
        />
      </section>
      <section>
        <Typography.Title level={2} style={{ fontSize: 16 }}>
          {t("regulator.tenders.bids")}
        </Typography.Title>
        <Table<Bid>
          aria-label={t("regulator.tenders.bids")}
          size="small"
          pagination={false}
          rowKey="bidder"
          columns={bidColumns}
          dataSource={x.bids}
          scroll={{ x: "max-content" }}
        />
      </section>
      <section>
        <Typography.Title level={2} style={{ fontSize: 16 }}>
          {t("regulator.tenders.award")}
        </Typography.Title>
        <CursorTable<AgreementSummary>
          label={t("regulator.tenders.award")}
          path="/v1/agreements"
          query={{ tenderId: x.id }}
          columns={agreementColumns}
          rowKey="id"
        />
      </section>
    </Space>
  );
}
