import react from "@vitejs/plugin-react";
import path from "node:path";
import { defineConfig } from "vite";

/**
 * The web console's build: `npm run build:console` writes dist/console, which the gateway
 * serves at / (server/modules/console/console.static.ts). Everything is bundled — nothing is
 * fetched from a CDN at run time. `npm run dev:console` serves it with hot reload and forwards
 * the API to a gateway on GATEWAY_URL (default the one `npm start` runs).
 */
export default defineConfig({
  root: __dirname,
  plugins: [react()],
  // The `siwe` package's message parser (apg-js) uses Node's Buffer: the browser gets the npm one.
  resolve: { alias: { buffer: "buffer/" } },
  build: {
    outDir: path.resolve(__dirname, "../dist/console"),
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
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
