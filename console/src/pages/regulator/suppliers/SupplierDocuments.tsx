import { useQuery } from "@tanstack/react-query";
import { Drawer, Space, Tag, Typography, type TableColumnsType } from "antd";
import type { Supplier, SupplierDocument } from "../../../../../api/suppliers";
import { ActButton } from "../../../components/ActButton";
import { CursorTable } from "../../../components/CursorTable";
import { QueryState } from "../../../components/QueryState";
import { useI18n } from "../../../i18n/i18n";
import { api } from "../../../lib/api";
import { useSession } from "../../../lib/session";
import { useFormat } from "../../../lib/use-format";
import { ChainRef } from "../common/ChainRef";
import { Hex } from "../../../components/Hex";
import { ReasonAct } from "../common/ReasonAct";
import { ReasonText } from "../../../components/ReasonText";
import { bytes32Text } from "../../../lib/format";
import { TAG } from "../../../components/tag-colours";
import { registryActs } from "./registry-acts";

const STATUS_COLOURS: Record<SupplierDocument["status"], string> = {
  pending: TAG.waiting,
  attested: TAG.good,
  rejected: TAG.bad,
};

/** A supplier's qualification documents, newest first: a pending one is attested or rejected here. */
export function SupplierDocuments({ address, onClose }: { address: string; onClose: () => void }) {
  const { t } = useI18n();
  const { date } = useFormat();
  const { config } = useSession();
  const supplier = useQuery({
    queryKey: [`/v1/suppliers/${address}`],
    queryFn: () => api.get<Supplier>(`/v1/suppliers/${address}`),
  });
  const to = config?.contracts.registry ?? "";
  const name = supplier.data ? bytes32Text(supplier.data.name) : address;

  const columns: TableColumnsType<SupplierDocument> = [
    { title: t("common.id"), dataIndex: "id", key: "id" },
    {
      title: t("regulator.documents.kind"),
      key: "kind",
      render: (_, d) => t(`regulator.documents.kind.${d.kind}`),
    },
    {
      title: t("common.status"),
      key: "status",
      render: (_, d) => (
        <Space size={4} wrap>
          <Tag color={STATUS_COLOURS[d.status]} data-testid={`document-status-${d.id}`}>
            {t(`regulator.documents.status.${d.status}`)}
          </Tag>
          {d.reasonCode !== null && <ReasonText code={d.reasonCode} />}
        </Space>
      ),
    },
    {
      title: t("common.actions"),
      key: "actions",
      render: (_, d) =>
        d.status === "pending" ? (
          <Space wrap>
            <ActButton
              size="small"
              type="primary"
              aria-label={t("regulator.documents.attestOne", { id: d.id })}
              call={() => ({ to, data: registryActs.attestDocument(d.id) })}
            >
              {t("regulator.documents.attest")}
            </ActButton>
            <ReasonAct
              label={t("regulator.documents.reject")}
              name={t("regulator.documents.rejectOne", { id: d.id })}
              subject={t("regulator.documents.rejectWhat", { id: d.id, name })}
              act="rejectDocument"
              call={(reason) => ({ to, data: registryActs.rejectDocument(d.id, reason) })}
            />
          </Space>
        ) : null,
    },
    {
      title: t("regulator.documents.valid"),
      key: "valid",
      // From and until on lines of their own, for the same reason.
      render: (_, d) => (
        <Space orientation="vertical" size={0}>
          <span>{date(d.validFrom)} –</span>
          <span>{date(d.validUntil)}</span>
        </Space>
      ),
    },
    {
      title: t("common.category"),
      key: "categories",
      render: (_, d) => (
        <Space orientation="vertical" size={0}>
          {d.categories.map((c) => (
            <Typography.Text key={c} style={{ wordBreak: "break-all" }}>
              {bytes32Text(c)}
            </Typography.Text>
          ))}
        </Space>
      ),
    },
    {
      title: t("regulator.documents.gtins"),
      key: "gtins",
      render: (_, d) => (d.gtins ? d.gtins.join(", ") : "—"),
    },
    {
      // The document's hash, who decided on it and the last change, stacked in one column: side by
      // side they pushed the last copy buttons past a laptop's screen.
      title: t("regulator.documents.record"),
      key: "record",
      render: (_, d) => (
        <Space orientation="vertical" size={0}>
          <span>
            SHA-256 <Hex value={d.sha256} />
          </span>
          {d.decidedBy && (
            <span>
              {t("regulator.documents.decidedBy")} <Hex value={d.decidedBy} />
            </span>
          )}
          <Typography.Text type="secondary">{t("regulator.lastChange")}</Typography.Text>
          <ChainRef {...d.lastChange} />
        </Space>
      ),
    },
  ];

  return (
    <Drawer open onClose={onClose} size={1180} title={t("regulator.documents.title", { name })}>
      <QueryState query={supplier}>
        {(s) => (
          <Space orientation="vertical" style={{ width: "100%" }}>
            <Space wrap>
              <Hex value={s.address} />
              <Tag color={s.status === "active" ? TAG.good : TAG.bad}>
                {t(`regulator.suppliers.status.${s.status}`)}
              </Tag>
            </Space>
            <CursorTable<SupplierDocument>
              label={t("regulator.documents.title", { name })}
              path={`/v1/suppliers/${address}/documents`}
              columns={columns}
              rowKey="id"
            />
          </Space>
        )}
      </QueryState>
    </Drawer>
  );
}
