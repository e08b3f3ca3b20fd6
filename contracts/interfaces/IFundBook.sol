// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IFundBook
/// @notice The medical-insurance fund's money on the ledger. The rules:
/// - A payer (an account a regulator granted `PAYER_ROLE` in `LedgerRoles`) covers a tender once:
///   the share of each hospital's committed value it may prepay (basis points) and whether the
///   tender's agreements are settled directly by the fund.
/// - Prepayment: during an agreement's term the payer pays in up to that share of the value of a
///   hospital's committed volume (at the agreement's current tier price) for that hospital and
///   agreement. Direct settlement: the payer also deposits escrow for a hospital under a direct
///   agreement, without a cap.
/// - When the order book funds a hospital's order under the agreement it draws from the
///   prepayment first, then (direct agreements) from the escrow; the hospital pays the rest. A
///   consigned order (paid on use, refundable on return) draws nothing.
///   What an order drew is the fund's share of its escrow: settlements spend it first, and every
///   refund of the order (cancellation, late penalty, unused escrow at closing) goes back to the
///   account it came from before anything goes to the hospital.
/// - The rule at term end: once the agreement's term has ended anyone may return an account's
///   undrawn balance to the payer (`returnUndrawn`), as often as refunds arrive. Nothing is
///   offset on chain: what the fund paid suppliers for a hospital is deducted from that
///   hospital's reimbursement off chain, from the `SettlementFundPaid` events.
/// - Conservation: every unit paid in is held, drawn for a named order, or returned:
///   `totalPaidIn == totalDrawn + totalReturned + token balance`.
interface IFundBook {
    /// @notice The order book was bound; from now on only it draws and restores.
    event FundOrderBookBound(address orderBook);

    /// @notice A payer covered a tender.
    /// @param tenderId The tender whose agreements the cover applies to.
    /// @param payer The fund's account.
    /// @param prepayShareBps The share of each hospital's committed value it may prepay.
    /// @param direct True if the fund settles the tender's agreements directly.
    event FundCoverSet(uint256 indexed tenderId, address indexed payer, uint16 prepayShareBps, bool direct);

    /// @notice The payer paid into a hospital's account under an agreement.
    /// @param agreementId The agreement.
    /// @param hospital The hospital the money is earmarked for.
    /// @param payer The fund's account.
    /// @param amount What was paid in.
    /// @param direct False for a prepayment, true for direct-settlement escrow.
    /// @param prepaidIn Prepayments paid in so far (the cap counts these).
    /// @param cap The prepayment cap: the cover's share of the committed value.
    event FundPaidIn(
        uint256 indexed agreementId,
        address indexed hospital,
        address indexed payer,
        uint128 amount,
        bool direct,
        uint128 prepaidIn,
        uint128 cap
    );

    /// @notice An order's funding drew from the fund.
    /// @param orderId The order.
    /// @param agreementId Its agreement.
    /// @param hospital Its hospital.
    /// @param fromPrepayment Drawn from the prepayment.
    /// @param fromEscrow Drawn from the direct-settlement escrow.
    /// @param orderValue The order's value; the hospital paid `orderValue - fromPrepayment - fromEscrow`.
    event FundDrawn(
        uint256 indexed orderId,
        uint256 indexed agreementId,
        address indexed hospital,
        uint128 fromPrepayment,
        uint128 fromEscrow,
        uint128 orderValue
    );

    /// @notice A refund of an order went back to the fund's account it was drawn from.
    event FundRestored(
        uint256 indexed orderId,
        uint256 indexed agreementId,
        address indexed hospital,
        uint128 toPrepayment,
        uint128 toEscrow
    );

    /// @notice An account's undrawn balance went back to the payer after the term.
    event FundReturned(
        uint256 indexed agreementId,
        address indexed hospital,
        address indexed payer,
        uint128 prepayment,
        uint128 escrow
    );

