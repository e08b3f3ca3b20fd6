import { Alert, Form, Select, Space, Typography } from "antd";
import { useState } from "react";
import { DOCUMENT_KINDS } from "../../../../ledger/enums";
import { categoryCode } from "../../../../ledger/acts";
import { isProductNumber } from "../../../../ledger/product-key";
import { SupplierRegistry__factory } from "../../../../typechain-types";
import { ActButton } from "../../components/ActButton";
import { DateInput } from "../../components/DateInput";
import type { MessageKey } from "../../i18n/en";
import { useI18n } from "../../i18n/i18n";
import { FormProblem } from "../../lib/form-problem";
import { useSession } from "../../lib/session";
import { unixOfDate } from "./dates";
import { fileSha256 } from "./sha256";

const registry = SupplierRegistry__factory.createInterface();

interface Values {
  kind: (typeof DOCUMENT_KINDS)[number];
  validFrom: string;
  validUntil: string;
  categories: string[];
  gtins?: string[];
}

/**
 * Files a qualification document: its digest (computed here from the chosen file), validity and
 * categories go to the ledger, where the regulator attests or rejects it. A product registration
 * that lists GTINs is filed as such (fileProductRegistration): attested, it lets the supplier ship them.
 */
export function FileDocumentForm({ knownCategories }: { knownCategories: string[] }) {
  const { t } = useI18n();
  const { config } = useSession();
  const [form] = Form.useForm<Values>();
  const kind = Form.useWatch("kind", form);
  const [digest, setDigest] = useState<{ name: string; sha256: string } | null>(null);
  const [filed, setFiled] = useState<string | null>(null);

  async function call() {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      throw new FormProblem(t("supplier.form.invalid"));
    }
    if (!digest) throw new FormProblem(t("supplier.file.noFile"));
    if (!config) throw new FormProblem(t("supplier.form.noConfig"));
    const validFrom = unixOfDate(v.validFrom);
    const validUntil = unixOfDate(v.validUntil);
    if (validUntil <= validFrom) throw new FormProblem(t("supplier.file.untilBeforeFrom"));
    const categories = v.categories.map((c) => categoryCode(c.trim()));
    const data =
      v.kind === "product_registration" && v.gtins && v.gtins.length > 0
        ? registry.encodeFunctionData("fileProductRegistration", [
            digest.sha256,
            validFrom,
            validUntil,
            categories,
            v.gtins.map((g) => BigInt(g)),
          ])
        : registry.encodeFunctionData("fileDocument", [
            DOCUMENT_KINDS.indexOf(v.kind),
            digest.sha256,
            validFrom,
            validUntil,
            categories,
          ]);
    return { to: config.contracts.registry, data };
  }

  return (
    <Form
      form={form}
      layout="vertical"
      style={{ maxWidth: 640 }}
      initialValues={{ kind: "business_licence" }}
    >
      <Form.Item name="kind" label={t("supplier.document.kind")} rules={[{ required: true }]}>
        <Select
          options={DOCUMENT_KINDS.map((k) => ({ value: k, label: t(`supplier.kind.${k}` as MessageKey) }))}
        />
      </Form.Item>
      <Form.Item label={t("supplier.file.file")} htmlFor="supplier-file-input" required>
        <Space orientation="vertical" style={{ width: "100%" }}>
          <input
            id="supplier-file-input"
            type="file"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              setDigest(file ? { name: file.name, sha256: await fileSha256(file) } : null);
            }}
          />
          {digest && (
            <Typography.Text data-testid="document-sha256" style={{ wordBreak: "break-all" }}>
              SHA-256 {digest.sha256}
            </Typography.Text>
          )}
          <Typography.Text type="secondary">{t("supplier.file.privacy")}</Typography.Text>
        </Space>
      </Form.Item>
      <Space wrap>
        <Form.Item name="validFrom" label={t("supplier.validity.from")} rules={[{ required: true }]}>
          <DateInput />
        </Form.Item>
        <Form.Item name="validUntil" label={t("supplier.validity.until")} rules={[{ required: true }]}>
          <DateInput />
        </Form.Item>
      </Space>
      <Form.Item
        name="categories"
        label={t("supplier.file.categories")}
        extra={t("supplier.file.categoriesHint")}
        rules={[{ required: true, type: "array", min: 1 }]}
      >
        <Select mode="tags" options={knownCategories.map((c) => ({ value: c, label: c }))} />
      </Form.Item>
      {kind === "product_registration" && (
        <Form.Item
          name="gtins"
          label={t("supplier.file.gtins")}
          extra={t("supplier.file.gtinsHint")}
          rules={[
            {
              validator: (_, value: string[] | undefined) =>
                (value ?? []).every(isProductNumber)
                  ? Promise.resolve()
                  : Promise.reject(new Error(t("supplier.file.gtinInvalid"))),
            },
          ]}
        >
          <Select mode="tags" open={false} />
        </Form.Item>
      )}
      <Space orientation="vertical" style={{ width: "100%" }}>
        <ActButton type="primary" call={call} onDone={(r) => setFiled(r.txHash)}>
          {t("supplier.file.submit")}
        </ActButton>
        {filed && (
          <Alert
            type="success"
            showIcon
            title={t("supplier.file.filed")}
            description={<span style={{ wordBreak: "break-all" }}>{filed}</span>}
          />
        )}
      </Space>
    </Form>
  );
}
