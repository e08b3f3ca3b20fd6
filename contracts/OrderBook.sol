// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {LedgerBase} from "./access/LedgerBase.sol";
import {IAgreementBook} from "./interfaces/IAgreementBook.sol";
import {IBudgetBook} from "./interfaces/IBudgetBook.sol";
import {IConsignmentBook} from "./interfaces/IConsignmentBook.sol";
import {IDeliveryTrace} from "./interfaces/IDeliveryTrace.sol";
import {IFundBook} from "./interfaces/IFundBook.sol";
import {IHospitalRegistry} from "./interfaces/IHospitalRegistry.sol";
import {IOrderBook} from "./interfaces/IOrderBook.sol";
import {ISupplierRegistry} from "./interfaces/ISupplierRegistry.sol";
import {HospitalRoles} from "./libraries/HospitalRoles.sol";
import {SettlementMath} from "./libraries/SettlementMath.sol";
import {
    AgreementTerms,
    SettlementTerms,
    Confirmation,
    Order,
    OrderStatus,
    Payout,
    ShipmentRecord,
    ShipmentState
} from "./types/LedgerTypes.sol";

/// @title OrderBook
/// @notice Orders, escrow and settlement. Invariants: the token balance equals the sum of
/// `escrow` over orders plus `totalRefundsOwed`; accepted ≤ shipped ≤ quantity − cancelled; a
/// shipment settles once. Funding charges the escrow to the hospital's budget for the
/// agreement's category in the current fiscal period, if it set one (see `IBudgetBook`), and
/// every refund to the hospital from the order goes back to that budget. Funding draws first on
/// the insurance fund's money for the hospital under the agreement (see `IFundBook`): that share
/// of the escrow is spent first by settlements and restored first by refunds.
/// @dev Every function that moves tokens checks, then writes every effect, then transfers.
contract OrderBook is IOrderBook, LedgerBase, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @dev A single approver may approve up to the hospital's threshold per agreement over this
    /// window; see `_windowLevel`.
    uint256 public constant APPROVAL_WINDOW = 30 days;

    /// @dev The hospital's approved value under one agreement, decaying linearly to zero over
    /// `APPROVAL_WINDOW` at the rate of the threshold per window (a leaky bucket).
    struct ApprovalWindow {
        uint128 level;
        uint40 updatedAt;
    }

    IERC20 public immutable token;
    IAgreementBook public immutable agreements;
    ISupplierRegistry public immutable registry;
    IHospitalRegistry public immutable hospitals;
    IDeliveryTrace public immutable trace;
    IBudgetBook public immutable budgets;
    IConsignmentBook public immutable consignment;
    IFundBook public immutable fund;

    uint256 public orderCount;
    /// @inheritdoc IOrderBook
    uint256 public totalRefundsOwed;
    mapping(address account => uint256) public refundsOwed;
    mapping(uint256 orderId => Order) internal _orders;
    mapping(address hospital => mapping(uint256 agreementId => ApprovalWindow)) internal _windows;
    /// @notice Units of a shipment the hospital disputed (the latest dispute stands).
    mapping(uint256 shipmentId => uint32) public disputedUnits;
    /// @notice The part of an order's escrow drawn from the insurance fund and not yet spent or
    /// restored (never more than the escrow).
    mapping(uint256 orderId => uint128) public fundShare;

    constructor(
        IAccessControl roles_,
        address forwarder,
        IERC20 token_,
        IAgreementBook agreements_,
        ISupplierRegistry registry_,
        IHospitalRegistry hospitals_,
        IDeliveryTrace trace_,
        IBudgetBook budgets_,
        IConsignmentBook consignment_,
        IFundBook fund_
    ) LedgerBase(roles_, forwarder) {
        token = token_;
        agreements = agreements_;
        registry = registry_;
        hospitals = hospitals_;
        trace = trace_;
        budgets = budgets_;
        consignment = consignment_;
        fund = fund_;
    }

    /// @inheritdoc IOrderBook
    function placeOrder(
        uint256 agreementId,
        uint32 quantity,
        uint64 requestedDelivery,
        bytes32 orderRef
    ) external whenNotPaused returns (uint256 orderId) {
        address hospital = _staffHospital(_msgSender());
        if (quantity == 0) revert OrderZeroQuantity();
        if (requestedDelivery < block.timestamp)
            revert OrderDeliveryDateInPast(requestedDelivery, block.timestamp);
        orderId = _open(agreementId, hospital, quantity, requestedDelivery);
        Order storage o = _orders[orderId];
        o.twoApprovals = _countInWindow(hospital, agreementId, quantity);
        emit OrderPlaced(
            orderId,
            agreementId,
            hospital,
            _msgSender(),
            quantity,
            requestedDelivery,
            o.deliveryDeadline,
            o.fundingExpiresAt,
            orderRef
        );
    }

    /// @inheritdoc IOrderBook
    function approveOrder(uint256 orderId) external whenNotPaused nonReentrant {
        _approve(orderId);
    }

    /// @inheritdoc IOrderBook
    function approveOrderWithPermit(
        uint256 orderId,
        uint256 permitValue,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external whenNotPaused nonReentrant {
        Order storage o = _order(orderId);
        uint256 allowance = token.allowance(o.hospital, address(this));
        // Skipped when the allowance already reaches the permit's value: the permit was used
        // (perhaps front-run by someone who saw it), and the transfer checks the allowance.
        if (allowance < permitValue) {
            uint256 needed = allowance + agreements.quote(o.agreementId, o.quantity);
            // A permit sets the allowance: one below what is standing plus this order would take
            // allowance that other orders' approvals rely on.
            if (permitValue < needed) revert OrderPermitBelowAllowance(permitValue, needed);
            // solhint-disable no-empty-blocks
            try
                IERC20Permit(address(token)).permit(o.hospital, address(this), permitValue, deadline, v, r, s)
            {} catch {}
            // solhint-enable no-empty-blocks
        }
        _approve(orderId);
    }

    /// @inheritdoc IOrderBook
    /// @dev Never paused: a hospital can always take back what was not shipped.
    function cancelOrder(uint256 orderId) external nonReentrant {
        Order storage o = _order(orderId);
        address caller = _msgSender();
        if (_staffHospital(caller) != o.hospital) revert OrderNotHospitalStaff(caller);
        // Else the supplier, consenting to its own cancellation, walks away from a funded order.
        _refuseSupplier(orderId, o, caller);

        // "Nothing shipped yet" is a stored fact, not `shipped == 0`: rejecting every unit of a
        // shipment must not let the hospital skip the supplier's right to replace them.
        OrderStatus status = o.status;
        if (status == OrderStatus.Placed || (status == OrderStatus.Funded && !o.shippedAgainst)) {
            uint32 units = o.quantity;
            uint128 fullRefund = o.escrow;
            o.cancelled = units;
            o.status = OrderStatus.Cancelled;
            _releaseEscrow(o, fullRefund);
            if (status == OrderStatus.Funded) agreements.releaseFunding(o.agreementId, o.hospital, units);
            _returnToBudget(orderId, o, fullRefund);
            emit OrderCancelled(orderId, caller, units, fullRefund, OrderStatus.Cancelled);
            _refundOrder(orderId, o, fullRefund);
            return;
        }
        _requireStatus(orderId, status, OrderStatus.Funded);
        if (o.cancelRequested) revert OrderCancelAlreadyRequested(orderId);
        if (block.timestamp <= o.deliveryDeadline && !o.supplierAgreedToCancel) {
            revert OrderCancelNotAllowed(orderId, o.deliveryDeadline, block.timestamp);
        }

        uint32 unshipped = o.quantity - o.cancelled - o.shipped;
        o.cancelRequested = true;
        o.cancelled += unshipped;
        agreements.releaseFunding(o.agreementId, o.hospital, unshipped);
        uint128 refund = _closeIfComplete(orderId, o);
        _returnToBudget(orderId, o, refund);
        emit OrderCancelled(orderId, caller, unshipped, refund, o.status);
        _refundOrder(orderId, o, refund);
    }

    /// @inheritdoc IOrderBook
    function agreeToCancel(uint256 orderId) external whenNotPaused {
        Order storage o = _order(orderId);
        _requireStatus(orderId, o.status, OrderStatus.Funded);
        _requireSupplier(orderId, o);
        o.supplierAgreedToCancel = true;
        emit SupplierAgreedToCancel(orderId, _msgSender());
    }

    /// @inheritdoc IOrderBook
    function consentToExcess(uint256 orderId) external whenNotPaused {
        Order storage o = _order(orderId);
        _requireStatus(orderId, o.status, OrderStatus.Placed);
        _requireSupplier(orderId, o);
        o.excessConsented = true;
        emit ExcessVolumeConsented(orderId, _msgSender());
    }

    /// @inheritdoc IOrderBook
    function allowLateShipment(uint256 orderId) external whenNotPaused {
        Order storage o = _order(orderId);
        _requireStatus(orderId, o.status, OrderStatus.Funded);
        address caller = _msgSender();
        if (!hospitals.hasHospitalRole(o.hospital, caller, HospitalRoles.APPROVER)) {
            revert OrderNotApprover(orderId, caller);
        }
        _refuseSupplier(orderId, o, caller);
        o.lateShipmentAllowed = true;
        emit LateShipmentAllowed(orderId, caller);
    }

    /// @inheritdoc IOrderBook
    function recordShipment(
        uint256 orderId,
        address supplier,
        uint32 quantity
    ) external whenNotPaused returns (address hospital, bytes32 category) {
        if (msg.sender != address(trace)) revert OrderCallerNotTrace(msg.sender);
        Order storage o = _order(orderId);
        _requireStatus(orderId, o.status, OrderStatus.Funded);
        (address agreementSupplier, bytes32 agreementCategory) = agreements.supplierAndCategory(
            o.agreementId
        );
        if (agreementSupplier != supplier) revert OrderNotSupplier(orderId, supplier);
        if (block.timestamp > o.deliveryDeadline && !o.lateShipmentAllowed) {
            revert OrderShipmentLate(orderId, o.deliveryDeadline, block.timestamp);
        }
        uint32 remaining = _remaining(o);
        if (quantity > remaining) revert OrderQuantityExceedsRemaining(orderId, quantity, remaining);
        o.shipped += quantity;
        o.shippedAgainst = true;
        return (o.hospital, agreementCategory);
    }

    /// @inheritdoc IOrderBook
    function confirmShipment(
        uint256 shipmentId,
        ShipmentRecord calldata shipment,
        Confirmation calldata c
    ) external whenNotPaused nonReentrant {
        address caller = _msgSender();
        if (!hospitals.hasHospitalRole(shipment.hospital, caller, HospitalRoles.SETTLER)) {
            revert SettlementNotSettler(shipmentId, caller);
        }
        // A role the hospital gave the supplier's account (say, for consigned stock) must not let
        // it decide on its own delivery. A forged record fails the trace's check in `_settle`.
        // Read as one masked word: `shipment.supplier` cost 220 gas here against a 120,000 goal.
        address supplier;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            supplier := and(calldataload(add(shipment, 0x20)), 0xffffffffffffffffffffffffffffffffffffffff)
        }
        if (caller == supplier) revert SettlementOwnDelivery(shipmentId, caller);
        _settle(shipmentId, shipment, c, caller, false);
    }

    /// @inheritdoc IOrderBook
    /// @dev Never paused: the claim windows run on while the ledger is paused, so the hospital's
    /// answer to a claim must too (a dispute only keeps units from being paid).
    function disputeShipment(
        uint256 shipmentId,
        ShipmentRecord calldata shipment,
        uint32 units,
        uint16 reasonCode
    ) external {
        address caller = _msgSender();
        if (
            !hospitals.hasHospitalRole(shipment.hospital, caller, HospitalRoles.SETTLER) &&
            !hospitals.hasHospitalRole(shipment.hospital, caller, HospitalRoles.APPROVER)
        ) revert SettlementNotSettler(shipmentId, caller);
        // Else the supplier could take back the hospital's dispute (the latest one stands).
        if (caller == shipment.supplier) revert SettlementOwnDelivery(shipmentId, caller);
        if (trace.checkedState(shipmentId, shipment).confirmed)
            revert IDeliveryTrace.TraceAlreadyConfirmed(shipmentId);
        if (units > shipment.quantity) revert SettlementDisputeTooLarge(shipmentId, units, shipment.quantity);
        disputedUnits[shipmentId] = units;
        emit ShipmentDisputed(shipmentId, shipment.orderId, caller, units, reasonCode);
    }

    /// @inheritdoc IOrderBook
    function claimSettlement(
        uint256 shipmentId,
        ShipmentRecord calldata shipment
    ) external whenNotPaused nonReentrant {
        address caller = _msgSender();
        if (caller != shipment.supplier) revert OrderNotSupplier(shipment.orderId, caller);
        (uint64 claimableAt, uint64 deemedReceivedAt) = _claimableAt(
            trace.checkedState(shipmentId, shipment),
            _orders[shipment.orderId].agreementId
        );
        if (claimableAt == 0 || block.timestamp < claimableAt) {
            revert SettlementClaimTooEarly(shipmentId, claimableAt, block.timestamp);
        }
        // The delivery is then judged at the supplier's arrival (SettlementMath.deliveredAt).
        if (deemedReceivedAt != 0) trace.markDeemedReceived(shipmentId, deemedReceivedAt);
        uint32 disputed = disputedUnits[shipmentId];
        _settle(
            shipmentId,
            shipment,
            Confirmation({
                accepted: shipment.quantity - disputed,
                rejected: disputed,
                receiptHash: bytes32(0)
            }),
            caller,
            true
        );
    }

    /// @inheritdoc IOrderBook
    function releaseConsignedBudget(uint256 orderId, uint128 amount) external {
        if (msg.sender != address(consignment)) revert OrderCallerNotConsignment(msg.sender);
        _returnToBudget(orderId, _orders[orderId], amount);
    }

    /// @inheritdoc IOrderBook
    /// @dev Never paused, like the consumption and write-off that call it.
    function recordConsignedUse(uint256 orderId, uint32 units) external {
        if (msg.sender != address(consignment)) revert OrderCallerNotConsignment(msg.sender);
        agreements.recordAcceptance(_orders[orderId].agreementId, units);
    }

    /// @inheritdoc IOrderBook
    /// @dev Kept on the order itself, with the escrow settlement reads anyway: asking the
    /// consignment book on every settlement cost each plain order a call to a cold contract. Not
    /// paused here: electing is the consignment book's act, under its own pause.
    function markConsigned(uint256 orderId) external {
        if (msg.sender != address(consignment)) revert OrderCallerNotConsignment(msg.sender);
        Order storage o = _order(orderId);
        _requireStatus(orderId, o.status, OrderStatus.Placed);
        o.consigned = true;
    }

    /// @inheritdoc IOrderBook
    /// @dev Not paused: it is part of a payment the fund book accepts, under its own pause.
    function noteFundPaidIn(uint256 agreementId, address hospital) external {
        if (msg.sender != address(fund)) revert OrderCallerNotFund(msg.sender);
        agreements.noteFundPaidIn(agreementId, hospital);
    }

    /// @inheritdoc IOrderBook
    /// @dev Never paused: it only pays out what is already owed.
    function withdrawRefund() external nonReentrant {
        address account = _msgSender();
        uint256 amount = refundsOwed[account];
        if (amount == 0) revert OrderNoRefundOwed(account);
        refundsOwed[account] = 0;
        totalRefundsOwed -= amount;
        emit RefundWithdrawn(account, amount);
        token.safeTransfer(account, amount);
    }

    /// @inheritdoc IOrderBook
    /// @dev Derived, not counted: a running total would cost every funding and settlement a
    /// storage write. Tokens sent to this contract outside the ledger's acts would count too.
    function totalEscrow() external view returns (uint256) {
        return token.balanceOf(address(this)) - totalRefundsOwed;
    }

    /// @inheritdoc IOrderBook
    function order(uint256 orderId) external view returns (Order memory) {
        return _order(orderId);
    }

    /// @inheritdoc IOrderBook
    function remainingToShip(uint256 orderId) external view returns (uint32) {
        Order storage o = _order(orderId);
        return o.status == OrderStatus.Funded && !o.cancelRequested ? _remaining(o) : 0;
    }

    /// @dev Adds the order's value (priced now, an upper bound of what funding will take) to the
    /// hospital's approval window under the agreement, and says whether the window is now past
    /// the hospital's threshold, so that two approvers are needed. Counting at placement, not at
    /// funding, means orders placed together cannot each see the same empty window.
    function _countInWindow(address hospital, uint256 agreementId, uint32 quantity) internal returns (bool) {
        uint256 value = agreements.quote(agreementId, quantity);
        uint256 threshold = hospitals.approvalThreshold(hospital);
        ApprovalWindow storage w = _windows[hospital][agreementId];
        uint256 level = _windowLevel(w, threshold) + value;
        // Saturates: a level this high needs two approvers for every order anyway.
        w.level = level > type(uint128).max ? type(uint128).max : uint128(level);
        w.updatedAt = uint40(block.timestamp);
        return level > threshold;
    }

    /// @dev Writes a new Placed order; its deadline is the later of what the hospital asked for
    /// and what the agreement's lead time allows.
    function _open(
        uint256 agreementId,
        address hospital,
        uint32 quantity,
        uint64 requestedDelivery
    ) internal returns (uint256 orderId) {
        AgreementTerms memory terms = agreements.openPosition(agreementId, hospital);
        // A supplier's account holding the hospital's approver role would otherwise order from
        // itself with the hospital's money.
        if (terms.supplier == _msgSender()) revert OrderOwnAgreement(agreementId, terms.supplier);
        uint64 earliest = uint64(block.timestamp) + uint64(terms.leadTimeDays) * 1 days;
        orderId = ++orderCount;
        Order storage o = _orders[orderId];
        o.hospital = hospital;
        // Agreement ids come from a counter far below 2^32.
        o.agreementId = uint32(agreementId);
        o.status = OrderStatus.Placed;
        o.quantity = quantity;
        o.fundingExpiresAt = uint40(block.timestamp + terms.fundingWindow);
        o.deliveryDeadline = SafeCast.toUint32(requestedDelivery > earliest ? requestedDelivery : earliest);
    }

    function _approve(uint256 orderId) internal {
        Order storage o = _order(orderId);
        _requireStatus(orderId, o.status, OrderStatus.Placed);
        address approver = _msgSender();
        address hospital = o.hospital;
        if (!hospitals.hasHospitalRole(hospital, approver, HospitalRoles.APPROVER)) {
            revert OrderNotApprover(orderId, approver);
        }
        if (o.firstApprover == approver) revert OrderAlreadyApproved(orderId, approver);
        if (block.timestamp > o.fundingExpiresAt) {
            revert OrderFundingExpired(orderId, o.fundingExpiresAt, block.timestamp);
        }

        uint8 required = o.twoApprovals ? 2 : 1;
        uint8 approvals = o.firstApprover == address(0) ? 1 : 2;
        emit OrderApproved(orderId, approver, approvals, required);
        if (approvals < required) {
            o.firstApprover = approver;
            return;
        }

        // Effects: the agreement books the volume (and refuses volume past the hospital's
        // commitment without the supplier's consent) and prices it; the budget, if the hospital
        // set one for the category this period, takes the value or refuses it.
        (uint256 value, bytes32 category, bool fundPaidIn) = agreements.fund(
            o.agreementId,
            hospital,
            o.quantity,
            o.excessConsented
        );
        uint16 period = budgets.charge(orderId, hospital, category, value);
        if (period != 0) o.budgetPeriod = period;
        o.status = OrderStatus.Funded;
        o.escrow = SafeCast.toUint112(value);
        emit OrderFunded(orderId, hospital, uint128(value));
        // Interactions: the fund's money for the hospital first (a ledger contract), then the rest
        // from the hospital. A consigned order takes none of the fund's: its value waits in the
        // consignment book and a return refunds it to the hospital, which would cash it. The fund
        // is asked only if it ever paid in for the hospital here, so other orders skip the call.
        uint128 fromFund =
            fundPaidIn && !o.consigned ? fund.draw(orderId, o.agreementId, hospital, value) : 0;
        if (fromFund > 0) {
            fundShare[orderId] = fromFund;
            o.fundShared = true;
        }
        if (value > fromFund) _pull(hospital, value - fromFund);
    }

    /// @dev Settles a shipment for the hospital's settler (`confirmShipment`) or the supplier
    /// (`claimSettlement`).
    function _settle(
        uint256 shipmentId,
        ShipmentRecord calldata s,
        Confirmation memory c,
        address by,
        bool claim
    ) internal {
        if (uint256(c.accepted) + c.rejected != s.quantity) {
            revert SettlementQuantityMismatch(shipmentId, c.accepted, c.rejected, s.quantity);
        }
        Order storage o = _orders[s.orderId];
        (uint256 gross, uint64 deliveredAt, SettlementTerms memory terms) = _checkAndPrice(
            shipmentId,
            s,
            o,
            c.accepted,
            claim
        );

        // Effects: every balance moves before any transfer.
        o.accepted += c.accepted;
        o.shipped -= c.rejected;
        if (o.cancelRequested && c.rejected > 0) {
            // The order no longer wants replacements: rejected units join the cancelled ones.
            o.cancelled += c.rejected;
            agreements.releaseFunding(o.agreementId, o.hospital, c.rejected);
        }
        Payout memory p = _payout(gross, o.deliveryDeadline, deliveredAt, terms);
        _releaseEscrow(o, p.gross);
        emit ShipmentSettled(shipmentId, s.orderId, s.supplier, by, c, p);
        _spendFundShare(shipmentId, s.orderId, o, p.paid);
        uint128 refund = p.penalty + _closeIfComplete(s.orderId, o);
        _returnToBudget(s.orderId, o, refund);
        address payee = _payee(shipmentId, s, o, c.accepted, p.paid);

        // Interactions: the supplier's payment first, so a hospital that cannot receive its
        // refund never blocks it.
        if (p.paid > 0) token.safeTransfer(payee, p.paid);
        _refundOrder(s.orderId, o, refund);
    }

    /// @dev The settlement's checks and the trace's own effect (settled once, receiving time
    /// fixed), then what the accepted units cost and when they count as delivered. The trace checks
    /// the record's hash against the one it stored, so every field of `s` is the shipment's.
    function _checkAndPrice(
        uint256 shipmentId,
        ShipmentRecord calldata s,
        Order storage o,
        uint32 accepted,
        bool claim
    ) internal returns (uint256 gross, uint64 deliveredAt, SettlementTerms memory terms) {
        (uint64 arrivedAt, uint64 receivedAt, bool recalled, bool excursionHeld) = trace.markConfirmed(
            shipmentId,
            keccak256(abi.encode(s)),
            keccak256(abi.encode(s.gtin, s.lot)),
            s.supplier
        );
        (gross, terms) = _priceAcceptance(o, accepted);
        deliveredAt = uint64(SettlementMath.deliveredAt(arrivedAt, receivedAt, terms.receivingWindow));
        // Rejecting everything pays nothing and is always allowed; paying needs a clean lot. An
        // excursion is the hospital's to decide within the confirmation window (waive it, or
        // dispute the units): its settler's confirmation needs the waiver, but the supplier's
        // claim after the window takes the hospital's silence as acceptance. Told by the act, not
        // by who calls: a supplier's account may hold a hospital role too.
        if (accepted > 0)
            _requirePayable(shipmentId, s, terms.category, deliveredAt, recalled, excursionHeld && !claim);
    }

    /// @dev Who the settled value goes to: the supplier, or for a consignment the consignment
    /// book, which holds it (with the accepted units in the hospital's custody) until used.
    function _payee(
        uint256 shipmentId,
        ShipmentRecord calldata s,
        Order storage o,
        uint32 accepted,
        uint128 paid
    ) internal returns (address) {
        if (accepted == 0 || !o.consigned) return s.supplier;
        consignment.onSettled(shipmentId, s, accepted, paid);
        return address(consignment);
    }

    /// @dev When the supplier may claim a shipment: the confirmation window after the hospital's
    /// receipt. A hospital that records no receipt must not hold the supplier's payment for ever:
    /// then the claim opens the confirmation window after the receiving window that follows the
    /// supplier's Arriving record, and the end of that receiving window counts as the receipt
    /// (`deemedReceivedAt`). A false arrival is the hospital's to dispute meanwhile
    /// (`disputeShipment`). Neither recorded: 0, never.
    function _claimableAt(
        ShipmentState memory st,
        uint256 agreementId
    ) internal view returns (uint64 claimableAt, uint64 deemedReceivedAt) {
        if (st.receivedAt == 0 && st.arrivedAt == 0) return (0, 0);
        AgreementTerms memory t = agreements.agreementTerms(agreementId);
        if (st.receivedAt != 0) return (st.receivedAt + t.confirmWindow, 0);
        deemedReceivedAt = st.arrivedAt + t.receivingWindow;
        claimableAt = deemedReceivedAt + t.confirmWindow;
    }

    /// @dev What the accepted units of a delivery cost, with the agreement's settlement terms. A
    /// consigned delivery's units count toward the agreement's tier position only when used
    /// (`recordConsignedUse`): units given back were never bought and must not lower the price of
    /// later orders. So it books no volume now and is priced at its order's funded price.
    function _priceAcceptance(
        Order storage o,
        uint32 accepted
    ) internal returns (uint256 gross, SettlementTerms memory terms) {
        bool consigned = o.consigned;
        (gross, terms) = agreements.recordAcceptance(o.agreementId, consigned ? 0 : accepted);
        if (consigned) gross = _fundedValue(o, accepted);
    }

    /// @dev `units` of the order's share of its escrow: the escrow holds the funded value of the
    /// units not yet accepted, so the last of them take the rounding remainder and the order's
    /// accepted units are paid exactly what funding took (less what cancelled units give back).
    /// Re-pricing at the tier position instead could exceed the escrow: the position may have
    /// moved by less than the units settled since funding.
    function _fundedValue(Order storage o, uint32 units) internal view returns (uint256) {
        uint32 unsettled = o.quantity - o.accepted;
        return units == unsettled ? o.escrow : (uint256(o.escrow) * units) / unsettled;
    }

    function _requirePayable(
        uint256 shipmentId,
        ShipmentRecord calldata s,
        bytes32 category,
        uint64 deliveredAt,
        bool recalled,
        bool excursionHeld
    ) internal view {
        if (recalled) revert SettlementLotRecalled(shipmentId, s.gtin, s.lot);
        if (s.expiry <= deliveredAt) revert SettlementExpiredAtDelivery(shipmentId, s.expiry, deliveredAt);
        if (!registry.isQualified(s.supplier, category, uint64(block.timestamp))) {
            revert SettlementSupplierNotQualified(shipmentId, s.supplier, category);
        }
        if (excursionHeld) revert SettlementExcursionNotWaived(shipmentId);
    }

    /// @dev What `gross` pays once the late penalty (bps per day late, capped) goes back.
    function _payout(
        uint256 gross,
        uint256 deadline,
        uint64 deliveredAt,
        SettlementTerms memory terms
    ) internal pure returns (Payout memory p) {
        p.gross = uint128(gross);
        p.deliveredAt = deliveredAt;
        p.daysLate = uint64(SettlementMath.daysLate(deadline, deliveredAt));
        if (p.daysLate > 0 && gross > 0) {
            p.penalty = uint128(
                SettlementMath.penalty(gross, p.daysLate, terms.penaltyBpsPerDay, terms.penaltyCapBps)
            );
        }
        p.paid = p.gross - p.penalty;
    }

    /// @dev Closes the order once every unit is accepted or cancelled and nothing is in flight,
    /// and returns the escrow left to refund: what funding reserved above the prices the
    /// accepted units were actually settled at, and the value of cancelled units.
    function _closeIfComplete(uint256 orderId, Order storage o) internal returns (uint128 refund) {
        if (o.accepted + o.cancelled != o.quantity) return 0;
        refund = o.escrow;
        o.status = OrderStatus.Closed;
        _releaseEscrow(o, refund);
        emit OrderClosed(orderId, refund);
    }

    /// @dev The approved value still counted in the hospital's window: it drains at the rate of
    /// one threshold per `APPROVAL_WINDOW`. So single-approver orders under one agreement add up
    /// to at most the threshold at any moment and at most twice the threshold over any window;
    /// splitting an order only spreads it over time.
    function _windowLevel(ApprovalWindow storage w, uint256 threshold) internal view returns (uint256) {
        uint256 drained = ((block.timestamp - w.updatedAt) * threshold) / APPROVAL_WINDOW;
        return w.level > drained ? w.level - drained : 0;
    }

    /// @dev `amount` never exceeds the escrow (callers release at most what it holds), so it fits.
    function _releaseEscrow(Order storage o, uint128 amount) internal {
        o.escrow -= uint112(amount);
    }

    /// @dev Gives `amount` of escrow refunded to the hospital back to the budget the order was
    /// charged to, if it was: the same period's, whatever the period now.
    function _returnToBudget(uint256 orderId, Order storage o, uint128 amount) internal {
        if (amount == 0) return;
        uint16 period = o.budgetPeriod;
        if (period == 0) return;
        (, bytes32 category) = agreements.supplierAndCategory(o.agreementId);
        budgets.release(orderId, o.hospital, category, period, amount);
    }

    /// @dev Takes `amount` from `from` into escrow and refuses tokens that deliver less.
    function _pull(address from, uint256 amount) internal {
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(from, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != amount) revert OrderTokenTransferMismatch(amount, received);
    }

    /// @dev The fund's share of the order's escrow pays first: `paid` spends it, and the payment
    /// counts as the fund's for the hospital's reimbursement statement.
    function _spendFundShare(uint256 shipmentId, uint256 orderId, Order storage o, uint128 paid) internal {
        if (!o.fundShared || paid == 0) return;
        uint128 share = fundShare[orderId];
        if (share == 0) return;
        uint128 spent = paid < share ? paid : share;
        fundShare[orderId] = share - spent;
        emit SettlementFundPaid(shipmentId, orderId, o.hospital, spent);
    }

    /// @dev A refund of the order's escrow: the fund's unspent share goes back to the fund first,
    /// the rest to the hospital.
    function _refundOrder(uint256 orderId, Order storage o, uint128 amount) internal {
        uint128 share = o.fundShared && amount > 0 ? fundShare[orderId] : 0;
        uint128 back = amount < share ? amount : share;
        if (back > 0) {
            fundShare[orderId] = share - back;
            token.safeTransfer(address(fund), back);
            fund.restore(orderId, o.agreementId, o.hospital, back);
        }
        _refund(o.hospital, amount - back);
    }

    /// @dev A refund the token refuses to deliver (a blocked recipient) is owed instead, so it
    /// never blocks the act that released it.
    function _refund(address account, uint128 amount) internal {
        if (amount == 0) return;
        if (!token.trySafeTransfer(account, amount)) {
            refundsOwed[account] += amount;
            totalRefundsOwed += amount;
            emit RefundDeferred(account, amount);
        }
    }

    function _remaining(Order storage o) internal view returns (uint32) {
        return o.quantity - o.cancelled - o.shipped;
    }

    function _requireSupplier(uint256 orderId, Order storage o) internal view {
        address caller = _msgSender();
        if (agreements.agreementTerms(o.agreementId).supplier != caller)
            revert OrderNotSupplier(orderId, caller);
    }

    /// @dev A hospital's act on the order, refused to the order's own supplier whatever role the
    /// hospital gave its account.
    function _refuseSupplier(uint256 orderId, Order storage o, address caller) internal view {
        (address supplier, ) = agreements.supplierAndCategory(o.agreementId);
        if (caller == supplier) revert OrderOwnDelivery(orderId, caller);
    }

    /// @dev The hospital an account acts for when ordering: the hospital itself or an approver.
    function _staffHospital(address account) internal view returns (address hospital) {
        hospital = hospitals.hospitalOf(account);
        if (
            hospital == address(0) ||
            (hospital != account && !hospitals.hasHospitalRole(hospital, account, HospitalRoles.APPROVER))
        ) {
            revert OrderNotHospitalStaff(account);
        }
    }

    function _order(uint256 orderId) internal view returns (Order storage o) {
        o = _orders[orderId];
        if (o.status == OrderStatus.None) revert OrderNotFound(orderId);
    }

    function _requireStatus(uint256 orderId, OrderStatus status, OrderStatus expected) internal pure {
        if (status != expected) revert OrderStatusInvalid(orderId, status, expected);
    }
}
