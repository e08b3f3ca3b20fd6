import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { expect } from "chai";
import { ethers } from "hardhat";
import type { Ledger } from "../../ledger/contracts";
import { PAUSER_ROLE } from "../../ledger/roles";
import { HOSPITAL_ROLES } from "../../ledger/roles";
import { addMember, APPROVER, deployFixture, RECEIVER, REGULATOR_ROLE, SETTLER } from "./helpers/fixtures";

const NAME_HASH = ethers.id("Peking Union Medical College Hospital");
const ALL_ROLES = APPROVER | SETTLER | RECEIVER;
const REASON_CODE = 7; // a regulator's reason, e.g. a compromised key

/** The regulator has enrolled the hospital (and hospital2); nobody has members yet. */
async function enrolledFixture() {
  const base = await deployFixture();
  const { ledger, actors } = base;
  await ledger.hospitals.connect(actors.regulator).enrolHospital(actors.hospital.address, NAME_HASH);
  await ledger.hospitals.connect(actors.regulator).enrolHospital(actors.hospital2.address, NAME_HASH);
  return base;
}

/** As `enrolledFixture`, and approvers[0] is an approver of the hospital (invited and accepted). */
async function memberFixture() {
  const base = await enrolledFixture();
  const { ledger, actors } = base;
  await addMember(ledger, actors.hospital, actors.approvers[0], APPROVER);
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
  describe("member squatting", function () {
    it("a hospital naming another hospital's staff only invites them: they stay free to join their own", async function () {
      const { ledger, actors } = await loadFixture(enrolledFixture);
      const [hospitalA, hospitalB] = [actors.hospital, actors.hospital2];
      const bApprover = actors.approvers[1];

      // The attack: hospital A names B's intended approver as its own member. Before two-step
      // membership this bound the address to A, and B's setMemberRoles then reverted with
      // HospitalMemberOfOther for good.
      await expect(ledger.hospitals.connect(hospitalA).setMemberRoles(bApprover.address, APPROVER))
        .to.emit(ledger.hospitals, "MemberInvited")
        .withArgs(hospitalA.address, bApprover.address, APPROVER)
        .and.not.to.emit(ledger.hospitals, "HospitalMemberChanged");
      expect(await ledger.hospitals.hospitalOf(bApprover.address)).to.equal(ethers.ZeroAddress);
      expect(await ledger.hospitals.hasHospitalRole(hospitalA.address, bApprover.address, APPROVER)).to.equal(
        false,
      );

      await expect(ledger.hospitals.connect(hospitalB).setMemberRoles(bApprover.address, APPROVER))
        .to.emit(ledger.hospitals, "MemberInvited")
        .withArgs(hospitalB.address, bApprover.address, APPROVER);
      await expect(ledger.hospitals.connect(bApprover).acceptMembership(hospitalB.address))
        .to.emit(ledger.hospitals, "HospitalMemberChanged")
        .withArgs(hospitalB.address, bApprover.address, APPROVER);
      expect(await ledger.hospitals.hospitalOf(bApprover.address)).to.equal(hospitalB.address);
      expect(await ledger.hospitals.hasHospitalRole(hospitalB.address, bApprover.address, APPROVER)).to.equal(
        true,
      );
      expect(await ledger.hospitals.hasHospitalRole(hospitalA.address, bApprover.address, APPROVER)).to.equal(
        false,
      );
      // A's invitation is left over but useless while the address belongs to B.
      await expect(ledger.hospitals.connect(bApprover).acceptMembership(hospitalA.address))
        .to.be.revertedWithCustomError(ledger.hospitals, "HospitalMemberOfOther")
        .withArgs(bApprover.address, hospitalB.address);
    });
  });

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
      describe("when the account belongs to no hospital", function () {
        for (const [name, roles] of [
          ["the approver role", APPROVER],
          ["the settler role", SETTLER],
          ["the receiver role", RECEIVER],
          ["the approver and settler roles", APPROVER | SETTLER],
          ["every role", ALL_ROLES],
        ] as const) {
          it(`invites it with ${name} and emits MemberInvited, granting nothing yet`, async function () {
            const { ledger, actors } = await loadFixture(enrolledFixture);
            const h = actors.hospital.address;
            const member = actors.approvers[1].address;
            await expect(ledger.hospitals.connect(actors.hospital).setMemberRoles(member, roles))
              .to.emit(ledger.hospitals, "MemberInvited")
              .withArgs(h, member, roles)
              .and.not.to.emit(ledger.hospitals, "HospitalMemberChanged");
            expect(await ledger.hospitals.invitation(h, member)).to.equal(roles);
            expect(await ledger.hospitals.memberRoles(h, member)).to.equal(0);
            expect(await ledger.hospitals.hospitalOf(member)).to.equal(ethers.ZeroAddress);
            for (const bit of [APPROVER, SETTLER, RECEIVER]) {
              expect(await ledger.hospitals.hasHospitalRole(h, member, bit)).to.equal(false);
            }
          });
        }

        describe("when it is invited again", function () {
          it("replaces the pending roles", async function () {
            const { ledger, actors } = await loadFixture(enrolledFixture);
            const member = actors.approvers[1];
            await ledger.hospitals.connect(actors.hospital).setMemberRoles(member.address, APPROVER);
            await expect(ledger.hospitals.connect(actors.hospital).setMemberRoles(member.address, RECEIVER))
              .to.emit(ledger.hospitals, "MemberInvited")
              .withArgs(actors.hospital.address, member.address, RECEIVER);
            await expect(ledger.hospitals.connect(member).acceptMembership(actors.hospital.address))
              .to.emit(ledger.hospitals, "HospitalMemberChanged")
              .withArgs(actors.hospital.address, member.address, RECEIVER);
          });
        });

        describe("when the roles are 0", function () {
          it("withdraws the invitation, which can then not be accepted", async function () {
            const { ledger, actors } = await loadFixture(enrolledFixture);
            const member = actors.approvers[1];
            await ledger.hospitals.connect(actors.hospital).setMemberRoles(member.address, APPROVER);
            await expect(ledger.hospitals.connect(actors.hospital).setMemberRoles(member.address, 0))
              .to.emit(ledger.hospitals, "MemberInvited")
              .withArgs(actors.hospital.address, member.address, 0)
              .and.not.to.emit(ledger.hospitals, "HospitalMemberChanged");
            expect(await ledger.hospitals.invitation(actors.hospital.address, member.address)).to.equal(0);
            await expect(ledger.hospitals.connect(member).acceptMembership(actors.hospital.address))
              .to.be.revertedWithCustomError(ledger.hospitals, "HospitalNoInvitation")
              .withArgs(actors.hospital.address, member.address);
          });
        });

        describe("when another hospital has invited it too", function () {
          it("keeps both invitations", async function () {
            const { ledger, actors } = await loadFixture(enrolledFixture);
            const member = actors.approvers[1].address;
            await ledger.hospitals.connect(actors.hospital).setMemberRoles(member, APPROVER);
            await ledger.hospitals.connect(actors.hospital2).setMemberRoles(member, SETTLER);
            expect(await ledger.hospitals.invitation(actors.hospital.address, member)).to.equal(APPROVER);
            expect(await ledger.hospitals.invitation(actors.hospital2.address, member)).to.equal(SETTLER);
          });
        });
      });

      describe("when the account is already its member", function () {
        it("replaces the member's roles at once and emits HospitalMemberChanged", async function () {
          const { ledger, actors } = await loadFixture(memberFixture);
          const member = actors.approvers[0].address;
          await expect(ledger.hospitals.connect(actors.hospital).setMemberRoles(member, SETTLER))
            .to.emit(ledger.hospitals, "HospitalMemberChanged")
            .withArgs(actors.hospital.address, member, SETTLER)
            .and.not.to.emit(ledger.hospitals, "MemberInvited");
          expect(await ledger.hospitals.memberRoles(actors.hospital.address, member)).to.equal(SETTLER);
          expect(await ledger.hospitals.invitation(actors.hospital.address, member)).to.equal(0);
          expect(await ledger.hospitals.hasHospitalRole(actors.hospital.address, member, APPROVER)).to.equal(
            false,
          );
          expect(await ledger.hospitals.hasHospitalRole(actors.hospital.address, member, SETTLER)).to.equal(
            true,
          );
        });

        describe("when the roles are 0", function () {
          it("removes the member, who may then join another hospital", async function () {
            const { ledger, actors } = await loadFixture(memberFixture);
            const member = actors.approvers[0];
            await expect(ledger.hospitals.connect(actors.hospital).setMemberRoles(member.address, 0))
              .to.emit(ledger.hospitals, "HospitalMemberChanged")
              .withArgs(actors.hospital.address, member.address, 0);
            expect(await ledger.hospitals.hospitalOf(member.address)).to.equal(ethers.ZeroAddress);
            expect(await ledger.hospitals.memberRoles(actors.hospital.address, member.address)).to.equal(0);
            await addMember(ledger, actors.hospital2, member, SETTLER);
            expect(await ledger.hospitals.hospitalOf(member.address)).to.equal(actors.hospital2.address);
          });
        });
      });

      describe("when the account belongs to another hospital", function () {
        it("reverts with HospitalMemberOfOther naming that hospital", async function () {
          const { ledger, actors } = await loadFixture(memberFixture);
          const member = actors.approvers[0].address;
          await expect(ledger.hospitals.connect(actors.hospital2).setMemberRoles(member, APPROVER))
            .to.be.revertedWithCustomError(ledger.hospitals, "HospitalMemberOfOther")
            .withArgs(member, actors.hospital.address);
          expect(await ledger.hospitals.hospitalOf(member)).to.equal(actors.hospital.address);
        });

        describe("when the roles are 0", function () {
          it("withdraws the caller's stale invitation, so that it cannot be accepted after leaving", async function () {
            const { ledger, actors } = await loadFixture(enrolledFixture);
            const member = actors.approvers[0];
            await ledger.hospitals.connect(actors.hospital2).setMemberRoles(member.address, APPROVER);
            await addMember(ledger, actors.hospital, member, APPROVER);
            await expect(ledger.hospitals.connect(actors.hospital2).setMemberRoles(member.address, 0))
              .to.emit(ledger.hospitals, "MemberInvited")
              .withArgs(actors.hospital2.address, member.address, 0);
            expect(await ledger.hospitals.hospitalOf(member.address)).to.equal(actors.hospital.address);
            await ledger.hospitals.connect(member).leaveHospital();
            await expect(ledger.hospitals.connect(member).acceptMembership(actors.hospital2.address))
              .to.be.revertedWithCustomError(ledger.hospitals, "HospitalNoInvitation")
              .withArgs(actors.hospital2.address, member.address);
          });
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
        it("invites for the hospital that signed it, not the relayer", async function () {
          const { ledger, actors } = await loadFixture(enrolledFixture);
          const data = ledger.hospitals.interface.encodeFunctionData("setMemberRoles", [
            actors.settler.address,
            SETTLER,
          ]);
          const request = await forwardRequest(ledger, actors.hospital, data);
          await expect(ledger.forwarder.connect(actors.stranger).execute(request))
            .to.emit(ledger.hospitals, "MemberInvited")
            .withArgs(actors.hospital.address, actors.settler.address, SETTLER);
          expect(await ledger.hospitals.invitation(actors.hospital.address, actors.settler.address)).to.equal(
            SETTLER,
          );
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

  describe("acceptMembership", function () {
    describe("when the caller is invited by an enrolled hospital", function () {
      for (const [name, roles] of [
        ["the approver role", APPROVER],
        ["the settler role", SETTLER],
        ["the receiver role", RECEIVER],
        ["every role", ALL_ROLES],
      ] as const) {
        it(`makes it a member with ${name}, as invited, and emits HospitalMemberChanged`, async function () {
          const { ledger, actors } = await loadFixture(enrolledFixture);
          const h = actors.hospital.address;
          const member = actors.approvers[1];
          await ledger.hospitals.connect(actors.hospital).setMemberRoles(member.address, roles);
          await expect(ledger.hospitals.connect(member).acceptMembership(h))
            .to.emit(ledger.hospitals, "HospitalMemberChanged")
            .withArgs(h, member.address, roles)
            .and.not.to.emit(ledger.hospitals, "MemberInvited");
          expect(await ledger.hospitals.memberRoles(h, member.address)).to.equal(roles);
          expect(await ledger.hospitals.hospitalOf(member.address)).to.equal(h);
          expect(await ledger.hospitals.invitation(h, member.address)).to.equal(0);
          for (const bit of [APPROVER, SETTLER, RECEIVER]) {
            expect(await ledger.hospitals.hasHospitalRole(h, member.address, bit)).to.equal(
              (roles & bit) !== 0,
            );
          }
        });
      }

      it("leaves other hospitals' invitations pending", async function () {
        const { ledger, actors } = await loadFixture(enrolledFixture);
        const member = actors.approvers[1];
        await ledger.hospitals.connect(actors.hospital2).setMemberRoles(member.address, SETTLER);
        await addMember(ledger, actors.hospital, member, APPROVER);
        expect(await ledger.hospitals.invitation(actors.hospital2.address, member.address)).to.equal(SETTLER);
      });

      describe("when the request is relayed through the trusted forwarder", function () {
        it("makes the account that signed it a member, not the relayer", async function () {
          const { ledger, actors } = await loadFixture(enrolledFixture);
          await ledger.hospitals.connect(actors.hospital).setMemberRoles(actors.settler.address, SETTLER);
          const data = ledger.hospitals.interface.encodeFunctionData("acceptMembership", [
            actors.hospital.address,
          ]);
          const request = await forwardRequest(ledger, actors.settler, data);
          await expect(ledger.forwarder.connect(actors.stranger).execute(request))
            .to.emit(ledger.hospitals, "HospitalMemberChanged")
            .withArgs(actors.hospital.address, actors.settler.address, SETTLER);
          expect(await ledger.hospitals.hospitalOf(actors.settler.address)).to.equal(actors.hospital.address);
          expect(await ledger.hospitals.hospitalOf(actors.stranger.address)).to.equal(ethers.ZeroAddress);
        });
      });

      describe("when the caller already belongs to a hospital", function () {
        it("reverts with HospitalMemberOfOther naming that hospital", async function () {
          const { ledger, actors } = await loadFixture(enrolledFixture);
          const member = actors.approvers[0];
          await ledger.hospitals.connect(actors.hospital2).setMemberRoles(member.address, SETTLER);
          await addMember(ledger, actors.hospital, member, APPROVER);
          await expect(ledger.hospitals.connect(member).acceptMembership(actors.hospital2.address))
            .to.be.revertedWithCustomError(ledger.hospitals, "HospitalMemberOfOther")
            .withArgs(member.address, actors.hospital.address);
          expect(await ledger.hospitals.hospitalOf(member.address)).to.equal(actors.hospital.address);
        });
      });

      describe("when the caller has been enrolled as a hospital since it was invited", function () {
        it("reverts with HospitalInvalidMember", async function () {
          const { ledger, actors } = await loadFixture(enrolledFixture);
          await ledger.hospitals.connect(actors.hospital).setMemberRoles(actors.stranger.address, APPROVER);
          await ledger.hospitals.connect(actors.regulator).enrolHospital(actors.stranger.address, NAME_HASH);
          await expect(ledger.hospitals.connect(actors.stranger).acceptMembership(actors.hospital.address))
            .to.be.revertedWithCustomError(ledger.hospitals, "HospitalInvalidMember")
            .withArgs(actors.stranger.address);
        });
      });

      describe("when the registry is paused", function () {
        it("reverts with EnforcedPause", async function () {
          const { ledger, actors } = await loadFixture(enrolledFixture);
          await ledger.hospitals.connect(actors.hospital).setMemberRoles(actors.stranger.address, APPROVER);
          await ledger.hospitals.connect(actors.admin).pause();
          await expect(
            ledger.hospitals.connect(actors.stranger).acceptMembership(actors.hospital.address),
          ).to.be.revertedWithCustomError(ledger.hospitals, "EnforcedPause");
        });
      });
    });

    describe("when the caller is not invited", function () {
      it("reverts with HospitalNoInvitation, also when another hospital invited it", async function () {
        const { ledger, actors } = await loadFixture(enrolledFixture);
        const member = actors.approvers[1];
        await ledger.hospitals.connect(actors.hospital2).setMemberRoles(member.address, APPROVER);
        await expect(ledger.hospitals.connect(member).acceptMembership(actors.hospital.address))
          .to.be.revertedWithCustomError(ledger.hospitals, "HospitalNoInvitation")
          .withArgs(actors.hospital.address, member.address);
      });
    });

    describe("when the caller used its invitation and left", function () {
      it("reverts with HospitalNoInvitation: rejoining needs a new invitation", async function () {
        const { ledger, actors } = await loadFixture(memberFixture);
        const member = actors.approvers[0];
        await ledger.hospitals.connect(member).leaveHospital();
        await expect(ledger.hospitals.connect(member).acceptMembership(actors.hospital.address))
          .to.be.revertedWithCustomError(ledger.hospitals, "HospitalNoInvitation")
          .withArgs(actors.hospital.address, member.address);
      });
    });

    describe("when the hospital is not enrolled", function () {
      it("reverts with HospitalNotEnrolled", async function () {
        const { ledger, actors } = await loadFixture(enrolledFixture);
        await expect(ledger.hospitals.connect(actors.approvers[1]).acceptMembership(actors.stranger.address))
          .to.be.revertedWithCustomError(ledger.hospitals, "HospitalNotEnrolled")
          .withArgs(actors.stranger.address);
      });
    });
  });

  describe("leaveHospital", function () {
    describe("when the caller is a member", function () {
      it("removes it and emits HospitalMemberChanged with no roles and MemberLeft", async function () {
        const { ledger, actors } = await loadFixture(memberFixture);
        const member = actors.approvers[0];
        await expect(ledger.hospitals.connect(member).leaveHospital())
          .to.emit(ledger.hospitals, "HospitalMemberChanged")
          .withArgs(actors.hospital.address, member.address, 0)
          .and.to.emit(ledger.hospitals, "MemberLeft")
          .withArgs(actors.hospital.address, member.address);
        expect(await ledger.hospitals.hospitalOf(member.address)).to.equal(ethers.ZeroAddress);
        expect(await ledger.hospitals.memberRoles(actors.hospital.address, member.address)).to.equal(0);
        expect(
          await ledger.hospitals.hasHospitalRole(actors.hospital.address, member.address, APPROVER),
        ).to.equal(false);
      });

      it("frees it to join another hospital", async function () {
        const { ledger, actors } = await loadFixture(memberFixture);
        const member = actors.approvers[0];
        await ledger.hospitals.connect(member).leaveHospital();
        await addMember(ledger, actors.hospital2, member, RECEIVER);
        expect(await ledger.hospitals.hospitalOf(member.address)).to.equal(actors.hospital2.address);
      });

      describe("when the registry is paused", function () {
        it("still removes it: leaving only gives up access", async function () {
          const { ledger, actors } = await loadFixture(memberFixture);
          const member = actors.approvers[0];
          await ledger.hospitals.connect(actors.admin).pause();
          await expect(ledger.hospitals.connect(member).leaveHospital())
            .to.emit(ledger.hospitals, "MemberLeft")
            .withArgs(actors.hospital.address, member.address);
          expect(await ledger.hospitals.hospitalOf(member.address)).to.equal(ethers.ZeroAddress);
        });
      });
    });

    describe("when the caller is not a member", function () {
      it("reverts with HospitalNotMember, also for a hospital and an invited account", async function () {
        const { ledger, actors } = await loadFixture(enrolledFixture);
        await ledger.hospitals.connect(actors.hospital).setMemberRoles(actors.approvers[1].address, APPROVER);
        for (const caller of [actors.stranger, actors.hospital, actors.approvers[1]]) {
          await expect(ledger.hospitals.connect(caller).leaveHospital())
            .to.be.revertedWithCustomError(ledger.hospitals, "HospitalNotMember")
            .withArgs(caller.address);
        }
      });
    });
  });

  describe("unbindMember", function () {
    describe("when the caller is a regulator", function () {
      it("removes the member and emits HospitalMemberChanged with no roles and MemberUnbound", async function () {
        const { ledger, actors } = await loadFixture(memberFixture);
        const member = actors.approvers[0].address;
        await expect(ledger.hospitals.connect(actors.regulator).unbindMember(member, REASON_CODE))
          .to.emit(ledger.hospitals, "HospitalMemberChanged")
          .withArgs(actors.hospital.address, member, 0)
          .and.to.emit(ledger.hospitals, "MemberUnbound")
          .withArgs(actors.hospital.address, member, actors.regulator.address, REASON_CODE);
        expect(await ledger.hospitals.hospitalOf(member)).to.equal(ethers.ZeroAddress);
        expect(await ledger.hospitals.memberRoles(actors.hospital.address, member)).to.equal(0);
      });

      describe("when the registry is paused", function () {
        it("still removes the member: unbinding only takes access away", async function () {
          const { ledger, actors } = await loadFixture(memberFixture);
          const member = actors.approvers[0].address;
          await ledger.hospitals.connect(actors.admin).pause();
          await expect(ledger.hospitals.connect(actors.regulator).unbindMember(member, REASON_CODE))
            .to.emit(ledger.hospitals, "MemberUnbound")
            .withArgs(actors.hospital.address, member, actors.regulator.address, REASON_CODE);
          expect(await ledger.hospitals.hospitalOf(member)).to.equal(ethers.ZeroAddress);
        });
      });

      describe("when the account is not a member", function () {
        it("reverts with HospitalNotMember, also for a hospital and an invited account", async function () {
          const { ledger, actors } = await loadFixture(enrolledFixture);
          const invited = actors.approvers[1].address;
          await ledger.hospitals.connect(actors.hospital).setMemberRoles(invited, APPROVER);
          for (const account of [actors.stranger.address, actors.hospital.address, invited]) {
            await expect(ledger.hospitals.connect(actors.regulator).unbindMember(account, REASON_CODE))
              .to.be.revertedWithCustomError(ledger.hospitals, "HospitalNotMember")
              .withArgs(account);
          }
        });
      });
    });

    describe("when the caller is not a regulator", function () {
      it("reverts with LedgerUnauthorized, also for the member's hospital and the ledger admin", async function () {
        const { ledger, actors } = await loadFixture(memberFixture);
        const member = actors.approvers[0].address;
        for (const caller of [actors.stranger, actors.hospital, actors.admin]) {
          await expect(ledger.hospitals.connect(caller).unbindMember(member, REASON_CODE))
            .to.be.revertedWithCustomError(ledger.hospitals, "LedgerUnauthorized")
            .withArgs(caller.address, REGULATOR_ROLE);
        }
        expect(await ledger.hospitals.hospitalOf(member)).to.equal(actors.hospital.address);
      });
    });
  });

  describe("role bits", function () {
    it("are 1, 2 and 4 on-chain, as the scripts and tests assume", async function () {
      const { ledger } = await loadFixture(deployFixture);
      expect(await ledger.hospitals.APPROVER()).to.equal(1);
      expect(await ledger.hospitals.SETTLER()).to.equal(2);
      expect(await ledger.hospitals.RECEIVER()).to.equal(4);
      expect([APPROVER, SETTLER, RECEIVER]).to.deep.equal([1, 2, 4]);
      expect(HOSPITAL_ROLES).to.deep.equal({ approver: 1, settler: 2, receiver: 4 });
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
        await addMember(ledger, actors.hospital, actors.approvers[0], APPROVER | SETTLER);
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
