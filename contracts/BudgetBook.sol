// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {LedgerBase} from "./access/LedgerBase.sol";
import {IBudgetBook} from "./interfaces/IBudgetBook.sol";
import {IHospitalRegistry} from "./interfaces/IHospitalRegistry.sol";
import {FiscalYear} from "./libraries/FiscalYear.sol";
import {HospitalRoles} from "./libraries/HospitalRoles.sol";
import {AdjustmentStatus, Budget, BudgetAdjustment} from "./types/LedgerTypes.sol";

/// @title BudgetBook
/// @notice Hospitals' budgets per category and fiscal period; see `IBudgetBook` for the rules.
/// Invariant: for every budget, `spent` = Σ charged − Σ returned over the orders charged to it,
/// and `spent` ≤ `amount`.
/// @dev A budget is one slot, so funding a budget-controlled order costs one read and one write
/// here; an order of an uncontrolled category costs one read.
contract BudgetBook is IBudgetBook, LedgerBase {
    uint256 internal constant _MAX_AMOUNT = type(uint120).max;
    int32 internal constant _MIN_UTC_OFFSET = -12 hours;
    int32 internal constant _MAX_UTC_OFFSET = 14 hours;

    IHospitalRegistry public immutable hospitals;
    /// @inheritdoc IBudgetBook
    int32 public immutable utcOffset;
    /// @inheritdoc IBudgetBook
    address public orderBook;
    /// @inheritdoc IBudgetBook
    uint256 public adjustmentCount;

    mapping(address hospital => mapping(bytes32 category => mapping(uint16 period => Budget)))
        internal _budgets;
    mapping(uint256 adjustmentId => BudgetAdjustment) internal _adjustments;

    constructor(
        IAccessControl roles_,
        address forwarder,
        IHospitalRegistry hospitals_,
        int32 utcOffset_
    ) LedgerBase(roles_, forwarder) {
        if (utcOffset_ < _MIN_UTC_OFFSET || utcOffset_ > _MAX_UTC_OFFSET)
            revert BudgetUtcOffsetInvalid(utcOffset_);
        hospitals = hospitals_;
        utcOffset = utcOffset_;
    }

    /// @inheritdoc IBudgetBook
    function bindOrderBook(address orderBook_) external onlyRole(_ADMIN_ROLE) {
        if (orderBook != address(0)) revert BudgetOrderBookAlreadyBound(orderBook);
        if (orderBook_ == address(0)) revert BudgetZeroOrderBook();
        orderBook = orderBook_;
        emit OrderBookBound(orderBook_);
    }

    /// @inheritdoc IBudgetBook
    function setBudget(bytes32 category, uint16 period, uint256 amount) external whenNotPaused {
        address hospital = _msgSender();
        if (!hospitals.isEnrolled(hospital)) revert BudgetNotHospital(hospital);
        uint16 current = currentPeriod();
        if (period < current) revert BudgetPeriodPast(period, current);
        if (amount > _MAX_AMOUNT) revert BudgetAmountTooLarge(amount, _MAX_AMOUNT);
        Budget storage b = _budgets[hospital][category][period];
        if (b.set) revert BudgetAlreadySet(hospital, category, period, b.amount);
        b.amount = uint120(amount);
        b.set = true;
        emit BudgetSet(hospital, category, period, amount);
    }

    /// @inheritdoc IBudgetBook
    function proposeAdjustment(
        bytes32 category,
        uint16 period,
        int128 delta,
        uint16 reasonCode
    ) external whenNotPaused returns (uint256 adjustmentId) {
        address proposer = _msgSender();
        address hospital = hospitals.hospitalOf(proposer);
        _requireApprover(hospital, proposer);
        if (delta == 0) revert BudgetZeroAdjustment();
        // Checked now so that a proposal nobody could confirm is never recorded; checked again
        // on confirmation, as spending may have grown in between.
        _adjusted(hospital, category, period, delta);
        adjustmentId = ++adjustmentCount;
        _adjustments[adjustmentId] = BudgetAdjustment({
            hospital: hospital,
            period: period,
            reasonCode: reasonCode,
            status: AdjustmentStatus.Proposed,
            category: category,
            proposer: proposer,
            delta: delta
        });
        emit BudgetAdjustmentProposed(adjustmentId, hospital, category, period, delta, reasonCode, proposer);
    }

    /// @inheritdoc IBudgetBook
    function confirmAdjustment(uint256 adjustmentId) external whenNotPaused {
        BudgetAdjustment storage a = _pending(adjustmentId);
        address confirmer = _msgSender();
        address hospital = a.hospital;
        _requireApprover(hospital, confirmer);
        address proposer = a.proposer;
        if (confirmer == proposer) revert BudgetSelfConfirmation(adjustmentId, confirmer);
        // Two people decide: a proposal does not outlive its proposer's role.
        if (!hospitals.hasHospitalRole(hospital, proposer, HospitalRoles.APPROVER)) {
            revert BudgetProposerNotApprover(adjustmentId, proposer);
        }
        bytes32 category = a.category;
        uint16 period = a.period;
        uint120 newAmount = _adjusted(hospital, category, period, a.delta);
        a.status = AdjustmentStatus.Applied;
        _budgets[hospital][category][period].amount = newAmount;
        _emitAdjusted(adjustmentId, a, newAmount, confirmer);
    }

    /// @inheritdoc IBudgetBook
    /// @dev Not `whenNotPaused`: it only takes a proposal away.
    function withdrawAdjustment(uint256 adjustmentId) external {
        BudgetAdjustment storage a = _pending(adjustmentId);
        address caller = _msgSender();
        address hospital = a.hospital;
        if (caller != a.proposer) _requireApprover(hospital, caller);
        a.status = AdjustmentStatus.Withdrawn;
        emit BudgetAdjustmentWithdrawn(adjustmentId, hospital, caller);
    }

    /// @inheritdoc IBudgetBook
    function charge(
        uint256 orderId,
        address hospital,
        bytes32 category,
        uint256 amount
    ) external returns (uint16 period) {
        period = currentPeriod();
        Budget storage b = _budgets[hospital][category][period];
        // Nothing changes for an uncontrolled category, so the caller and the pause are asked
        // only when a budget is charged: funding such an order costs one read here.
        if (!b.set) return 0;
        _requireOrderBook();
        _requireNotPaused();
        uint256 spent = b.spent;
        uint256 left = b.amount - spent;
        if (amount > left) revert BudgetExceeded(hospital, category, period, amount, left);
        spent += amount;
        b.spent = uint120(spent);
        emit BudgetCharged(orderId, hospital, category, period, amount, spent);
    }

    /// @inheritdoc IBudgetBook
    function release(
        uint256 orderId,
        address hospital,
        bytes32 category,
        uint16 period,
        uint256 amount
    ) external {
        _requireOrderBook();
        Budget storage b = _budgets[hospital][category][period];
        // The order book returns at most what the order was charged, so this never underflows.
        uint256 spent = b.spent - amount;
        b.spent = uint120(spent);
        emit BudgetReturned(orderId, hospital, category, period, amount, spent);
    }

    /// @inheritdoc IBudgetBook
    function budget(address hospital, bytes32 category, uint16 period) external view returns (Budget memory) {
        return _budgets[hospital][category][period];
    }

    /// @inheritdoc IBudgetBook
    function remaining(address hospital, bytes32 category, uint16 period) external view returns (uint256) {
        Budget storage b = _budgets[hospital][category][period];
        return b.amount - b.spent;
    }

    /// @inheritdoc IBudgetBook
    function adjustment(uint256 adjustmentId) external view returns (BudgetAdjustment memory) {
        return _adjustments[adjustmentId];
    }

    /// @inheritdoc IBudgetBook
    function currentPeriod() public view returns (uint16) {
        return periodOf(block.timestamp);
    }

    /// @inheritdoc IBudgetBook
    function periodOf(uint256 timestamp) public view returns (uint16) {
        return FiscalYear.yearOf(timestamp, utcOffset);
    }

    /// @dev The amount the budget would have after `delta`; reverts if it is not set, or if the
    /// amount would not fit or would fall below what is spent.
    function _adjusted(
        address hospital,
        bytes32 category,
        uint16 period,
        int128 delta
    ) internal view returns (uint120) {
        Budget storage b = _budgets[hospital][category][period];
        if (!b.set) revert BudgetNotSet(hospital, category, period);
        // An amount below 2^120 plus an int128 cannot overflow int256.
        int256 newAmount = int256(uint256(b.amount)) + delta;
        if (newAmount < int256(uint256(b.spent)))
            revert BudgetBelowSpent(hospital, category, period, newAmount, b.spent);
        if (uint256(newAmount) > _MAX_AMOUNT) revert BudgetAmountTooLarge(uint256(newAmount), _MAX_AMOUNT);
        return uint120(uint256(newAmount));
    }

    function _emitAdjusted(
        uint256 adjustmentId,
        BudgetAdjustment storage a,
        uint120 newAmount,
        address confirmer
    ) internal {
        emit BudgetAdjusted(
            adjustmentId,
            a.hospital,
            a.category,
            a.period,
            a.delta,
            newAmount,
            a.reasonCode,
            a.proposer,
            confirmer
        );
    }

    function _pending(uint256 adjustmentId) internal view returns (BudgetAdjustment storage a) {
        a = _adjustments[adjustmentId];
        AdjustmentStatus status = a.status;
        if (status == AdjustmentStatus.None) revert BudgetAdjustmentNotFound(adjustmentId);
        if (status != AdjustmentStatus.Proposed) revert BudgetAdjustmentNotPending(adjustmentId, status);
    }

    function _requireApprover(address hospital, address account) internal view {
        if (!hospitals.hasHospitalRole(hospital, account, HospitalRoles.APPROVER)) {
            revert BudgetNotApprover(hospital, account);
        }
    }

    function _requireOrderBook() internal view {
        if (msg.sender != orderBook) revert BudgetCallerNotOrderBook(msg.sender);
    }
}
