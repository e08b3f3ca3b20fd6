import { useQuery } from "@tanstack/react-query";
import { Alert, Button, Card, Descriptions, Space, Typography } from "antd";
import { useState } from "react";
import { Link } from "react-router-dom";
import type { Allowances, PreparedRelay } from "../../../../api/relay";
import type { Bid, Tender, TenderSummary, Tier } from "../../../../api/tenders";
import { TenderHouse__factory } from "../../../../typechain-types";
import { ActButton } from "../../components/ActButton";
import { ErrorAlert } from "../../components/ErrorAlert";
import { QueryState } from "../../components/QueryState";
import { errorText } from "../../i18n/error-text";
import { useI18n } from "../../i18n/i18n";
import { api, ApiError } from "../../lib/api";
import { useSession } from "../../lib/session";
import { useFormat } from "../../lib/use-format";
import { downloadJson } from "./download";
import { Hex } from "../../components/Hex";
import { fenFromYuan } from "./money";
import { scheduleDefect, type ScheduleDefect } from "./schedule";
import { keepBid, keptBid } from "./kept-bids";
import {
  bidFileName,
  BidFileError,
  bidFileProblem,
  readBidFile,
  sealBid,
  type SealedBid,
} from "./sealed-bid";
import { TierEditor, type TierRow } from "./TierEditor";
import { TierList } from "./TierList";
import { useMe } from "./use-me";
import { usePermit } from "../allowance/use-permit";

const tenders = TenderHouse__factory.createInterface();
const MAX_TIERS = 8;

/** The supplier's bid on one tender: where it stands, sealing and committing one, revealing it. */
export function BidPanel({ tender }: { tender: TenderSummary }) {
  const { t } = useI18n();
  const me = useMe();
  const detail = useQuery({
    queryKey: [`/v1/tenders/${tender.id}`],
    queryFn: () => api.get<Tender>(`/v1/tenders/${tender.id}`),
  });
  return (
    <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t("supplier.bid.title", { id: tender.id })}</h2>}>
      <QueryState query={detail}>
        {(d) => {
          const mine = d.bids.find((b) => b.bidder.toLowerCase() === me.toLowerCase());
          return (
            <Space orientation="vertical" size="large" style={{ width: "100%" }}>
              <MyBid bid={mine} />
              {d.status === "open" && mine && !mine.revealed && <RevealBid tender={d} bid={mine} />}
              {d.status === "open" && !mine?.revealed && (
                <CommitBid tender={d} replacing={mine !== undefined} />
              )}
            </Space>
          );
        }}
      </QueryState>
    </Card>
  );
}

function MyBid({ bid }: { bid: Bid | undefined }) {
  const { t } = useI18n();
  const { yuan, dateTime } = useFormat();
  if (!bid) return <Typography.Paragraph>{t("supplier.bid.none")}</Typography.Paragraph>;
  return (
    <Descriptions
      size="small"
      column={1}
      bordered
      title={t("supplier.bid.mine")}
      items={[
        { key: "c", label: t("supplier.bid.commitment"), children: <Hex value={bid.commitment} /> },
        { key: "at", label: t("supplier.bid.committedAt"), children: dateTime(bid.committedAt) },
        {
          key: "bond",
          label: t("supplier.tender.bond"),
          children: `${yuan(bid.bond)} — ${bid.bondReturned ? t("supplier.bid.bondReturned") : t("supplier.bid.bondHeld")}`,
        },
        {
          key: "state",
          label: t("common.status"),
          children: (
            <span data-testid="bid-state">
              {bid.won
                ? t("supplier.bid.won")
                : bid.revealed
                  ? t("supplier.bid.revealed")
                  : t("supplier.bid.committed")}
            </span>
          ),
        },
        ...(bid.tiers
          ? [{ key: "tiers", label: t("supplier.bid.tiers"), children: <TierList tiers={bid.tiers} /> }]
          : []),
      ]}
    />
  );
}

/** Why typed tiers are not a schedule the ledger would take: a tier not read, or a defect. */
type Problem = { tier: number } | { defect: ScheduleDefect };