    /// @notice The order book is already bound.
    error FundOrderBookAlreadyBound(address orderBook);
    /// @notice Binding to the zero address.
    error FundZeroOrderBook();
    /// @notice Binding to an order book that draws on another fund book.
    /// @param orderBook The order book named.
    /// @param itsFund The fund book it draws on.
    error FundOrderBookMismatch(address orderBook, address itsFund);
    /// @notice Only the order book draws and restores.
    error FundCallerNotOrderBook(address caller);
    /// @notice The tender is already covered (by `payer`).
    error FundCoverAlreadySet(uint256 tenderId, address payer);
    /// @notice A share above 100 %.
    error FundShareTooHigh(uint16 prepayShareBps);
    /// @notice The caller is not the payer covering the agreement's tender (none if zero).
    error FundNotCoverPayer(uint256 agreementId, uint256 tenderId, address caller, address payer);
    /// @notice Direct-settlement escrow for an agreement whose tender is not settled directly.
    error FundNotDirect(uint256 agreementId, uint256 tenderId);
    /// @notice Paying in nothing.
    error FundZeroAmount();
    /// @notice The agreement's term has ended: nothing more is paid in.
    error FundTermEnded(uint256 agreementId, uint64 end, uint256 now);
    /// @notice The agreement's term has not ended: nothing is returned yet.
    error FundTermNotEnded(uint256 agreementId, uint64 end, uint256 now);
    /// @notice The hospital has no committed volume under the agreement.
    error FundHospitalNotParty(uint256 agreementId, address hospital);
    /// @notice A prepayment past the cover's share of the committed value.
    error FundPrepaymentAboveCap(uint256 agreementId, address hospital, uint256 amount, uint256 room);
    /// @notice Nothing to return.
    error FundNothingToReturn(uint256 agreementId, address hospital);
    /// @notice The token delivered a different amount than was sent.
    error FundTokenTransferMismatch(uint256 expected, uint256 received);
    /// @notice A restore larger than what the order drew and has not restored.
    error FundRestoreExceedsDrawn(uint256 orderId, uint256 amount, uint256 drawn);

    /// @notice Binds the order book, once. Requirements: DEFAULT_ADMIN_ROLE; an order book whose
    /// fund book is this one (`FundOrderBookMismatch`).
    function bindOrderBook(address orderBook_) external;

    /// @notice Covers a tender, once. Requirements: PAYER_ROLE; the tender exists
    /// (`ITenderHouse.TenderNotFound`). Emits `FundCoverSet`.
    function setCover(uint256 tenderId, uint16 prepayShareBps, bool direct) external;

    /// @notice Prepays `amount` for `hospital` under `agreementId`, taken from the caller (which
    /// must have approved this contract). Requirements: PAYER_ROLE and the cover's payer; in the
    /// term; the hospital a party; at most the cover's share of the committed value in all.
    /// Tells the order book (`IOrderBook.noteFundPaidIn`), whose fundings then draw on it.
    function prepay(uint256 agreementId, address hospital, uint128 amount) external;

    /// @notice Deposits direct-settlement escrow for `hospital` under a direct agreement.
    /// Requirements as `prepay`, without the cap.
    function depositEscrow(uint256 agreementId, address hospital, uint128 amount) external;

    /// @notice After the agreement's term, returns the account's undrawn balance to the payer.
    /// Anyone may call it; it is never paused (it only gives back). Emits `FundReturned`.
    function returnUndrawn(uint256 agreementId, address hospital) external;

    /// @notice Called by the order book when it funds an order that is not consigned, of a
    /// hospital the fund has paid in for under the agreement: moves up to `value` from the
    /// hospital's account to the order book and returns how much it moved.
    function draw(
        uint256 orderId,
        uint256 agreementId,
        address hospital,
        uint256 value
    ) external returns (uint128);

    /// @notice Called by the order book after it sent back `amount` of the order's fund share.
    function restore(uint256 orderId, uint256 agreementId, address hospital, uint128 amount) external;
}
