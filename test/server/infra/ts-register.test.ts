import { expect } from "chai";
import { readFileSync } from "node:fs";
import path from "node:path";

const { COMPILER_OPTIONS } = require("../helpers/ts-register.js") as {
  COMPILER_OPTIONS: Record<string, unknown>;
};

describe("the tests' cached TypeScript loader", function () {
  it("transpiles with tsconfig.json's module, target and import options", function () {
    const tsconfig = JSON.parse(readFileSync(path.resolve(__dirname, "../../../tsconfig.json"), "utf8")) as {
      compilerOptions: Record<string, unknown>;
    };
    const lower = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : v);
    for (const option of ["module", "target", "esModuleInterop", "resolveJsonModule"]) {
      expect(lower(COMPILER_OPTIONS[option]), option).to.equal(lower(tsconfig.compilerOptions[option]));
    }
  });
});