/** Tiers as typed → the schedule in units and fen, or the reason it is not one. */
function parseRows(rows: TierRow[], reservePrice: string): { tiers: Tier[] } | { problem: Problem } {
  const tiers: Tier[] = [];
  for (const [i, row] of rows.entries()) {
    const fen = fenFromYuan(row.price);
    if (!/^\d+$/.test(row.threshold.trim()) || fen === null) return { problem: { tier: i + 1 } };
    tiers.push({ threshold: String(BigInt(row.threshold.trim())), unitPrice: fen.toString() });
  }
  const defect = scheduleDefect(tiers, reservePrice);
  return defect ? { problem: { defect } } : { tiers };
}

function CommitBid({ tender, replacing }: { tender: Tender; replacing: boolean }) {
  const { t } = useI18n();
  const { yuan } = useFormat();
  const { config } = useSession();
  const me = useMe();
  const [rows, setRows] = useState<TierRow[]>([{ threshold: "0", price: "" }]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [sealed, setSealed] = useState<SealedBid | null>(null);
  const [saved, setSaved] = useState(false);
  const tenderHouse = config?.contracts.tenders ?? "";
  const commitCall = sealed
    ? { to: tenderHouse, data: tenders.encodeFunctionData("commitBid", [tender.id, sealed.commitment]) }
    : null;
  // The ledger's answer before anything is signed: a missing bond allowance shows here.
  const preflight = useQuery({
    queryKey: ["supplier-commit-preflight", sealed?.commitment],
    queryFn: () => api.post<PreparedRelay>("/v1/relay/prepare", commitCall),
    enabled: commitCall !== null,
    retry: false,
    staleTime: 0,
  });

  function seal() {
    if (!config) return;
    const parsed = parseRows(rows, tender.reservePrice);
    if ("problem" in parsed) {
      setProblem(parsed.problem);
      return;
    }
    setProblem(null);
    const bid = sealBid({ chainId: config.chainId, tenderHouse }, tender.id, me, parsed.tiers);
    keepBid(bid);
    setSealed(bid);
    setSaved(false);
  }

  return (
    <section aria-labelledby="supplier-commit">
      <Typography.Title level={3} id="supplier-commit" style={{ fontSize: 16 }}>
        {replacing ? t("supplier.bid.replaceTitle") : t("supplier.bid.commitTitle")}
      </Typography.Title>
      <Space orientation="vertical" style={{ width: "100%" }}>
        <Typography.Text>
          {t("supplier.bid.rules", { reserve: yuan(tender.reservePrice), max: MAX_TIERS })}
        </Typography.Text>
        {!replacing && (
          <Alert
            type="info"
            showIcon
            title={t("supplier.bid.bondTitle", { bond: yuan(tender.bidBond) })}
            description={
              <>
                <span style={{ wordBreak: "break-all" }}>
                  {t("supplier.bid.bondText", { tenderHouse, token: config?.contracts.token ?? "" })}
                </span>{" "}
                <Link to="/allowances">{t("supplier.bid.allowancesLink")}</Link>
              </>
            }
          />
        )}
        <TierEditor
          rows={rows}
          max={MAX_TIERS}
          onChange={(next) => {
            setRows(next);
            setSealed(null);
          }}
        />
        {problem && (
          <Alert
            type="error"
            role="alert"
            showIcon
            title={
              "tier" in problem
                ? t("supplier.bid.tierUnread", { n: problem.tier })
                : t("supplier.bid.invalid", { problem: t(`supplier.bid.defect.${problem.defect}`) })
            }
          />
        )}
        <Button onClick={seal}>{t("supplier.bid.seal")}</Button>
        {sealed && (
          <Space orientation="vertical" style={{ width: "100%" }}>
            <Alert
              type="warning"
              showIcon
              title={t("supplier.bid.keepTitle")}
              description={t("supplier.bid.keepText")}
              action={
                <Button
                  onClick={() => {
                    downloadJson(bidFileName(sealed), sealed);
                    setSaved(true);
                  }}
                >
                  {t("supplier.bid.download")}
                </Button>
              }
            />
            {preflight.error ? (
              <>
                <Typography.Text strong>{t("supplier.bid.wouldRefuse")}</Typography.Text>
                <ErrorAlert error={preflight.error} />
                {preflight.error instanceof ApiError &&
                  preflight.error.details?.error === "ERC20InsufficientAllowance" && (
                    <AllowBond
                      tenderHouse={tenderHouse}
                      bond={tender.bidBond}
                      onDone={() => preflight.refetch()}
                    />
                  )}
                <Button onClick={() => preflight.refetch()} loading={preflight.isFetching}>
                  {t("supplier.bid.checkAgain")}
                </Button>
              </>
            ) : null}
            <ActButton
              type="primary"
              disabled={!saved || !commitCall}
              call={() => commitCall!}
              onDone={() => setSealed(null)}
            >
              {t("supplier.bid.commit")}
            </ActButton>
            {!saved && <Typography.Text type="secondary">{t("supplier.bid.downloadFirst")}</Typography.Text>}
          </Space>
        )}
      </Space>
    </section>
  );
}

/**
 * The bond's allowance given in place, by a permit the gateway relays (no gas): the tender
 * house's current allowance plus this bond, as a permit sets the allowance rather than adding.
 */
function AllowBond(props: { tenderHouse: string; bond: string; onDone: () => void }) {
  const { t } = useI18n();
  const { yuan } = useFormat();
  const { permit, busy, error } = usePermit();

  async function allow() {
    const allowed = await permit(props.tenderHouse, async () => {
      const mine = await api.get<Allowances>("/v1/relay/allowances");
      const current = mine.spenders.find((s) => s.spender === "tenders")!.allowance;
      return BigInt(current) + BigInt(props.bond);
    });
    if (allowed) props.onDone();
  }

  return (
    <>
      <Button type="primary" loading={busy} onClick={allow}>
        {t("supplier.bid.allowBond", { bond: yuan(props.bond) })}
      </Button>
      {error !== null && <ErrorAlert error={error} />}
    </>
  );
}

function RevealBid({ tender, bid }: { tender: Tender; bid: Bid }) {
  const { t, lang } = useI18n();
  const { config } = useSession();
  const me = useMe();
  const tenderHouse = config?.contracts.tenders ?? "";
  const kept = config
    ? keptBid({ chainId: config.chainId, tenderHouse, tenderId: tender.id, bidder: me }, bid.commitment)
    : null;
  const [uploaded, setUploaded] = useState<SealedBid | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const source = uploaded ?? kept;
  const matches = source !== null && source.commitment.toLowerCase() === bid.commitment.toLowerCase();

  return (
    <section aria-labelledby="supplier-reveal">
      <Typography.Title level={3} id="supplier-reveal" style={{ fontSize: 16 }}>
        {t("supplier.bid.revealTitle")}
      </Typography.Title>
      <Space orientation="vertical" style={{ width: "100%" }}>
        <Typography.Text>{t("supplier.bid.revealWhen")}</Typography.Text>
        {source ? (
          <>
            <Typography.Text>
              {uploaded ? t("supplier.bid.fromFile") : t("supplier.bid.fromBrowser")}
            </Typography.Text>
            <TierList tiers={source.tiers} />
          </>
        ) : (
          <Alert type="warning" showIcon title={t("supplier.bid.noSalt")} />
        )}
        {source && !matches && (
          <Alert type="error" role="alert" showIcon title={t("supplier.bid.otherCommitment")} />
        )}
        <label htmlFor="supplier-bid-file">{t("supplier.bid.upload")}</label>
        <input
          id="supplier-bid-file"
          type="file"
          accept="application/json,.json"
          onChange={async (e) => {
            const file = e.target.files?.[0];
            if (!file) return;
            try {
              setUploaded(readBidFile(await file.text(), { tenderId: tender.id, bidder: me }));
              setFileError(null);
            } catch (error) {
              setUploaded(null);
              setFileError(
                error instanceof BidFileError ? bidFileProblem(error, t) : errorText(error, lang, t).title,
              );
            }
          }}
        />
        {fileError && (
          <Alert
            type="error"
            role="alert"
            showIcon
            title={t("supplier.bid.badFile", { reason: fileError })}
          />
        )}
        <ActButton
          type="primary"
          disabled={!source || !matches}
          call={() => ({
            to: tenderHouse,
            data: tenders.encodeFunctionData("revealBid", [tender.id, source!.tiers, source!.salt]),
          })}
        >
          {t("supplier.bid.reveal")}
        </ActButton>
      </Space>
    </section>
  );
}
