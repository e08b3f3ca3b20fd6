import { useQuery } from "@tanstack/react-query";
import { Card, Space, Table, Typography, type TableColumnsType } from "antd";
import type { Supplier, SupplierDocument, SupplierGtin } from "../../../../api/suppliers";
import { CursorTable } from "../../components/CursorTable";
import { QueryState } from "../../components/QueryState";
import type { MessageKey } from "../../i18n/en";
import { bytes32Text } from "../../lib/format";
import { useI18n } from "../../i18n/i18n";
import { api } from "../../lib/api";
import { useFormat } from "../../lib/use-format";
import { useLedgerNow } from "../../lib/ledger-clock";
import { useReasonLabel } from "../../lib/reasons";
import { daysUntil } from "./dates";
import { DeclareDeviceForm } from "./DeclareDeviceForm";
import { FileDocumentForm } from "./FileDocumentForm";
import { Hex } from "../../components/Hex";
import { useMe } from "./use-me";
import { ToneTag } from "./ToneTag";

/** Within this many days of its end a document is flagged: time to file its successor. */
const EXPIRING_DAYS = 90;

/** The supplier's qualification: its documents with their validity, the GTINs it may ship, filing a new document. */
export function QualificationPage() {
  const { t } = useI18n();
  const me = useMe();
  const supplier = useQuery({
    queryKey: [`/v1/suppliers/${me}`],
    queryFn: () => api.get<Supplier>(`/v1/suppliers/${me}`),
  });
  const columns = useDocumentColumns();
  const gtinColumns = useGtinColumns();

  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("supplier.qualification.title")}
      </Typography.Title>
      <QueryState query={supplier}>
        {(s) => (
          <Space orientation="vertical" size="large" style={{ width: "100%" }}>
            <Typography.Paragraph>
              {t("supplier.qualification.who", {
                name: bytes32Text(s.name),
                id: bytes32Text(s.registrationId),
              })}{" "}
              <ToneTag tone={s.status === "active" ? "good" : "bad"}>
                {t(`supplier.status.${s.status}` as MessageKey)}
              </ToneTag>
            </Typography.Paragraph>
            <section aria-labelledby="supplier-documents">
              <Typography.Title level={2} id="supplier-documents" style={{ fontSize: 18 }}>
                {t("supplier.qualification.documents")}
              </Typography.Title>
              {/* The first page came with the supplier; the rest page from the documents list. */}
              {s.documentsNextCursor === null ? (
                <Table<SupplierDocument>
                  aria-label={t("supplier.qualification.documents")}
                  size="small"
                  columns={columns}
                  dataSource={s.documents}
                  rowKey="id"
                  pagination={false}
                  scroll={{ x: "max-content" }}
                />
              ) : (
                <CursorTable<SupplierDocument>
                  label={t("supplier.qualification.documents")}
                  path={`/v1/suppliers/${me}/documents`}
                  columns={columns}
                  rowKey="id"
                />
              )}
            </section>
            <section aria-labelledby="supplier-gtins">
              <Typography.Title level={2} id="supplier-gtins" style={{ fontSize: 18 }}>
                {t("supplier.qualification.gtins")}
              </Typography.Title>
              {s.gtinsNextCursor === null ? (
                <Table<SupplierGtin>
                  aria-label={t("supplier.qualification.gtins")}
                  size="small"
                  columns={gtinColumns}
                  dataSource={s.gtins}
                  rowKey="gtin"
                  pagination={false}
                  scroll={{ x: "max-content" }}
                />
              ) : (
                <CursorTable<SupplierGtin>
                  label={t("supplier.qualification.gtins")}
                  path={`/v1/suppliers/${me}/gtins`}
                  columns={gtinColumns}
                  rowKey="gtin"
                />
              )}
            </section>
            <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t("supplier.file.title")}</h2>}>
              <FileDocumentForm
                knownCategories={[...new Set(s.documents.flatMap((d) => d.categories).map(bytes32Text))]}
              />
            </Card>
            <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t("supplier.device.title")}</h2>}>
              <DeclareDeviceForm />
            </Card>
          </Space>
        )}
      </QueryState>
    </Space>
  );
}

/** How a validity end reads: the date, and a flag once it is near or past. */
function Validity({ until }: { until: string }) {
  const { t } = useI18n();
  const { date } = useFormat();
  const days = daysUntil(until, useLedgerNow()());
  return (
    <Space size={4} wrap>
      <span>{date(until)}</span>
      {days < 0 ? (
        <ToneTag tone="bad">{t("supplier.validity.expired")}</ToneTag>
      ) : days <= EXPIRING_DAYS ? (
        <ToneTag tone="warning">{t("supplier.validity.expiring", { days })}</ToneTag>
      ) : null}
    </Space>
  );
}

function useDocumentColumns(): TableColumnsType<SupplierDocument> {
  const { t } = useI18n();
  const { date } = useFormat();
  const reasonLabel = useReasonLabel();
  return [
    { title: t("common.id"), dataIndex: "id" },
    {
      title: t("supplier.document.kind"),
      dataIndex: "kind",
      render: (kind: string) => t(`supplier.kind.${kind}` as MessageKey),
    },
    {
      title: t("common.status"),
      dataIndex: "status",
      render: (status: string, d) => (
        <ToneTag tone={status === "attested" ? "good" : status === "rejected" ? "bad" : "info"}>
          {t(`supplier.document.${status}` as MessageKey)}
          {d.reasonCode !== null ? ` (${reasonLabel(d.reasonCode)})` : ""}
        </ToneTag>
      ),
    },
    { title: t("supplier.validity.from"), dataIndex: "validFrom", render: (v: string) => date(v) },
    {
      title: t("supplier.validity.until"),
      dataIndex: "validUntil",
      render: (v: string) => <Validity until={v} />,
    },
    {
      title: t("common.category"),
      dataIndex: "categories",
      render: (c: string[]) => c.map(bytes32Text).join(", "),
    },
    { title: "GTIN", dataIndex: "gtins", render: (g: string[] | null) => (g ? g.join(", ") : "—") },
    { title: "SHA-256", dataIndex: "sha256", render: (h: string) => <Hex value={h} /> },
  ];
}

function useGtinColumns(): TableColumnsType<SupplierGtin> {
  const { t } = useI18n();
  const { date } = useFormat();
  return [
    { title: "GTIN", dataIndex: "gtin" },
    { title: t("supplier.gtin.document"), dataIndex: "documentId" },
    { title: t("supplier.validity.from"), dataIndex: "validFrom", render: (v: string) => date(v) },
    {
      title: t("supplier.validity.until"),
      dataIndex: "validUntil",
      render: (v: string) => <Validity until={v} />,
    },
  ];
}
