import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { deployFixture } from "./helpers/fixtures";
import type { SettlementToken } from "../../typechain-types";

const MINTER_ROLE = ethers.id("MINTER_ROLE");
const DEFAULT_ADMIN_ROLE = ethers.ZeroHash;

interface Permit {
  owner: string;
  spender: string;
  value: bigint;
  nonce: bigint;
  deadline: bigint;
}

/** Signs an EIP-2612 permit for `token` as `signer`. */
async function signPermit(token: SettlementToken, signer: HardhatEthersSigner, permit: Permit) {
  const { chainId } = await ethers.provider.getNetwork();
  const signature = await signer.signTypedData(
    {
      name: await token.name(),
      version: "1",
      chainId,
      verifyingContract: await token.getAddress(),
    },
    {
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint256" },
      ],
    },
    permit,
  );
  return ethers.Signature.from(signature);
}

async function tokenFixture() {
  const { ledger, actors } = await deployFixture();
  return { token: ledger.token, actors };
}

describe("SettlementToken", function () {
  describe("deployment", function () {
    it("is the 2-decimal sCNY token with no supply", async function () {
      const { token } = await loadFixture(tokenFixture);
      expect(await token.name()).to.equal("Sunshine Settlement Yuan");
      expect(await token.symbol()).to.equal("sCNY");
      expect(await token.decimals()).to.equal(2n);
      expect(await token.totalSupply()).to.equal(0n);
    });

    it("gives the admin the admin and minter roles and nobody else", async function () {
      const { token, actors } = await loadFixture(tokenFixture);
      expect(await token.hasRole(DEFAULT_ADMIN_ROLE, actors.admin.address)).to.equal(true);
      expect(await token.hasRole(MINTER_ROLE, actors.admin.address)).to.equal(true);
      expect(await token.hasRole(MINTER_ROLE, actors.regulator.address)).to.equal(false);
      expect(await token.MINTER_ROLE()).to.equal(MINTER_ROLE);
    });
  });

  describe("mint", function () {
    describe("when the caller is a minter", function () {
      it("creates tokens for the recipient and emits Transfer from zero", async function () {
        const { token, actors } = await loadFixture(tokenFixture);
        await expect(token.connect(actors.admin).mint(actors.hospital.address, 12_345n))
          .to.emit(token, "Transfer")
          .withArgs(ethers.ZeroAddress, actors.hospital.address, 12_345n);
        expect(await token.balanceOf(actors.hospital.address)).to.equal(12_345n);
        expect(await token.totalSupply()).to.equal(12_345n);
      });
    });

    describe("when the caller was granted the minter role", function () {
      it("mints", async function () {
        const { token, actors } = await loadFixture(tokenFixture);
        await token.connect(actors.admin).grantRole(MINTER_ROLE, actors.settler.address);
        await token.connect(actors.settler).mint(actors.hospital.address, 1n);
        expect(await token.balanceOf(actors.hospital.address)).to.equal(1n);
      });
    });

    describe("when the caller is not a minter", function () {
      it("reverts with AccessControlUnauthorizedAccount", async function () {
        const { token, actors } = await loadFixture(tokenFixture);
        await expect(token.connect(actors.stranger).mint(actors.stranger.address, 1n))
          .to.be.revertedWithCustomError(token, "AccessControlUnauthorizedAccount")
          .withArgs(actors.stranger.address, MINTER_ROLE);
      });
    });

    describe("when the minter role was revoked", function () {
      it("reverts with AccessControlUnauthorizedAccount", async function () {
        const { token, actors } = await loadFixture(tokenFixture);
        await token.connect(actors.admin).grantRole(MINTER_ROLE, actors.settler.address);
        await token.connect(actors.admin).revokeRole(MINTER_ROLE, actors.settler.address);
        await expect(token.connect(actors.settler).mint(actors.settler.address, 1n))
          .to.be.revertedWithCustomError(token, "AccessControlUnauthorizedAccount")
          .withArgs(actors.settler.address, MINTER_ROLE);
      });
    });

    describe("when the recipient is the zero address", function () {
      it("reverts with ERC20InvalidReceiver", async function () {
        const { token, actors } = await loadFixture(tokenFixture);
        await expect(token.connect(actors.admin).mint(ethers.ZeroAddress, 1n))
          .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
          .withArgs(ethers.ZeroAddress);
      });
    });
  });

  describe("transfer", function () {
    it("moves fen between accounts", async function () {
      const { token, actors } = await loadFixture(tokenFixture);
      await token.connect(actors.admin).mint(actors.hospital.address, 500n);
      await expect(
        token.connect(actors.hospital).transfer(actors.stranger.address, 200n),
      ).to.changeTokenBalances(token, [actors.hospital, actors.stranger], [-200n, 200n]);
    });

    it("reverts with ERC20InsufficientBalance beyond the balance", async function () {
      const { token, actors } = await loadFixture(tokenFixture);
      await token.connect(actors.admin).mint(actors.hospital.address, 500n);
      await expect(token.connect(actors.hospital).transfer(actors.stranger.address, 501n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(actors.hospital.address, 500n, 501n);
    });
  });

  describe("permit", function () {
    async function permitFixture() {
      const { token, actors } = await tokenFixture();
      const owner = actors.hospital;
      const spender = actors.settler;
      await token.connect(actors.admin).mint(owner.address, 1_000n);
      const deadline = BigInt(await time.latest()) + 3_600n;
      const permit: Permit = {
        owner: owner.address,
        spender: spender.address,
        value: 700n,
        nonce: 0n,
        deadline,
      };
      return { token, actors, owner, spender, permit };
    }

    it("uses the EIP-712 domain of the token name, version 1", async function () {
      const { token } = await loadFixture(permitFixture);
      const { chainId } = await ethers.provider.getNetwork();
      expect(await token.DOMAIN_SEPARATOR()).to.equal(
        ethers.TypedDataEncoder.hashDomain({
          name: "Sunshine Settlement Yuan",
          version: "1",
          chainId,
          verifyingContract: await token.getAddress(),
        }),
      );
    });

    describe("when the owner signed it", function () {
      it("sets the allowance, emits Approval and bumps the nonce", async function () {
        const { token, owner, spender, permit, actors } = await loadFixture(permitFixture);
        const sig = await signPermit(token, owner, permit);
        // Anyone may submit the signed permit.
        await expect(
          token
            .connect(actors.stranger)
            .permit(owner.address, spender.address, permit.value, permit.deadline, sig.v, sig.r, sig.s),
        )
          .to.emit(token, "Approval")
          .withArgs(owner.address, spender.address, 700n);
        expect(await token.allowance(owner.address, spender.address)).to.equal(700n);
        expect(await token.nonces(owner.address)).to.equal(1n);
        await expect(
          token.connect(spender).transferFrom(owner.address, spender.address, 700n),
        ).to.changeTokenBalances(token, [owner, spender], [-700n, 700n]);
      });

      it("is accepted exactly at its deadline", async function () {
        const { token, owner, spender, permit } = await loadFixture(permitFixture);
        const sig = await signPermit(token, owner, permit);
        await time.setNextBlockTimestamp(permit.deadline);
        await token.permit(
          owner.address,
          spender.address,
          permit.value,
          permit.deadline,
          sig.v,
          sig.r,
          sig.s,
        );
        expect(await token.allowance(owner.address, spender.address)).to.equal(700n);
      });
    });

    describe("when the deadline has passed", function () {
      it("reverts with ERC2612ExpiredSignature one second after the deadline", async function () {
        const { token, owner, spender, permit } = await loadFixture(permitFixture);
        const sig = await signPermit(token, owner, permit);
        await time.setNextBlockTimestamp(permit.deadline + 1n);
        await expect(
          token.permit(owner.address, spender.address, permit.value, permit.deadline, sig.v, sig.r, sig.s),
        )
          .to.be.revertedWithCustomError(token, "ERC2612ExpiredSignature")
          .withArgs(permit.deadline);
      });
    });

    describe("when someone other than the owner signed it", function () {
      it("reverts with ERC2612InvalidSigner", async function () {
        const { token, owner, spender, permit, actors } = await loadFixture(permitFixture);
        const sig = await signPermit(token, actors.stranger, permit);
        await expect(
          token.permit(owner.address, spender.address, permit.value, permit.deadline, sig.v, sig.r, sig.s),
        )
          .to.be.revertedWithCustomError(token, "ERC2612InvalidSigner")
          .withArgs(actors.stranger.address, owner.address);
      });
    });

    describe("when the submitted value differs from the signed one", function () {
      it("reverts with ERC2612InvalidSigner", async function () {
        const { token, owner, spender, permit } = await loadFixture(permitFixture);
        const sig = await signPermit(token, owner, permit);
        await expect(
          token.permit(
            owner.address,
            spender.address,
            permit.value + 1n,
            permit.deadline,
            sig.v,
            sig.r,
            sig.s,
          ),
        )
          .to.be.revertedWithCustomError(token, "ERC2612InvalidSigner")
          .withArgs(anyValue, owner.address);
        expect(await token.allowance(owner.address, spender.address)).to.equal(0n);
      });
    });

    describe("when the permit is replayed", function () {
      it("reverts with ERC2612InvalidSigner because the nonce moved on", async function () {
        const { token, owner, spender, permit } = await loadFixture(permitFixture);
        const sig = await signPermit(token, owner, permit);
        await token.permit(
          owner.address,
          spender.address,
          permit.value,
          permit.deadline,
          sig.v,
          sig.r,
          sig.s,
        );
        await expect(
          token.permit(owner.address, spender.address, permit.value, permit.deadline, sig.v, sig.r, sig.s),
        )
          .to.be.revertedWithCustomError(token, "ERC2612InvalidSigner")
          .withArgs(anyValue, owner.address);
        expect(await token.nonces(owner.address)).to.equal(1n);
      });
    });
  });
});
