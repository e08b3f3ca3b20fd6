import { Typography } from "antd";
import { short } from "../../../lib/format";

/** An address or hash: short in the cell, whole in its title and when copied. */
export function Hex({ value, testId }: { value: string; testId?: string }) {
  return (
    <Typography.Text code copyable={{ text: value }} title={value} data-testid={testId}>
      {short(value)}
    </Typography.Text>
  );
}
