import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import {
  connectLedger,
  deployLedger,
  deploymentRecord,
  LEDGER_BASED_CONTRACTS,
  LEDGER_CONTRACTS,
  type Ledger,
} from "../../ledger/contracts";
import { PAUSER_ROLE, REGULATOR_ROLE } from "../../ledger/roles";

async function deployedFixture() {
  const [admin, regulator, regulator2, pauser, stranger] = await ethers.getSigners();
  const { ledger, deploymentBlock } = await deployLedger(admin, {
    regulators: [regulator.address, regulator2.address],
    pausers: [pauser.address],
  });
  const record = await deploymentRecord("hardhat", ledger, deploymentBlock);
  return { ledger, deploymentBlock, record, admin, regulator, regulator2, pauser, stranger };
}

async function addressesOf(ledger: Ledger): Promise<string[]> {
  return Promise.all(LEDGER_CONTRACTS.map((name) => ledger[name].getAddress()));
}

describe("deployLedger", function () {
  describe("the deployment record", function () {
    it("names every ledger contract at an address with code", async function () {
      const { ledger, record } = await loadFixture(deployedFixture);
      expect(Object.keys(record.contracts)).to.have.members([...LEDGER_CONTRACTS]);
      expect(Object.values(record.contracts)).to.deep.equal(await addressesOf(ledger));
      expect(new Set(Object.values(record.contracts)).size).to.equal(LEDGER_CONTRACTS.length);
      for (const name of LEDGER_CONTRACTS) {
        expect(await ethers.provider.getCode(record.contracts[name]), name).not.to.equal("0x");
      }
    });

    it("carries the network, chain id 31337 and the time it was made", async function () {
      const { record } = await loadFixture(deployedFixture);
      expect(record.network).to.equal("hardhat");
      expect(record.chainId).to.equal(31337);
      expect(new Date(record.deployedAt).toISOString()).to.equal(record.deployedAt);
    });

    it("starts at the block that deployed the first contract", async function () {
      const { record } = await loadFixture(deployedFixture);
      const forwarder = record.contracts.forwarder;
      expect(await ethers.provider.getCode(forwarder, record.deploymentBlock - 1)).to.equal("0x");
      expect(await ethers.provider.getCode(forwarder, record.deploymentBlock)).not.to.equal("0x");
    });

    it("has a deploymentId hashing the chain id and every address", async function () {
      const { ledger, record } = await loadFixture(deployedFixture);
      const expected = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(
          ["uint256", "address[]"],
          [31337, await addressesOf(ledger)],
        ),
      );
      expect(record.deploymentId).to.equal(expected);
    });

    describe("when the same deployment is recorded again", function () {
      it("keeps the deploymentId", async function () {
        const { ledger, record } = await loadFixture(deployedFixture);
        const again = await deploymentRecord("hardhat", ledger, record.deploymentBlock);
        expect(again.deploymentId).to.equal(record.deploymentId);
      });
    });

    describe("when an address changes", function () {
      it("changes the deploymentId", async function () {
        const { ledger, record, admin } = await loadFixture(deployedFixture);
        const other = await deployLedger(admin);
        for (const name of LEDGER_CONTRACTS) {
          const swapped = { ...ledger, [name]: other.ledger[name] } as Ledger;
          const changed = await deploymentRecord("hardhat", swapped, record.deploymentBlock);
          expect(changed.deploymentId, name).not.to.equal(record.deploymentId);
        }
        const fresh = await deploymentRecord("hardhat", other.ledger, other.deploymentBlock);
        expect(fresh.deploymentId).not.to.equal(record.deploymentId);
      });
    });
  });

  describe("the wiring", function () {
    it("binds the agreement book to the tender house and the order book", async function () {
      const { ledger, deploymentBlock } = await loadFixture(deployedFixture);
      const agreements = await ledger.agreements.getAddress();
      const tenders = await ledger.tenders.getAddress();
      const orderBook = await ledger.orderBook.getAddress();
      expect(await ledger.tenders.agreements()).to.equal(agreements);
      expect(await ledger.agreements.tenders()).to.equal(tenders);
      expect(await ledger.agreements.orderBook()).to.equal(orderBook);
      const bound = await ledger.agreements.queryFilter(
        ledger.agreements.filters.AgreementBookBound(),
        deploymentBlock,
      );
      expect(bound.map((e) => [...e.args])).to.deep.equal([[tenders, orderBook]]);
    });

    it("binds the order book into the delivery trace", async function () {
      const { ledger } = await loadFixture(deployedFixture);
      expect(await ledger.trace.orderBook()).to.equal(await ledger.orderBook.getAddress());
    });

    it("binds the order book into the budget book, and the budget book into the order book", async function () {
      const { ledger, deploymentBlock } = await loadFixture(deployedFixture);
      const orderBook = await ledger.orderBook.getAddress();
      expect(await ledger.budgets.orderBook()).to.equal(orderBook);
      expect(await ledger.orderBook.budgets()).to.equal(await ledger.budgets.getAddress());
      expect(await ledger.budgets.hospitals()).to.equal(await ledger.hospitals.getAddress());
      const bound = await ledger.budgets.queryFilter(
        ledger.budgets.filters.OrderBookBound(),
        deploymentBlock,
      );
      expect(bound.map((e) => [...e.args])).to.deep.equal([[orderBook]]);
    });

    it("counts fiscal periods in China Standard Time unless told otherwise", async function () {
      const { ledger, admin } = await loadFixture(deployedFixture);
      expect(await ledger.budgets.utcOffset()).to.equal(8n * 3600n);
      const other = await deployLedger(admin, { utcOffsetSeconds: -5 * 3600 });
      expect(await other.ledger.budgets.utcOffset()).to.equal(-5n * 3600n);
    });

    it("gives the order book the ledger's token, agreements, registries and trace", async function () {
      const { ledger } = await loadFixture(deployedFixture);
      expect(await ledger.orderBook.token()).to.equal(await ledger.token.getAddress());
      expect(await ledger.orderBook.agreements()).to.equal(await ledger.agreements.getAddress());
      expect(await ledger.orderBook.registry()).to.equal(await ledger.registry.getAddress());
      expect(await ledger.orderBook.hospitals()).to.equal(await ledger.hospitals.getAddress());
      expect(await ledger.orderBook.trace()).to.equal(await ledger.trace.getAddress());
      expect(await ledger.tenders.token()).to.equal(await ledger.token.getAddress());
      expect(await ledger.tenders.registry()).to.equal(await ledger.registry.getAddress());
      expect(await ledger.trace.registry()).to.equal(await ledger.registry.getAddress());
      expect(await ledger.trace.hospitals()).to.equal(await ledger.hospitals.getAddress());
    });

    it("points every ledger contract at the one roles contract and forwarder", async function () {
      const { ledger } = await loadFixture(deployedFixture);
      for (const name of LEDGER_BASED_CONTRACTS) {
        expect(await ledger[name].roles(), name).to.equal(await ledger.roles.getAddress());
        expect(await ledger[name].trustedForwarder(), name).to.equal(await ledger.forwarder.getAddress());
      }
    });

    describe("when the admin tries to bind again", function () {
      it("reverts: each binding happens once", async function () {
        const { ledger, admin, stranger } = await loadFixture(deployedFixture);
        const orderBook = await ledger.orderBook.getAddress();
        await expect(ledger.trace.connect(admin).bindOrderBook(stranger.address))
          .to.be.revertedWithCustomError(ledger.trace, "TraceOrderBookAlreadyBound")
          .withArgs(orderBook);
        await expect(ledger.budgets.connect(admin).bindOrderBook(stranger.address))
          .to.be.revertedWithCustomError(ledger.budgets, "BudgetOrderBookAlreadyBound")
          .withArgs(orderBook);
        await expect(ledger.tenders.connect(admin).bindAgreements(stranger.address))
          .to.be.revertedWithCustomError(ledger.tenders, "TenderAgreementsAlreadyBound")
          .withArgs(await ledger.agreements.getAddress());
        await expect(
          ledger.agreements.connect(admin).bind(stranger.address, stranger.address),
        ).to.be.revertedWithCustomError(ledger.agreements, "AgreementBookBindingInvalid");
      });
    });

    describe("on contracts not bound yet", function () {
      async function unboundFixture() {
        const { ledger, admin, stranger } = await deployedFixture();
        const rolesAddr = await ledger.roles.getAddress();
        const fwd = await ledger.forwarder.getAddress();
        const tenders = await ethers.deployContract(
          "TenderHouse",
          [rolesAddr, fwd, await ledger.token.getAddress(), await ledger.registry.getAddress()],
          admin,
        );
        const agreements = await ethers.deployContract("AgreementBook", [rolesAddr, fwd], admin);
        return { ledger, admin, stranger, tenders, agreements };
      }

      it("refuses a zero agreement book and binds a real one once", async function () {
        const { admin, tenders, agreements } = await loadFixture(unboundFixture);
        await expect(tenders.connect(admin).bindAgreements(ethers.ZeroAddress)).to.be.revertedWithCustomError(
          tenders,
          "TenderZeroAgreements",
        );
        await tenders.connect(admin).bindAgreements(await agreements.getAddress());
        expect(await tenders.agreements()).to.equal(await agreements.getAddress());
      });

      it("refuses to bind the agreement book to a zero address", async function () {
        const { admin, stranger, tenders, agreements } = await loadFixture(unboundFixture);
        const tendersAddr = await tenders.getAddress();
        await expect(
          agreements.connect(admin).bind(ethers.ZeroAddress, stranger.address),
        ).to.be.revertedWithCustomError(agreements, "AgreementBookBindingInvalid");
        await expect(
          agreements.connect(admin).bind(tendersAddr, ethers.ZeroAddress),
        ).to.be.revertedWithCustomError(agreements, "AgreementBookBindingInvalid");
        await expect(agreements.connect(admin).bind(tendersAddr, stranger.address))
          .to.emit(agreements, "AgreementBookBound")
          .withArgs(tendersAddr, stranger.address);
      });

      it("lets only the admin bind", async function () {
        const { stranger, tenders, agreements } = await loadFixture(unboundFixture);
        const ADMIN = ethers.ZeroHash;
        await expect(tenders.connect(stranger).bindAgreements(await agreements.getAddress()))
          .to.be.revertedWithCustomError(tenders, "LedgerUnauthorized")
          .withArgs(stranger.address, ADMIN);
        await expect(agreements.connect(stranger).bind(await tenders.getAddress(), stranger.address))
          .to.be.revertedWithCustomError(agreements, "LedgerUnauthorized")
          .withArgs(stranger.address, ADMIN);
      });
    });
  });

  describe("the roles", function () {
    it("gives REGULATOR_ROLE to the listed regulators only", async function () {
      const { ledger, admin, regulator, regulator2, pauser, stranger } = await loadFixture(deployedFixture);
      expect(await ledger.roles.REGULATOR_ROLE()).to.equal(REGULATOR_ROLE);
      expect(await ledger.roles.hasRole(REGULATOR_ROLE, regulator.address)).to.equal(true);
      expect(await ledger.roles.hasRole(REGULATOR_ROLE, regulator2.address)).to.equal(true);
      for (const account of [admin, pauser, stranger]) {
        expect(await ledger.roles.hasRole(REGULATOR_ROLE, account.address)).to.equal(false);
      }
    });

    it("makes the deployer admin and pauser, and the listed pausers pausers", async function () {
      const { ledger, admin, pauser, regulator, stranger } = await loadFixture(deployedFixture);
      expect(await ledger.roles.PAUSER_ROLE()).to.equal(PAUSER_ROLE);
      expect(await ledger.roles.hasRole(ethers.ZeroHash, admin.address)).to.equal(true);
      expect(await ledger.roles.hasRole(PAUSER_ROLE, admin.address)).to.equal(true);
      expect(await ledger.roles.hasRole(PAUSER_ROLE, pauser.address)).to.equal(true);
      for (const account of [regulator, stranger]) {
        expect(await ledger.roles.hasRole(PAUSER_ROLE, account.address)).to.equal(false);
        expect(await ledger.roles.hasRole(ethers.ZeroHash, account.address)).to.equal(false);
      }
    });

    it("lets a listed pauser pause a ledger contract", async function () {
      const { ledger, pauser } = await loadFixture(deployedFixture);
      await expect(ledger.trace.connect(pauser).pause())
        .to.emit(ledger.trace, "Paused")
        .withArgs(pauser.address);
    });

    describe("when no regulators are listed", function () {
      it("grants REGULATOR_ROLE to nobody", async function () {
        const { admin } = await loadFixture(deployedFixture);
        const { ledger } = await deployLedger(admin);
        const granted = await ledger.roles.queryFilter(ledger.roles.filters.RoleGranted(REGULATOR_ROLE));
        expect(granted).to.have.lengthOf(0);
      });
    });
  });

  describe("with an existing settlement token", function () {
    it("settles in that token instead of deploying one", async function () {
      const { admin } = await loadFixture(deployedFixture);
      const existing = await ethers.deployContract("SettlementToken", [admin.address], admin);
      const tokenAddress = await existing.getAddress();
      const { ledger } = await deployLedger(admin, { tokenAddress });
      expect(await ledger.token.getAddress()).to.equal(tokenAddress);
      expect(await ledger.orderBook.token()).to.equal(tokenAddress);
      expect(await ledger.tenders.token()).to.equal(tokenAddress);
    });
  });

  describe("when the deployer has no provider", function () {
    it("rejects", async function () {
      await expect(deployLedger(ethers.Wallet.createRandom())).to.be.rejectedWith(
        "the deployer signer has no provider",
      );
    });
  });

  describe("connectLedger", function () {
    it("connects to the recorded addresses", async function () {
      const { record, stranger } = await loadFixture(deployedFixture);
      const connected = connectLedger(record, stranger);
      expect(await addressesOf(connected)).to.deep.equal(Object.values(record.contracts));
      expect(await connected.trace.orderBook()).to.equal(record.contracts.orderBook);
      const again = await deploymentRecord("hardhat", connected, record.deploymentBlock);
      expect(again.deploymentId).to.equal(record.deploymentId);
    });

    describe("when the runner has no provider", function () {
      it("cannot build a record", async function () {
        const { record } = await loadFixture(deployedFixture);
        const connected = connectLedger(record, ethers.Wallet.createRandom());
        await expect(deploymentRecord("hardhat", connected, record.deploymentBlock)).to.be.rejectedWith(
          "the ledger contracts have no provider",
        );
      });
    });
  });
});
