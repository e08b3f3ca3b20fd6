import { Layout, Menu } from "antd";
import { Link, Navigate, Route, Routes, useLocation } from "react-router-dom";
import { useI18n } from "../i18n/i18n";
import { Home } from "./Home";
import type { NavEntry } from "./nav";

/** The signed-in console: the menu of the pages the session may use, and the page open. */
export function Workspace({ pages }: { pages: NavEntry[] }) {
  const { t } = useI18n();
  const location = useLocation();
  return (
    <Layout>
      <Layout.Sider width={220} breakpoint="lg" collapsedWidth={0} theme="light">
        <nav aria-label="menu">
          <Menu
            mode="inline"
            selectedKeys={[location.pathname]}
            items={[
              { key: "/", label: <Link to="/">{t("nav.home")}</Link> },
              ...pages.map((p) => ({ key: p.path, label: <Link to={p.path}>{t(p.label)}</Link> })),
            ]}
          />
        </nav>
      </Layout.Sider>
      <Layout.Content style={{ padding: 16, minWidth: 0 }}>
        <main>
          <Routes>
            <Route path="/" element={<Home />} />
            {pages.map((p) => (
              <Route key={p.path} path={p.path} element={p.element} />
            ))}
            <Route path="*" element={<Navigate to="/" replace />} />
          </Routes>
        </main>
      </Layout.Content>
    </Layout>
  );
}
