import react from "@vitejs/plugin-react";
import path from "node:path";
import { defineConfig } from "vite";

/**
 * The web console's build: `npm run build:console` writes dist/console, which the gateway
 * serves at / (server/modules/console/console.static.ts). Everything is bundled — nothing is
 * fetched from a CDN at run time. `npm run dev:console` serves it with hot reload and forwards
 * the API to a gateway on GATEWAY_URL (default the one `npm start` runs).
 */
const here = import.meta.dirname;

export default defineConfig({
  root: here,
  plugins: [
    react(),
    {
      // siwe's `require("ethers")` gets only what siwe uses (src/lib/siwe-ethers.ts), not ethers'
      // whole namespace: about 490 kB less JavaScript for the sign-in page.
      name: "siwe-ethers",
      enforce: "pre",
      resolveId(source, importer) {
        if (source === "ethers" && importer && /node_modules[\\/]siwe[\\/]/.test(importer))
          return path.resolve(here, "src/lib/siwe-ethers.ts");
        return null;
      },
    },
  ],
  // The `siwe` package's message parser (apg-js) uses Node's Buffer: the browser gets the npm one.
  resolve: { alias: { buffer: "buffer/" } },
  build: {
    outDir: path.resolve(here, "../dist/console"),
    emptyOutDir: true,
    // kB: the largest chunks (echarts, ethers) are about 530 and 510; a bigger one is a
    // regression worth a warning.
    chunkSizeWarningLimit: 600,
    // The pages load per role (app/sections.ts); the libraries go in chunks of their own, which
    // stay cached across releases of the console. Ant Design is split by which chunks use each
    // part (entriesAware): the sign-in page loads its layout, buttons and forms, not the tables
    // and pickers of pages it may never open.
    rolldownOptions: {
      // apg-js (siwe's message parser) opens two files with 'use strict;' (sic): a plain string,
      // not a directive, so there is nothing for the bundle to keep; the warning is noise.
      onwarn(warning, warn) {
        if (warning.code === "MODULE_LEVEL_DIRECTIVE" && /[\\/]apg-js[\\/]/.test(warning.id ?? "")) return;
        warn(warning);
      },
      output: {
        codeSplitting: {
          groups: [
            { name: "echarts", test: /node_modules[\\/](echarts|zrender)[\\/]/, priority: 4 },
            {
              name: "ethers",
              test: /node_modules[\\/](ethers|@noble|@adraffy|aes-js|siwe|@spruceid|apg-js|buffer)[\\/]/,
              priority: 3,
            },
            {
              name: "react",
              test: /node_modules[\\/](react|react-dom|scheduler|react-router|react-router-dom|@tanstack)[\\/]/,
              priority: 2,
            },
            {
              name: "antd",
              test: /node_modules[\\/](antd|@ant-design|@rc-component|dayjs|stylis|@emotion)[\\/]/,
              priority: 1,
              entriesAware: true,
              entriesAwareMergeThreshold: 20_000,
            },
          ],
        },
        // A section's chunk by its folder (hospital, regulator-reports…), a library's by its
        // name, not by the chunks that share it.
        chunkFileNames: (chunk) => {
          const section = /pages[\\/](.+)[\\/]routes\.tsx$/.exec(chunk.facadeModuleId ?? "")?.[1];
          return `assets/${section?.replace(/[\\/]/g, "-") ?? chunk.name.split("~")[0]}-[hash].js`;
        },
      },
    },
  },
  server: {
    proxy: Object.fromEntries(
      ["/v1", "/health", "/ready", "/openapi.json"].map((p) => [
        p,
        process.env.GATEWAY_URL ?? "http://127.0.0.1:8080",
      ]),
    ),
  },
});
