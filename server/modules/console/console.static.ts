import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { existsSync } from "node:fs";
import path from "node:path";
import { appError } from "../../plugins/error-catalogue";

/**
 * Serves the built web console (`npm run build` → CONSOLE_DIR) at `/`. Its hashed assets are
 * cached for a year; index.html never, so a new build is picked up at the next visit. Any other
 * GET that is not the API's (a console page opened by its address, e.g. /regulator/trail)
 * answers index.html, and the console's router shows the page. Without a build the gateway
 * serves the API alone.
 */

/** Paths that belong to the API: an unknown one answers the catalogue's 404, never the console. */
const API_PATHS = /^\/(v1|health|ready|metrics|openapi\.json|docs)(\/|$)/;

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
  app.get("/*", { schema: { hide: true } }, async (request, reply) => {
    const url = request.url.split("?")[0];
    if (API_PATHS.test(url)) throw appError("ROUTE_NOT_FOUND", `no route for GET ${url}`);
    return reply.header("cache-control", "no-cache").sendFile("index.html", { cacheControl: false });
  });
  app.get("/", { schema: { hide: true } }, async (_request, reply) =>
    reply.header("cache-control", "no-cache").sendFile("index.html", { cacheControl: false }),
  );
}

export default fp(consoleStatic, { name: "console-static", fastify: "5.x" });
