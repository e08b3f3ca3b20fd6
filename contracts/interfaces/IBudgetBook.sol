// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AdjustmentStatus, Budget, BudgetAdjustment} from "../types/LedgerTypes.sol";

/// @title IBudgetBook
/// @notice Hospitals' budgets per product category and fiscal period, and what funded orders
/// charged to them. A hospital (its own account) sets a budget once; every later change is an
/// adjustment that one of its approvers proposes and a different one confirms. The order book
/// charges an order's escrow to the budget of (its hospital, its agreement's category, the
/// period of the moment it is funded) and refuses funding past the remaining budget; every
/// refund from the order goes back to that same budget. A category for which the hospital set
/// no budget in that period is not budget-controlled: its orders are funded as before and
/// charge nothing. The fiscal period is the calendar year in the ledger's local time (a UTC
/// offset fixed at deployment, see `FiscalYear`).
interface IBudgetBook {
    /// @notice The order book was bound; from now on only it charges and releases budgets.
    /// @param orderBook The order book.
    event OrderBookBound(address orderBook);

    /// @notice A hospital set its budget for a category and period.
    /// @param hospital The hospital.
    /// @param category The product category.
    /// @param period The fiscal period (calendar year).
    /// @param amount The budget, in settlement token base units.
    event BudgetSet(
        address indexed hospital,
        bytes32 indexed category,
        uint16 indexed period,
        uint256 amount
    );

    /// @notice An approver proposed a change to a budget; it applies when another approver of
    /// the same hospital confirms it.
    /// @param adjustmentId The new proposal.
    /// @param hospital The hospital.
    /// @param category The product category.
    /// @param period The fiscal period.
    /// @param delta The change to the budget's amount (negative: a cut).
    /// @param reasonCode The proposer's reason, from the off-chain catalogue of reason codes.
    /// @param proposer The approver who proposed it.
    event BudgetAdjustmentProposed(
        uint256 indexed adjustmentId,
        address indexed hospital,
        bytes32 indexed category,
        uint16 period,
        int128 delta,
        uint16 reasonCode,
        address proposer
    );

    /// @notice A second approver confirmed an adjustment and the budget changed.
    /// @param adjustmentId The proposal.
    /// @param hospital The hospital.
    /// @param category The product category.
    /// @param period The fiscal period.
    /// @param delta The change applied.
    /// @param newAmount The budget's amount now.
    /// @param reasonCode The proposer's reason code.
    /// @param proposer The approver who proposed it.
    /// @param confirmer The approver who confirmed it.
    event BudgetAdjusted(
        uint256 indexed adjustmentId,
        address indexed hospital,
        bytes32 indexed category,
        uint16 period,
        int128 delta,
        uint256 newAmount,
        uint16 reasonCode,
        address proposer,
        address confirmer
    );

    /// @notice A proposal was withdrawn (by its proposer) or declined (by another approver).
    /// @param adjustmentId The proposal.
    /// @param hospital The hospital.
    /// @param by Who withdrew it.
    event BudgetAdjustmentWithdrawn(uint256 indexed adjustmentId, address indexed hospital, address by);

    /// @notice Funding an order charged its escrow to a budget.
    /// @param orderId The order.
    /// @param hospital The hospital.
    /// @param category The agreement's category.
    /// @param period The fiscal period of the funding.
    /// @param amount The escrow charged.
    /// @param spent The budget's spent amount now.
    event BudgetCharged(
        uint256 indexed orderId,
        address indexed hospital,
        bytes32 indexed category,
        uint16 period,
        uint256 amount,
        uint256 spent
    );

    /// @notice Escrow refunded to the hospital from a charged order went back to its budget.
    /// @param orderId The order.
    /// @param hospital The hospital.
    /// @param category The agreement's category.
    /// @param period The period the order was charged to (not necessarily the current one).
    /// @param amount The value returned.
    /// @param spent The budget's spent amount now.
    event BudgetReturned(
        uint256 indexed orderId,
        address indexed hospital,
        bytes32 indexed category,
        uint16 period,
        uint256 amount,
        uint256 spent
    );

