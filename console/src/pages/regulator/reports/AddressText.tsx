import { Typography } from "antd";
import { short } from "../../../lib/format";

/** An account in a table cell: short, the whole address in its title and copyable. */
export function AddressText({ address }: { address: string }) {
  return (
    <Typography.Text title={address} copyable={{ text: address }} style={{ whiteSpace: "nowrap" }}>
      {short(address)}
    </Typography.Text>
  );
}
