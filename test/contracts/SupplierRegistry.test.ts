import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { expect } from "chai";
import { ethers } from "hardhat";
import {
  ALL_KINDS,
  BAD_GTIN,
  DAY,
  deployFixture,
  GTIN,
  KNEES,
  qualify,
  registerGtins,
  REGULATOR_ROLE,
  STENTS,
  YEAR,
} from "./helpers/fixtures";
import type { SupplierRegistry } from "../../typechain-types";

const PAUSER_ROLE = ethers.id("PAUSER_ROLE");
const DAY_N = BigInt(DAY);
const YEAR_N = BigInt(YEAR);
const NAME = ethers.encodeBytes32String("Shanghai MedTech Co");
const REG_ID = ethers.encodeBytes32String("91310000MA1FL0001X");

const Kind = { BusinessLicence: 0, DeviceOperatingPermit: 1, ProductRegistration: 2 } as const;
const DocStatus = { None: 0n, Pending: 1n, Attested: 2n, Rejected: 3n } as const;
const SupplierStatus = { None: 0n, Active: 1n, Suspended: 2n } as const;
const MAX_PENDING = 16n;
/** The latest time the registry stores: 2^40 - 1 seconds. */
const MAX_TIME = 2n ** 40n - 1n;
/** Two more valid GTIN-14s besides the fixtures' GTIN. */
const GTIN_B = 12345678901231n;
const GTIN_C = 95012345678903n;

/** `body` (13 digits at most) followed by its GS1 mod-10 check digit: a valid GTIN-14. */
function withCheckDigit(body: bigint): bigint {
  let sum = 0n;
  for (let rest = body, i = 0; i < 13; i++, rest /= 10n) sum += (rest % 10n) * (i % 2 === 0 ? 3n : 1n);
  return body * 10n + ((10n - (sum % 10n)) % 10n);
}

function digestOf(label: string): string {
  return ethers.sha256(ethers.toUtf8Bytes(label));
}

/** Files one document of every kind with the given window and attests each; returns the ids. */
async function fileAttestedSet(
  registry: SupplierRegistry,
  regulator: HardhatEthersSigner,
  supplier: HardhatEthersSigner,
  validFrom: bigint,
  validUntil: bigint,
  categories: string[] = [STENTS],
): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (const kind of ALL_KINDS) {
    await registry
      .connect(supplier)
      .fileDocument(
        kind,
        digestOf(`${supplier.address}-${kind}-${validFrom}`),
        validFrom,
        validUntil,
        categories,
      );
    const id = await registry.documentCount();
    await registry.connect(regulator).attestDocument(id);
    ids.push(id);
  }
  return ids;
}

async function registeredFixture() {
  const { ledger, actors } = await deployFixture();
  const registry = ledger.registry;
  const supplier = actors.suppliers[0];
  await registry.connect(supplier).register(NAME, REG_ID);
  return { ledger, actors, registry, supplier };
}

/** A registered supplier with one pending business licence (document 1) for stents. */
async function pendingFixture() {
  const base = await registeredFixture();
  const now = BigInt(await time.latest());
  const validFrom = now - DAY_N;
  const validUntil = now + YEAR_N;
  await base.registry
    .connect(base.supplier)
    .fileDocument(Kind.BusinessLicence, digestOf("licence"), validFrom, validUntil, [STENTS]);
  return { ...base, documentId: 1n, validFrom, validUntil };
}

/** Supplier 0 qualified for stents through the shared helper. */
async function qualifiedFixture() {
  const { ledger, actors } = await deployFixture();
  const supplier = actors.suppliers[0];
  const documentIds = await qualify(ledger, actors.regulator, supplier);
  return { ledger, actors, registry: ledger.registry, supplier, documentIds };
}

/** Supplier 0 holding one attested set for stents and knees valid over [validFrom, validUntil]. */
async function windowFixture() {
  const base = await registeredFixture();
  const now = BigInt(await time.latest());
  const validFrom = now + 10n * DAY_N;
  const validUntil = now + 100n * DAY_N;
  const documentIds = await fileAttestedSet(
    base.registry,
    base.actors.regulator,
    base.supplier,
    validFrom,
    validUntil,
    [STENTS, KNEES],
  );
  return { ...base, validFrom, validUntil, documentIds };
}

/**
 * Supplier 0 qualified for stents by its 3 attested documents, isQualified's gas measured at
 * `at` for stents (qualified) and knees (not), then 197 more documents filed by it: attested
 * ones that lapsed a year before `at`, rejected ones, and the last 16 left pending (the cap).
 */
async function spamFixture() {
  const base = await qualifiedFixture();
  const { registry, supplier, actors } = base;
  const at = BigInt(await time.latest());
  const gasBefore: Record<string, bigint> = {
    [STENTS]: await registry.isQualified.estimateGas(supplier.address, STENTS, at),
    [KNEES]: await registry.isQualified.estimateGas(supplier.address, KNEES, at),
  };
  const spam = 197;
  for (let i = 0; i < spam; i++) {
    const pending = i >= spam - Number(MAX_PENDING);
    const attested = !pending && i % 2 === 0;
    const [validFrom, validUntil] = attested ? [at - 2n * YEAR_N, at - YEAR_N] : [at - 1n, at + YEAR_N];
    await registry
      .connect(supplier)
      .fileDocument(i % 3, digestOf(`spam-${i}`), validFrom, validUntil, [STENTS]);
    if (pending) continue;
    const id = await registry.documentCount();
    if (attested) await registry.connect(actors.regulator).attestDocument(id);
    else await registry.connect(actors.regulator).rejectDocument(id, 1);
  }
  return { ...base, at, gasBefore };
}

/** A registered supplier with as many pending documents as the cap allows (ids 1–16). */
async function fullPendingFixture() {
  const base = await registeredFixture();
  const now = BigInt(await time.latest());
  for (let i = 0; i < Number(MAX_PENDING); i++) {
    await base.registry
      .connect(base.supplier)
      .fileDocument(i % 3, digestOf(`pending-${i}`), now, now + YEAR_N, [STENTS]);
  }
  return base;
}

/** A registered supplier with one pending product registration (document 1) for GTIN and GTIN_B. */
async function pendingRegistrationFixture() {
  const base = await registeredFixture();
  const now = BigInt(await time.latest());
  const validFrom = now + 10n * DAY_N;
  const validUntil = now + 100n * DAY_N;
  await base.registry
    .connect(base.supplier)
    .fileProductRegistration(digestOf("registration"), validFrom, validUntil, [STENTS], [GTIN, GTIN_B]);
  return { ...base, documentId: 1n, validFrom, validUntil };
}