    /// @notice The UTC offset is outside −12 h … +14 h.
    /// @param utcOffset The offset given, in seconds.
    error BudgetUtcOffsetInvalid(int32 utcOffset);
    /// @notice The order book is bound already.
    /// @param orderBook The bound order book.
    error BudgetOrderBookAlreadyBound(address orderBook);
    /// @notice Binding the zero address.
    error BudgetZeroOrderBook();
    /// @notice Only the order book charges and releases budgets.
    /// @param caller The caller.
    error BudgetCallerNotOrderBook(address caller);
    /// @notice The caller is not an enrolled hospital (only a hospital's own account sets its
    /// budgets).
    /// @param account The caller.
    error BudgetNotHospital(address account);
    /// @notice The budget is set already; change it by an adjustment.
    /// @param hospital The hospital.
    /// @param category The category.
    /// @param period The period.
    /// @param amount Its amount now.
    error BudgetAlreadySet(address hospital, bytes32 category, uint16 period, uint256 amount);
    /// @notice A budget for a period that has ended.
    /// @param period The period given.
    /// @param currentPeriod The period now.
    error BudgetPeriodPast(uint16 period, uint16 currentPeriod);
    /// @notice An amount above what a budget holds (2^120 − 1 base units).
    /// @param amount The amount.
    /// @param max The largest budget.
    error BudgetAmountTooLarge(uint256 amount, uint256 max);
    /// @notice The hospital has no budget for the category and period.
    /// @param hospital The hospital.
    /// @param category The category.
    /// @param period The period.
    error BudgetNotSet(address hospital, bytes32 category, uint16 period);
    /// @notice The account is not an approver of the hospital.
    /// @param hospital The hospital (the zero address if the account belongs to none).
    /// @param account The account.
    error BudgetNotApprover(address hospital, address account);
    /// @notice An adjustment of zero.
    error BudgetZeroAdjustment();
    /// @notice The adjustment would take the budget below what is already spent.
    /// @param hospital The hospital.
    /// @param category The category.
    /// @param period The period.
    /// @param newAmount The amount the adjustment would leave (may be negative).
    /// @param spent What is spent.
    error BudgetBelowSpent(
        address hospital,
        bytes32 category,
        uint16 period,
        int256 newAmount,
        uint256 spent
    );
    /// @notice No adjustment has this id.
    /// @param adjustmentId The id given.
    error BudgetAdjustmentNotFound(uint256 adjustmentId);
    /// @notice The adjustment was applied or withdrawn already.
    /// @param adjustmentId The adjustment.
    /// @param status Its status.
    error BudgetAdjustmentNotPending(uint256 adjustmentId, AdjustmentStatus status);
    /// @notice The proposer cannot confirm its own adjustment.
    /// @param adjustmentId The adjustment.
    /// @param approver The proposer.
    error BudgetSelfConfirmation(uint256 adjustmentId, address approver);
    /// @notice The proposer is no longer an approver of the hospital, so its proposal lapsed.
    /// @param adjustmentId The adjustment.
    /// @param proposer The proposer.
    error BudgetProposerNotApprover(uint256 adjustmentId, address proposer);
    /// @notice Funding the order would take the budget past its amount.
    /// @param hospital The hospital.
    /// @param category The category.
    /// @param period The period.
    /// @param value The order's escrow.
    /// @param remaining The budget's amount less what is spent.
    error BudgetExceeded(address hospital, bytes32 category, uint16 period, uint256 value, uint256 remaining);

    /// @notice Binds the order book, once. Requirements: admin. Emits {OrderBookBound}.
    function bindOrderBook(address orderBook) external;

    /// @notice The caller (an enrolled hospital's own account) sets its budget for `category` in
    /// fiscal `period`. Set once: every later change is an adjustment by two approvers.
    /// @dev Requirements:
    /// - not paused;
    /// - the caller is an enrolled hospital;
    /// - `period` is the current period or a later one;
    /// - `amount` fits in 120 bits;
    /// - the budget is not set yet.
    ///
    /// Emits {BudgetSet}.
    function setBudget(bytes32 category, uint16 period, uint256 amount) external;

    /// @notice An approver proposes changing its hospital's budget for `category` in `period`
    /// by `delta`; nothing changes until another approver confirms.
    /// @dev Requirements:
    /// - not paused;
    /// - the caller is an approver of a hospital, which has set this budget;
    /// - `delta` is not zero;
    /// - the new amount fits in 120 bits and is not below what is spent now.
    ///
    /// Emits {BudgetAdjustmentProposed}.
    function proposeAdjustment(
        bytes32 category,
        uint16 period,
        int128 delta,
        uint16 reasonCode
    ) external returns (uint256 adjustmentId);

    /// @notice A second approver confirms a proposal, which applies it.
    /// @dev Requirements:
    /// - not paused;
    /// - the proposal exists and is pending;
    /// - the caller is an approver of its hospital and not its proposer;
    /// - the proposer is still an approver of the hospital;
    /// - the new amount is not below what is spent now (spending may have grown since).
    ///
    /// Emits {BudgetAdjusted}.
    function confirmAdjustment(uint256 adjustmentId) external;

    /// @notice Withdraws a pending proposal: its proposer, or another approver of its hospital
    /// declining it. Allowed while paused: it only takes a proposal away.
    /// @dev Requirements: the proposal is pending; the caller is its proposer or an approver of
    /// its hospital. Emits {BudgetAdjustmentWithdrawn}.
    function withdrawAdjustment(uint256 adjustmentId) external;

    /// @notice Charges `amount` (an order's escrow) to `hospital`'s budget for `category` in the
    /// current period and returns that period, or returns 0 and changes nothing if the hospital
    /// set no such budget (the category is not budget-controlled).
    /// @dev Requirements, when the budget exists: the caller is the order book; not paused;
    /// `amount` is at most the remaining budget. Emits {BudgetCharged}.
    function charge(
        uint256 orderId,
        address hospital,
        bytes32 category,
        uint256 amount
    ) external returns (uint16 period);

    /// @notice Gives `amount` refunded from an order back to the budget it was charged to.
    /// Never paused: refunds of cancellations happen while the ledger is paused.
    /// @dev Requirements: the caller is the order book. Emits {BudgetReturned}.
    function release(
        uint256 orderId,
        address hospital,
        bytes32 category,
        uint16 period,
        uint256 amount
    ) external;

    /// @notice The budget of `hospital` for `category` in `period` (all zero if not set).
    function budget(address hospital, bytes32 category, uint16 period) external view returns (Budget memory);

    /// @notice The budget's amount less what is spent; 0 if not set.
    function remaining(address hospital, bytes32 category, uint16 period) external view returns (uint256);

    /// @notice A proposal and its status (all zero if none has this id).
    function adjustment(uint256 adjustmentId) external view returns (BudgetAdjustment memory);

    /// @notice Proposals made so far; ids run from 1.
    function adjustmentCount() external view returns (uint256);

    /// @notice The fiscal period (calendar year in local time) of the current block.
    function currentPeriod() external view returns (uint16);

    /// @notice The fiscal period of `timestamp` (Unix seconds).
    function periodOf(uint256 timestamp) external view returns (uint16);

    /// @notice Seconds local time is ahead of UTC (negative: behind), fixed at deployment.
    function utcOffset() external view returns (int32);

    /// @notice The order book that charges budgets (zero until bound).
    function orderBook() external view returns (address);
}
