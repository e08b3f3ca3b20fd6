import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { existsSync } from "node:fs";
import path from "node:path";

/**
 * Serves the built web console (`npm run build` → CONSOLE_DIR) at `/`. Its hashed assets are
 * cached for a year; index.html never, so a new build is picked up at the next visit. A console
 * page opened by its address (e.g. /regulator/trail) answers index.html, and the console's router
 * shows the page. Without a build the gateway serves the API alone.
 */

/**
 * Where the console's pages live: one prefix per role, the shared spend and allowances pages
 * (the console's routes, console/src/pages/<role>/routes.tsx) and the public sunshine page. Only these answer index.html: a catch-all would
 * also swallow what the API's router refuses on its own terms (a path parameter too long is 414,
 * an unknown path the catalogue's 404).
 */
export const PAGE_PREFIXES = [
  "/supplier",
  "/hospital",
  "/warehouse",
  "/regulator",
  "/fund",
  "/spend",
  "/allowances",
  "/sunshine",
];

async function consoleStatic(app: FastifyInstance): Promise<void> {
  const root = app.config.console.dir;
  if (!existsSync(path.join(root, "index.html"))) {
    app.log.warn({ dir: root }, "no web console build: serving the API only (npm run build makes one)");
    return;
  }
  await app.register(fastifyStatic, {
    root,
    // One route per built file, found at start: nothing else is served from the folder.
    wildcard: false,
    index: false,
    // Ours, below: send's own max-age=0 would override them.
    cacheControl: false,
    setHeaders: (res, file) => {
      res.setHeader(
        "cache-control",
        file.includes(`${path.sep}assets${path.sep}`) ? "public, max-age=31536000, immutable" : "no-cache",
      );
    },
  });
  const page = async (_request: FastifyRequest, reply: FastifyReply) =>
    reply.header("cache-control", "no-cache").sendFile("index.html", { cacheControl: false });
  app.get("/", { schema: { hide: true } }, page);
  for (const prefix of PAGE_PREFIXES) {
    app.get(prefix, { schema: { hide: true } }, page);
    app.get(`${prefix}/*`, { schema: { hide: true } }, page);
  }
}

export default fp(consoleStatic, { name: "console-static", fastify: "5.x" });
