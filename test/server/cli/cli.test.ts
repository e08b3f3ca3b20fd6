import { existsSync, readFileSync, statSync } from "node:fs";
import { productKeyOf } from "../../../ledger/product-key";
import path from "node:path";
import { expect } from "chai";
import { encryptKeystoreJsonSync, ethers, Wallet, type HDNodeWallet } from "ethers";
import * as act from "../../../ledger/acts";
import type { ExceptionList, StocktakeReason } from "../../../api/exceptions";
import type { ClaimsReport, ClaimsRisk } from "../../../api/claims";
import type { FundAccounts } from "../../../api/fund";
import type { SunshineAwardPage, SunshinePrices, SunshineScorecards } from "../../../api/sunshine";
import { GatewayClient, GatewayError } from "../../../scripts/lib/gateway-client";
import { CliError } from "../../../scripts/cli/command";
import { CliSigner } from "../../../scripts/cli/relay";
import { rejectionOf } from "../helpers/rejection";
import { monthOf } from "../../../server/lib/month-range";
import { DAY, useCliHarness } from "./harness";

/**
 * The CLI's everyday path through a procurement, one command at a time as a user runs it: each
 * command is run to success (its effect checked on chain or through the gateway) and to its
 * clearest failure (one decoded line on stderr, exit code 1, no stack trace). The acts added with
 * the v2 ledger have their own file, ledger-acts.test.ts.
 */

const GTIN = "09520123456788";
/** A valid GTIN no supplier registered. */
const OTHER_GTIN = "09501101530003";
const LOT = "LOT2026A";
const CATEGORY = "C0401-DES";
const BOND = 50_000n;

