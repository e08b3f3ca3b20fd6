import { Button, Space } from "antd";
import { Component, type ReactNode } from "react";
import { ErrorAlert } from "../components/ErrorAlert";
import { useI18n } from "../i18n/i18n";

/**
 * A part of the console whose code could not be fetched (the network, or a gateway updated
 * since this page loaded, whose old chunks are gone): said so, with a reload, instead of a
 * blank page. React catches a render's error only in a class component.
 */
export class LoadBoundary extends Component<{ children: ReactNode }, { error: unknown }> {
  state = { error: null as unknown };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  render() {
    return this.state.error === null ? this.props.children : <LoadFailed error={this.state.error} />;
  }
}

function LoadFailed({ error }: { error: unknown }) {
  const { t } = useI18n();
  return (
    <Space orientation="vertical" style={{ padding: 16 }}>
      <ErrorAlert error={error} />
      <Button onClick={() => window.location.reload()}>{t("state.retry")}</Button>
    </Space>
  );
}
