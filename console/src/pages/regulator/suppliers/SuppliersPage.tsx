import { Button, Space, Tag, Typography, type TableColumnsType } from "antd";
import { useSearchParams } from "react-router-dom";
import type { SupplierStatus, SupplierSummary } from "../../../../../api/suppliers";
import { ChoiceFilter } from "../../../components/ChoiceFilter";
import { CursorTable } from "../../../components/CursorTable";
import { useI18n } from "../../../i18n/i18n";
import { useSession } from "../../../lib/session";
import { useFormat } from "../../../lib/use-format";
import { ChainRef } from "../common/ChainRef";
import { Hex } from "../../../components/Hex";
import { ReasonAct } from "../common/ReasonAct";
import { ReasonText } from "../../../components/ReasonText";
import { bytes32Text } from "../../../lib/format";
import { TAG } from "../../../components/tag-colours";
import { registryActs } from "./registry-acts";
import { SupplierDocuments } from "./SupplierDocuments";

const STATUSES: SupplierStatus[] = ["active", "suspended"];

/**
 * The supplier registry: every supplier by status, each one's documents to attest or reject, and
 * its suspension or reinstatement. The supplier whose documents are open is in the address
 * (?supplier=0x…), so the view can be linked and survives a reload.
 */
export function SuppliersPage() {
  const { t } = useI18n();
  const { dateTime } = useFormat();
  const { config } = useSession();
  const [params, setParams] = useSearchParams();
  const status = (params.get("status") as SupplierStatus | null) ?? undefined;
  const open = params.get("supplier");

  const set = (name: string, value: string | undefined) =>
    setParams((p) => {
      if (value) p.set(name, value);
      else p.delete(name);
      return p;
    });

  const columns: TableColumnsType<SupplierSummary> = [
    {
      title: t("regulator.suppliers.name"),
      key: "name",
      render: (_, s) => (
        <Space orientation="vertical" size={0}>
          <Typography.Text strong>{bytes32Text(s.name)}</Typography.Text>
          <Hex value={s.address} />
        </Space>
      ),
    },
    {
      title: t("regulator.suppliers.registrationId"),
      key: "registrationId",
      render: (_, s) => bytes32Text(s.registrationId),
    },
    {
      title: t("common.status"),
      key: "status",
      render: (_, s) => (
        <Space size={4} wrap>
          <Tag
            color={s.status === "active" ? TAG.good : TAG.bad}
            data-testid={`supplier-status-${s.address}`}
          >
            {t(`regulator.suppliers.status.${s.status}`)}
          </Tag>
          {s.statusReason !== null && <ReasonText code={s.statusReason} />}
        </Space>
      ),
    },
    {
      title: t("regulator.suppliers.registeredAt"),
      key: "registeredAt",
      render: (_, s) => dateTime(s.registeredAt),
    },
    {
      title: t("regulator.lastChange"),
      key: "lastChange",
      render: (_, s) => <ChainRef {...s.lastChange} />,
    },
    {
      title: t("common.actions"),
      key: "actions",
      render: (_, s) => {
        const name = bytes32Text(s.name);
        const to = config?.contracts.registry ?? "";
        return (
          <Space wrap>
            <Button
              size="small"
              onClick={() => set("supplier", s.address)}
              aria-label={t("regulator.suppliers.documentsOf", { name })}
            >
              {t("regulator.suppliers.documents")}
            </Button>
            {s.status === "active" ? (
              <ReasonAct
                label={t("regulator.suppliers.suspend")}
                name={t("regulator.suppliers.suspendOne", { name })}
                subject={t("regulator.suppliers.suspendWhat", { name })}
                act="suspend"
                call={(reason) => ({ to, data: registryActs.suspend(s.address, reason) })}
              />
            ) : (
              <ReasonAct
                label={t("regulator.suppliers.reinstate")}
                name={t("regulator.suppliers.reinstateOne", { name })}
                subject={t("regulator.suppliers.reinstateWhat", { name })}
                act="reinstate"
                call={(reason) => ({ to, data: registryActs.reinstate(s.address, reason) })}
              />
            )}
          </Space>
        );
      },
    },
  ];

  return (
    <section>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("nav.regulator.suppliers")}
      </Typography.Title>
      <ChoiceFilter
        label={t("common.status")}
        value={status}
        onChange={(v) => set("status", v)}
        choices={STATUSES.map((s) => ({ value: s, label: t(`regulator.suppliers.status.${s}`) }))}
      />
      <CursorTable<SupplierSummary>
        label={t("nav.regulator.suppliers")}
        path="/v1/suppliers"
        query={{ status }}
        columns={columns}
        rowKey="address"
      />
      {open && <SupplierDocuments address={open} onClose={() => set("supplier", undefined)} />}
    </section>
  );
}
