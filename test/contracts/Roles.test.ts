import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { LEDGER_BASED_CONTRACTS } from "../../ledger/contracts";
import {
  DEFAULT_ADMIN_ROLE,
  HOSPITAL_ROLES,
  MINTER_ROLE,
  PAUSER_ROLE,
  REGULATOR_ROLE,
} from "../../ledger/roles";
import { APPROVER, deployFixture, RECEIVER, SETTLER } from "./helpers/fixtures";

/**
 * The role values exist once on chain; the TypeScript copies the scripts, the gateway and the
 * tests use must equal what the ABI says, or a member would be invited with the wrong bits and a
 * regulator granted a role nothing checks.
 */
describe("role constants", function () {
  describe("hospital roles", function () {
    it("equal HospitalRegistry's APPROVER, SETTLER and RECEIVER in ledger/roles and the test fixtures", async function () {
      const { ledger } = await loadFixture(deployFixture);
      const onChain = {
        approver: await ledger.hospitals.APPROVER(),
        settler: await ledger.hospitals.SETTLER(),
        receiver: await ledger.hospitals.RECEIVER(),
      };
      expect(Object.keys(HOSPITAL_ROLES)).to.have.members(Object.keys(onChain));
      for (const [name, bits] of Object.entries(onChain)) {
        expect(BigInt(HOSPITAL_ROLES[name as keyof typeof HOSPITAL_ROLES]), name).to.equal(bits);
      }
      expect([APPROVER, SETTLER, RECEIVER].map(BigInt)).to.deep.equal([
        onChain.approver,
        onChain.settler,
        onChain.receiver,
      ]);
    });
  });

  describe("ledger roles", function () {
    it("equal LedgerRoles' REGULATOR_ROLE, PAUSER_ROLE and DEFAULT_ADMIN_ROLE", async function () {
      const { ledger } = await loadFixture(deployFixture);
      expect(await ledger.roles.REGULATOR_ROLE()).to.equal(REGULATOR_ROLE);
      expect(await ledger.roles.PAUSER_ROLE()).to.equal(PAUSER_ROLE);
      expect(await ledger.roles.DEFAULT_ADMIN_ROLE()).to.equal(DEFAULT_ADMIN_ROLE);
      expect(await ledger.token.MINTER_ROLE()).to.equal(MINTER_ROLE);
    });

    it("are the roles the ledger contracts check", async function () {
      const { ledger, actors } = await loadFixture(deployFixture);
      const { stranger } = actors;
      // Each contract keeps its own copy of the role hashes; its refusal names the one it checked.
      for (const name of LEDGER_BASED_CONTRACTS) {
        await expect(ledger[name].connect(stranger).pause(), name)
          .to.be.revertedWithCustomError(ledger[name], "LedgerUnauthorized")
          .withArgs(stranger.address, PAUSER_ROLE);
      }
      await expect(ledger.registry.connect(stranger).setRequiredKinds(1))
        .to.be.revertedWithCustomError(ledger.registry, "LedgerUnauthorized")
        .withArgs(stranger.address, REGULATOR_ROLE);
      await expect(ledger.trace.connect(stranger).bindOrderBook(stranger.address))
        .to.be.revertedWithCustomError(ledger.trace, "LedgerUnauthorized")
        .withArgs(stranger.address, await ledger.roles.DEFAULT_ADMIN_ROLE());
    });
  });
});