describe("sunshine CLI", function () {
  this.timeout(300_000);

  const h = useCliHarness({ gateway: true, name: "cli" });
  const { ok, fails, field, file } = h;
  let regulator: HDNodeWallet;
  let supplier: HDNodeWallet;
  let supplier2: HDNodeWallet;
  let hospital: HDNodeWallet;
  let approver: HDNodeWallet;
  let receiver: HDNodeWallet;
  let stranger: HDNodeWallet;

  before(() => {
    regulator = h.w(1);
    supplier = h.w(2);
    supplier2 = h.w(3);
    hospital = h.w(4);
    approver = h.w(5);
    receiver = h.w(8);
    stranger = h.w(11);
  });

  // -------------------------------------------------------------------------------------------
  // help and keys
  // -------------------------------------------------------------------------------------------

  it("--help exits 0 and lists every group and command, at every level", async () => {
    // The one command run as its own process, as a shell runs `sunshine` (scripts/sunshine.js).
    const main = ok(await h.cli(["--help"], { spawn: true }));
    const commands = {
      supplier: [
        "register",
        "qualify add-document",
        "register-products",
        "allowance show",
        "allowance grant",
        "bid commit",
        "bid reveal",
        "withdraw-bond",
        "consent-excess",
        "agree-cancel",
        "ship",
        "manifest",
        "trace",
        "set-carrier",
        "recall",
        "claim-settlement",
        "consignment offer",
        "consignment return",
        "consignment confirm-return",
        "consignment refuse-return",
        "consignment stock",
        "consignment batches",
        "declare-device",
      ],
      regulator: [
        "attest",
        "reject",
        "suspend",
        "reinstate",
        "enrol-hospital",
        "publish-hospital-name",
        "unbind-member",
        "grant-payer",
        "tender open",
        "tender finalize",
        "tender cancel",
        "recall",
        "lift-recall",
        "pause",
        "unpause",
        "trail",
        "verify",
        "claims",
        "risk",
      ],
      hospital: [
        "set-member",
        "members",
        "name-member",
        "fund-statement",
        "invitations",
        "accept-membership",
        "leave-hospital",
        "set-threshold",
        "publish-hospital-name",
        "allowance show",
        "allowance grant",
        "budget set",
        "budget propose",
        "budget confirm",
        "budget withdraw",
        "budget show",
        "order place",
        "order permit",
        "order approve",
        "order cancel",
        "allow-late-shipment",
        "trace",
        "receipt",
        "waive-excursion",
        "dispute-shipment",
        "confirm",
        "withdraw-refund",
        "claim-forfeit",
        "usage",
        "exceptions",
        "resolve",
        "department-budget set",
        "department-budgets",
        "consignment elect",
        "consignment return",
        "consignment confirm-return",
        "consignment stock",
        "consignment batches",
        "campus add",
        "campuses",
        "stock",
        "stock holders",
        "stock suggestions",
        "transfer",
        "stocktake",
        "stocktake list",
        "par set",
        "par show",
        "forecast",
        "suggestions",
        "suggestion place",
      ],
      fund: [
        "cover",
        "prepay",
        "return",
        "accounts",
        "statement",
        "allowance show",
        "allowance grant",
        "claims",
        "risk",
      ],
      public: ["awards", "prices", "scorecards"],
      account: ["token"],
    };
    for (const [group, list] of Object.entries(commands)) {
      const section = main.slice(main.indexOf(`${group} — `)).split("\n\n")[0];
      const listed = section
        .split("\n")
        .slice(1)
        .map((l) => l.trim().split(/\s{2,}/)[0]);
      expect(listed, group).to.deep.equal(list);
    }
    expect(main).to.include("--relay").and.include("--json").and.include("Example");

    const group = ok(await h.cli(["hospital", "--help"]));
    expect(group)
      .to.match(/Usage: sunshine hospital <command>/)
      .and.include("order approve")
      .and.include("Example");

    const command = ok(await h.cli(["regulator", "tender", "open", "--help"]));
    expect(command)
      .to.include("--reserve-price")
      .and.include("--bid-bond")
      .and.include("--confirm-window")
      .and.include("--spec")
      .and.include("--rpc")
      .and.include("Examples:");
  });

  it("refuses to act without a key, naming where the key comes from", async () => {
    for (const spawn of [false, true]) {
      fails(
        await h.cli(["supplier", "register", "--name", "X", "--registration-id", "Y"], { spawn }),
        /^error: no key: set SUNSHINE_KEY/,
      );
    }
  });

  it("account token: signs in and prints a bearer token the API takes, with the caller's roles; --bare prints it alone", async () => {
    const gw = ["--gateway", h.gatewayUrl];
    const out = ok(await h.as(regulator, ["account", "token", ...gw]));
    expect(field(out, "address")).to.equal(regulator.address);
    expect(field(out, "roles")).to.equal("regulator");
    expect(Date.parse(field(out, "expiresAt"))).to.be.above(Date.now());
    const bare = ok(await h.as(regulator, ["account", "token", "--bare", ...gw]));
    expect(bare).to.match(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const payments = (token: string) =>
      fetch(`${h.gatewayUrl}/v1/payments`, { headers: { authorization: `Bearer ${token}` } });
    expect((await payments(bare.trim())).status).to.equal(200);
    const json = h.json<{ address: string; token: string; roles: string[] }>(
      await h.as(regulator, ["account", "token", "--bare", "--json", ...gw]),
    );
    expect([json.address, json.roles]).to.deep.equal([regulator.address, ["regulator"]]);
    expect((await payments(json.token)).status).to.equal(200);
    // An account with no role signs in, and the API refuses what its roles do not allow.
    const none = ok(await h.as(stranger, ["account", "token", ...gw]));
    expect(field(none, "roles")).to.equal("none");
    const noneJson = h.json<{ roles: string[]; hospital: string | null }>(
      await h.as(stranger, ["account", "token", "--json", ...gw]),
    );
    expect([noneJson.roles, noneJson.hospital]).to.deep.equal([[], null]);
    const refused = await payments(field(none, "token"));
    expect([refused.status, ((await refused.json()) as { error: string }).error]).to.deep.equal([
      403,
      "FORBIDDEN",
    ]);
    fails(await h.as(regulator, ["account", "token"]), /^error: this command talks to the gateway/);
  });

  // -------------------------------------------------------------------------------------------
  // supplier register, qualify, register-products; regulator attest, reject, suspend, reinstate
  // -------------------------------------------------------------------------------------------

  it("supplier register: registers the key's account; a second time is the decoded revert", async () => {
    const args = ["supplier", "register", "--name", "Acme Medical", "--registration-id", "91310000X"];
    const out = ok(await h.as(supplier, args));
    expect(field(out, "supplier")).to.equal(supplier.address);
    expect(field(out, "status")).to.equal("active");
    expect(field(out, "tx")).to.match(/^0x[0-9a-f]{64}$/);
    expect(await h.ledger.registry.supplierStatus(supplier.address)).to.equal(1n);

    fails(
      await h.as(supplier, args),
      new RegExp(`^error: RegistrySupplierAlreadyRegistered\\(supplier=${supplier.address}\\)$`),
    );
  });

  let documentId: bigint;
  let validUntil: number;

  it("supplier qualify add-document: files the document's SHA-256 (--json); a bad --kind is a usage error", async () => {
    const doc = file("licence.pdf", "%PDF-1.7 business licence of Acme Medical");
    const out = h.json<Record<string, unknown>>(
      await h.as(supplier, [
        "supplier",
        "qualify",
        "add-document",
        "--kind",
        "business_licence",
        "--file",
        doc,
        "--valid-until",
        "+1095d",
        "--category",
        CATEGORY,
        "--json",
      ]),
    );
    expect(out.kind).to.equal("business_licence");
    expect(out.sha256).to.equal(ethers.sha256(readFileSync(doc)));
    expect(out.categories).to.deep.equal([CATEGORY]);
    documentId = BigInt(out.documentId as string);
    const onChain = await h.ledger.registry.document(documentId);
    expect(onChain.supplier).to.equal(supplier.address);
    expect(onChain.status).to.equal(1n); // pending
    validUntil = Number(onChain.validUntil);

    fails(
      await h.as(supplier, [
        "supplier",
        "qualify",
        "add-document",
        "--kind",
        "licence",
        "--file",
        doc,
        "--valid-until",
        "+1d",
        "--category",
        CATEGORY,
      ]),
      /^error: --kind must be one of business_licence, device_operating_permit, product_registration \(got "licence"\)$/,
    );
  });

  it("regulator attest (keystore key): attests; as a supplier it is LedgerUnauthorized, decoded", async () => {
    const keystore = file(
      "regulator.json",
      encryptKeystoreJsonSync({ address: regulator.address, privateKey: regulator.privateKey }, "pw", {
        scrypt: { N: 1024 },
      }),
    );
    fails(
      await h.as(supplier, ["regulator", "attest", String(documentId)]),
      new RegExp(`^error: LedgerUnauthorized\\(account=${supplier.address}, role=REGULATOR_ROLE\\)$`),
    );
    fails(
      await h.cli(["regulator", "attest", "--document", String(documentId), "--keystore", keystore], {
        env: { SUNSHINE_KEYSTORE_PASSWORD: "nope" },
      }),
      /^error: --keystore .*: wrong password/,
    );
    const out = ok(
      await h.cli(["regulator", "attest", "--document", String(documentId), "--keystore", keystore], {
        env: { SUNSHINE_KEYSTORE_PASSWORD: "pw" },
      }),
    );
    expect(field(out, "status")).to.equal("attested");
    expect(field(out, "kind")).to.equal("business_licence");
    expect((await h.ledger.registry.document(documentId)).status).to.equal(2n);

    // The operating permit, straight through the library; the product registration comes next.
    const now = await h.now();
    const id = await act.fileDocument(h.ledger, supplier, {
      kind: 1,
      sha256: ethers.sha256(ethers.toUtf8Bytes("operating permit")),
      validFrom: now - DAY,
      validUntil,
      categories: [act.categoryCode(CATEGORY)],
    });
    await act.sent(h.ledger.registry.connect(regulator).attestDocument(id));
  });

  it("supplier register-products: files the GTINs with the registration; the attestation registers them; attesting twice is RegistryDocumentNotPending", async () => {
    const filed = h.json<Record<string, unknown>>(
      await h.as(supplier, [
        "supplier",
        "register-products",
        "--gtin",
        GTIN,
        "--sha256",
        ethers.sha256(ethers.toUtf8Bytes("registration certificate")).slice(2),
        "--valid-from",
        String((await h.now()) - DAY),
        "--valid-until",
        String(validUntil),
        "--category",
        CATEGORY,
        "--json",
      ]),
    );
    expect(filed).to.include({ kind: "product_registration", status: "pending" });
    expect(filed.gtins).to.deep.equal([GTIN]);
    const id = BigInt(filed.documentId as string);
    expect((await h.ledger.registry.document(id)).kind).to.equal(2n);
    expect(await h.ledger.registry.documentGtins(id)).to.deep.equal([BigInt(GTIN)]);
    expect(await h.ledger.registry.isGtinRegistered(supplier.address, BigInt(GTIN), await h.now())).to.equal(
      false,
    );

    const attested = ok(await h.as(regulator, ["regulator", "attest", String(id)]));
    expect(field(attested, "kind")).to.equal("product_registration");
    expect(field(attested, "gtinsRegistered")).to.equal(GTIN);
    const now = await h.now();
    expect(await h.ledger.registry.isGtinRegistered(supplier.address, BigInt(GTIN), now)).to.equal(true);
    expect(await h.ledger.registry.isQualified(supplier.address, act.categoryCode(CATEGORY), now)).to.equal(
      true,
    );

    fails(
      await h.as(regulator, ["regulator", "attest", String(id)]),
      new RegExp(`^error: RegistryDocumentNotPending\\(documentId=${id}, status=attested\\)$`),
    );
  });

  it("supplier declare-device: prints the MA identifier's product key, which register-products then takes; declaring again is RegistryProductKeyTaken", async () => {
    const di = "MA.156.M0.100761.21234561";
    const declared = h.json<Record<string, unknown>>(
      await h.as(supplier, ["supplier", "declare-device", "--agency", "MA", "--di", di, "--json"]),
    );
    expect(declared).to.include({ productKey: productKeyOf("MA", di), agency: "MA", deviceIdentifier: di });
    expect(await h.ledger.registry.isProductKeyDeclared(BigInt(productKeyOf("MA", di)))).to.equal(true);
    const filed = h.json<Record<string, unknown>>(
      await h.as(supplier, [
        "supplier",
        "register-products",
        "--gtin",
        productKeyOf("MA", di),
        "--sha256",
        ethers.sha256(ethers.toUtf8Bytes("MA registration certificate")).slice(2),
        "--valid-until",
        String((await h.now()) + 365 * DAY),
        "--category",
        CATEGORY,
        "--json",
      ]),
    );
    expect(filed.gtins).to.deep.equal([productKeyOf("MA", di)]);
    fails(
      await h.as(supplier, ["supplier", "declare-device", "--agency", "MA", "--di", di]),
      new RegExp(
        `^error: RegistryProductKeyTaken\\(productKey=${productKeyOf("MA", di)}, agency=1, deviceIdentifier=${di.replace(/\./g, "\\.")}\\)$`,
      ),
    );
    fails(
      await h.as(supplier, ["supplier", "declare-device", "--agency", "GS1", "--di", di]),
      /--agency must be MA or AHM \(got "GS1"\)/,
    );
  });

  it("regulator reject: rejects a pending document; an unknown document is RegistryDocumentNotFound", async () => {
    await act.registerSupplier(h.ledger, supplier2, "Beta Devices", "91320000Y");
    const now = await h.now();
    const id = await act.fileDocument(h.ledger, supplier2, {
      kind: 0,
      sha256: ethers.sha256(ethers.toUtf8Bytes("beta")),
      validFrom: now,
      validUntil: now + DAY * 365,
      categories: [act.categoryCode(CATEGORY)],
    });
    const out = ok(
      await h.as(regulator, ["regulator", "reject", "--document", String(id), "--reason", "12"]),
    );
    expect(field(out, "status")).to.equal("rejected");
    expect(field(out, "reasonKey")).to.equal("document_not_valid");
    expect((await h.ledger.registry.document(id)).status).to.equal(3n);
    expect((await h.ledger.registry.document(id)).reasonCode).to.equal(12n);
    fails(
      await h.as(regulator, ["regulator", "reject", "999", "--reason", "document_not_valid"]),
      /^error: RegistryDocumentNotFound\(documentId=999\)$/,
    );
  });

  it("regulator suspend / reinstate: change the supplier's status; reinstating an active one is RegistrySupplierStatus", async () => {
    fails(
      await h.as(supplier, [
        "regulator",
        "suspend",
        "--supplier",
        supplier2.address,
        "--reason",
        "licence_revoked",
      ]),
      /^error: LedgerUnauthorized\(account=0x[0-9a-fA-F]{40}, role=REGULATOR_ROLE\)$/,
    );
    const suspended = ok(
      await h.as(regulator, ["regulator", "suspend", supplier2.address, "--reason", "licence_revoked"]),
    );
    expect(field(suspended, "status")).to.equal("suspended");
    expect(await h.ledger.registry.supplierStatus(supplier2.address)).to.equal(2n);
    expect(
      field(ok(await h.as(regulator, ["regulator", "reinstate", supplier2.address])), "status"),
    ).to.equal("active");
    expect(await h.ledger.registry.supplierStatus(supplier2.address)).to.equal(1n);
    fails(
      await h.as(regulator, ["regulator", "reinstate", supplier2.address]),
      new RegExp(
        `^error: RegistrySupplierStatus\\(supplier=${supplier2.address}, status=active, expected=suspended\\)$`,
      ),
    );
  });

  it("--reason takes a key or code of the catalogue that the act records; its help lists them; anything else is a usage error", async () => {
    const help = ok(await h.cli(["regulator", "suspend", "--help"]));
    expect(help)
      .to.match(/--reason <reason>\s+why, as a key or code of the reason catalogue \(default unspecified\)/)
      .and.match(/licence_revoked \(21\)\s+Licence revoked or lapsed/)
      .and.match(/safety_investigation \(7\)\s+Product safety investigation under way/)
      .and.not.include("field_safety_notice");
    fails(
      await h.as(regulator, ["regulator", "suspend", supplier2.address, "--reason", "field_safety_notice"]),
      /^error: --reason field_safety_notice \(41\) is not a reason for suspend; it takes unspecified, safety_investigation, document_not_authentic, licence_revoked, procurement_misconduct, counterfeit_suspected$/,
    );
    fails(
      await h.as(regulator, ["regulator", "suspend", supplier2.address, "--reason", "9999"]),
      /^error: --reason "9999" is not in the reason catalogue; suspend takes unspecified, .*counterfeit_suspected \(or their codes\)$/,
    );
    fails(
      await h.as(regulator, ["regulator", "suspend", supplier2.address, "--reason", "stale"]),
      /^error: --reason "stale" is not in the reason catalogue/,
    );
    // Refused before anything was sent.
    expect(await h.ledger.registry.supplierStatus(supplier2.address)).to.equal(1n);
  });

  it("consignment return --reason takes the catalogue's return reasons only; a valid one reaches the ledger", async () => {
    const help = ok(await h.cli(["hospital", "consignment", "return", "--help"]));
    expect(help)
      .to.match(/unused_at_term_end \(401\)\s+Unused at the end of the consignment term/)
      .and.match(/overstocked \(403\)\s+More on hand than the hospital uses/)
      .and.not.include("units_damaged");
    const back = ["hospital", "consignment", "return", "--shipment", "1", "--units", "1"];
    fails(
      await h.as(stranger, [...back, "--reason", "units_damaged"]),
      /^error: --reason units_damaged \(31\) is not a reason for returnStock; it takes unspecified, unused_at_term_end, near_expiry_returned, overstocked, product_discontinued$/,
    );
    fails(await h.as(stranger, [...back, "--reason", "403"]), /ConsignmentStockNotFound\(shipmentId=1\)/);
  });

  it("consignment refuse-return takes the catalogue's refusal reasons only; confirm-return and refuse-return reach the ledger", async () => {
    const help = ok(await h.cli(["supplier", "consignment", "refuse-return", "--help"]));
    expect(help)
      .to.match(/return_not_received \(411\)\s+The returned units never arrived/)
      .and.match(/return_damaged \(413\)\s+The returned units arrived opened or damaged/)
      .and.not.include("overstocked");
    const refuse = ["supplier", "consignment", "refuse-return", "--shipment", "1"];
    fails(
      await h.as(stranger, [...refuse, "--reason", "overstocked"]),
      /^error: --reason overstocked \(403\) is not a reason for refuseReturn; it takes unspecified, return_not_received, return_short, return_damaged$/,
    );
    fails(await h.as(stranger, [...refuse, "--reason", "411"]), /ConsignmentStockNotFound\(shipmentId=1\)/);
    fails(
      await h.as(stranger, ["hospital", "consignment", "confirm-return", "1"]),
      /ConsignmentStockNotFound\(shipmentId=1\)/,
    );
  });

  // -------------------------------------------------------------------------------------------
  // tenders: open, bid commit / reveal, finalize
  // -------------------------------------------------------------------------------------------

  let tenderId: bigint;

  it("regulator tender open: from options and from a JSON spec, with the bid bond and windows; a window under an hour is TenderInvalidWindows", async () => {
    await act.enrolHospital(
      h.ledger,
      regulator,
      hospital,
      "General Hospital",
      [
        { member: approver, roles: act.HOSPITAL_ROLES.approver },
        { member: receiver, roles: act.HOSPITAL_ROLES.receiver },
      ],
      10_000_000n,
    );
    await act.sent(h.ledger.token.connect(h.w(0)).mint(hospital.address, 1_000_000_000n));
    const base = [
      "regulator",
      "tender",
      "open",
      "--category",
      CATEGORY,
      "--reserve-price",
      "1000000",
      "--commit-deadline",
      "+1d",
      "--reveal-deadline",
      "+2d",
      "--lead-time-days",
      "10",
      "--hospital",
      `${hospital.address}:1000`,
    ];
    fails(await h.as(regulator, base), /^error: --bid-bond is required \(as an option or in --spec\)$/);
    fails(
      await h.as(regulator, [...base, "--bid-bond", String(BOND), "--funding-window", "30m"]),
      /^error: TenderInvalidWindows\(fundingWindow=1800, receivingWindow=86400, confirmWindow=604800\)$/,
    );

    const out = ok(
      await h.as(regulator, [
        ...base,
        "--bid-bond",
        String(BOND),
        "--funding-window",
        "7d",
        "--confirm-window",
        "2d",
      ]),
    );
    tenderId = BigInt(field(out, "tenderId"));
    expect(field(out, "bidBond")).to.equal(String(BOND));
    const terms = await h.ledger.tenders.tenderTerms(tenderId);
    expect(terms.reservePrice).to.equal(1_000_000n);
    expect(terms.bidBond).to.equal(BOND);
    expect([terms.fundingWindow, terms.receivingWindow, terms.confirmWindow]).to.deep.equal([
      7n * BigInt(DAY),
      BigInt(DAY),
      2n * BigInt(DAY),
    ]);

    const spec = file(
      "tender.json",
      JSON.stringify({
        category: CATEGORY,
        reservePrice: 500_000,
        bidBond: 20_000,
        fundingWindow: "3d",
        commitDeadline: "+10d",
        revealDeadline: "+20d",
        termDays: 180,
        winners: 1,
        hospitals: [{ hospital: hospital.address, volume: 200 }],
      }),
    );
    const fromSpec = h.json(await h.as(regulator, ["regulator", "tender", "open", "--spec", spec, "--json"]));
    const specTenderId = BigInt(fromSpec.tenderId);
    expect(specTenderId).to.equal(tenderId + 1n);
    expect(fromSpec.termDays).to.equal("180");
    const specTerms = await h.ledger.tenders.tenderTerms(specTenderId);
    expect([specTerms.reservePrice, specTerms.bidBond, specTerms.fundingWindow]).to.deep.equal([
      500_000n,
      20_000n,
      3n * BigInt(DAY),
    ]);
  });

  it("supplier bid commit: escrows the bond, saves the salt (0600) before committing and refuses to overwrite it; an unqualified bidder is TenderBidderNotQualified", async () => {
    fails(
      await h.as(stranger, ["supplier", "bid", "commit", String(tenderId), "--tiers", "0:10000"]),
      new RegExp(
        `^error: the tender's bid bond is ${BOND} but ${stranger.address} holds 0 of the settlement token$`,
      ),
    );
    await act.sent(h.ledger.token.connect(h.w(0)).mint(supplier.address, BOND));
    await act.sent(h.ledger.token.connect(h.w(0)).mint(supplier2.address, BOND));
    fails(
      await h.as(supplier2, ["supplier", "bid", "commit", String(tenderId), "--tiers", "0:10000"]),
      new RegExp(
        `^error: TenderBidderNotQualified\\(tenderId=${tenderId}, bidder=${supplier2.address}, category=${CATEGORY}\\)$`,
      ),
    );

    const tenders = await h.ledger.tenders.getAddress();
    const [held, escrowed] = [
      await h.ledger.token.balanceOf(supplier.address),
      await h.ledger.token.balanceOf(tenders),
    ];
    const out = ok(
      await h.as(supplier, [
        "supplier",
        "bid",
        "commit",
        "--tender",
        String(tenderId),
        "--tiers",
        "0:10000,100:9000",
      ]),
    );
    expect(field(out, "bond")).to.equal(String(BOND));
    expect(await h.ledger.token.balanceOf(supplier.address)).to.equal(held - BOND);
    expect(await h.ledger.token.balanceOf(tenders)).to.equal(escrowed + BOND);
    const saltFile = path.join(
      h.tmp,
      ".sunshine",
      "bids",
      `${h.deployment.chainId}-${tenderId}-${supplier.address}.json`,
    );
    expect(field(out, "saltFile")).to.equal(saltFile);
    expect(statSync(saltFile).mode & 0o777).to.equal(0o600);
    const saved = JSON.parse(readFileSync(saltFile, "utf8")) as {
      salt: string;
      commitment: string;
      status: string;
    };
    expect(saved.status).to.equal("committed");
    expect(saved.salt).to.match(/^0x[0-9a-f]{64}$/);
    // The ledger keeps the first 24 bytes of the commitment.
    expect((await h.ledger.tenders.bid(tenderId, supplier.address)).commitment).to.equal(
      saved.commitment.slice(0, 50),
    );

    fails(
      await h.as(supplier, ["supplier", "bid", "commit", "--tender", String(tenderId), "--tiers", "0:9000"]),
      /^error: an unrevealed bid for tender \d+ is saved in .*: reveal it, or pass --replace/,
    );
    expect(JSON.parse(readFileSync(saltFile, "utf8")).salt).to.equal(saved.salt);
  });

  it("supplier bid reveal: reveals from the salt file and gets the bond back; without one it says so clearly", async () => {
    fails(
      await h.as(supplier2, ["supplier", "bid", "reveal", "--tender", String(tenderId)]),
      /^error: no saved bid for tender \d+ at .*: nothing to reveal/,
    );
    await h.advance(DAY + 1);
    const held = await h.ledger.token.balanceOf(supplier.address);
    const out = ok(await h.as(supplier, ["supplier", "bid", "reveal", String(tenderId)]));
    expect(field(out, "tiers")).to.equal("0:10000, 100:9000");
    expect(field(out, "bondReturned")).to.equal(String(BOND));
    expect(await h.ledger.token.balanceOf(supplier.address)).to.equal(held + BOND);
    const bid = await h.ledger.tenders.bid(tenderId, supplier.address);
    expect([bid.revealed, bid.bondReturned]).to.deep.equal([true, true]);
    const saltFile = field(out, "saltFile");
    expect(existsSync(saltFile)).to.equal(true);
    expect(JSON.parse(readFileSync(saltFile, "utf8")).status).to.equal("revealed");
  });

  let agreementId: bigint;

  it("regulator tender finalize: awards the agreement after the reveal deadline; an unknown tender is TenderNotFound", async () => {
    fails(
      await h.as(regulator, ["regulator", "tender", "finalize", "--tender", "99"]),
      /^error: TenderNotFound\(tenderId=99\)$/,
    );
    await h.advance(DAY + 1);
    const out = h.json<{ status: string; agreements: string[]; winners: string[]; bondsForfeited: string }>(
      await h.as(regulator, ["regulator", "tender", "finalize", String(tenderId), "--json"]),
    );
    expect(out.status).to.equal("awarded");
    expect(out.winners).to.deep.equal([supplier.address]);
    expect(out.bondsForfeited).to.equal("0");
    agreementId = BigInt(out.agreements[0]);
    const agreement = await h.ledger.agreements.agreement(agreementId);
    expect(agreement.terms.supplier).to.equal(supplier.address);
    expect(agreement.terms.tenderId).to.equal(tenderId);
  });

  // -------------------------------------------------------------------------------------------
  // orders
  // -------------------------------------------------------------------------------------------

  let orderId: bigint;

  it("hospital order place: placed without value, with the quote funding would escrow; approve by a non-approver is OrderNotApprover; the approval funds it", async () => {
    const placed = ok(
      await h.as(hospital, [
        "hospital",
        "order",
        "place",
        "--agreement",
        String(agreementId),
        "--quantity",
        "10",
        "--delivery",
        "+20d",
        "--reference",
        "PO-1",
      ]),
    );
    orderId = BigInt(field(placed, "orderId"));
    expect(field(placed, "status")).to.equal("placed");
    expect(field(placed, "escrow")).to.equal("0");
    expect(field(placed, "quote")).to.equal("100000");
    expect(field(placed, "needsSupplierConsent")).to.equal("false");
    expect((await h.ledger.orderBook.order(orderId)).escrow).to.equal(0n);

    fails(
      await h.as(receiver, ["hospital", "order", "approve", String(orderId)]),
      new RegExp(`^error: OrderNotApprover\\(orderId=${orderId}, caller=${receiver.address}\\)$`),
    );
    const balance = await h.ledger.token.balanceOf(hospital.address);
    const approved = ok(await h.as(approver, ["hospital", "order", "approve", "--order", String(orderId)]));
    expect(field(approved, "status")).to.equal("funded");
    expect(field(approved, "escrow")).to.equal("100000");
    expect([field(approved, "approvals"), field(approved, "required")]).to.deep.equal(["1", "1"]);
    expect(await h.ledger.token.balanceOf(hospital.address)).to.equal(balance - 100_000n);
    expect((await h.ledger.agreements.hospitalVolume(agreementId, hospital.address)).funded).to.equal(10n);
  });

  it("hospital order cancel: cancels an unfunded order; the supplier cannot (OrderNotHospitalStaff)", async () => {
    const id = await act.placeOrder(h.ledger, hospital, {
      agreementId,
      quantity: 5n,
      requestedDelivery: (await h.now()) + 20 * DAY,
      reference: "PO-2",
    });
    fails(
      await h.as(supplier, ["hospital", "order", "cancel", String(id)]),
      new RegExp(`^error: OrderNotHospitalStaff\\(caller=${supplier.address}\\)$`),
    );
    const out = ok(await h.as(hospital, ["hospital", "order", "cancel", "--order", String(id)]));
    expect(field(out, "status")).to.equal("cancelled");
    expect(field(out, "unitsCancelled")).to.equal("5");
    expect(field(out, "refund")).to.equal("0");
    expect((await h.ledger.orderBook.order(id)).status).to.equal(4n);
  });

  // -------------------------------------------------------------------------------------------
  // ship, trace, recall
  // -------------------------------------------------------------------------------------------

  const serials = Array.from({ length: 6 }, (_, i) => `SN${String(i + 1).padStart(5, "0")}`);
  let serialList: string;
  let shipmentId: bigint;
  let shortShipmentId: bigint;
  let expiry: string;

  it("supplier ship: builds the Merkle tree from a serials file and ships; an unregistered GTIN is TraceGtinNotRegistered", async () => {
    expiry = new Date(((await h.now()) + 2 * 365 * DAY) * 1000).toISOString().slice(0, 10);
    const shipArgs = (gtin: string) => [
      "supplier",
      "ship",
      "--order",
      String(orderId),
      "--gtin",
      gtin,
      "--lot",
      LOT,
      "--expiry",
      expiry,
    ];
    fails(
      await h.as(supplier, [...shipArgs(GTIN), "--serials", path.join(h.tmp, "missing.txt")]),
      /^error: --serials .*missing\.txt: no such file$/,
    );
    serialList = file("serials.txt", `${serials.join("\n")}\n`);
    fails(
      await h.as(supplier, [...shipArgs(OTHER_GTIN), "--serials", serialList]),
      new RegExp(
        `^error: TraceGtinNotRegistered\\(supplier=${supplier.address}, gtin=${BigInt(OTHER_GTIN)}\\)$`,
      ),
    );

    const out = ok(await h.as(supplier, [...shipArgs(GTIN), "--serials", serialList]));
    shipmentId = BigInt(field(out, "shipmentId"));
    expect(field(out, "root")).to.equal(act.serialTree(serials).root);
    expect(field(out, "quantity")).to.equal("6");
    expect(field(out, "manifest")).to.equal("not uploaded (no --gateway)");
    const shipped = await act.shipmentRecord(h.ledger, shipmentId);
    expect(shipped).to.include({ supplier: supplier.address, hospital: hospital.address, lot: LOT });
    expect([shipped.orderId, shipped.gtin, shipped.quantity]).to.deep.equal([orderId, BigInt(GTIN), 6n]);
    expect(shipped.serialRoot).to.equal(act.serialTree(serials).root);
    expect((await h.ledger.orderBook.order(orderId)).shipped).to.equal(6n);

    // A second shipment, without a manifest, for the exception below.
    ({ shipmentId: shortShipmentId } = await act.createShipment(h.ledger, supplier, {
      orderId,
      gtin: GTIN,
      lot: LOT,
      expiry: Date.parse(`${expiry}T00:00:00Z`) / 1000,
      serials: ["SN00007", "SN00008", "SN00009", "SN00010"],
      notice: "DESADV-2",
    }));
  });

  it("supplier trace: records a step on the shipment's record; a stranger is TraceStepNotAllowed", async () => {
    const out = ok(
      await h.as(supplier, [
        "supplier",
        "trace",
        "--shipment",
        String(shipmentId),
        "--step",
        "arriving",
        "--location",
        "6901234000017",
      ]),
    );
    expect(field(out, "step")).to.equal("arriving");
    const recorded = await h.ledger.trace.queryFilter(h.ledger.trace.filters.TraceEventRecorded(shipmentId));
    expect(recorded.map((e) => [e.args.step, e.args.actor])).to.deep.equal([[2n, supplier.address]]);
    expect((await h.ledger.trace.shipmentState(shipmentId)).arrivedAt > 0n, "arrival recorded").to.equal(
      true,
    );
    fails(
      await h.as(stranger, [
        "supplier",
        "trace",
        "--shipment",
        String(shipmentId),
        "--step",
        "departing",
        "--location",
        "X",
      ]),
      new RegExp(
        `^error: TraceStepNotAllowed\\(shipmentId=${shipmentId}, step=departing, actor=${stranger.address}\\)$`,
      ),
    );
  });

  it("recall: a supplier's recall covers its own shipments, a regulator's everyone's; a recalled lot is TraceLotRecalled", async () => {
    const own = ok(
      await h.as(supplier, [
        "supplier",
        "recall",
        "--gtin",
        GTIN,
        "--lot",
        "LOT-OWN",
        "--reason",
        "quality_defect",
      ]),
    );
    expect(field(own, "scope")).to.equal(supplier.address);
    expect(await h.ledger.trace.isRecalled(BigInt(GTIN), "LOT-OWN", supplier.address)).to.equal(true);
    expect(await h.ledger.trace.isRecalled(BigInt(GTIN), "LOT-OWN", supplier2.address)).to.equal(false);

    const global = ok(
      await h.as(regulator, ["regulator", "recall", "--gtin", GTIN, "--lot", "LOT-OTHER", "--reason", "41"]),
    );
    expect(field(global, "scope")).to.equal("global");
    expect(await h.ledger.trace.isRecalled(BigInt(GTIN), "LOT-OTHER", supplier2.address)).to.equal(true);
    expect(await h.ledger.trace.isRecalled(BigInt(GTIN), LOT, supplier.address)).to.equal(false);

    fails(
      await h.as(supplier, ["supplier", "recall", "--gtin", GTIN, "--lot", "LOT-OTHER"]),
      new RegExp(`^error: TraceLotRecalled\\(gtin=${BigInt(GTIN)}, lot=LOT-OTHER\\)$`),
    );
  });

  // -------------------------------------------------------------------------------------------
  // gateway: manifest, receipts, exceptions, resolve, relay, trail, usage
  // -------------------------------------------------------------------------------------------

  it("supplier manifest: uploads the serial manifest once the gateway has indexed the shipment; a manifest of other serials is refused", async () => {
    const gw = ["--gateway", h.gatewayUrl];
    const out = ok(
      await h.as(supplier, ["supplier", "manifest", String(shipmentId), "--serials", serialList, ...gw]),
    );
    expect(field(out, "manifest")).to.equal("uploaded");
    expect(field(out, "root")).to.equal(act.serialTree(serials).root);
    const wrong = file("wrong-serials.txt", "SN99991\nSN99992\nSN99993\nSN99994\n");
    fails(
      await h.as(supplier, ["supplier", "manifest", String(shortShipmentId), "--serials", wrong, ...gw]),
      /^error: MANIFEST_ROOT_MISMATCH \(400\): the serial list's Merkle root 0x[0-9a-f]{64} is not the on-chain root/,
    );
  });

  it("hospital receipt: sends the scanned CSV and prints the match; an unknown shipment is SHIPMENT_NOT_FOUND (404)", async () => {
    const regulatorClient = new GatewayClient(h.gatewayUrl);
    await regulatorClient.login(regulator);
    for (const id of [shipmentId, shortShipmentId]) {
      for (let i = 0; ; i++) {
        try {
          await regulatorClient.get(`/v1/shipments/${id}`);
          break;
        } catch (error) {
          if (!(error instanceof GatewayError) || error.code !== "SHIPMENT_NOT_FOUND" || i > 300) throw error;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
    const yymmdd = expiry.slice(2).replaceAll("-", "");
    const scans = file(
      "scans.csv",
      ["barcode", ...serials.map((s) => `(01)${GTIN}(17)${yymmdd}(10)${LOT}(21)${s}`)].join("\n") + "\n",
    );
    const receivedAt = new Date((await h.now()) * 1000).toISOString();
    const gw = ["--gateway", h.gatewayUrl];
    const out = ok(
      await h.as(receiver, [
        "hospital",
        "receipt",
        "--receipt-no",
        "GR-1",
        "--shipment",
        String(shipmentId),
        "--file",
        scans,
        "--received-at",
        receivedAt,
        ...gw,
      ]),
    );
    expect(field(out, "match")).to.equal("matched");
    expect(field(out, "accepted")).to.equal("6");
    expect(field(out, "settlement")).to.equal("queued");

    fails(
      await h.as(receiver, [
        "hospital",
        "receipt",
        "--receipt-no",
        "GR-X",
        "--shipment",
        "999",
        "--file",
        scans,
        "--received-at",
        receivedAt,
        ...gw,
      ]),
      /^error: SHIPMENT_NOT_FOUND \(404\): shipment 999 /,
    );

    // Two of four units: a short delivery, held as an exception. Given as fields this time: the
    // expiry column carries the date a barcode would print.
    const short = file("short.csv", `gtin,lot,expiry,quantity\n${GTIN},${LOT},${expiry},2\n`);
    const held = h.json<{ match: string; exceptionId: string; reasons: string[] }>(
      await h.as(receiver, [
        "hospital",
        "receipt",
        "--receipt-no",
        "GR-2",
        "--shipment",
        String(shortShipmentId),
        "--file",
        short,
        "--received-at",
        receivedAt,
        "--json",
        ...gw,
      ]),
    );
    expect(held.match).to.equal("exception");
    expect(held.exceptionId).to.be.a("string");
    expect(held.reasons.join()).to.include("SHORT_DELIVERY");
  });

  let exceptionId: string;

  it("publish-hospital-name: the gateway takes the enrolled name and refuses another (HOSPITAL_NAME_MISMATCH)", async () => {
    const gw = ["--gateway", h.gatewayUrl];
    fails(
      await h.as(regulator, [
        "regulator",
        "publish-hospital-name",
        "--hospital",
        hospital.address,
        "--name",
        "General Hospitals",
        ...gw,
      ]),
      new RegExp(
        `^error: HOSPITAL_NAME_MISMATCH \\(400\\): keccak256 of the name "General Hospitals" is ${ethers.id("General Hospitals")}, not the nameHash ${ethers.id("General Hospital")}`,
      ),
    );
    // The hospital account publishes its own name (no --hospital).
    const out = ok(
      await h.as(hospital, ["hospital", "publish-hospital-name", "--name", "General Hospital", ...gw]),
    );
    expect(field(out, "hospital")).to.equal(hospital.address.toLowerCase());
    expect(field(out, "name")).to.equal("General Hospital");
    expect(field(out, "publishedBy")).to.equal(hospital.address.toLowerCase());
  });

  it("hospital members / invitations: the hospital lists its members and the invitation it made, which the invited account sees", async () => {
    const gw = ["--gateway", h.gatewayUrl];
    const lc = (w: HDNodeWallet) => w.address.toLowerCase();
    ok(await h.as(hospital, ["hospital", "set-member", "--member", stranger.address, "--roles", "receiver"]));
    const table = ok(await h.as(hospital, ["hospital", "members", ...gw]));
    expect(table).to.match(/^hospital\s+account\s+status\s+roles$/m);
    expect(table).to.match(new RegExp(`^${lc(hospital)}\\s+${lc(approver)}\\s+member\\s+approver$`, "m"));
    expect(table).to.match(new RegExp(`^${lc(hospital)}\\s+${lc(stranger)}\\s+invited\\s+receiver$`, "m"));
    const invited = JSON.parse(
      ok(await h.as(hospital, ["hospital", "members", "--invited", "--json", ...gw])),
    );
    expect(
      invited.map((m: { address: string; status: string; roles: string[] }) => [
        m.address,
        m.status,
        m.roles,
      ]),
    ).to.deep.equal([[lc(stranger), "invited", ["receiver"]]]);
    const mine = ok(await h.as(stranger, ["hospital", "invitations", ...gw]));
    expect(mine).to.match(new RegExp(`^${lc(hospital)}\\s+receiver\\s+\\d{4}-\\d{2}-\\d{2}T`, "m"));
    fails(await h.as(supplier, ["hospital", "members", ...gw]), /^error: FORBIDDEN \(403\)/);
    // A regulator reads any hospital's, one at a time with --hospital.
    const one = JSON.parse(
      ok(await h.as(regulator, ["hospital", "members", "--hospital", hospital.address, "--json", ...gw])),
    ) as { hospital: string; address: string }[];
    expect([...new Set(one.map((m) => m.hospital))]).to.deep.equal([lc(hospital)]);
    expect(one.map((m) => m.address))
      .to.include(lc(stranger))
      .and.include(lc(approver));
    // The hospital names the invitee for its pages; the list then says so.
    const named = ok(
      await h.as(hospital, [
        "hospital",
        "name-member",
        "--member",
        stranger.address,
        "--name",
        "Wang Fang",
        ...gw,
      ]),
    );
    expect(field(named, "name")).to.equal("Wang Fang");
    expect(field(named, "status")).to.equal("invited");
    fails(
      await h.as(hospital, [
        "hospital",
        "name-member",
        "--member",
        supplier.address,
        "--name",
        "Acme",
        ...gw,
      ]),
      /^error: MEMBER_NOT_FOUND \(404\)/,
    );
    // Withdrawn again, so that the stranger of the later tests has no invitation.
    ok(await h.as(hospital, ["hospital", "set-member", "--member", stranger.address, "--roles", "none"]));
    expect(ok(await h.as(stranger, ["hospital", "invitations", ...gw]))).to.include(
      "no invitations addressed to you",
    );
  });

  it("hospital exceptions: lists the open exceptions as a table", async () => {
    const out = ok(await h.as(receiver, ["hospital", "exceptions", "--gateway", h.gatewayUrl]));
    const [header, rule, row, ...rest] = out.trimEnd().split("\n");
    expect(header).to.match(/^id\s+shipment\s+order\s+receipt\s+source\s+reasons/);
    expect(rule).to.match(/^-+\s+-+/);
    expect(rest).to.deep.equal([]);
    expect(row).to.include("GR-2").and.include("SHORT_DELIVERY").and.include("open");
    // The 2 units the dock did not count, disputed on the ledger (sent by the payment worker).
    expect(header).to.match(/\sheld\s/);
    expect(row).to.match(/\s2 (pending|submitted|confirmed)\s/);
    exceptionId = row.split(/\s+/)[0];
  });

  it("hospital resolve: an approver accepts part; an unknown exception is EXCEPTION_NOT_FOUND (404)", async () => {
    const gw = ["--gateway", h.gatewayUrl];
    fails(
      await h.as(approver, ["hospital", "resolve", "999", "--action", "reject", "--note", "x", ...gw]),
      /^error: EXCEPTION_NOT_FOUND \(404\): /,
    );
    const out = ok(
      await h.as(approver, [
        "hospital",
        "resolve",
        "--exception",
        exceptionId,
        "--action",
        "accept_part",
        "--accepted-quantity",
        "2",
        "--note",
        "two received",
        ...gw,
      ]),
    );
    expect(field(out, "status")).to.equal("resolved");
    expect(field(out, "resolution")).to.equal("accept_part");
    expect(field(out, "accepted")).to.equal("2");
    expect(ok(await h.as(receiver, ["hospital", "exceptions", ...gw]))).to.equal("no open exceptions\n");
  });

  it("--relay: a key without gas registers through the gateway's relay; a repeat is decoded before sending", async () => {
    const gasless = Wallet.createRandom();
    const args = [
      "supplier",
      "register",
      "--name",
      "Gasless Ltd",
      "--registration-id",
      "RELAY-1",
      "--relay",
      h.gatewayUrl,
    ];
    const out = ok(await h.as(gasless, args));
    expect(field(out, "supplier")).to.equal(gasless.address);
    expect(field(out, "relayed")).to.equal("true");
    const receipt = await h.node.provider.getTransactionReceipt(field(out, "tx"));
    expect(receipt!.to).to.equal(h.deployment.contracts.forwarder);
    expect(receipt!.from).to.equal(h.w(13).address);
    expect(await h.ledger.registry.supplierStatus(gasless.address)).to.equal(1n);
    expect(await h.node.provider.getBalance(gasless.address)).to.equal(0n);

    fails(
      await h.as(gasless, args),
      new RegExp(`^error: RegistrySupplierAlreadyRegistered\\(supplier=${gasless.address}\\)$`),
    );
  });

  it("--relay: an act whose relayed transaction the gateway says will never be mined fails at once, nothing changed", async () => {
    const gasless = Wallet.createRandom();
    // The relay's answer is replaced by a transaction that no node or gateway holds, as when one
    // was lost and its deadline passed: the gateway's own GET /v1/relay/<tx> then says dropped.
    const lost = `0x${"ab".repeat(32)}`;
    class LostRelay extends GatewayClient {
      override post<T>(path: string, body: unknown): Promise<T> {
        return path === "/v1/relay" ? Promise.resolve({ txHash: lost } as T) : super.post<T>(path, body);
      }
    }
    const session = new LostRelay(h.gatewayUrl);
    await session.login(gasless);
    const signer = new CliSigner(gasless, h.node.provider, {
      gatewayUrl: h.gatewayUrl,
      forwarder: h.ledger.forwarder,
      chainId: h.deployment.chainId,
      session: Promise.resolve(session),
    });
    const failure = await rejectionOf(act.registerSupplier(h.ledger, signer, "Lost Ltd", "RELAY-LOST"));
    expect(failure).to.be.instanceOf(CliError);
    expect(failure.message).to.equal(
      `the gateway says transaction ${lost} will never be mined (the node lost it and its deadline passed, or its nonce went to another): nothing changed on the ledger; run the command again`,
    );
    expect(await h.ledger.registry.supplierStatus(gasless.address)).to.equal(0n);
  });

  it("--relay: a relayed bid commit by a key that is no supplier is refused its bond's permit before anything is saved", async () => {
    const gasless = Wallet.createRandom();
    await act.sent(h.ledger.token.connect(h.w(0)).mint(gasless.address, BOND));
    const open = await act.openTender(
      h.ledger,
      regulator,
      {
        category: act.categoryCode(CATEGORY),
        reservePrice: 1_000_000n,
        commitDeadline: (await h.now()) + DAY,
        revealDeadline: (await h.now()) + 2 * DAY,
        termSeconds: 365 * DAY,
        leadTimeDays: 10,
        penaltyBpsPerDay: 0,
        penaltyCapBps: 0,
        winners: 1,
        bidBond: BOND,
        fundingWindow: 7 * DAY,
        receivingWindow: DAY,
        confirmWindow: 2 * DAY,
      },
      [{ hospital: hospital.address, volume: 10n }],
    );
    fails(
      await h.as(gasless, [
        "supplier",
        "bid",
        "commit",
        String(open),
        "--tiers",
        "0:10000",
        "--relay",
        h.gatewayUrl,
      ]),
      // The gateway relays a bond's permit for a supplier only (allowance.test.ts: one that is).
      new RegExp(
        `^error: FORBIDDEN \\(403\\): this route needs one of the roles supplier, hospital-admin, payer; ${gasless.address} has none$`,
        "i",
      ),
    );
    expect(
      existsSync(
        path.join(h.tmp, ".sunshine", "bids", `${h.deployment.chainId}-${open}-${gasless.address}.json`),
      ),
    ).to.equal(false);
  });

  it("regulator trail / verify: print the lot's trail and its verification against the chain", async () => {
    const lot = ["--gtin", GTIN, "--lot", LOT, "--gateway", h.gatewayUrl];
    expect(ok(await h.as(regulator, ["regulator", "trail", ...lot]))).to.match(/shipment/);
    expect(ok(await h.as(regulator, ["regulator", "verify", ...lot]))).to.match(/verified/i);
    fails(
      await h.as(regulator, [
        "regulator",
        "trail",
        "--gtin",
        GTIN,
        "--lot",
        "NO-SUCH-LOT",
        "--gateway",
        h.gatewayUrl,
      ]),
      /^error: [A-Z_]+ \(404\): /,
    );
  });

  it("hospital usage: posts each CSV row; a missing file is a clear error", async () => {
    const usages = file(
      "usages.csv",
      [
        "usageId,barcode,department,patientRef,usedAt,billingCode,billedAmount,caseId,caseGroup",
        `U-1,(01)${GTIN}(17)${expiry.slice(2).replaceAll("-", "")}(10)${LOT}(21)SN00001,Cardiology,P-123,${new Date().toISOString()},C0401,1250000,IP-CLI-1,FM19`,
      ].join("\n"),
    );
    const run = await h.as(receiver, ["hospital", "usage", "--file", usages, "--gateway", h.gatewayUrl]);
    expect(ok(run)).to.match(/U-1\s+recorded/);
    fails(
      await h.as(receiver, [
        "hospital",
        "usage",
        "--file",
        path.join(h.tmp, "nope.csv"),
        "--gateway",
        h.gatewayUrl,
      ]),
      /^error: --file .*nope\.csv: no such file$/,
    );
  });

  it("regulator claims: the case U-1 was billed on, by its DRG group, as the API reports it; a month that is not one is refused", async () => {
    const gw = ["--gateway", h.gatewayUrl];
    // U-1's month as the gateway counts it (its TIME_ZONE, by default Asia/Shanghai).
    const month = monthOf(new Date(), "Asia/Shanghai");
    const api = new GatewayClient(h.gatewayUrl);
    await api.login(regulator);
    const report = await api.get<ClaimsReport>(`/v1/claims?from=${month}&to=${month}`);
    expect(report.groups.map((g) => [g.caseGroup, g.cases, g.cost])).to.deep.equal([["FM19", 1, "1250000"]]);
    const printed = JSON.parse(
      ok(await h.as(regulator, ["regulator", "claims", "--from", month, "--json", ...gw])),
    );
    expect(printed).to.deep.equal(report);
    expect(
      ok(await h.as(regulator, ["regulator", "claims", "--from", month, "--outliers", ...gw])),
    ).to.include("no case above its group's 95th percentile");
    expect(
      ok(await h.as(regulator, ["regulator", "claims", "--from", month, "--rare-high-value", ...gw])),
    ).to.include("no high-value item on a group that rarely uses it");
    fails(
      await h.as(regulator, ["regulator", "claims", "--from", "2026-13", ...gw]),
      /--from must be a month as YYYY-MM/,
    );
  });

  it("regulator risk: the risk view per hospital as the API reports it, CSV-ready lines with their money", async () => {
    const gw = ["--gateway", h.gatewayUrl];
    const month = monthOf(new Date(), "Asia/Shanghai");
    const api = new GatewayClient(h.gatewayUrl);
    await api.login(regulator);
    const risk = await api.get<ClaimsRisk>(`/v1/claims/risk?from=${month}&to=${month}`);
    const printed = JSON.parse(
      ok(await h.as(regulator, ["regulator", "risk", "--from", month, "--json", ...gw])),
    );
    expect(printed).to.deep.equal(risk);
    fails(
      await h.as(regulator, ["regulator", "risk", "--from", "2026-13", ...gw]),
      /--from must be a month as YYYY-MM/,
    );
  });

  it("regulator grant-payer, fund allowance grant / cover / prepay / accounts: the payer prepays the hospital under the agreement; past the cap is refused, decoded", async () => {
    const gw = ["--gateway", h.gatewayUrl];
    const payer = h.w(14);
    const out = ok(await h.as(regulator, ["regulator", "grant-payer", payer.address]));
    expect(field(out, "role")).to.equal("payer");
    await act.sent(h.ledger.token.connect(h.w(0)).mint(payer.address, 10_000_000n));
    ok(await h.as(payer, ["fund", "allowance", "grant", "--amount", "5000000"]));
    expect(await h.ledger.token.allowance(payer.address, h.deployment.contracts.fund)).to.equal(5_000_000n);
    fails(
      await h.as(payer, ["fund", "cover", "--tender", String(tenderId), "--share", "101"]),
      /^error: --share must be a percentage from 0 to 100 \(got "101"\)$/,
    );
    const covered = ok(await h.as(payer, ["fund", "cover", "--tender", String(tenderId), "--share", "30"]));
    expect(field(covered, "prepayShareBps")).to.equal("3000");
    const account = ["--agreement", String(agreementId), "--hospital", hospital.address];
    ok(await h.as(payer, ["fund", "prepay", ...account, "--amount", "300000"]));
    expect((await h.ledger.fund.accounts(agreementId, hospital.address)).prepayment).to.equal(300_000n);
    const { prepaidIn } = await h.ledger.fund.accounts(agreementId, hospital.address);
    fails(
      await h.as(payer, ["fund", "prepay", ...account, "--amount", "4000000"]),
      new RegExp(
        `^error: FundPrepaymentAboveCap\\(agreementId=${agreementId}, hospital=${hospital.address}, amount=4000000, room=\\d+\\)$`,
      ),
    );
    expect((await h.ledger.fund.accounts(agreementId, hospital.address)).prepaidIn).to.equal(prepaidIn);
    // The gateway indexes the prepayment in the background: read until it has.
    const api = new GatewayClient(h.gatewayUrl);
    await api.login(payer);
    for (let i = 0; (await api.get<FundAccounts>("/v1/fund/accounts")).items.length === 0; i++) {
      if (i > 300) throw new Error("the gateway never indexed the prepayment");
      await new Promise((r) => setTimeout(r, 100));
    }
    const printed = h.json<FundAccounts>(await h.as(payer, ["fund", "accounts", "--json", ...gw]));
    expect(
      printed.items.map((a) => [a.agreementId, a.hospital, a.prepaid, a.prepaymentBalance]),
    ).to.deep.equal([[String(agreementId), hospital.address.toLowerCase(), "300000", "300000"]]);
    fails(
      await h.as(payer, ["fund", "statement", "--month", "2026-13", ...gw]),
      /--month must be a month as YYYY-MM/,
    );
  });

  it("hospital department-budget set / department-budgets: an approver sets a budget and reads the status; a receiver may not set one", async () => {
    const gw = ["--gateway", h.gatewayUrl];
    // The current month, as the gateway counts it: U-1 (above) was used in it, by Cardiology.
    const before = JSON.parse(ok(await h.as(approver, ["hospital", "department-budgets", "--json", ...gw])));
    const cardiology = before.rows.find((r: { department: string }) => r.department === "Cardiology");
    expect(cardiology).to.include({ month: before.from, budget: null, status: "unbudgeted" });
    const consumed = BigInt(cardiology.consumed);
    expect(consumed > 0n).to.equal(true);
    const set = [
      "hospital",
      "department-budget",
      "set",
      "--department",
      "Cardiology",
      "--category",
      CATEGORY,
      "--month",
      before.from,
      ...gw,
    ];
    const out = ok(await h.as(approver, [...set, "--amount", String(consumed)]));
    expect(field(out, "category")).to.equal(CATEGORY);
    expect(field(out, "remaining")).to.equal("0");
    expect(field(out, "percent")).to.equal("100.0%");
    expect(field(out, "status")).to.equal("over");
    const table = ok(
      await h.as(approver, ["hospital", "department-budgets", "--status", "warning,over", ...gw]),
    );
    expect(table).to.match(
      new RegExp(`Cardiology\\s+${CATEGORY}\\s+${consumed}\\s+${consumed}\\s+0\\s+100\\.0%\\s+over`),
    );
    fails(await h.as(receiver, [...set, "--amount", "1"]), /FORBIDDEN|hospital-admin, hospital-approver/);
    fails(
      await h.as(approver, [...set, "--amount", "1", "--month", "2026-13"]),
      /--month must be a month as YYYY-MM/,
    );
  });

  it("hospital campus add / campuses / stock / transfer: the account registers campuses, a receiver reads stock and moves it, never more than the campus holds", async () => {
    const gw = ["--gateway", h.gatewayUrl];
    const [MAIN, EAST] = ["6900000000014", "6900000000021"];
    const main = ok(
      await h.as(hospital, ["hospital", "campus", "add", "--gln", MAIN, "--name", "Main campus", ...gw]),
    );
    expect(field(main, "main")).to.equal("true");
    ok(await h.as(hospital, ["hospital", "campus", "add", "--gln", EAST, "--name", "East campus", ...gw]));
    fails(
      await h.as(hospital, ["hospital", "campus", "add", "--gln", "6900000000015", "--name", "Typo", ...gw]),
      /GLN_INVALID \(400\): gln 6900000000015 is not a GLN .* check digit should be 4/,
    );
    expect(ok(await h.as(receiver, ["hospital", "campuses", ...gw]))).to.match(
      /6900000000021\s+East campus\s+false/,
    );
    // GR-1's 6 units and the short delivery's 2 were received before any campus: at the main one.
    const rows = JSON.parse(ok(await h.as(receiver, ["hospital", "stock", "--gtin", GTIN, "--json", ...gw])));
    const lot = rows.find((r: { lot: string }) => r.lot === LOT);
    expect(lot).to.include({ campus: MAIN, campusName: "Main campus", received: "8" });
    const onHand = Number(lot.onHand);
    // A word after a complete command (`stock`) that names a longer one is that command.
    expect(ok(await h.as(receiver, ["hospital", "stock", "holders", "--gtin", GTIN, ...gw]))).to.match(
      new RegExp(`Main campus\\s+${LOT}\\s+\\S+\\s+${onHand}\\n`),
    );
    const move = ["hospital", "transfer", "--gtin", GTIN, "--lot", LOT, "--from", MAIN, "--to", EAST];
    fails(
      await h.as(receiver, [...move, "--quantity", String(onHand + 1), ...gw]),
      new RegExp(`campus ${MAIN} holds ${onHand} unit\\(s\\) of lot ${LOT}; it cannot move ${onHand + 1}`),
    );
    const out = ok(await h.as(receiver, [...move, "--quantity", "1", ...gw]));
    expect(field(out, "transferId")).to.equal("1");
    expect(await h.ledger.campusTransfers.transferCount()).to.equal(1n);
  });

  it("hospital stocktake / stocktake list: a receiver counts a campus's shelf from scans; each lot's difference is an exception, a count sent again is recorded once", async () => {
    const gw = ["--gateway", h.gatewayUrl];
    const MAIN = "6900000000014";
    const [row] = JSON.parse(
      ok(await h.as(receiver, ["hospital", "stock", "--campus", MAIN, "--gtin", GTIN, "--json", ...gw])),
    ).filter((r: { lot: string }) => r.lot === LOT);
    const onHand = Number(row.onHand);
    expect(onHand).to.be.greaterThan(1);
    // The shelf holds one unit fewer than the records: lot-level scans, one unit each.
    const shelf = file(
      "shelf.txt",
      `${Array(onHand - 1)
        .fill(`(01)${GTIN}(10)${LOT}`)
        .join("\n")}\n\n`,
    );
    const take = ["hospital", "stocktake", "--campus", MAIN, "--file", shelf, ...gw];
    const out = ok(await h.as(receiver, take));
    expect(out).to.match(new RegExp(`${GTIN}\\s+${LOT}\\s+${onHand}\\s+${onHand - 1}\\s+1 missing\\s+\\d+`));
    const taken = JSON.parse(ok(await h.as(receiver, [...take, "--json"])));
    expect(taken.id, "the same count the same day is the same stocktake").to.equal(field(out, "stocktake"));
    const missing = taken.differences.find((d: { lot: string }) => d.lot === LOT);
    expect(missing).to.include({ gtin: GTIN, expected: onHand, counted: onHand - 1 });
    const gateway = new GatewayClient(h.gatewayUrl);
    await gateway.login(approver);
    const { items } = await gateway.get<ExceptionList>("/v1/exceptions?reason=STOCK_MISSING");
    const exception = items.find((e) => e.id === missing.exceptionId)!;
    expect(exception.source).to.equal("stocktake");
    expect(exception.reasons[0].code).to.equal("STOCK_MISSING");
    expect((exception.reasons[0] as StocktakeReason).details).to.include({
      expected: onHand,
      counted: onHand - 1,
      stocktakeId: taken.id,
    });

    const listed = ok(await h.as(approver, ["hospital", "stocktake", "list", "--campus", MAIN, ...gw]));
    expect(
      listed.match(
        new RegExp(`^${taken.id}\\s+${MAIN}\\s.*${LOT}\\s+${onHand}\\s+${onHand - 1}\\s+1 missing`, "gm"),
      ),
    ).to.have.length(1);
    fails(
      await h.as(receiver, [
        "hospital",
        "stocktake",
        "--campus",
        MAIN,
        "--scan",
        `(01)${GTIN}(10)${LOT}`,
        "--scan",
        "(01)09520123456787(10)L1",
        ...gw,
      ]),
      /BARCODE_INVALID \(400\): line 2: /,
    );
    fails(await h.as(receiver, ["hospital", "stocktake", "--campus", MAIN, ...gw]), /--scan or --file/);
    fails(await h.as(approver, [...take]), /FORBIDDEN/);
  });

  it("public awards and prices need no key: the gateway's public figures, as a table and as its JSON", async () => {
    const gw = ["--gateway", h.gatewayUrl];
    const anyone = new GatewayClient(h.gatewayUrl);
    const { items: awards } = await anyone.get<SunshineAwardPage>("/v1/sunshine/awards?limit=500");
    expect(awards.length, "the tenders these tests awarded").to.be.greaterThan(0);
    const table = ok(await h.cli(["public", "awards", ...gw]));
    for (const a of awards)
      expect(table).to.match(new RegExp(`^${a.agreementId}\\s+${a.categoryName}\\s.*${a.awardTx}$`, "m"));
    const prices = await anyone.get<SunshinePrices>("/v1/sunshine/prices?spreadPercent=5&flaggedOnly=true");
    expect(
      JSON.parse(
        ok(await h.cli(["public", "prices", "--spread-percent", "5", "--flagged", "--json", ...gw])),
      ),
    ).to.deep.equal(prices);
    fails(await h.cli(["public", "prices", "--spread-percent", "2000", ...gw]), /--spread-percent/);
    // Nothing differs by ten times its price: the empty answer says what was asked, not "no items".
    expect(ok(await h.cli(["public", "prices", "--spread-percent", "1000", "--flagged", ...gw]))).to.include(
      "no item flagged: no paid or billed prices differ across hospitals by more than 1000 %",
    );
    const cards = await anyone.get<SunshineScorecards>("/v1/sunshine/scorecards");
    expect(JSON.parse(ok(await h.cli(["public", "scorecards", "--json", ...gw])))).to.deep.equal(cards);
  });
});
