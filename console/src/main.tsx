import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App as AntApp, ConfigProvider } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import { StrictMode, useMemo, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app/App";
import { I18nProvider, useI18n } from "./i18n/i18n";
import { useReducedMotion } from "./lib/reduced-motion";
import { SessionProvider } from "./lib/session";

/** The console: data fetching, the language (with Ant Design's own locale), the session. */
const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: 1, staleTime: 5_000, refetchOnWindowFocus: false } },
});

/**
 * Ant Design's default secondary greys and a light primary fail WCAG AA contrast (axe
 * color-contrast, checked by the browser tests): every text colour here reads at 4.5:1 or more.
 */
const THEME = {
  token: {
    colorPrimary: "#7a5200",
    // Danger buttons and error text (a cancellation's button): Ant Design's red reads 3.9:1.
    colorError: "#a8071a",
    colorLink: "#7a5200",
    colorLinkHover: "#5c3d00",
    colorTextSecondary: "rgba(0, 0, 0, 0.68)",
    colorTextDescription: "rgba(0, 0, 0, 0.68)",
    colorTextTertiary: "rgba(0, 0, 0, 0.62)",
  },
  components: { Menu: { itemHoverColor: "#5c3d00", itemSelectedColor: "#5c3d00" } },
};

function Localised({ children }: { children: ReactNode }) {
  const { lang } = useI18n();
  const reducedMotion = useReducedMotion();
  const theme = useMemo(
    () => (reducedMotion ? { ...THEME, token: { ...THEME.token, motion: false } } : THEME),
    [reducedMotion],
  );
  return (
    <ConfigProvider locale={lang === "zh" ? zhCN : enUS} theme={theme} wave={{ disabled: reducedMotion }}>
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <I18nProvider>
        <Localised>
          <SessionProvider>
            <App />
          </SessionProvider>
        </Localised>
      </I18nProvider>
    </QueryClientProvider>
  </StrictMode>,
);
