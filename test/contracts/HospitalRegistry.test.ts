import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { expect } from "chai";
import { ethers } from "hardhat";
import type { Ledger } from "../../scripts/lib/ledger";
import { PAUSER_ROLE } from "../../scripts/lib/ledger";
import { APPROVER, deployFixture, RECEIVER, REGULATOR_ROLE, SETTLER } from "./helpers/fixtures";

const NAME_HASH = ethers.id("Peking Union Medical College Hospital");
const ALL_ROLES = APPROVER | SETTLER | RECEIVER;

/** The regulator has enrolled the hospital (and hospital2); nobody has members yet. */
async function enrolledFixture() {
  const base = await deployFixture();
  const { ledger, actors } = base;
  await ledger.hospitals.connect(actors.regulator).enrolHospital(actors.hospital.address, NAME_HASH);
  await ledger.hospitals.connect(actors.regulator).enrolHospital(actors.hospital2.address, NAME_HASH);
  return base;
}

/** As `enrolledFixture`, and approvers[0] is an approver of the hospital. */
async function memberFixture() {
  const base = await enrolledFixture();
  const { ledger, actors } = base;
  await ledger.hospitals.connect(actors.hospital).setMemberRoles(actors.approvers[0].address, APPROVER);
  return base;
}

/** Signs an ERC-2771 forward request of `signer` calling the hospital registry with `data`. */
async function forwardRequest(ledger: Ledger, signer: HardhatEthersSigner, data: string) {
  const domain = await ledger.forwarder.eip712Domain();
  const request = {
    from: signer.address,
    to: await ledger.hospitals.getAddress(),
    value: 0n,
    gas: 200_000n,
    nonce: await ledger.forwarder.nonces(signer.address),
    deadline: BigInt(Math.floor(Date.now() / 1000) + 10 * 365 * 24 * 3600),
    data,
  };
  const signature = await signer.signTypedData(
    {
      name: domain.name,
      version: domain.version,
      chainId: domain.chainId,
      verifyingContract: domain.verifyingContract,
    },
    {
      ForwardRequest: [
        { name: "from", type: "address" },
        { name: "to", type: "address" },
        { name: "value", type: "uint256" },
        { name: "gas", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint48" },
        { name: "data", type: "bytes" },
      ],
    },
    request,
  );
  return { ...request, signature };
}

describe("HospitalRegistry", function () {
  describe("enrolHospital", function () {
    describe("when the caller is a regulator", function () {
      it("enrols the hospital and emits HospitalEnrolled", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        await expect(
          ledger.hospitals.connect(actors.regulator).enrolHospital(actors.hospital.address, NAME_HASH),
        )
          .to.emit(ledger.hospitals, "HospitalEnrolled")
          .withArgs(actors.hospital.address, NAME_HASH, actors.regulator.address);
        expect(await ledger.hospitals.isEnrolled(actors.hospital.address)).to.equal(true);
        expect(await ledger.hospitals.hospitalOf(actors.hospital.address)).to.equal(actors.hospital.address);
        expect(await ledger.hospitals.approvalThreshold(actors.hospital.address)).to.equal(0n);
      });

      describe("when the hospital is already enrolled", function () {
        it("reverts with HospitalAlreadyEnrolled", async function () {
          const { ledger, actors } = await loadFixture(enrolledFixture);
          await expect(
            ledger.hospitals.connect(actors.regulator).enrolHospital(actors.hospital.address, NAME_HASH),
          )
            .to.be.revertedWithCustomError(ledger.hospitals, "HospitalAlreadyEnrolled")
            .withArgs(actors.hospital.address);
        });
      });

      describe("when the address is zero", function () {
        it("reverts with HospitalInvalidMember", async function () {
          const { ledger, actors } = await loadFixture(deployFixture);
          await expect(
            ledger.hospitals.connect(actors.regulator).enrolHospital(ethers.ZeroAddress, NAME_HASH),
          )
            .to.be.revertedWithCustomError(ledger.hospitals, "HospitalInvalidMember")
            .withArgs(ethers.ZeroAddress);
        });
      });

      describe("when the address is a member of a hospital", function () {
        it("reverts with HospitalMemberOfOther naming that hospital", async function () {
          const { ledger, actors } = await loadFixture(memberFixture);
          await expect(
            ledger.hospitals.connect(actors.regulator).enrolHospital(actors.approvers[0].address, NAME_HASH),
          )
            .to.be.revertedWithCustomError(ledger.hospitals, "HospitalMemberOfOther")
            .withArgs(actors.approvers[0].address, actors.hospital.address);
        });
      });

      describe("when the registry is paused", function () {
        it("reverts with EnforcedPause", async function () {
          const { ledger, actors } = await loadFixture(deployFixture);
          await ledger.hospitals.connect(actors.admin).pause();
          await expect(
            ledger.hospitals.connect(actors.regulator).enrolHospital(actors.hospital.address, NAME_HASH),
          ).to.be.revertedWithCustomError(ledger.hospitals, "EnforcedPause");
        });
      });
    });

    describe("when the caller is not a regulator", function () {
      it("reverts with LedgerUnauthorized, even for the ledger admin", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        for (const caller of [actors.stranger, actors.admin, actors.hospital]) {
          await expect(ledger.hospitals.connect(caller).enrolHospital(actors.hospital.address, NAME_HASH))
            .to.be.revertedWithCustomError(ledger.hospitals, "LedgerUnauthorized")
            .withArgs(caller.address, REGULATOR_ROLE);
        }
        expect(await ledger.hospitals.isEnrolled(actors.hospital.address)).to.equal(false);
      });
    });
  });

  describe("setMemberRoles", function () {
    describe("when the caller is an enrolled hospital", function () {
      for (const [name, roles] of [
        ["approver", APPROVER],
        ["settler", SETTLER],
        ["receiver", RECEIVER],
        ["approver and settler", APPROVER | SETTLER],
        ["every role", ALL_ROLES],
      ] as const) {
        it(`makes the account a member with the ${name} role and emits HospitalMemberChanged`, async function () {
          const { ledger, actors } = await loadFixture(enrolledFixture);
          const member = actors.approvers[1].address;
          await expect(ledger.hospitals.connect(actors.hospital).setMemberRoles(member, roles))
            .to.emit(ledger.hospitals, "HospitalMemberChanged")
            .withArgs(actors.hospital.address, member, roles);
          expect(await ledger.hospitals.memberRoles(actors.hospital.address, member)).to.equal(roles);
          expect(await ledger.hospitals.hospitalOf(member)).to.equal(actors.hospital.address);
          for (const bit of [APPROVER, SETTLER, RECEIVER]) {
            expect(await ledger.hospitals.hasHospitalRole(actors.hospital.address, member, bit)).to.equal(
              (roles & bit) !== 0,
            );
          }
        });
      }

      describe("when the account is already its member", function () {
        it("replaces the member's roles", async function () {
          const { ledger, actors } = await loadFixture(memberFixture);
          const member = actors.approvers[0].address;
          await expect(ledger.hospitals.connect(actors.hospital).setMemberRoles(member, SETTLER))
            .to.emit(ledger.hospitals, "HospitalMemberChanged")
            .withArgs(actors.hospital.address, member, SETTLER);
          expect(await ledger.hospitals.hasHospitalRole(actors.hospital.address, member, APPROVER)).to.equal(
            false,
          );
          expect(await ledger.hospitals.hasHospitalRole(actors.hospital.address, member, SETTLER)).to.equal(
            true,
          );
        });
      });

      describe("when the roles are 0", function () {
        it("removes the member, who may then join another hospital", async function () {
          const { ledger, actors } = await loadFixture(memberFixture);
          const member = actors.approvers[0].address;
          await expect(ledger.hospitals.connect(actors.hospital).setMemberRoles(member, 0))
            .to.emit(ledger.hospitals, "HospitalMemberChanged")
            .withArgs(actors.hospital.address, member, 0);
          expect(await ledger.hospitals.hospitalOf(member)).to.equal(ethers.ZeroAddress);
          expect(await ledger.hospitals.memberRoles(actors.hospital.address, member)).to.equal(0);
          await expect(ledger.hospitals.connect(actors.hospital2).setMemberRoles(member, SETTLER)).not.to.be
            .reverted;
          expect(await ledger.hospitals.hospitalOf(member)).to.equal(actors.hospital2.address);
        });
      });

      describe("when the roles hold an unknown bit", function () {
        for (const roles of [8, 9, 128, 255]) {
          it(`reverts with HospitalInvalidRoles(${roles})`, async function () {
            const { ledger, actors } = await loadFixture(enrolledFixture);
            await expect(
              ledger.hospitals.connect(actors.hospital).setMemberRoles(actors.stranger.address, roles),
            )
              .to.be.revertedWithCustomError(ledger.hospitals, "HospitalInvalidRoles")
              .withArgs(roles);
          });
        }
      });

      describe("when the member is the zero address, the hospital itself or an enrolled hospital", function () {
        it("reverts with HospitalInvalidMember", async function () {
          const { ledger, actors } = await loadFixture(enrolledFixture);
          for (const member of [ethers.ZeroAddress, actors.hospital.address, actors.hospital2.address]) {
            await expect(ledger.hospitals.connect(actors.hospital).setMemberRoles(member, APPROVER))
              .to.be.revertedWithCustomError(ledger.hospitals, "HospitalInvalidMember")
              .withArgs(member);
          }
        });
      });

      describe("when the member belongs to another hospital", function () {
        it("reverts with HospitalMemberOfOther naming that hospital", async function () {
          const { ledger, actors } = await loadFixture(memberFixture);
          const member = actors.approvers[0].address;
          for (const roles of [APPROVER, 0]) {
            await expect(ledger.hospitals.connect(actors.hospital2).setMemberRoles(member, roles))
              .to.be.revertedWithCustomError(ledger.hospitals, "HospitalMemberOfOther")
              .withArgs(member, actors.hospital.address);
          }
          expect(await ledger.hospitals.hospitalOf(member)).to.equal(actors.hospital.address);
        });
      });

      describe("when the registry is paused", function () {
        it("reverts with EnforcedPause", async function () {
          const { ledger, actors } = await loadFixture(enrolledFixture);
          await ledger.hospitals.connect(actors.admin).pause();
          await expect(
            ledger.hospitals.connect(actors.hospital).setMemberRoles(actors.stranger.address, APPROVER),
          ).to.be.revertedWithCustomError(ledger.hospitals, "EnforcedPause");
        });
      });

      describe("when the request is relayed through the trusted forwarder", function () {
        it("acts for the hospital that signed it, not the relayer", async function () {
          const { ledger, actors } = await loadFixture(enrolledFixture);
          const data = ledger.hospitals.interface.encodeFunctionData("setMemberRoles", [
            actors.settler.address,
            SETTLER,
          ]);
          const request = await forwardRequest(ledger, actors.hospital, data);
          await expect(ledger.forwarder.connect(actors.stranger).execute(request))
            .to.emit(ledger.hospitals, "HospitalMemberChanged")
            .withArgs(actors.hospital.address, actors.settler.address, SETTLER);
          expect(await ledger.hospitals.hospitalOf(actors.settler.address)).to.equal(actors.hospital.address);
        });
      });
    });

    describe("when the caller is not an enrolled hospital", function () {
      it("reverts with HospitalNotEnrolled, also for a hospital's own member", async function () {
        const { ledger, actors } = await loadFixture(memberFixture);
        for (const caller of [actors.stranger, actors.approvers[0]]) {
          await expect(ledger.hospitals.connect(caller).setMemberRoles(actors.settler.address, SETTLER))
            .to.be.revertedWithCustomError(ledger.hospitals, "HospitalNotEnrolled")
            .withArgs(caller.address);
        }
      });
    });
  });

  describe("setApprovalThreshold", function () {
    describe("when the caller is an enrolled hospital", function () {
      it("sets its threshold and emits ApprovalThresholdChanged", async function () {
        const { ledger, actors } = await loadFixture(enrolledFixture);
        await expect(ledger.hospitals.connect(actors.hospital).setApprovalThreshold(5_000_000n))
          .to.emit(ledger.hospitals, "ApprovalThresholdChanged")
          .withArgs(actors.hospital.address, 5_000_000n);
        expect(await ledger.hospitals.approvalThreshold(actors.hospital.address)).to.equal(5_000_000n);
        expect(await ledger.hospitals.approvalThreshold(actors.hospital2.address)).to.equal(0n);
      });

      describe("when the registry is paused", function () {
        it("reverts with EnforcedPause", async function () {
          const { ledger, actors } = await loadFixture(enrolledFixture);
          await ledger.hospitals.connect(actors.admin).pause();
          await expect(
            ledger.hospitals.connect(actors.hospital).setApprovalThreshold(1n),
          ).to.be.revertedWithCustomError(ledger.hospitals, "EnforcedPause");
        });
      });
    });

    describe("when the caller is not an enrolled hospital", function () {
      it("reverts with HospitalNotEnrolled", async function () {
        const { ledger, actors } = await loadFixture(memberFixture);
        for (const caller of [actors.stranger, actors.approvers[0]]) {
          await expect(ledger.hospitals.connect(caller).setApprovalThreshold(1n))
            .to.be.revertedWithCustomError(ledger.hospitals, "HospitalNotEnrolled")
            .withArgs(caller.address);
        }
      });
    });
  });

  describe("hasHospitalRole", function () {
    describe("when asked for several roles", function () {
      it("is true only if the member holds every one of them", async function () {
        const { ledger, actors } = await loadFixture(enrolledFixture);
        const member = actors.approvers[0].address;
        await ledger.hospitals.connect(actors.hospital).setMemberRoles(member, APPROVER | SETTLER);
        const h = actors.hospital.address;
        expect(await ledger.hospitals.hasHospitalRole(h, member, APPROVER | SETTLER)).to.equal(true);
        expect(await ledger.hospitals.hasHospitalRole(h, member, APPROVER | RECEIVER)).to.equal(false);
        expect(await ledger.hospitals.hasHospitalRole(h, member, ALL_ROLES)).to.equal(false);
      });
    });

    describe("when asked for no role at all", function () {
      it("is false, even for a member", async function () {
        const { ledger, actors } = await loadFixture(memberFixture);
        expect(
          await ledger.hospitals.hasHospitalRole(actors.hospital.address, actors.approvers[0].address, 0),
        ).to.equal(false);
      });
    });

    describe("when asked about another hospital", function () {
      it("is false", async function () {
        const { ledger, actors } = await loadFixture(memberFixture);
        expect(
          await ledger.hospitals.hasHospitalRole(
            actors.hospital2.address,
            actors.approvers[0].address,
            APPROVER,
          ),
        ).to.equal(false);
      });
    });

    describe("when asked about the hospital admin itself", function () {
      it("is false: the admin holds no member role at its own hospital", async function () {
        const { ledger, actors } = await loadFixture(enrolledFixture);
        expect(
          await ledger.hospitals.hasHospitalRole(actors.hospital.address, actors.hospital.address, APPROVER),
        ).to.equal(false);
      });
    });
  });

  describe("hospitalOf", function () {
    it("is the hospital itself for a hospital, its hospital for a member and zero otherwise", async function () {
      const { ledger, actors } = await loadFixture(memberFixture);
      expect(await ledger.hospitals.hospitalOf(actors.hospital.address)).to.equal(actors.hospital.address);
      expect(await ledger.hospitals.hospitalOf(actors.approvers[0].address)).to.equal(
        actors.hospital.address,
      );
      expect(await ledger.hospitals.hospitalOf(actors.stranger.address)).to.equal(ethers.ZeroAddress);
    });
  });

  describe("pause", function () {
    describe("when the caller is not a pauser", function () {
      it("reverts with LedgerUnauthorized", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        await expect(ledger.hospitals.connect(actors.regulator).pause())
          .to.be.revertedWithCustomError(ledger.hospitals, "LedgerUnauthorized")
          .withArgs(actors.regulator.address, PAUSER_ROLE);
      });
    });

    describe("when unpaused again", function () {
      it("lets hospitals be enrolled again", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        await ledger.hospitals.connect(actors.admin).pause();
        await ledger.hospitals.connect(actors.admin).unpause();
        await expect(
          ledger.hospitals.connect(actors.regulator).enrolHospital(actors.hospital.address, NAME_HASH),
        ).to.emit(ledger.hospitals, "HospitalEnrolled");
      });
    });
  });
});