describe("SupplierRegistry", function () {
  // Reproductions of the two v1 weaknesses; both failed against the v1 registry.
  describe("qualification spam", function () {
    describe("when a qualified supplier piles 197 more documents on its 3 attested ones", function () {
      it("costs isQualified exactly the same gas as with the 3 documents alone, with the same answers", async function () {
        const { registry, supplier, at, gasBefore } = await loadFixture(spamFixture);
        expect(await registry.documentCount()).to.equal(200n);
        for (const [category, qualified] of [
          [STENTS, true],
          [KNEES, false],
        ] as const) {
          expect(await registry.isQualified(supplier.address, category, at)).to.equal(qualified);
          expect(await registry.isQualified.estimateGas(supplier.address, category, at)).to.equal(
            gasBefore[category],
          );
        }
      });
    });

    describe("when a supplier already has 16 documents pending", function () {
      it("reverts the 17th with RegistryTooManyPendingDocuments", async function () {
        const { registry, supplier } = await loadFixture(fullPendingFixture);
        const now = BigInt(await time.latest());
        await expect(
          registry
            .connect(supplier)
            .fileDocument(Kind.BusinessLicence, digestOf("17th"), now, now + YEAR_N, [STENTS]),
        )
          .to.be.revertedWithCustomError(registry, "RegistryTooManyPendingDocuments")
          .withArgs(supplier.address, MAX_PENDING);
      });

      it("frees a slot when a pending document is attested or rejected", async function () {
        const { registry, supplier, actors } = await loadFixture(fullPendingFixture);
        expect(await registry.pendingDocumentCount(supplier.address)).to.equal(MAX_PENDING);
        const now = BigInt(await time.latest());
        const file = (label: string) =>
          registry
            .connect(supplier)
            .fileDocument(Kind.BusinessLicence, digestOf(label), now, now + YEAR_N, [STENTS]);
        await registry.connect(actors.regulator).attestDocument(1n);
        expect(await registry.pendingDocumentCount(supplier.address)).to.equal(MAX_PENDING - 1n);
        await expect(file("after attestation")).to.emit(registry, "DocumentFiled");
        await registry.connect(actors.regulator).rejectDocument(2n, 1);
        await expect(file("after rejection")).to.emit(registry, "DocumentFiled");
        await expect(file("one too many"))
          .to.be.revertedWithCustomError(registry, "RegistryTooManyPendingDocuments")
          .withArgs(supplier.address, MAX_PENDING);
      });

      it("counts product registrations too", async function () {
        const { registry, supplier } = await loadFixture(fullPendingFixture);
        const now = BigInt(await time.latest());
        await expect(
          registry
            .connect(supplier)
            .fileProductRegistration(digestOf("17th"), now, now + YEAR_N, [STENTS], [GTIN]),
        )
          .to.be.revertedWithCustomError(registry, "RegistryTooManyPendingDocuments")
          .withArgs(supplier.address, MAX_PENDING);
      });

      it("does not limit another supplier", async function () {
        const { registry, actors } = await loadFixture(fullPendingFixture);
        const other = actors.suppliers[1];
        await registry.connect(other).register(NAME, REG_ID);
        const now = BigInt(await time.latest());
        await expect(
          registry.connect(other).fileDocument(Kind.BusinessLicence, digestOf("x"), now, now + 1n, [STENTS]),
        ).to.emit(registry, "DocumentFiled");
        expect(await registry.pendingDocumentCount(other.address)).to.equal(1n);
      });
    });
  });

  describe("GTIN registration", function () {
    describe("when no registration names the GTIN", function () {
      it("is not registered, for the supplier or anyone, at any time", async function () {
        const { registry, supplier, actors } = await loadFixture(qualifiedFixture);
        const now = BigInt(await time.latest());
        for (const at of [0n, now, now + YEAR_N]) {
          expect(await registry.isGtinRegistered(supplier.address, GTIN, at)).to.equal(false);
          expect(await registry.isGtinRegistered(actors.stranger.address, GTIN, at)).to.equal(false);
        }
      });
    });

    describe("when the registration is only pending", function () {
      it("does not register its GTINs", async function () {
        const { registry, supplier, validFrom } = await loadFixture(pendingRegistrationFixture);
        expect(await registry.isGtinRegistered(supplier.address, GTIN, validFrom)).to.equal(false);
        expect(await registry.isGtinRegistered(supplier.address, GTIN_B, validFrom)).to.equal(false);
      });
    });

    describe("when the registration was rejected", function () {
      it("does not register its GTINs", async function () {
        const { registry, supplier, actors, documentId, validFrom } =
          await loadFixture(pendingRegistrationFixture);
        await registry.connect(actors.regulator).rejectDocument(documentId, 9);
        expect(await registry.isGtinRegistered(supplier.address, GTIN, validFrom)).to.equal(false);
        expect(await registry.isGtinRegistered(supplier.address, GTIN_B, validFrom)).to.equal(false);
      });
    });

    describe("when the registration is attested", function () {
      it("registers each GTIN for its window only, edges included", async function () {
        const { registry, supplier, actors, documentId, validFrom, validUntil } =
          await loadFixture(pendingRegistrationFixture);
        await registry.connect(actors.regulator).attestDocument(documentId);
        for (const gtin of [GTIN, GTIN_B]) {
          expect(await registry.isGtinRegistered(supplier.address, gtin, validFrom - 1n)).to.equal(false);
          expect(await registry.isGtinRegistered(supplier.address, gtin, validFrom)).to.equal(true);
          expect(await registry.isGtinRegistered(supplier.address, gtin, validUntil)).to.equal(true);
          expect(await registry.isGtinRegistered(supplier.address, gtin, validUntil + 1n)).to.equal(false);
        }
        expect(await registry.isGtinRegistered(supplier.address, GTIN_C, validFrom)).to.equal(false);
      });

      it("registers them for the filing supplier only", async function () {
        const { registry, actors, documentId, validFrom } = await loadFixture(pendingRegistrationFixture);
        await registry.connect(actors.regulator).attestDocument(documentId);
        for (const other of [actors.suppliers[1], actors.stranger]) {
          expect(await registry.isGtinRegistered(other.address, GTIN, validFrom)).to.equal(false);
        }
      });
    });

    describe("when a later-expiring registration of the GTIN is attested", function () {
      for (const [label, gap] of [
        ["overlaps the current one", -DAY_N],
        ["starts on the current one's last second", 0n],
        ["directly follows the current one", 1n],
      ] as const) {
        describe(`and its window ${label}`, function () {
          it("extends the current window, keeping its start, and emits GtinRegistered with it", async function () {
            const { registry, supplier, actors, documentId, validFrom, validUntil } =
              await loadFixture(pendingRegistrationFixture);
            await registry.connect(actors.regulator).attestDocument(documentId);
            const renewedUntil = validUntil + YEAR_N;
            await registry
              .connect(supplier)
              .fileProductRegistration(digestOf("renewal"), validUntil + gap, renewedUntil, [STENTS], [GTIN]);
            await expect(registry.connect(actors.regulator).attestDocument(2n))
              .to.emit(registry, "GtinRegistered")
              .withArgs(supplier.address, GTIN, 2n, validFrom, renewedUntil);
            // Renewing early leaves no gap: every second from the first start on is registered.
            for (const at of [validFrom, validUntil, validUntil + 1n, renewedUntil]) {
              expect(await registry.isGtinRegistered(supplier.address, GTIN, at)).to.equal(true);
            }
            expect(await registry.isGtinRegistered(supplier.address, GTIN, validFrom - 1n)).to.equal(false);
            expect(await registry.isGtinRegistered(supplier.address, GTIN, renewedUntil + 1n)).to.equal(
              false,
            );
            // GTIN_B was not in the renewal: its registration is unchanged.
            expect(await registry.isGtinRegistered(supplier.address, GTIN_B, validFrom)).to.equal(true);
            expect(await registry.isGtinRegistered(supplier.address, GTIN_B, validUntil + 1n)).to.equal(
              false,
            );
          });
        });
      }

      describe("and its window starts after a gap", function () {
        it("replaces the current window and emits GtinRegistered with its own start", async function () {
          const { registry, supplier, actors, documentId, validFrom, validUntil } =
            await loadFixture(pendingRegistrationFixture);
          await registry.connect(actors.regulator).attestDocument(documentId);
          const renewedFrom = validUntil + 2n;
          const renewedUntil = validUntil + YEAR_N;
          await registry
            .connect(supplier)
            .fileProductRegistration(digestOf("after a gap"), renewedFrom, renewedUntil, [STENTS], [GTIN]);
          await expect(registry.connect(actors.regulator).attestDocument(2n))
            .to.emit(registry, "GtinRegistered")
            .withArgs(supplier.address, GTIN, 2n, renewedFrom, renewedUntil);
          for (const at of [validFrom, validUntil, renewedFrom - 1n]) {
            expect(await registry.isGtinRegistered(supplier.address, GTIN, at)).to.equal(false);
          }
          expect(await registry.isGtinRegistered(supplier.address, GTIN, renewedFrom)).to.equal(true);
          expect(await registry.isGtinRegistered(supplier.address, GTIN, renewedUntil)).to.equal(true);
        });
      });

      describe("and its window starts before the current one", function () {
        it("takes its own, earlier start", async function () {
          const { registry, supplier, actors, documentId, validFrom, validUntil } =
            await loadFixture(pendingRegistrationFixture);
          await registry.connect(actors.regulator).attestDocument(documentId);
          const earlierFrom = validFrom - DAY_N;
          await registry
            .connect(supplier)
            .fileProductRegistration(digestOf("wider"), earlierFrom, validUntil + DAY_N, [STENTS], [GTIN]);
          await expect(registry.connect(actors.regulator).attestDocument(2n))
            .to.emit(registry, "GtinRegistered")
            .withArgs(supplier.address, GTIN, 2n, earlierFrom, validUntil + DAY_N);
          expect(await registry.isGtinRegistered(supplier.address, GTIN, earlierFrom)).to.equal(true);
          expect(await registry.isGtinRegistered(supplier.address, GTIN, earlierFrom - 1n)).to.equal(false);
        });
      });
    });

    describe("when an earlier-expiring registration of the GTIN is attested later", function () {
      it("keeps the current window and emits GtinRegistered only for its new GTINs", async function () {
        const { registry, supplier, actors, documentId, validFrom, validUntil } =
          await loadFixture(pendingRegistrationFixture);
        await registry.connect(actors.regulator).attestDocument(documentId);
        const shortUntil = validFrom + DAY_N;
        await registry
          .connect(supplier)
          .fileProductRegistration(
            digestOf("short"),
            validFrom - DAY_N,
            shortUntil,
            [STENTS],
            [GTIN, GTIN_C],
          );
        const tx = registry.connect(actors.regulator).attestDocument(2n);
        await expect(tx)
          .to.emit(registry, "GtinRegistered")
          .withArgs(supplier.address, GTIN_C, 2n, validFrom - DAY_N, shortUntil);
        const receipt = await (await tx).wait();
        const registered = receipt!.logs
          .map((log) => registry.interface.parseLog(log))
          .filter((e) => e?.name === "GtinRegistered");
        expect(registered.map((e) => e!.args.gtin)).to.deep.equal([GTIN_C]);
        expect(await registry.isGtinRegistered(supplier.address, GTIN, validFrom - 1n)).to.equal(false);
        expect(await registry.isGtinRegistered(supplier.address, GTIN, validUntil)).to.equal(true);
      });
    });

    describe("when a registration of the GTIN expiring at the same time is attested later", function () {
      it("keeps the current window and emits no GtinRegistered", async function () {
        const { registry, supplier, actors, documentId, validFrom, validUntil } =
          await loadFixture(pendingRegistrationFixture);
        await registry.connect(actors.regulator).attestDocument(documentId);
        await registry
          .connect(supplier)
          .fileProductRegistration(digestOf("same end"), validFrom - DAY_N, validUntil, [STENTS], [GTIN]);
        await expect(registry.connect(actors.regulator).attestDocument(2n)).not.to.emit(
          registry,
          "GtinRegistered",
        );
        expect(await registry.isGtinRegistered(supplier.address, GTIN, validFrom - 1n)).to.equal(false);
        expect(await registry.isGtinRegistered(supplier.address, GTIN, validFrom)).to.equal(true);
      });
    });

    describe("when a manufacturer and a distributor each register the GTIN", function () {
      it("registers it for each by its own document and window", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        const [manufacturer, distributor] = actors.suppliers;
        const ids = [
          await registerGtins(ledger, actors.regulator, manufacturer, [GTIN]),
          await registerGtins(ledger, actors.regulator, distributor, [GTIN], [KNEES]),
        ];
        for (const [i, s] of [manufacturer, distributor].entries()) {
          const { validFrom, validUntil } = await ledger.registry.document(ids[i]);
          expect(await ledger.registry.isGtinRegistered(s.address, GTIN, validFrom)).to.equal(true);
          expect(await ledger.registry.isGtinRegistered(s.address, GTIN, validUntil)).to.equal(true);
          expect(await ledger.registry.isGtinRegistered(s.address, GTIN, validUntil + 1n)).to.equal(false);
        }
        const now = await time.latest();
        expect(await ledger.registry.isGtinRegistered(actors.stranger.address, GTIN, now)).to.equal(false);
      });
    });

    describe("when the supplier is suspended", function () {
      it("still answers from the registration alone (isQualified is what checks the supplier)", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        const supplier = actors.suppliers[0];
        await registerGtins(ledger, actors.regulator, supplier, [GTIN]);
        await ledger.registry.connect(actors.regulator).suspend(supplier.address, 1);
        expect(await ledger.registry.isGtinRegistered(supplier.address, GTIN, await time.latest())).to.equal(
          true,
        );
      });
    });

    describe("registerGtins (test helper)", function () {
      it("registers the supplier if needed, files and attests a registration for the GTINs", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        const supplier = actors.suppliers[2];
        const id = await registerGtins(ledger, actors.regulator, supplier, [GTIN, GTIN_B], [KNEES]);
        const doc = await ledger.registry.document(id);
        expect(doc.supplier).to.equal(supplier.address);
        expect(doc.kind).to.equal(BigInt(Kind.ProductRegistration));
        expect(doc.status).to.equal(DocStatus.Attested);
        expect(doc.categories).to.deep.equal([KNEES]);
        expect(await ledger.registry.documentGtins(id)).to.deep.equal([GTIN, GTIN_B]);
        const now = await time.latest();
        for (const gtin of [GTIN, GTIN_B]) {
          expect(await ledger.registry.isGtinRegistered(supplier.address, gtin, now)).to.equal(true);
        }
      });
    });
  });

  describe("deployment", function () {
    it("requires every document kind, has no documents, caps pending ones at 16 and trusts the ledger forwarder", async function () {
      const { ledger } = await loadFixture(deployFixture);
      expect(await ledger.registry.requiredKinds()).to.equal(0b111n);
      expect(await ledger.registry.documentCount()).to.equal(0n);
      expect(await ledger.registry.MAX_PENDING_DOCUMENTS()).to.equal(MAX_PENDING);
      expect(await ledger.registry.roles()).to.equal(await ledger.roles.getAddress());
      expect(await ledger.registry.isTrustedForwarder(await ledger.forwarder.getAddress())).to.equal(true);
      expect(await ledger.registry.paused()).to.equal(false);
    });
  });

  describe("register", function () {
    describe("when the caller is not registered", function () {
      it("makes it an active supplier and emits SupplierRegistered", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        const supplier = actors.suppliers[0];
        expect(await ledger.registry.supplierStatus(supplier.address)).to.equal(SupplierStatus.None);
        const at = (await time.latest()) + 60;
        await time.setNextBlockTimestamp(at);
        await expect(ledger.registry.connect(supplier).register(NAME, REG_ID))
          .to.emit(ledger.registry, "SupplierRegistered")
          .withArgs(supplier.address, NAME, REG_ID, at);
        expect(await ledger.registry.supplierStatus(supplier.address)).to.equal(SupplierStatus.Active);
      });
    });

    describe("when the caller is already registered", function () {
      it("reverts with RegistrySupplierAlreadyRegistered", async function () {
        const { registry, supplier } = await loadFixture(registeredFixture);
        await expect(registry.connect(supplier).register(NAME, REG_ID))
          .to.be.revertedWithCustomError(registry, "RegistrySupplierAlreadyRegistered")
          .withArgs(supplier.address);
      });
    });

    describe("when the caller is suspended", function () {
      it("reverts with RegistrySupplierAlreadyRegistered, so it cannot re-register out of a suspension", async function () {
        const { registry, supplier, actors } = await loadFixture(registeredFixture);
        await registry.connect(actors.regulator).suspend(supplier.address, 7);
        await expect(registry.connect(supplier).register(NAME, REG_ID))
          .to.be.revertedWithCustomError(registry, "RegistrySupplierAlreadyRegistered")
          .withArgs(supplier.address);
        expect(await registry.supplierStatus(supplier.address)).to.equal(SupplierStatus.Suspended);
      });
    });

    describe("when the registry is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        await ledger.registry.connect(actors.admin).pause();
        await expect(
          ledger.registry.connect(actors.suppliers[0]).register(NAME, REG_ID),
        ).to.be.revertedWithCustomError(ledger.registry, "EnforcedPause");
      });
    });
  });

  describe("fileDocument", function () {
    describe("when the caller is not registered", function () {
      it("reverts with RegistrySupplierNotRegistered", async function () {
        const { registry, actors } = await loadFixture(registeredFixture);
        const now = BigInt(await time.latest());
        await expect(
          registry
            .connect(actors.stranger)
            .fileDocument(Kind.BusinessLicence, digestOf("x"), now, now + YEAR_N, [STENTS]),
        )
          .to.be.revertedWithCustomError(registry, "RegistrySupplierNotRegistered")
          .withArgs(actors.stranger.address);
      });
    });

    describe("when the digest is zero", function () {
      it("reverts with RegistryZeroDigest", async function () {
        const { registry, supplier } = await loadFixture(registeredFixture);
        const now = BigInt(await time.latest());
        await expect(
          registry
            .connect(supplier)
            .fileDocument(Kind.BusinessLicence, ethers.ZeroHash, now, now + YEAR_N, [STENTS]),
        ).to.be.revertedWithCustomError(registry, "RegistryZeroDigest");
      });
    });

    describe("when the validity window is empty", function () {
      it("reverts with RegistryInvalidValidity when valid-until equals valid-from", async function () {
        const { registry, supplier } = await loadFixture(registeredFixture);
        const now = BigInt(await time.latest());
        await expect(
          registry.connect(supplier).fileDocument(Kind.BusinessLicence, digestOf("x"), now, now, [STENTS]),
        )
          .to.be.revertedWithCustomError(registry, "RegistryInvalidValidity")
          .withArgs(now, now);
      });

      it("reverts with RegistryInvalidValidity when valid-until precedes valid-from", async function () {
        const { registry, supplier } = await loadFixture(registeredFixture);
        const now = BigInt(await time.latest());
        await expect(
          registry
            .connect(supplier)
            .fileDocument(Kind.BusinessLicence, digestOf("x"), now, now - 1n, [STENTS]),
        )
          .to.be.revertedWithCustomError(registry, "RegistryInvalidValidity")
          .withArgs(now, now - 1n);
      });
    });

    describe("when the validity window ends after 2^40 - 1", function () {
      it("reverts with RegistryInvalidValidity, and accepts 2^40 - 1 itself", async function () {
        const { registry, supplier, actors } = await loadFixture(registeredFixture);
        const now = BigInt(await time.latest());
        await expect(
          registry
            .connect(supplier)
            .fileDocument(Kind.BusinessLicence, digestOf("x"), now, MAX_TIME + 1n, [STENTS]),
        )
          .to.be.revertedWithCustomError(registry, "RegistryInvalidValidity")
          .withArgs(now, MAX_TIME + 1n);
        await registry
          .connect(supplier)
          .fileDocument(Kind.BusinessLicence, digestOf("x"), now, MAX_TIME, [STENTS]);
        await registry.connect(actors.regulator).attestDocument(1n);
        await registry.connect(actors.regulator).setRequiredKinds(0b001);
        expect(await registry.isQualified(supplier.address, STENTS, MAX_TIME)).to.equal(true);
        expect(await registry.isQualified(supplier.address, STENTS, MAX_TIME + 1n)).to.equal(false);
      });
    });

    describe("when the categories are invalid", function () {
      it("reverts with RegistryInvalidCategories for none", async function () {
        const { registry, supplier } = await loadFixture(registeredFixture);
        const now = BigInt(await time.latest());
        await expect(
          registry.connect(supplier).fileDocument(Kind.BusinessLicence, digestOf("x"), now, now + 1n, []),
        )
          .to.be.revertedWithCustomError(registry, "RegistryInvalidCategories")
          .withArgs(0);
      });

      it("reverts with RegistryInvalidCategories for 33 and accepts 32", async function () {
        const { registry, supplier } = await loadFixture(registeredFixture);
        const now = BigInt(await time.latest());
        const many = Array.from({ length: 33 }, (_, i) => ethers.encodeBytes32String(`CAT-${i}`));
        await expect(
          registry.connect(supplier).fileDocument(Kind.BusinessLicence, digestOf("x"), now, now + 1n, many),
        )
          .to.be.revertedWithCustomError(registry, "RegistryInvalidCategories")
          .withArgs(33);
        await expect(
          registry
            .connect(supplier)
            .fileDocument(Kind.BusinessLicence, digestOf("x"), now, now + 1n, many.slice(0, 32)),
        ).to.emit(registry, "DocumentFiled");
        expect((await registry.document(1n)).categories).to.deep.equal(many.slice(0, 32));
      });
    });

    describe("when the kind is not a known DocumentKind", function () {
      it("reverts without storing anything", async function () {
        const { registry, supplier } = await loadFixture(registeredFixture);
        const now = BigInt(await time.latest());
        await expect(registry.connect(supplier).fileDocument(3, digestOf("x"), now, now + 1n, [STENTS])).to.be
          .reverted;
        expect(await registry.documentCount()).to.equal(0n);
      });
    });

    describe("when the document is well formed", function () {
      it("stores it as Pending under the next id and emits DocumentFiled", async function () {
        const { registry, supplier } = await loadFixture(registeredFixture);
        const now = BigInt(await time.latest());
        const digest = digestOf("permit.pdf");
        const categories = [STENTS, KNEES];
        expect(
          await registry
            .connect(supplier)
            .fileDocument.staticCall(Kind.DeviceOperatingPermit, digest, now, now + YEAR_N, categories),
        ).to.equal(1n);
        await expect(
          registry
            .connect(supplier)
            .fileDocument(Kind.DeviceOperatingPermit, digest, now, now + YEAR_N, categories),
        )
          .to.emit(registry, "DocumentFiled")
          .withArgs(1n, supplier.address, Kind.DeviceOperatingPermit, digest, now, now + YEAR_N, categories);
        expect(await registry.documentCount()).to.equal(1n);
        const doc = await registry.document(1n);
        expect(doc.supplier).to.equal(supplier.address);
        expect(doc.kind).to.equal(BigInt(Kind.DeviceOperatingPermit));
        expect(doc.status).to.equal(DocStatus.Pending);
        expect(doc.validFrom).to.equal(now);
        expect(doc.validUntil).to.equal(now + YEAR_N);
        expect(doc.reasonCode).to.equal(0n);
        expect(doc.sha256Digest).to.equal(digest);
        expect(doc.categories).to.deep.equal(categories);
      });

      it("numbers documents from 1, leaving document 0 empty", async function () {
        const { registry, documentId } = await loadFixture(pendingFixture);
        expect(documentId).to.equal(1n);
        const none = await registry.document(0n);
        expect(none.status).to.equal(DocStatus.None);
        expect(none.supplier).to.equal(ethers.ZeroAddress);
      });
    });

    describe("when the supplier is suspended", function () {
      it("still files, so it can cure the cause before reinstatement", async function () {
        const { registry, supplier, actors } = await loadFixture(registeredFixture);
        await registry.connect(actors.regulator).suspend(supplier.address, 1);
        const now = BigInt(await time.latest());
        await expect(
          registry
            .connect(supplier)
            .fileDocument(Kind.BusinessLicence, digestOf("x"), now, now + 1n, [STENTS]),
        ).to.emit(registry, "DocumentFiled");
      });
    });

    describe("when the registry is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { registry, supplier, actors } = await loadFixture(registeredFixture);
        await registry.connect(actors.admin).pause();
        const now = BigInt(await time.latest());
        await expect(
          registry
            .connect(supplier)
            .fileDocument(Kind.BusinessLicence, digestOf("x"), now, now + 1n, [STENTS]),
        ).to.be.revertedWithCustomError(registry, "EnforcedPause");
      });
    });
  });

  describe("fileProductRegistration", function () {
    /** `count` distinct valid GTIN-14s. */
    function gtins(count: number): bigint[] {
      return Array.from({ length: count }, (_, i) => withCheckDigit(952012345000n + BigInt(i)));
    }

    describe("when the caller is not registered", function () {
      it("reverts with RegistrySupplierNotRegistered", async function () {
        const { registry, actors } = await loadFixture(registeredFixture);
        const now = BigInt(await time.latest());
        await expect(
          registry
            .connect(actors.stranger)
            .fileProductRegistration(digestOf("x"), now, now + YEAR_N, [STENTS], [GTIN]),
        )
          .to.be.revertedWithCustomError(registry, "RegistrySupplierNotRegistered")
          .withArgs(actors.stranger.address);
      });
    });

    describe("when the document fields are invalid", function () {
      it("reverts with the errors fileDocument uses", async function () {
        const { registry, supplier } = await loadFixture(registeredFixture);
        const now = BigInt(await time.latest());
        const file = (digest: string, validFrom: bigint, validUntil: bigint, categories: string[]) =>
          registry
            .connect(supplier)
            .fileProductRegistration(digest, validFrom, validUntil, categories, [GTIN]);
        await expect(file(ethers.ZeroHash, now, now + 1n, [STENTS])).to.be.revertedWithCustomError(
          registry,
          "RegistryZeroDigest",
        );
        await expect(file(digestOf("x"), now, now, [STENTS]))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidValidity")
          .withArgs(now, now);
        await expect(file(digestOf("x"), now, MAX_TIME + 1n, [STENTS]))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidValidity")
          .withArgs(now, MAX_TIME + 1n);
        await expect(file(digestOf("x"), now, now + 1n, []))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidCategories")
          .withArgs(0);
        expect(await registry.documentCount()).to.equal(0n);
      });
    });

    describe("when the number of GTINs is out of range", function () {
      it("reverts with RegistryInvalidGtins for none and for 33, and accepts 32", async function () {
        const { registry, supplier } = await loadFixture(registeredFixture);
        const now = BigInt(await time.latest());
        const file = (list: bigint[]) =>
          registry.connect(supplier).fileProductRegistration(digestOf("x"), now, now + 1n, [STENTS], list);
        await expect(file([])).to.be.revertedWithCustomError(registry, "RegistryInvalidGtins").withArgs(0);
        await expect(file(gtins(33)))
          .to.be.revertedWithCustomError(registry, "RegistryInvalidGtins")
          .withArgs(33);
        await expect(file(gtins(32)))
          .to.emit(registry, "ProductsDeclared")
          .withArgs(1n, supplier.address, gtins(32));
        expect(await registry.documentGtins(1n)).to.deep.equal(gtins(32));
      });
    });

    describe("when a GTIN is not a valid GTIN-14", function () {
      for (const [label, bad] of [
        ["a wrong check digit", BAD_GTIN],
        ["zero", 0n],
      ] as const) {
        it(`reverts with RegistryInvalidGtin for ${label}, wherever it is in the list`, async function () {
          const { registry, supplier } = await loadFixture(registeredFixture);
          const now = BigInt(await time.latest());
          await expect(
            registry
              .connect(supplier)
              .fileProductRegistration(digestOf("x"), now, now + 1n, [STENTS], [GTIN, GTIN_B, bad]),
          )
            .to.be.revertedWithCustomError(registry, "RegistryInvalidGtin")
            .withArgs(bad);
        });
      }
    });

    describe("when a number has more than 14 digits", function () {
      it("reverts with RegistryProductKeyNotDeclared: it can only be a product key, and nobody declared it", async function () {
        const { registry, supplier } = await loadFixture(registeredFixture);
        const now = BigInt(await time.latest());
        const key = 10n ** 14n + GTIN;
        await expect(
          registry
            .connect(supplier)
            .fileProductRegistration(digestOf("x"), now, now + 1n, [STENTS], [GTIN, GTIN_B, key]),
        )
          .to.be.revertedWithCustomError(registry, "RegistryProductKeyNotDeclared")
          .withArgs(key);
      });
    });

    describe("when the registration is well formed", function () {
      it("files a Pending product registration, emitting DocumentFiled and ProductsDeclared", async function () {
        const { registry, supplier } = await loadFixture(registeredFixture);
        const now = BigInt(await time.latest());
        const digest = digestOf("registration.pdf");
        const args: [string, bigint, bigint, string[], bigint[]] = [
          digest,
          now,
          now + YEAR_N,
          [STENTS, KNEES],
          [GTIN_B, GTIN],
        ];
        expect(await registry.connect(supplier).fileProductRegistration.staticCall(...args)).to.equal(1n);
        await expect(registry.connect(supplier).fileProductRegistration(...args))
          .to.emit(registry, "DocumentFiled")
          .withArgs(1n, supplier.address, Kind.ProductRegistration, digest, now, now + YEAR_N, [
            STENTS,
            KNEES,
          ])
          .and.to.emit(registry, "ProductsDeclared")
          .withArgs(1n, supplier.address, [GTIN_B, GTIN]);
        const doc = await registry.document(1n);
        expect(doc.kind).to.equal(BigInt(Kind.ProductRegistration));
        expect(doc.status).to.equal(DocStatus.Pending);
        expect(doc.categories).to.deep.equal([STENTS, KNEES]);
        expect(await registry.documentGtins(1n)).to.deep.equal([GTIN_B, GTIN]);
        expect(await registry.pendingDocumentCount(supplier.address)).to.equal(1n);
      });
    });

    describe("when the registry is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { registry, supplier, actors } = await loadFixture(registeredFixture);
        await registry.connect(actors.admin).pause();
        const now = BigInt(await time.latest());
        await expect(
          registry.connect(supplier).fileProductRegistration(digestOf("x"), now, now + 1n, [STENTS], [GTIN]),
        ).to.be.revertedWithCustomError(registry, "EnforcedPause");
      });
    });
  });

  describe("attestDocument", function () {
    describe("when the caller is not a regulator", function () {
      it("reverts with LedgerUnauthorized", async function () {
        const { registry, supplier, actors, documentId } = await loadFixture(pendingFixture);
        for (const caller of [actors.stranger, supplier, actors.admin]) {
          await expect(registry.connect(caller).attestDocument(documentId))
            .to.be.revertedWithCustomError(registry, "LedgerUnauthorized")
            .withArgs(caller.address, REGULATOR_ROLE);
        }
      });
    });

    describe("when the document does not exist", function () {
      it("reverts with RegistryDocumentNotFound for id 0 and an unused id", async function () {
        const { registry, actors } = await loadFixture(pendingFixture);
        for (const id of [0n, 2n]) {
          await expect(registry.connect(actors.regulator).attestDocument(id))
            .to.be.revertedWithCustomError(registry, "RegistryDocumentNotFound")
            .withArgs(id);
        }
      });
    });

    describe("when the document is already attested", function () {
      it("reverts with RegistryDocumentNotPending", async function () {
        const { registry, actors, documentId } = await loadFixture(pendingFixture);
        await registry.connect(actors.regulator).attestDocument(documentId);
        await expect(registry.connect(actors.regulator).attestDocument(documentId))
          .to.be.revertedWithCustomError(registry, "RegistryDocumentNotPending")
          .withArgs(documentId, DocStatus.Attested);
      });
    });

    describe("when the document was rejected", function () {
      it("reverts with RegistryDocumentNotPending", async function () {
        const { registry, actors, documentId } = await loadFixture(pendingFixture);
        await registry.connect(actors.regulator).rejectDocument(documentId, 3);
        await expect(registry.connect(actors.regulator).attestDocument(documentId))
          .to.be.revertedWithCustomError(registry, "RegistryDocumentNotPending")
          .withArgs(documentId, DocStatus.Rejected);
      });
    });

    describe("when the document is pending", function () {
      it("marks it Attested and emits DocumentAttested", async function () {
        const { registry, supplier, actors, documentId } = await loadFixture(pendingFixture);
        await expect(registry.connect(actors.regulator).attestDocument(documentId))
          .to.emit(registry, "DocumentAttested")
          .withArgs(documentId, supplier.address, actors.regulator.address)
          .and.not.to.emit(registry, "DocumentRejected");
        const doc = await registry.document(documentId);
        expect(doc.status).to.equal(DocStatus.Attested);
        expect(doc.reasonCode).to.equal(0n);
      });
    });

    describe("when the document is a product registration with GTINs", function () {
      it("emits DocumentAttested, then GtinRegistered for each GTIN, and counts towards qualification", async function () {
        const { registry, supplier, actors, documentId, validFrom, validUntil } =
          await loadFixture(pendingRegistrationFixture);
        const tx = registry.connect(actors.regulator).attestDocument(documentId);
        await expect(tx)
          .to.emit(registry, "DocumentAttested")
          .withArgs(documentId, supplier.address, actors.regulator.address)
          .and.to.emit(registry, "GtinRegistered")
          .withArgs(supplier.address, GTIN, documentId, validFrom, validUntil)
          .and.to.emit(registry, "GtinRegistered")
          .withArgs(supplier.address, GTIN_B, documentId, validFrom, validUntil);
        const names = (await (await tx).wait())!.logs.map((log) => registry.interface.parseLog(log)?.name);
        expect(names).to.deep.equal(["DocumentAttested", "GtinRegistered", "GtinRegistered"]);
        expect(await registry.pendingDocumentCount(supplier.address)).to.equal(0n);
        await registry.connect(actors.regulator).setRequiredKinds(0b100);
        expect(await registry.isQualified(supplier.address, STENTS, validFrom)).to.equal(true);
        expect(await registry.isQualified(supplier.address, KNEES, validFrom)).to.equal(false);
      });
    });

    describe("when the document is a product registration filed without GTINs", function () {
      it("qualifies for its categories but registers no GTIN", async function () {
        const { registry, supplier, actors } = await loadFixture(registeredFixture);
        const now = BigInt(await time.latest());
        await registry
          .connect(supplier)
          .fileDocument(Kind.ProductRegistration, digestOf("plain"), now, now + YEAR_N, [STENTS]);
        expect(await registry.documentGtins(1n)).to.deep.equal([]);
        await expect(registry.connect(actors.regulator).attestDocument(1n)).not.to.emit(
          registry,
          "GtinRegistered",
        );
        await registry.connect(actors.regulator).setRequiredKinds(0b100);
        expect(await registry.isQualified(supplier.address, STENTS, now)).to.equal(true);
        expect(await registry.isGtinRegistered(supplier.address, GTIN, now)).to.equal(false);
      });
    });

    describe("when the registry is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { registry, actors, documentId } = await loadFixture(pendingFixture);
        await registry.connect(actors.admin).pause();
        await expect(
          registry.connect(actors.regulator).attestDocument(documentId),
        ).to.be.revertedWithCustomError(registry, "EnforcedPause");
      });
    });
  });

  describe("rejectDocument", function () {
    describe("when the caller is not a regulator", function () {
      it("reverts with LedgerUnauthorized", async function () {
        const { registry, supplier, documentId } = await loadFixture(pendingFixture);
        await expect(registry.connect(supplier).rejectDocument(documentId, 1))
          .to.be.revertedWithCustomError(registry, "LedgerUnauthorized")
          .withArgs(supplier.address, REGULATOR_ROLE);
      });
    });

    describe("when the document does not exist", function () {
      it("reverts with RegistryDocumentNotFound", async function () {
        const { registry, actors } = await loadFixture(pendingFixture);
        await expect(registry.connect(actors.regulator).rejectDocument(9n, 1))
          .to.be.revertedWithCustomError(registry, "RegistryDocumentNotFound")
          .withArgs(9n);
      });
    });

    describe("when the document is not pending", function () {
      it("reverts with RegistryDocumentNotPending after an attestation", async function () {
        const { registry, actors, documentId } = await loadFixture(pendingFixture);
        await registry.connect(actors.regulator).attestDocument(documentId);
        await expect(registry.connect(actors.regulator).rejectDocument(documentId, 1))
          .to.be.revertedWithCustomError(registry, "RegistryDocumentNotPending")
          .withArgs(documentId, DocStatus.Attested);
      });

      it("reverts with RegistryDocumentNotPending after a rejection", async function () {
        const { registry, actors, documentId } = await loadFixture(pendingFixture);
        await registry.connect(actors.regulator).rejectDocument(documentId, 1);
        await expect(registry.connect(actors.regulator).rejectDocument(documentId, 2))
          .to.be.revertedWithCustomError(registry, "RegistryDocumentNotPending")
          .withArgs(documentId, DocStatus.Rejected);
        expect((await registry.document(documentId)).reasonCode).to.equal(1n);
      });
    });

    describe("when the document is pending", function () {
      it("marks it Rejected with the reason code and emits DocumentRejected", async function () {
        const { registry, supplier, actors, documentId } = await loadFixture(pendingFixture);
        await expect(registry.connect(actors.regulator).rejectDocument(documentId, 404))
          .to.emit(registry, "DocumentRejected")
          .withArgs(documentId, supplier.address, actors.regulator.address, 404)
          .and.not.to.emit(registry, "DocumentAttested");
        const doc = await registry.document(documentId);
        expect(doc.status).to.equal(DocStatus.Rejected);
        expect(doc.reasonCode).to.equal(404n);
      });
    });

    describe("when the document is a product registration with GTINs", function () {
      it("emits DocumentRejected without GtinRegistered and frees the pending slot", async function () {
        const { registry, supplier, actors, documentId } = await loadFixture(pendingRegistrationFixture);
        await expect(registry.connect(actors.regulator).rejectDocument(documentId, 7))
          .to.emit(registry, "DocumentRejected")
          .withArgs(documentId, supplier.address, actors.regulator.address, 7)
          .and.not.to.emit(registry, "GtinRegistered");
        expect(await registry.pendingDocumentCount(supplier.address)).to.equal(0n);
        expect(await registry.documentGtins(documentId)).to.deep.equal([GTIN, GTIN_B]);
      });
    });

    describe("when the registry is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { registry, actors, documentId } = await loadFixture(pendingFixture);
        await registry.connect(actors.admin).pause();
        await expect(
          registry.connect(actors.regulator).rejectDocument(documentId, 1),
        ).to.be.revertedWithCustomError(registry, "EnforcedPause");
      });
    });
  });

  describe("suspend", function () {
    describe("when the caller is not a regulator", function () {
      it("reverts with LedgerUnauthorized", async function () {
        const { registry, supplier, actors } = await loadFixture(registeredFixture);
        await expect(registry.connect(actors.stranger).suspend(supplier.address, 1))
          .to.be.revertedWithCustomError(registry, "LedgerUnauthorized")
          .withArgs(actors.stranger.address, REGULATOR_ROLE);
      });
    });

    describe("when the supplier is not registered", function () {
      it("reverts with RegistrySupplierNotRegistered", async function () {
        const { registry, actors } = await loadFixture(registeredFixture);
        await expect(registry.connect(actors.regulator).suspend(actors.stranger.address, 1))
          .to.be.revertedWithCustomError(registry, "RegistrySupplierNotRegistered")
          .withArgs(actors.stranger.address);
      });
    });

    describe("when the supplier is already suspended", function () {
      it("reverts with RegistrySupplierStatus", async function () {
        const { registry, supplier, actors } = await loadFixture(registeredFixture);
        await registry.connect(actors.regulator).suspend(supplier.address, 1);
        await expect(registry.connect(actors.regulator).suspend(supplier.address, 2))
          .to.be.revertedWithCustomError(registry, "RegistrySupplierStatus")
          .withArgs(supplier.address, SupplierStatus.Suspended, SupplierStatus.Active);
      });
    });

    describe("when the supplier is active", function () {
      it("suspends it, emits SupplierSuspended and disqualifies it", async function () {
        const { registry, supplier, actors } = await loadFixture(qualifiedFixture);
        const now = BigInt(await time.latest());
        expect(await registry.isQualified(supplier.address, STENTS, now)).to.equal(true);
        await expect(registry.connect(actors.regulator).suspend(supplier.address, 42))
          .to.emit(registry, "SupplierSuspended")
          .withArgs(supplier.address, actors.regulator.address, 42);
        expect(await registry.supplierStatus(supplier.address)).to.equal(SupplierStatus.Suspended);
        expect(await registry.isQualified(supplier.address, STENTS, now)).to.equal(false);
      });
    });

    describe("when the registry is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { registry, supplier, actors } = await loadFixture(registeredFixture);
        await registry.connect(actors.admin).pause();
        await expect(
          registry.connect(actors.regulator).suspend(supplier.address, 1),
        ).to.be.revertedWithCustomError(registry, "EnforcedPause");
      });
    });
  });

  describe("reinstate", function () {
    describe("when the caller is not a regulator", function () {
      it("reverts with LedgerUnauthorized", async function () {
        const { registry, supplier, actors } = await loadFixture(registeredFixture);
        await registry.connect(actors.regulator).suspend(supplier.address, 1);
        await expect(registry.connect(supplier).reinstate(supplier.address, 1))
          .to.be.revertedWithCustomError(registry, "LedgerUnauthorized")
          .withArgs(supplier.address, REGULATOR_ROLE);
      });
    });

    describe("when the supplier is not registered", function () {
      it("reverts with RegistrySupplierNotRegistered", async function () {
        const { registry, actors } = await loadFixture(registeredFixture);
        await expect(registry.connect(actors.regulator).reinstate(actors.stranger.address, 1))
          .to.be.revertedWithCustomError(registry, "RegistrySupplierNotRegistered")
          .withArgs(actors.stranger.address);
      });
    });

    describe("when the supplier is active", function () {
      it("reverts with RegistrySupplierStatus", async function () {
        const { registry, supplier, actors } = await loadFixture(registeredFixture);
        await expect(registry.connect(actors.regulator).reinstate(supplier.address, 1))
          .to.be.revertedWithCustomError(registry, "RegistrySupplierStatus")
          .withArgs(supplier.address, SupplierStatus.Active, SupplierStatus.Suspended);
      });
    });

    describe("when the supplier is suspended", function () {
      it("reactivates it, emits SupplierReinstated and its documents count again", async function () {
        const { registry, supplier, actors } = await loadFixture(qualifiedFixture);
        await registry.connect(actors.regulator).suspend(supplier.address, 42);
        await expect(registry.connect(actors.regulator).reinstate(supplier.address, 43))
          .to.emit(registry, "SupplierReinstated")
          .withArgs(supplier.address, actors.regulator.address, 43)
          .and.not.to.emit(registry, "SupplierSuspended");
        expect(await registry.supplierStatus(supplier.address)).to.equal(SupplierStatus.Active);
        expect(await registry.isQualified(supplier.address, STENTS, await time.latest())).to.equal(true);
      });
    });

    describe("when the registry is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { registry, supplier, actors } = await loadFixture(registeredFixture);
        await registry.connect(actors.regulator).suspend(supplier.address, 1);
        await registry.connect(actors.admin).pause();
        await expect(
          registry.connect(actors.regulator).reinstate(supplier.address, 1),
        ).to.be.revertedWithCustomError(registry, "EnforcedPause");
      });
    });
  });

  describe("setRequiredKinds", function () {
    describe("when the caller is not a regulator", function () {
      it("reverts with LedgerUnauthorized", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        await expect(ledger.registry.connect(actors.admin).setRequiredKinds(1))
          .to.be.revertedWithCustomError(ledger.registry, "LedgerUnauthorized")
          .withArgs(actors.admin.address, REGULATOR_ROLE);
      });
    });

    describe("when no kind is required", function () {
      it("reverts with RegistryInvalidRequiredKinds", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        await expect(ledger.registry.connect(actors.regulator).setRequiredKinds(0))
          .to.be.revertedWithCustomError(ledger.registry, "RegistryInvalidRequiredKinds")
          .withArgs(0);
      });
    });

    describe("when a bit beyond the known kinds is set", function () {
      it("reverts with RegistryInvalidRequiredKinds", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        for (const kinds of [0b1000, 0b1111, 0xff]) {
          await expect(ledger.registry.connect(actors.regulator).setRequiredKinds(kinds))
            .to.be.revertedWithCustomError(ledger.registry, "RegistryInvalidRequiredKinds")
            .withArgs(kinds);
        }
      });
    });

    describe("when the kinds are valid", function () {
      it("stores them and emits RequiredKindsChanged", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        await expect(ledger.registry.connect(actors.regulator).setRequiredKinds(0b101))
          .to.emit(ledger.registry, "RequiredKindsChanged")
          .withArgs(0b101, actors.regulator.address);
        expect(await ledger.registry.requiredKinds()).to.equal(0b101n);
      });
    });

    describe("when the registry is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        await ledger.registry.connect(actors.admin).pause();
        await expect(
          ledger.registry.connect(actors.regulator).setRequiredKinds(1),
        ).to.be.revertedWithCustomError(ledger.registry, "EnforcedPause");
      });
    });
  });

  describe("isQualified", function () {
    describe("when the supplier is not registered", function () {
      it("is false", async function () {
        const { registry, actors } = await loadFixture(qualifiedFixture);
        expect(await registry.isQualified(actors.stranger.address, STENTS, await time.latest())).to.equal(
          false,
        );
      });
    });

    describe("when the supplier is registered without documents", function () {
      it("is false", async function () {
        const { registry, supplier } = await loadFixture(registeredFixture);
        expect(await registry.isQualified(supplier.address, STENTS, await time.latest())).to.equal(false);
      });
    });

    describe("when the supplier holds an attested set covering the category", function () {
      it("is true for that category and false for another", async function () {
        const { registry, supplier } = await loadFixture(qualifiedFixture);
        const now = await time.latest();
        expect(await registry.isQualified(supplier.address, STENTS, now)).to.equal(true);
        expect(await registry.isQualified(supplier.address, KNEES, now)).to.equal(false);
      });
    });

    describe("at the edges of the validity window", function () {
      it("is true from valid-from and false one second before", async function () {
        const { registry, supplier, validFrom } = await loadFixture(windowFixture);
        expect(await registry.isQualified(supplier.address, STENTS, validFrom - 1n)).to.equal(false);
        expect(await registry.isQualified(supplier.address, STENTS, validFrom)).to.equal(true);
        expect(await registry.isQualified(supplier.address, KNEES, validFrom)).to.equal(true);
      });

      it("is true up to valid-until and false one second after", async function () {
        const { registry, supplier, validUntil } = await loadFixture(windowFixture);
        expect(await registry.isQualified(supplier.address, STENTS, validUntil)).to.equal(true);
        expect(await registry.isQualified(supplier.address, STENTS, validUntil + 1n)).to.equal(false);
      });
    });

    describe("when a document lapses by time", function () {
      it("stops qualifying without any transaction", async function () {
        const { registry, supplier, validUntil } = await loadFixture(windowFixture);
        await time.increaseTo(validUntil);
        expect(await registry.isQualified(supplier.address, STENTS, await time.latest())).to.equal(true);
        await time.increase(1);
        expect(await registry.isQualified(supplier.address, STENTS, await time.latest())).to.equal(false);
      });
    });

    describe("when one required kind is missing", function () {
      async function missingPermitFixture() {
        const base = await registeredFixture();
        const now = BigInt(await time.latest());
        for (const kind of [Kind.BusinessLicence, Kind.ProductRegistration]) {
          await base.registry
            .connect(base.supplier)
            .fileDocument(kind, digestOf(`k${kind}`), now - 1n, now + YEAR_N, [STENTS]);
          await base.registry
            .connect(base.actors.regulator)
            .attestDocument(await base.registry.documentCount());
        }
        return base;
      }

      it("is false", async function () {
        const { registry, supplier } = await loadFixture(missingPermitFixture);
        expect(await registry.isQualified(supplier.address, STENTS, await time.latest())).to.equal(false);
      });

      it("is true once the regulator no longer requires that kind, and false again when it does", async function () {
        const { registry, supplier, actors } = await loadFixture(missingPermitFixture);
        await registry.connect(actors.regulator).setRequiredKinds(0b101);
        expect(await registry.isQualified(supplier.address, STENTS, await time.latest())).to.equal(true);
        await registry.connect(actors.regulator).setRequiredKinds(0b111);
        expect(await registry.isQualified(supplier.address, STENTS, await time.latest())).to.equal(false);
      });
    });

    describe("when a required document is only pending", function () {
      it("is false until it is attested", async function () {
        const { registry, supplier, actors } = await loadFixture(registeredFixture);
        const now = BigInt(await time.latest());
        for (const kind of ALL_KINDS) {
          await registry
            .connect(supplier)
            .fileDocument(kind, digestOf(`k${kind}`), now - 1n, now + YEAR_N, [STENTS]);
        }
        await registry.connect(actors.regulator).attestDocument(1n);
        await registry.connect(actors.regulator).attestDocument(2n);
        expect(await registry.isQualified(supplier.address, STENTS, now)).to.equal(false);
        await registry.connect(actors.regulator).attestDocument(3n);
        expect(await registry.isQualified(supplier.address, STENTS, now)).to.equal(true);
      });
    });

    describe("when a required document was rejected", function () {
      it("is false", async function () {
        const { registry, supplier, actors } = await loadFixture(registeredFixture);
        const now = BigInt(await time.latest());
        for (const kind of ALL_KINDS) {
          await registry
            .connect(supplier)
            .fileDocument(kind, digestOf(`k${kind}`), now - 1n, now + YEAR_N, [STENTS]);
        }
        await registry.connect(actors.regulator).attestDocument(1n);
        await registry.connect(actors.regulator).attestDocument(2n);
        await registry.connect(actors.regulator).rejectDocument(3n, 5);
        expect(await registry.isQualified(supplier.address, STENTS, now)).to.equal(false);
      });
    });

    describe("when one required kind covers only another category", function () {
      it("is false for the uncovered category", async function () {
        const { registry, supplier, actors } = await loadFixture(registeredFixture);
        const now = BigInt(await time.latest());
        await registry
          .connect(supplier)
          .fileDocument(Kind.BusinessLicence, digestOf("a"), now - 1n, now + YEAR_N, [STENTS, KNEES]);
        await registry
          .connect(supplier)
          .fileDocument(Kind.DeviceOperatingPermit, digestOf("b"), now - 1n, now + YEAR_N, [STENTS, KNEES]);
        await registry
          .connect(supplier)
          .fileDocument(Kind.ProductRegistration, digestOf("c"), now - 1n, now + YEAR_N, [KNEES]);
        for (const id of [1n, 2n, 3n]) await registry.connect(actors.regulator).attestDocument(id);
        expect(await registry.isQualified(supplier.address, KNEES, now)).to.equal(true);
        expect(await registry.isQualified(supplier.address, STENTS, now)).to.equal(false);
      });
    });

    describe("when another document of a kind is attested (current document rule)", function () {
      /** Files and attests a licence for `categories` over [validFrom, validUntil]; returns its id. */
      async function attestLicence(
        registry: SupplierRegistry,
        supplier: HardhatEthersSigner,
        regulator: HardhatEthersSigner,
        validFrom: bigint,
        validUntil: bigint,
        categories: string[] = [STENTS],
      ): Promise<bigint> {
        await registry
          .connect(supplier)
          .fileDocument(
            Kind.BusinessLicence,
            digestOf(`licence-${validFrom}-${validUntil}`),
            validFrom,
            validUntil,
            categories,
          );
        const id = await registry.documentCount();
        await registry.connect(regulator).attestDocument(id);
        return id;
      }

      it("extends qualification to an overlapping later-expiring document's end, keeping the start", async function () {
        const { registry, supplier, actors, validFrom, validUntil } = await loadFixture(windowFixture);
        await registry.connect(actors.regulator).setRequiredKinds(0b001);
        const later = validUntil + 50n * DAY_N;
        await attestLicence(registry, supplier, actors.regulator, validFrom + DAY_N, later);
        expect(await registry.isQualified(supplier.address, STENTS, later)).to.equal(true);
        expect(await registry.isQualified(supplier.address, STENTS, later + 1n)).to.equal(false);
        // The renewal overlaps the current licence, so the window still starts at its start.
        expect(await registry.isQualified(supplier.address, STENTS, validFrom - 1n)).to.equal(false);
        expect(await registry.isQualified(supplier.address, STENTS, validFrom)).to.equal(true);
      });

      it("does not shorten qualification when an earlier-expiring document is attested later", async function () {
        const { registry, supplier, actors, validFrom, validUntil } = await loadFixture(windowFixture);
        // Attested after the set, covering a window inside it and one before it.
        await attestLicence(registry, supplier, actors.regulator, validFrom + DAY_N, validFrom + 2n * DAY_N);
        await attestLicence(registry, supplier, actors.regulator, validFrom - 5n * DAY_N, validFrom - DAY_N);
        expect(await registry.isQualified(supplier.address, STENTS, validFrom)).to.equal(true);
        expect(await registry.isQualified(supplier.address, STENTS, validUntil)).to.equal(true);
        // Nor does its earlier start reach back before the current window.
        expect(await registry.isQualified(supplier.address, STENTS, validFrom - 2n * DAY_N)).to.equal(false);
      });

      it("keeps the current document when the new one expires at the same time", async function () {
        const { registry, supplier, actors, validFrom, validUntil } = await loadFixture(windowFixture);
        await registry.connect(actors.regulator).setRequiredKinds(0b001);
        await attestLicence(registry, supplier, actors.regulator, validFrom - 5n * DAY_N, validUntil);
        expect(await registry.isQualified(supplier.address, STENTS, validFrom - 1n)).to.equal(false);
        expect(await registry.isQualified(supplier.address, STENTS, validFrom)).to.equal(true);
      });

      for (const [label, offset] of [
        ["overlaps the current one", -30n * DAY_N],
        ["directly follows the current one", 1n],
      ] as const) {
        it(`keeps the current start when a renewal attested early ${label}, so renewing leaves no gap`, async function () {
          const { registry, supplier, actors, validFrom, validUntil } = await loadFixture(windowFixture);
          await registry.connect(actors.regulator).setRequiredKinds(0b001);
          const renewalFrom = validUntil + offset;
          const renewalUntil = validUntil + YEAR_N;
          await attestLicence(registry, supplier, actors.regulator, renewalFrom, renewalUntil);
          for (const at of [validFrom, renewalFrom - 1n, validUntil, validUntil + 1n, renewalUntil]) {
            expect(await registry.isQualified(supplier.address, STENTS, at)).to.equal(true);
          }
          expect(await registry.isQualified(supplier.address, STENTS, validFrom - 1n)).to.equal(false);
          expect(await registry.isQualified(supplier.address, STENTS, renewalUntil + 1n)).to.equal(false);
        });
      }

      it("replaces the window with a later-expiring document that starts after a gap", async function () {
        const { registry, supplier, actors, validFrom, validUntil } = await loadFixture(windowFixture);
        await registry.connect(actors.regulator).setRequiredKinds(0b001);
        const renewalFrom = validUntil + 2n;
        await attestLicence(registry, supplier, actors.regulator, renewalFrom, validUntil + YEAR_N);
        // The earlier licence's window is gone: only the new one's counts.
        for (const at of [validFrom, validUntil, validUntil + 1n]) {
          expect(await registry.isQualified(supplier.address, STENTS, at)).to.equal(false);
        }
        expect(await registry.isQualified(supplier.address, STENTS, renewalFrom)).to.equal(true);
        expect(await registry.isQualified(supplier.address, STENTS, validUntil + YEAR_N)).to.equal(true);
      });

      it("takes a later-expiring document's own start when it starts before the current one", async function () {
        const { registry, supplier, actors, validFrom, validUntil } = await loadFixture(windowFixture);
        await registry.connect(actors.regulator).setRequiredKinds(0b001);
        const earlierFrom = validFrom - 5n * DAY_N;
        await attestLicence(registry, supplier, actors.regulator, earlierFrom, validUntil + DAY_N);
        expect(await registry.isQualified(supplier.address, STENTS, earlierFrom - 1n)).to.equal(false);
        expect(await registry.isQualified(supplier.address, STENTS, earlierFrom)).to.equal(true);
        expect(await registry.isQualified(supplier.address, STENTS, validUntil + DAY_N)).to.equal(true);
      });

      it("applies per category: a document replaces only where it expires later", async function () {
        const { registry, supplier, actors, validFrom, validUntil } = await loadFixture(windowFixture);
        await registry.connect(actors.regulator).setRequiredKinds(0b001);
        // Knees first get a licence running past the stents one.
        const kneesUntil = validUntil + 100n * DAY_N;
        await attestLicence(registry, supplier, actors.regulator, validFrom, kneesUntil, [KNEES]);
        // A licence for both after a gap, expiring between the two: current for stents only.
        const bothFrom = validUntil + 2n;
        const bothUntil = validUntil + 50n * DAY_N;
        await attestLicence(registry, supplier, actors.regulator, bothFrom, bothUntil, [STENTS, KNEES]);
        expect(await registry.isQualified(supplier.address, STENTS, validFrom)).to.equal(false);
        expect(await registry.isQualified(supplier.address, STENTS, bothFrom)).to.equal(true);
        expect(await registry.isQualified(supplier.address, STENTS, bothUntil)).to.equal(true);
        expect(await registry.isQualified(supplier.address, STENTS, bothUntil + 1n)).to.equal(false);
        expect(await registry.isQualified(supplier.address, KNEES, validFrom)).to.equal(true);
        expect(await registry.isQualified(supplier.address, KNEES, validUntil + 1n)).to.equal(true);
        expect(await registry.isQualified(supplier.address, KNEES, kneesUntil)).to.equal(true);
      });

      it("leaves the other kinds' windows as they were", async function () {
        const { registry, supplier, actors, validFrom, validUntil } = await loadFixture(windowFixture);
        await attestLicence(registry, supplier, actors.regulator, validFrom, validUntil + YEAR_N);
        expect(await registry.isQualified(supplier.address, STENTS, validUntil)).to.equal(true);
        // The permit and registration still end at validUntil.
        expect(await registry.isQualified(supplier.address, STENTS, validUntil + 1n)).to.equal(false);
        await registry.connect(actors.regulator).setRequiredKinds(0b001);
        expect(await registry.isQualified(supplier.address, STENTS, validUntil + 1n)).to.equal(true);
      });
    });

    describe("when each kind's current document has a different window", function () {
      /** Licence over [t+1d, t+40d], permit over [t+2d, t+50d], registration over [t+3d, t+60d]. */
      async function staggeredFixture() {
        const base = await registeredFixture();
        const t = BigInt(await time.latest());
        const windows = [
          [t + DAY_N, t + 40n * DAY_N],
          [t + 2n * DAY_N, t + 50n * DAY_N],
          [t + 3n * DAY_N, t + 60n * DAY_N],
        ] as const;
        for (const kind of ALL_KINDS) {
          const [validFrom, validUntil] = windows[kind];
          await base.registry
            .connect(base.supplier)
            .fileDocument(kind, digestOf(`staggered-${kind}`), validFrom, validUntil, [STENTS]);
          await base.registry.connect(base.actors.regulator).attestDocument(BigInt(kind + 1));
        }
        return { ...base, windows };
      }

      it("requires every required kind's window, and only those", async function () {
        const { registry, supplier, actors, windows } = await loadFixture(staggeredFixture);
        const cases: [number, bigint, bigint][] = [
          [0b001, windows[0][0], windows[0][1]],
          [0b010, windows[1][0], windows[1][1]],
          [0b100, windows[2][0], windows[2][1]],
          [0b011, windows[1][0], windows[0][1]],
          [0b110, windows[2][0], windows[1][1]],
          [0b101, windows[2][0], windows[0][1]],
          [0b111, windows[2][0], windows[0][1]],
        ];
        for (const [kinds, from, until] of cases) {
          await registry.connect(actors.regulator).setRequiredKinds(kinds);
          const label = `required kinds ${kinds.toString(2)}`;
          expect(await registry.isQualified(supplier.address, STENTS, from - 1n), label).to.equal(false);
          expect(await registry.isQualified(supplier.address, STENTS, from), label).to.equal(true);
          expect(await registry.isQualified(supplier.address, STENTS, until), label).to.equal(true);
          expect(await registry.isQualified(supplier.address, STENTS, until + 1n), label).to.equal(false);
        }
      });
    });

    describe("when asked about time 0", function () {
      it("is false for a supplier without documents, whatever kinds are required", async function () {
        const { registry, supplier, actors } = await loadFixture(registeredFixture);
        for (const kinds of [0b001, 0b010, 0b100, 0b111]) {
          await registry.connect(actors.regulator).setRequiredKinds(kinds);
          expect(await registry.isQualified(supplier.address, STENTS, 0n)).to.equal(false);
        }
      });

      it("is true when the documents start at 0", async function () {
        const { registry, supplier, actors } = await loadFixture(registeredFixture);
        await fileAttestedSet(registry, actors.regulator, supplier, 0n, 1n);
        expect(await registry.isQualified(supplier.address, STENTS, 0n)).to.equal(true);
        expect(await registry.isQualified(supplier.address, STENTS, 1n)).to.equal(true);
        expect(await registry.isQualified(supplier.address, STENTS, 2n)).to.equal(false);
      });
    });

    describe("when the supplier is suspended", function () {
      it("is false although its documents are valid", async function () {
        const { registry, supplier, actors } = await loadFixture(qualifiedFixture);
        await registry.connect(actors.regulator).suspend(supplier.address, 1);
        expect(await registry.isQualified(supplier.address, STENTS, await time.latest())).to.equal(false);
      });
    });

    describe("when the registry is paused", function () {
      it("still answers", async function () {
        const { registry, supplier, actors } = await loadFixture(qualifiedFixture);
        await registry.connect(actors.admin).pause();
        expect(await registry.isQualified(supplier.address, STENTS, await time.latest())).to.equal(true);
      });
    });
  });

  describe("pause and unpause", function () {
    describe("when the caller lacks PAUSER_ROLE", function () {
      it("reverts pause with LedgerUnauthorized, even for a regulator", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        for (const caller of [actors.stranger, actors.regulator]) {
          await expect(ledger.registry.connect(caller).pause())
            .to.be.revertedWithCustomError(ledger.registry, "LedgerUnauthorized")
            .withArgs(caller.address, PAUSER_ROLE);
        }
      });

      it("reverts unpause with LedgerUnauthorized", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        await ledger.registry.connect(actors.admin).pause();
        await expect(ledger.registry.connect(actors.stranger).unpause())
          .to.be.revertedWithCustomError(ledger.registry, "LedgerUnauthorized")
          .withArgs(actors.stranger.address, PAUSER_ROLE);
      });
    });

    describe("when a pauser pauses", function () {
      it("emits Paused, and a second pause reverts with EnforcedPause", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        await expect(ledger.registry.connect(actors.admin).pause())
          .to.emit(ledger.registry, "Paused")
          .withArgs(actors.admin.address);
        expect(await ledger.registry.paused()).to.equal(true);
        await expect(ledger.registry.connect(actors.admin).pause()).to.be.revertedWithCustomError(
          ledger.registry,
          "EnforcedPause",
        );
      });

      it("pauses only this contract", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        await ledger.registry.connect(actors.admin).pause();
        expect(await ledger.tenders.paused()).to.equal(false);
      });
    });

    describe("when a pauser granted by the admin unpauses", function () {
      it("emits Unpaused and state changes work again", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        await ledger.roles.connect(actors.admin).grantRole(PAUSER_ROLE, actors.stranger.address);
        await ledger.registry.connect(actors.stranger).pause();
        await expect(ledger.registry.connect(actors.stranger).unpause())
          .to.emit(ledger.registry, "Unpaused")
          .withArgs(actors.stranger.address);
        expect(await ledger.registry.paused()).to.equal(false);
        await expect(ledger.registry.connect(actors.suppliers[0]).register(NAME, REG_ID)).to.emit(
          ledger.registry,
          "SupplierRegistered",
        );
      });
    });

    describe("when not paused", function () {
      it("reverts unpause with ExpectedPause", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        await expect(ledger.registry.connect(actors.admin).unpause()).to.be.revertedWithCustomError(
          ledger.registry,
          "ExpectedPause",
        );
      });
    });
  });
});
