import { expect } from "chai";
import { artifacts } from "hardhat";
import {
  ADJUSTMENT_STATUS,
  DOCUMENT_KINDS,
  DOCUMENT_STATUS,
  ISSUING_AGENCIES,
  ORDER_STATUS,
  SUPPLIER_STATUS,
  TENDER_PHASES,
  TENDER_STATUS,
  TRACE_STEPS,
} from "../../ledger/enums";

/**
 * The SDK names each Solidity enum value by its index (the value on chain). The compiler's AST
 * is the source of truth: a member added, removed or reordered in LedgerTypes.sol without the
 * same change in ledger/enums.ts would make the indexer and the trail misname every later value.
 */

interface AstNode {
  nodeType?: string;
  name?: string;
  members?: { name: string }[];
  nodes?: AstNode[];
}

async function solidityEnum(name: string): Promise<string[]> {
  const buildInfo = await artifacts.getBuildInfo("contracts/OrderBook.sol:OrderBook");
  const found = (
    buildInfo?.output.sources["contracts/types/LedgerTypes.sol"]?.ast as AstNode | undefined
  )?.nodes?.find((n) => n.nodeType === "EnumDefinition" && n.name === name);
  if (found?.members === undefined) throw new Error(`enum ${name} not found in LedgerTypes.sol`);
  return found.members.map((m) => m.name);
}

/** `DeviceOperatingPermit` → `device_operating_permit`; the SDK's names are snake case. */
const snake = (name: string) => name.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();

describe("ledger/enums", function () {
  for (const [solidity, sdk] of [
    ["DocumentKind", DOCUMENT_KINDS],
    ["DocumentStatus", DOCUMENT_STATUS],
    ["SupplierStatus", SUPPLIER_STATUS],
    ["OrderStatus", ORDER_STATUS],
    ["TenderStatus", TENDER_STATUS],
    ["TenderPhase", TENDER_PHASES],
    ["TraceStep", TRACE_STEPS],
    ["AdjustmentStatus", ADJUSTMENT_STATUS],
  ] as const) {
    it(`names ${solidity}'s members in declaration order`, async function () {
      expect([...sdk]).to.deep.equal((await solidityEnum(solidity)).map(snake));
    });
  }

  // Agencies keep their own spelling (MA, AHM): they name the agency in codes and messages.
  it("names IssuingAgency's members in declaration order", async function () {
    expect([...ISSUING_AGENCIES]).to.deep.equal(
      (await solidityEnum("IssuingAgency")).map((m) => (m === "None" ? "none" : m)),
    );
  });
});
