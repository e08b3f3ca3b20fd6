import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { encryptKeystoreJsonSync, ethers, Wallet, type HDNodeWallet } from "ethers";
import type { FastifyInstance } from "fastify";
import * as act from "../../../scripts/lib/actions";
import { devWallet, startAnvil, type AnvilNode } from "../../../scripts/lib/anvil";
import { GatewayClient, GatewayError } from "../../../scripts/lib/gateway-client";
import {
  connectLedger,
  deployLedger,
  deploymentRecord,
  type DeploymentRecord,
  type Ledger,
} from "../../../scripts/lib/ledger";
import { buildApp } from "../../../server/app";
import { openPglite, type Db } from "../../../server/db";
import type { ChainContext } from "../../../server/plugins/chain";
import { testConfig } from "../helpers/config";
import { freePort } from "../support/chain";

/**
 * The CLI (scripts/sunshine.js) as a user runs it: a child process per command against a real
 * Anvil node with the ledger deployed, and an in-process gateway (PGlite in memory, indexer in
 * the background) for the API commands and --relay. Each command is run to success and to its
 * clearest failure; failures must be one decoded line on stderr, exit code 1, no stack trace.
 */

const ROOT = path.join(__dirname, "../../..");
const BIN = path.join(ROOT, "scripts/sunshine.js");
const DAY = 86_400;
const GTIN = "09520123456788";
const LOT = "LOT2026A";
const CATEGORY = "C0401-DES";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe("sunshine CLI", function () {
  this.timeout(300_000);

  let node: AnvilNode;
  let ledger: Ledger;
  let deployment: DeploymentRecord;
  let tmp: string;
  let deploymentFile: string;
  let db: Db;
  let app: FastifyInstance;
  let gatewayUrl: string;
  /** The gateway's error log lines, shown when a command fails unexpectedly. */
  const gatewayLog: string[] = [];
  const w = (i: number) => devWallet(i, node.provider);
  let regulator: HDNodeWallet;
  let supplier: HDNodeWallet;
  let supplier2: HDNodeWallet;
  let hospital: HDNodeWallet;
  let approver: HDNodeWallet;
  let receiver: HDNodeWallet;
  let stranger: HDNodeWallet;

  /** Runs `node scripts/sunshine.js …args` as `key` (SUNSHINE_KEY), against the test chain. */
  function cli(
    args: string[],
    options: { key?: string | null; env?: Record<string, string> } = {},
  ): Promise<Run> {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env))
      if (!k.startsWith("SUNSHINE_") && k !== "DATA_DIR") env[k] = v;
    Object.assign(env, {
      HOME: tmp,
      SUNSHINE_RPC_URL: node.url,
      SUNSHINE_DEPLOYMENT: deploymentFile,
      ...(options.key ? { SUNSHINE_KEY: options.key } : {}),
      ...options.env,
    });
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: ROOT,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.once("error", reject);
      child.once("close", (code) => resolve({ code, stdout, stderr }));
    });
  }

  const as = (wallet: { privateKey: string }, args: string[], env?: Record<string, string>) =>
    cli(args, { key: wallet.privateKey, env });

  function ok(run: Run): string {
    expect(
      run.stderr,
      `stderr of a successful command; gateway errors: ${gatewayLog.slice(-3).join("")}`,
    ).to.equal("");
    expect(run.code, run.stderr).to.equal(0);
    return run.stdout;
  }

  function fails(run: Run, pattern: RegExp): void {
    expect(run.code, `exit code; stdout: ${run.stdout}`).to.equal(1);
    expect(run.stderr.trimEnd()).to.match(pattern);
    expect(run.stderr.trim().split("\n"), "one line").to.have.length(1);
    expect(run.stderr).not.to.match(/\n\s+at /);
    expect(run.stderr).not.to.match(/0x[0-9a-f]{8}[0-9a-f]{64}/i); // no raw revert data
  }

  /** The value on the `key  value` line of a record printed as a table. */
  function field(stdout: string, key: string): string {
    const line = stdout.split("\n").find((l) => l.startsWith(`${key} `));
    if (!line) throw new Error(`no ${key} in:\n${stdout}`);
    return line.slice(key.length).trim();
  }

  async function chainNow(): Promise<number> {
    return (await node.provider.getBlock("latest"))!.timestamp;
  }

  async function advance(seconds: number): Promise<void> {
    await node.provider.send("evm_increaseTime", [seconds]);
    await node.provider.send("evm_mine", []);
  }

  function file(name: string, content: string): string {
    const p = path.join(tmp, name);
    writeFileSync(p, content);
    return p;
  }

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), "sunshine-cli-"));
    node = await startAnvil({ port: await freePort(), accounts: 20 });
    regulator = w(1);
    supplier = w(2);
    supplier2 = w(3);
    hospital = w(4);
    approver = w(5);
    receiver = w(8);
    stranger = w(11);
    const deployed = await deployLedger(new ethers.NonceManager(w(0)), { regulators: [regulator.address] });
    ledger = deployed.ledger;
    deployment = await deploymentRecord("anvil", ledger, deployed.deploymentBlock);
    deploymentFile = file("deployment.json", JSON.stringify(deployment, null, 2));

    db = await openPglite();
    const context: ChainContext = {
      provider: node.provider,
      deployment,
      chainId: deployment.chainId,
      ledger: connectLedger(deployment, node.provider),
      settler: w(12), // the relayer
    };
    const config = testConfig({
      CONFIRMATIONS: "0",
      INDEXER_POLL_MS: "100",
      AUTH_SECRET: "cli-test-secret-".padEnd(40, "x"),
      LOG_LEVEL: "error",
    });
    const logStream = { write: (line: string) => void gatewayLog.push(line) };
    app = buildApp(config, { db, logStream, ledger: { chain: context, background: true } });
    const port = await freePort();
    await app.listen({ port, host: "127.0.0.1" });
    gatewayUrl = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    await app?.close();
    await db?.close();
    await node?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  // -------------------------------------------------------------------------------------------
  // help and keys
  // -------------------------------------------------------------------------------------------

  it("--help exits 0 and lists every group and command, at every level", async () => {
    const main = ok(await cli(["--help"]));
    for (const c of [
      "supplier",
      "regulator",
      "hospital",
      "register",
      "qualify add-document",
      "bid commit",
      "bid reveal",
    ])
      expect(main).to.include(c);
    for (const c of [
      "ship",
      "trace",
      "recall",
      "attest",
      "tender open",
      "tender finalize",
      "trail",
      "verify",
    ])
      expect(main).to.include(c);
    for (const c of [
      "order place",
      "order approve",
      "order cancel",
      "receipt",
      "usage",
      "exceptions",
      "resolve",
    ])
      expect(main).to.include(c);
    expect(main).to.include("--relay").and.include("--json").and.include("Example");

    const group = ok(await cli(["hospital", "--help"]));
    expect(group)
      .to.match(/Usage: sunshine hospital <command>/)
      .and.include("order approve")
      .and.include("Example");

    const command = ok(await cli(["regulator", "tender", "open", "--help"]));
    expect(command)
      .to.include("--reserve-price")
      .and.include("--spec")
      .and.include("--rpc")
      .and.include("Examples:");
  });

  it("refuses to act without a key, naming where the key comes from", async () => {
    fails(
      await cli(["supplier", "register", "--name", "X", "--registration-id", "Y"]),
      /^error: no key: set SUNSHINE_KEY/,
    );
  });

  // -------------------------------------------------------------------------------------------
  // supplier register, qualify; regulator attest, reject, suspend, reinstate
  // -------------------------------------------------------------------------------------------

  it("supplier register: registers the key's account; a second time is the decoded revert", async () => {
    const args = ["supplier", "register", "--name", "Acme Medical", "--registration-id", "91310000X"];
    const out = ok(await as(supplier, args));
    expect(field(out, "supplier")).to.equal(supplier.address);
    expect(field(out, "status")).to.equal("active");
    expect(field(out, "tx")).to.match(/^0x[0-9a-f]{64}$/);
    expect(await ledger.registry.supplierStatus(supplier.address)).to.equal(1n);

    fails(
      await as(supplier, args),
      new RegExp(`^error: RegistrySupplierAlreadyRegistered\\(supplier=${supplier.address}\\)$`),
    );
  });

  let documentId: bigint;
  let validUntil: number;

  it("supplier qualify add-document: files the document's SHA-256 (--json); a bad --kind is a usage error", async () => {
    const doc = file("licence.pdf", "%PDF-1.7 business licence of Acme Medical");
    const run = await as(supplier, [
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
    ]);
    const out = JSON.parse(ok(run)) as Record<string, unknown>;
    expect(out.kind).to.equal("business_licence");
    expect(out.sha256).to.equal(ethers.sha256(readFileSync(doc)));
    expect(out.categories).to.deep.equal([CATEGORY]);
    documentId = BigInt(out.documentId as string);
    const onChain = await ledger.registry.document(documentId);
    expect(onChain.supplier).to.equal(supplier.address);
    expect(onChain.status).to.equal(1n); // pending
    validUntil = Number(onChain.validUntil);

    fails(
      await as(supplier, [
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
      await as(supplier, ["regulator", "attest", String(documentId)]),
      new RegExp(`^error: LedgerUnauthorized\\(account=${supplier.address}, role=REGULATOR_ROLE\\)$`),
    );
    fails(
      await cli(["regulator", "attest", "--document", String(documentId), "--keystore", keystore], {
        env: { SUNSHINE_KEYSTORE_PASSWORD: "nope" },
      }),
      /^error: --keystore .*: wrong password/,
    );
    const out = ok(
      await cli(["regulator", "attest", "--document", String(documentId), "--keystore", keystore], {
        env: { SUNSHINE_KEYSTORE_PASSWORD: "pw" },
      }),
    );
    expect(field(out, "status")).to.equal("attested");
    expect((await ledger.registry.document(documentId)).status).to.equal(2n);

    // The other two kinds, straight through the library, so the supplier qualifies for tenders.
    const now = await chainNow();
    for (const kind of [1, 2]) {
      const sha256 = ethers.sha256(ethers.toUtf8Bytes(`doc ${kind}`));
      const id = await act.fileDocument(ledger, supplier, {
        kind,
        sha256,
        validFrom: now - DAY,
        validUntil,
        categories: [act.categoryCode(CATEGORY)],
      });
      await act.sent(ledger.registry.connect(regulator).attestDocument(id));
    }
    expect(await ledger.registry.isQualified(supplier.address, act.categoryCode(CATEGORY), now)).to.equal(
      true,
    );
  });

  it("regulator reject: rejects a pending document; an unknown document is RegistryDocumentNotFound", async () => {
    await act.registerSupplier(ledger, supplier2, "Beta Devices", "91320000Y");
    const now = await chainNow();
    const id = await act.fileDocument(ledger, supplier2, {
      kind: 0,
      sha256: ethers.sha256(ethers.toUtf8Bytes("beta")),
      validFrom: now,
      validUntil: now + DAY * 365,
      categories: [act.categoryCode(CATEGORY)],
    });
    const out = ok(await as(regulator, ["regulator", "reject", "--document", String(id), "--reason", "4"]));
    expect(field(out, "status")).to.equal("rejected");
    expect((await ledger.registry.document(id)).status).to.equal(3n);
    fails(
      await as(regulator, ["regulator", "reject", "999", "--reason", "4"]),
      /^error: RegistryDocument\w+\(documentId=999/,
    );
  });

  it("regulator suspend / reinstate: change the supplier's status; as a supplier it is LedgerUnauthorized", async () => {
    fails(
      await as(supplier, ["regulator", "suspend", "--supplier", supplier2.address, "--reason", "2"]),
      /^error: LedgerUnauthorized\(account=0x[0-9a-fA-F]{40}, role=REGULATOR_ROLE\)$/,
    );
    expect(
      field(ok(await as(regulator, ["regulator", "suspend", supplier2.address, "--reason", "2"])), "status"),
    ).to.equal("suspended");
    expect(await ledger.registry.supplierStatus(supplier2.address)).to.equal(2n);
    expect(field(ok(await as(regulator, ["regulator", "reinstate", supplier2.address])), "status")).to.equal(
      "active",
    );
    expect(await ledger.registry.supplierStatus(supplier2.address)).to.equal(1n);
  });

  // -------------------------------------------------------------------------------------------
  // tenders: open, bid commit / reveal, finalize
  // -------------------------------------------------------------------------------------------

  let tenderId: bigint;
  let specTenderId: bigint;

  it("regulator tender open: from options and from a JSON spec", async () => {
    await act.enrolHospital(
      ledger,
      regulator,
      hospital,
      "General Hospital",
      [
        { member: approver, roles: act.HOSPITAL_ROLES.approver },
        { member: receiver, roles: act.HOSPITAL_ROLES.receiver },
      ],
      10_000_000n,
    );
    await act.sent(ledger.token.connect(w(0)).mint(hospital.address, 1_000_000_000n));

    const out = ok(
      await as(regulator, [
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
      ]),
    );
    tenderId = BigInt(field(out, "tenderId"));
    expect((await ledger.tenders.tenderTerms(tenderId)).reservePrice).to.equal(1_000_000n);

    const spec = file(
      "tender.json",
      JSON.stringify({
        category: CATEGORY,
        reservePrice: 500_000,
        commitDeadline: "+10d",
        revealDeadline: "+20d",
        termDays: 180,
        winners: 1,
        hospitals: [{ hospital: hospital.address, volume: 200 }],
      }),
    );
    const fromSpec = JSON.parse(
      ok(await as(regulator, ["regulator", "tender", "open", "--spec", spec, "--json"])),
    ) as Record<string, string>;
    specTenderId = BigInt(fromSpec.tenderId);
    expect(specTenderId).to.equal(tenderId + 1n);
    expect(fromSpec.termDays).to.equal("180");
    expect((await ledger.tenders.tenderTerms(specTenderId)).reservePrice).to.equal(500_000n);
  });

  it("supplier bid commit: saves the salt (0600) before committing and refuses to overwrite it", async () => {
    const out = ok(
      await as(supplier, [
        "supplier",
        "bid",
        "commit",
        "--tender",
        String(tenderId),
        "--tiers",
        "0:10000,100:9000",
      ]),
    );
    const saltFile = path.join(
      tmp,
      ".sunshine",
      "bids",
      `${deployment.chainId}-${tenderId}-${supplier.address}.json`,
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
    expect((await ledger.tenders.bid(tenderId, supplier.address)).commitment).to.equal(saved.commitment);

    fails(
      await as(supplier, ["supplier", "bid", "commit", "--tender", String(tenderId), "--tiers", "0:9000"]),
      /^error: an unrevealed bid for tender \d+ is saved in .*: reveal it, or pass --replace/,
    );
    expect(JSON.parse(readFileSync(saltFile, "utf8")).salt).to.equal(saved.salt);
  });

  it("supplier bid reveal: reveals from the salt file; without one it says so clearly", async () => {
    fails(
      await as(supplier2, ["supplier", "bid", "reveal", "--tender", String(tenderId)]),
      /^error: no saved bid for tender \d+ at .*: nothing to reveal/,
    );
    await advance(DAY + 1);
    const out = ok(await as(supplier, ["supplier", "bid", "reveal", String(tenderId)]));
    expect(field(out, "tiers")).to.equal("0:10000, 100:9000");
    expect((await ledger.tenders.bid(tenderId, supplier.address)).revealed).to.equal(true);
    const saltFile = field(out, "saltFile");
    expect(existsSync(saltFile)).to.equal(true);
    expect(JSON.parse(readFileSync(saltFile, "utf8")).status).to.equal("revealed");
  });

  let agreementId: bigint;

  it("regulator tender finalize: awards the agreement after the reveal deadline; an unknown tender is TenderNotFound", async () => {
    fails(
      await as(regulator, ["regulator", "tender", "finalize", "--tender", "99"]),
      /^error: TenderNotFound\(tenderId=99\)$/,
    );
    await advance(DAY + 1);
    const out = JSON.parse(
      ok(await as(regulator, ["regulator", "tender", "finalize", String(tenderId), "--json"])),
    ) as {
      status: string;
      agreements: string[];
      winners: string[];
    };
    expect(out.status).to.equal("awarded");
    expect(out.winners).to.deep.equal([supplier.address]);
    agreementId = BigInt(out.agreements[0]);
    expect((await ledger.tenders.agreement(agreementId)).supplier).to.equal(supplier.address);
  });

  // -------------------------------------------------------------------------------------------
  // orders
  // -------------------------------------------------------------------------------------------

  let orderId: bigint;

  it("hospital order place / approve: the approval by a non-approver is OrderNotApprover, decoded", async () => {
    const placed = ok(
      await as(hospital, [
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
    expect(field(placed, "value")).to.equal("100000");

    fails(
      await as(receiver, ["hospital", "order", "approve", String(orderId)]),
      new RegExp(`^error: OrderNotApprover\\(orderId=${orderId}, caller=${receiver.address}\\)$`),
    );
    const approved = ok(await as(approver, ["hospital", "order", "approve", "--order", String(orderId)]));
    expect(field(approved, "status")).to.equal("funded");
    expect(field(approved, "escrow")).to.equal("100000");
  });

  it("hospital order cancel: cancels an unshipped order; the supplier cannot (OrderNotHospitalStaff)", async () => {
    const id = await act.placeOrder(ledger, hospital, {
      agreementId,
      quantity: 5n,
      requestedDelivery: (await chainNow()) + 20 * DAY,
      reference: "PO-2",
    });
    fails(
      await as(supplier, ["hospital", "order", "cancel", String(id)]),
      new RegExp(`^error: OrderNotHospitalStaff\\(caller=${supplier.address}\\)$`),
    );
    expect(
      field(ok(await as(hospital, ["hospital", "order", "cancel", "--order", String(id)])), "status"),
    ).to.equal("cancelled");
    expect((await ledger.orderBook.order(id)).status).to.equal(4n);
  });

  // -------------------------------------------------------------------------------------------
  // ship, trace, recall
  // -------------------------------------------------------------------------------------------

  const serials = Array.from({ length: 6 }, (_, i) => `SN${String(i + 1).padStart(5, "0")}`);
  let shipmentId: bigint;
  let shortShipmentId: bigint;
  let expiry: string;

  it("supplier ship: builds the Merkle tree from a serials file, ships and uploads the manifest; a bad file is refused", async () => {
    expiry = new Date(((await chainNow()) + 2 * 365 * DAY) * 1000).toISOString().slice(0, 10);
    const shipArgs = [
      "supplier",
      "ship",
      "--order",
      String(orderId),
      "--gtin",
      GTIN,
      "--lot",
      LOT,
      "--expiry",
      expiry,
    ];
    fails(
      await as(supplier, [...shipArgs, "--serials", path.join(tmp, "missing.txt")]),
      /^error: --serials .*missing\.txt: no such file$/,
    );

    const list = file("serials.txt", `${serials.join("\n")}\n`);
    const out = ok(await as(supplier, [...shipArgs, "--serials", list, "--gateway", gatewayUrl]));
    shipmentId = BigInt(field(out, "shipmentId"));
    expect(field(out, "root")).to.equal(act.serialTree(serials).root);
    expect(field(out, "quantity")).to.equal("6");
    expect(field(out, "manifest")).to.equal("uploaded");
    const onChain = await ledger.trace.shipment(shipmentId);
    expect(onChain.serialRoot).to.equal(act.serialTree(serials).root);
    expect(onChain.quantity).to.equal(6n);

    // A second shipment, without a manifest, for the exception below.
    ({ shipmentId: shortShipmentId } = await act.createShipment(ledger, supplier, {
      orderId,
      gtin: GTIN,
      lot: LOT,
      expiry: Date.parse(`${expiry}T00:00:00Z`) / 1000,
      serials: ["SN00007", "SN00008", "SN00009", "SN00010"],
      notice: "DESADV-2",
    }));
  });

  it("supplier trace: records a step; a stranger is TraceStepNotAllowed", async () => {
    const out = ok(
      await as(supplier, [
        "supplier",
        "trace",
        "--shipment",
        String(shipmentId),
        "--step",
        "departing",
        "--location",
        "6901234000017",
      ]),
    );
    expect(field(out, "step")).to.equal("departing");
    fails(
      await as(stranger, [
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
        `^error: TraceStepNotAllowed\\(shipmentId=${shipmentId}, step=1, actor=${stranger.address}\\)$`,
      ),
    );
  });

  it("recall: a regulator recalls a lot; a stranger recalling an unknown lot is TraceRecallNotAllowed", async () => {
    fails(
      await as(stranger, ["supplier", "recall", "--gtin", GTIN, "--lot", "NOSUCHLOT"]),
      new RegExp(
        `^error: TraceRecallNotAllowed\\(gtin=${BigInt(GTIN)}, lot=NOSUCHLOT, caller=${stranger.address}\\)$`,
      ),
    );
    const out = ok(
      await as(regulator, ["regulator", "recall", "--gtin", GTIN, "--lot", "LOT-OTHER", "--reason", "1"]),
    );
    expect(field(out, "recalled")).to.equal("true");
    expect(await ledger.trace.isRecalled(BigInt(GTIN), "LOT-OTHER")).to.equal(true);
    expect(await ledger.trace.isRecalled(BigInt(GTIN), LOT)).to.equal(false);
  });

  // -------------------------------------------------------------------------------------------
  // gateway: receipts, exceptions, resolve, relay, trail, usage
  // -------------------------------------------------------------------------------------------

  it("hospital receipt: sends the scanned CSV and prints the match; an unknown shipment is SHIPMENT_NOT_FOUND (404)", async () => {
    const regulatorClient = new GatewayClient(gatewayUrl);
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
    const receivedAt = new Date((await chainNow()) * 1000).toISOString();
    const gw = ["--gateway", gatewayUrl];
    const out = ok(
      await as(receiver, [
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
      await as(receiver, [
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

    // Two of four units: a short delivery, held as an exception.
    const short = file("short.csv", `barcode,quantity\n(01)${GTIN}(17)${yymmdd}(10)${LOT},2\n`);
    const held = JSON.parse(
      ok(
        await as(receiver, [
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
      ),
    ) as { match: string; exceptionId: string; reasons: string[] };
    expect(held.match).to.equal("exception");
    expect(held.exceptionId).to.be.a("string");
    expect(held.reasons.join()).to.include("SHORT_DELIVERY");
  });

  let exceptionId: string;

  it("hospital exceptions: lists the open exceptions as a table", async () => {
    const out = ok(await as(receiver, ["hospital", "exceptions", "--gateway", gatewayUrl]));
    const [header, rule, row, ...rest] = out.trimEnd().split("\n");
    expect(header).to.match(/^id\s+shipment\s+order\s+receipt\s+source\s+reasons/);
    expect(rule).to.match(/^-+\s+-+/);
    expect(rest).to.deep.equal([]);
    expect(row).to.include("GR-2").and.include("SHORT_DELIVERY").and.include("open");
    exceptionId = row.split(/\s+/)[0];
  });

  it("hospital resolve: an approver accepts part; an unknown exception is EXCEPTION_NOT_FOUND (404)", async () => {
    const gw = ["--gateway", gatewayUrl];
    fails(
      await as(approver, ["hospital", "resolve", "999", "--action", "reject", "--note", "x", ...gw]),
      /^error: EXCEPTION_NOT_FOUND \(404\): /,
    );
    const out = ok(
      await as(approver, [
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
    expect(ok(await as(receiver, ["hospital", "exceptions", ...gw]))).to.equal("no open exceptions\n");
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
      gatewayUrl,
    ];
    const out = ok(await as(gasless, args));
    expect(field(out, "supplier")).to.equal(gasless.address);
    expect(field(out, "relayed")).to.equal("true");
    const receipt = await node.provider.getTransactionReceipt(field(out, "tx"));
    expect(receipt!.to).to.equal(deployment.contracts.forwarder);
    expect(receipt!.from).to.equal(w(12).address);
    expect(await ledger.registry.supplierStatus(gasless.address)).to.equal(1n);
    expect(await node.provider.getBalance(gasless.address)).to.equal(0n);

    fails(
      await as(gasless, args),
      new RegExp(`^error: RegistrySupplierAlreadyRegistered\\(supplier=${gasless.address}\\)$`),
    );
  });

  it("regulator trail / verify: print the lot's trail and its verification against the chain", async () => {
    const lot = ["--gtin", GTIN, "--lot", LOT, "--gateway", gatewayUrl];
    expect(ok(await as(regulator, ["regulator", "trail", ...lot]))).to.match(/shipment/);
    expect(ok(await as(regulator, ["regulator", "verify", ...lot]))).to.match(/verified/i);
    fails(
      await as(regulator, [
        "regulator",
        "trail",
        "--gtin",
        GTIN,
        "--lot",
        "NO-SUCH-LOT",
        "--gateway",
        gatewayUrl,
      ]),
      /^error: [A-Z_]+ \(404\): /,
    );
  });

  it("hospital usage: posts each CSV row; a missing file is a clear error", async () => {
    const usages = file(
      "usages.csv",
      [
        "usageId,barcode,department,patientRef,usedAt,billingCode,billedAmount",
        `U-1,(01)${GTIN}(17)${expiry.slice(2).replaceAll("-", "")}(10)${LOT}(21)SN00001,Cardiology,P-123,${new Date().toISOString()},C0401,1250000`,
      ].join("\n"),
    );
    const run = await as(receiver, ["hospital", "usage", "--file", usages, "--gateway", gatewayUrl]);
    expect(ok(run)).to.match(/U-1\s+recorded/);
    fails(
      await as(receiver, [
        "hospital",
        "usage",
        "--file",
        path.join(tmp, "nope.csv"),
        "--gateway",
        gatewayUrl,
      ]),
      /^error: --file .*nope\.csv: no such file$/,
    );
  });
});
