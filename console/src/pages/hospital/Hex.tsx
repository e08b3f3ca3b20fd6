import { Typography } from "antd";
import { short } from "../../lib/format";

/** An address or hash in a cell: short on screen, whole in its title and when copied. */
export function Hex({ value }: { value: string }) {
  return (
    <Typography.Text code title={value} copyable={{ text: value }} style={{ whiteSpace: "nowrap" }}>
      {short(value)}
    </Typography.Text>
  );
}
