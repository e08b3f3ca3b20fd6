import { Alert, Form, Input, Select, Space, Typography } from "antd";
import { useState } from "react";
import { ISSUING_AGENCIES, type IssuingAgency } from "../../../../ledger/enums";
import { productKeyOf } from "../../../../ledger/product-key";
import { SupplierRegistry__factory } from "../../../../typechain-types";
import { ActButton } from "../../components/ActButton";
import { useI18n } from "../../i18n/i18n";
import { useSession } from "../../lib/session";

const registry = SupplierRegistry__factory.createInterface();
const AGENCIES: IssuingAgency[] = ["MA", "AHM"];

/**
 * Declares a device identifier issued by an agency other than GS1 (SupplierRegistry
 * .declareDeviceIdentifier): the ledger checks its form and binds it to its product key, which
 * the supplier then lists in a product registration like a GTIN. The key is shown before signing:
 * anyone can compute it from the agency and the identifier.
 */
export function DeclareDeviceForm() {
  const { t } = useI18n();
  const { config } = useSession();
  const [agency, setAgency] = useState<IssuingAgency>("MA");
  const [identifier, setIdentifier] = useState("");
  const [declared, setDeclared] = useState<string | null>(null);
  const di = identifier.trim();
  const key = di === "" ? null : productKeyOf(agency, di);

  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Typography.Paragraph>{t("supplier.device.intro")}</Typography.Paragraph>
      <Form layout="vertical" style={{ maxWidth: 640 }}>
        <Form.Item label={t("supplier.device.agency")} htmlFor="device-agency">
          <Select
            id="device-agency"
            value={agency}
            onChange={setAgency}
            options={AGENCIES.map((a) => ({ value: a, label: t(`supplier.device.agency.${a}`) }))}
          />
        </Form.Item>
        <Form.Item
          label={t("supplier.device.identifier")}
          htmlFor="device-identifier"
          extra={key && t("supplier.device.key", { key })}
        >
          <Input
            id="device-identifier"
            maxLength={64}
            value={identifier}
            onChange={(e) => setIdentifier(e.target.value)}
          />
        </Form.Item>
        <ActButton
          type="primary"
          disabled={key === null}
          call={() => ({
            to: config!.contracts.registry,
            data: registry.encodeFunctionData("declareDeviceIdentifier", [
              ISSUING_AGENCIES.indexOf(agency),
              di,
            ]),
          })}
          onDone={() => setDeclared(key)}
        >
          {t("supplier.device.submit")}
        </ActButton>
      </Form>
      {declared && (
        <Alert
          type="success"
          showIcon
          role="status"
          title={t("supplier.device.declared", { key: declared })}
        />
      )}
    </Space>
  );
}
