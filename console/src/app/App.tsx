import { Button, Layout, Menu, Space, Tag, Typography } from "antd";
import { BrowserRouter, Link, Navigate, Route, Routes, useLocation } from "react-router-dom";
import type { MessageKey } from "../i18n/en";
import { useI18n } from "../i18n/i18n";
import { short } from "../lib/format";
import { useSession } from "../lib/session";
import { hospitalRoutes } from "../pages/hospital/routes";
import { regulatorReportRoutes } from "../pages/regulator/reports/routes";
import { regulatorRoutes } from "../pages/regulator/routes";
import { spendRoutes } from "../pages/spend/routes";
import { supplierRoutes } from "../pages/supplier/routes";
import { warehouseRoutes } from "../pages/warehouse/routes";
import { Home } from "./Home";
import type { NavEntry } from "./nav";
import { SignIn } from "./SignIn";

/** Every page of the console; each role's menu shows the ones it may use. */
const PAGES: NavEntry[] = [
  ...supplierRoutes,
  ...hospitalRoutes,
  ...warehouseRoutes,
  ...regulatorRoutes,
  ...regulatorReportRoutes,
  ...spendRoutes,
];

export function App() {
  return (
    <BrowserRouter>
      <Shell />
    </BrowserRouter>
  );
}

function Shell() {
  const { t, lang, setLang } = useI18n();
  const { session, signOut } = useSession();
  const location = useLocation();
  const pages = session ? PAGES.filter((p) => p.roles.some((r) => session.roles.includes(r))) : [];

  return (
    <Layout style={{ minHeight: "100vh" }}>
      <Layout.Header
        style={{
          display: "flex",
          alignItems: "center",
          gap: 16,
          padding: "0 16px",
          flexWrap: "wrap",
          height: "auto",
          minHeight: 64,
        }}
      >
        <Typography.Text strong style={{ color: "#fff", fontSize: 18, whiteSpace: "nowrap" }}>
          <Link to="/" style={{ color: "inherit" }}>
            {t("app.title")}
          </Link>
        </Typography.Text>
        <span style={{ flex: 1 }} />
        {session && (
          <Space wrap aria-label={t("session.roles")} data-testid="who">
            <Typography.Text style={{ color: "#fff" }} title={session.address}>
              {short(session.address)}
            </Typography.Text>
            {session.roles.length === 0 ? (
              <Tag>{t("session.noRole")}</Tag>
            ) : (
              session.roles.map((r) => (
                <Tag key={r} color="#7a5200">
                  {t(`role.${r}` as MessageKey)}
                </Tag>
              ))
            )}
            {session.hospital && (
              <Typography.Text style={{ color: "#fff" }} title={session.hospital}>
                {t("session.hospital")} {short(session.hospital)}
              </Typography.Text>
            )}
          </Space>
        )}
        <Button size="small" onClick={() => setLang(lang === "zh" ? "en" : "zh")}>
          {t("lang.switch")}
        </Button>
        {session && (
          <Button size="small" onClick={signOut}>
            {t("session.signOut")}
          </Button>
        )}
      </Layout.Header>
      {session ? (
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
      ) : (
        <SignIn />
      )}
    </Layout>
  );
}
