import { Button, Layout, Spin, Tag, Typography, Space } from "antd";
import { lazy, Suspense, type ComponentType } from "react";
import { BrowserRouter, Link, useLocation } from "react-router-dom";
import type { Role } from "../../../api/auth";
import type { MessageKey } from "../i18n/en";
import { useI18n } from "../i18n/i18n";
import { short } from "../lib/format";
import { useNames } from "../lib/names";
import { useSession } from "../lib/session";
import { LoadBoundary } from "./LoadBoundary";
import { pagesFor } from "./sections";
import { SignIn } from "./SignIn";
import { Workspace } from "./Workspace";

// Public, so it is its own chunk: a reader of the prices loads none of the workspaces' pages.
const SunshinePage = lazy(async () => ({
  default: (await import("../pages/sunshine/SunshinePage")).SunshinePage,
}));

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
  // Who is signed in and for which hospital, by name where the ledger (or the directory) has one.
  const nameOf = useNames();
  // The sunshine prices are public: shown to anyone, signed in or not.
  const sunshine = useLocation().pathname.startsWith("/sunshine");

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
        <Link to="/sunshine" style={{ color: "#fff", textDecoration: "underline" }}>
          {t("sunshine.link")}
        </Link>
        <span style={{ flex: 1 }} />
        {session && (
          <Space wrap aria-label={t("session.roles")} data-testid="who">
            <Typography.Text style={{ color: "#fff" }} title={session.address}>
              {nameOf(session.address) ?? short(session.address)}
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
            {/* The hospital account is its hospital: its name once, not twice. */}
            {session.hospital && session.hospital.toLowerCase() !== session.address.toLowerCase() && (
              <Typography.Text style={{ color: "#fff" }} title={session.hospital}>
                {nameOf(session.hospital) ?? `${t("session.hospital")} ${short(session.hospital)}`}
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
      {sunshine ? (
        <LoadBoundary>
          <Suspense fallback={<Loading />}>
            <SunshinePage />
          </Suspense>
        </LoadBoundary>
      ) : session ? (
        <LoadBoundary>
          <Suspense fallback={<Loading />}>
            <SignedIn roles={session.roles} />
          </Suspense>
        </LoadBoundary>
      ) : (
        <SignIn />
      )}
    </Layout>
  );
}

function SignedIn({ roles }: { roles: readonly Role[] }) {
  const { config, configError } = useSession();
  // A workspace's pages name the ledger's contracts from the config: on a page opened by its
  // address (or reloaded) none of them renders before it has arrived.
  if (configError) throw configError;
  if (!config) return <Loading />;
  const RolesWorkspace = workspaceOf(roles);
  return <RolesWorkspace />;
}

/**
 * The workspace of a set of roles, loaded lazily (React.lazy: the code of its pages is fetched
 * on first use, app/sections.ts) and kept, so signing in again with the same roles reuses it.
 */
const workspaces = new Map<string, ComponentType>();
function workspaceOf(roles: readonly Role[]): ComponentType {
  const key = [...roles].sort().join(" ");
  let workspace = workspaces.get(key);
  if (!workspace) {
    workspace = lazy(async () => {
      const pages = await pagesFor(roles);
      return { default: () => <Workspace pages={pages} /> };
    });
    workspaces.set(key, workspace);
  }
  return workspace;
}

function Loading() {
  const { t } = useI18n();
  return (
    <Spin tip={t("state.loading")}>
      <div style={{ minHeight: 200 }} />
    </Spin>
  );
}
