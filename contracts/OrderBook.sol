// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {LedgerBase} from "./access/LedgerBase.sol";
import {IDeliveryTrace} from "./interfaces/IDeliveryTrace.sol";
import {IHospitalRegistry} from "./interfaces/IHospitalRegistry.sol";
import {IOrderBook} from "./interfaces/IOrderBook.sol";
import {ISupplierRegistry} from "./interfaces/ISupplierRegistry.sol";
import {ITenderHouse} from "./interfaces/ITenderHouse.sol";
import {SettlementMath} from "./libraries/SettlementMath.sol";
import {Agreement, Confirmation, Order, OrderStatus, Payout, Shipment} from "./types/LedgerTypes.sol";

/// @title OrderBook
/// @notice Orders, escrow and settlement. Invariants: the token balance equals the sum of
/// `escrow` over orders; accepted ≤ shipped ≤ quantity − cancelled; a shipment pays once.
contract OrderBook is IOrderBook, LedgerBase, ReentrancyGuard {
    using SafeERC20 for IERC20;

    uint8 internal constant APPROVER = 1;
    uint8 internal constant SETTLER = 2;

    IERC20 public immutable token;
    ITenderHouse public immutable tenders;
    ISupplierRegistry public immutable registry;
    IHospitalRegistry public immutable hospitals;
    IDeliveryTrace public immutable trace;

    uint256 public orderCount;
    /// @inheritdoc IOrderBook
    uint256 public totalEscrow;
    mapping(uint256 orderId => Order) internal _orders;
    /// @dev Set by the first shipment: from then on the supplier may deliver (or replace
    /// rejected units) until the deadline, even if every unit shipped so far was rejected.
    mapping(uint256 orderId => bool) internal _shippedAgainst;

    constructor(
        IAccessControl roles_,
        address forwarder,
        IERC20 token_,
        ITenderHouse tenders_,
        ISupplierRegistry registry_,
        IHospitalRegistry hospitals_,
        IDeliveryTrace trace_
    ) LedgerBase(roles_, forwarder) {
        token = token_;
        tenders = tenders_;
        registry = registry_;
        hospitals = hospitals_;
        trace = trace_;
    }

    /// @inheritdoc IOrderBook
    function placeOrder(
        uint256 agreementId,
        uint64 quantity,
        uint64 requestedDelivery,
        bytes32 orderRef
    ) external whenNotPaused returns (uint256 orderId) {
        address hospital = _staffHospital(_msgSender());
        if (quantity == 0) revert OrderZeroQuantity();
        if (requestedDelivery < block.timestamp)
            revert OrderDeliveryDateInPast(requestedDelivery, block.timestamp);

        orderId = ++orderCount;
        Order storage o = _orders[orderId];
        o.agreementId = agreementId;
        o.hospital = hospital;
        o.status = OrderStatus.Placed;
        o.quantity = quantity;
        o.placedAt = uint64(block.timestamp);
        o.deliveryDeadline = _deliveryDeadline(agreementId, requestedDelivery);
        o.orderRef = orderRef;
        // Checked: a silently truncated value would lock (and pay) far less than the tiers say.
        o.value = SafeCast.toUint128(tenders.recordOrder(agreementId, hospital, quantity));
        emit OrderPlaced(
            orderId,
            agreementId,
            hospital,
            _msgSender(),
            quantity,
            o.value,
            requestedDelivery,
            o.deliveryDeadline,
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
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external whenNotPaused nonReentrant {
        Order storage o = _order(orderId);
        // A permit already used (e.g. front-run by someone who saw it) must not block the
        // approval: the allowance is what matters, and the transfer checks it.
        // solhint-disable no-empty-blocks
        try
            IERC20Permit(address(token)).permit(o.hospital, address(this), o.value, deadline, v, r, s)
        {} catch {}
        // solhint-enable no-empty-blocks
        _approve(orderId);
    }

    /// @inheritdoc IOrderBook
    function cancelOrder(uint256 orderId) external whenNotPaused nonReentrant {
        Order storage o = _order(orderId);
        address caller = _msgSender();
        if (_staffHospital(caller) != o.hospital) revert OrderNotHospitalStaff(caller);

        // "Nothing shipped yet" is a stored fact, not `shipped == 0`: rejecting every unit of a
        // shipment must not let the hospital skip the supplier's right to replace them.
        if (o.status == OrderStatus.Placed || (o.status == OrderStatus.Funded && !_shippedAgainst[orderId])) {
            uint64 units = o.quantity;
            uint128 fullRefund = o.escrow;
            o.cancelled = units;
            o.status = OrderStatus.Cancelled;
            _releaseEscrow(o, fullRefund);
            tenders.releaseVolume(o.agreementId, o.hospital, units);
            emit OrderCancelled(orderId, caller, units, fullRefund, OrderStatus.Cancelled);
            _refund(o.hospital, fullRefund);
            return;
        }
        _requireStatus(orderId, o.status, OrderStatus.Funded);
        if (o.cancelRequested) revert OrderCancelAlreadyRequested(orderId);
        if (block.timestamp <= o.deliveryDeadline && !o.supplierAgreedToCancel) {
            revert OrderCancelNotAllowed(orderId, o.deliveryDeadline, block.timestamp);
        }

        uint64 unshipped = o.quantity - o.cancelled - o.shipped;
        o.cancelRequested = true;
        o.cancelled += unshipped;
        tenders.releaseVolume(o.agreementId, o.hospital, unshipped);
        uint128 refund = _closeIfComplete(orderId, o);
        emit OrderCancelled(orderId, caller, unshipped, refund, o.status);
        _refund(o.hospital, refund);
    }

    /// @inheritdoc IOrderBook
    function agreeToCancel(uint256 orderId) external whenNotPaused {
        Order storage o = _order(orderId);
        _requireStatus(orderId, o.status, OrderStatus.Funded);
        address caller = _msgSender();
        if (tenders.agreement(o.agreementId).supplier != caller) revert OrderNotSupplier(orderId, caller);
        o.supplierAgreedToCancel = true;
        emit SupplierAgreedToCancel(orderId, caller);
    }

    /// @inheritdoc IOrderBook
    function recordShipment(
        uint256 orderId,
        address supplier,
        uint64 quantity
    ) external whenNotPaused returns (bytes32 category) {
        if (msg.sender != address(trace)) revert OrderCallerNotTrace(msg.sender);
        Order storage o = _order(orderId);
        _requireStatus(orderId, o.status, OrderStatus.Funded);
        Agreement memory agr = tenders.agreement(o.agreementId);
        if (agr.supplier != supplier) revert OrderNotSupplier(orderId, supplier);
        uint64 remaining = _remaining(o);
        if (quantity > remaining) revert OrderQuantityExceedsRemaining(orderId, quantity, remaining);
        o.shipped += quantity;
        _shippedAgainst[orderId] = true;
        return agr.category;
    }

    /// @inheritdoc IOrderBook
    function confirmShipment(
        uint256 shipmentId,
        Confirmation calldata c
    ) external whenNotPaused nonReentrant {
        Shipment memory s = trace.shipment(shipmentId);
        Order storage o = _order(s.orderId);
        _checkConfirmation(shipmentId, s, o, c);

        // Effects first: the shipment is marked and every balance moved before any transfer.
        trace.markConfirmed(shipmentId);
        o.accepted += c.accepted;
        o.shipped -= c.rejected;
        if (o.cancelRequested && c.rejected > 0) {
            // The order no longer wants replacements: rejected units join the cancelled ones.
            o.cancelled += c.rejected;
            tenders.releaseVolume(o.agreementId, o.hospital, c.rejected);
        }
        Payout memory p = _payout(o, c);
        _releaseEscrow(o, p.gross);
        emit ShipmentSettled(shipmentId, s.orderId, s.supplier, c, p);
        uint128 refund = _closeIfComplete(s.orderId, o);

        if (p.paid > 0) token.safeTransfer(s.supplier, p.paid);
        _refund(o.hospital, p.penalty + refund);
    }

    /// @inheritdoc IOrderBook
    function order(uint256 orderId) external view returns (Order memory) {
        return _order(orderId);
    }

    /// @inheritdoc IOrderBook
    function remainingToShip(uint256 orderId) external view returns (uint64) {
        Order storage o = _order(orderId);
        return o.status == OrderStatus.Funded && !o.cancelRequested ? _remaining(o) : 0;
    }

    function _approve(uint256 orderId) internal {
        Order storage o = _order(orderId);
        _requireStatus(orderId, o.status, OrderStatus.Placed);
        address approver = _msgSender();
        if (!hospitals.hasHospitalRole(o.hospital, approver, APPROVER))
            revert OrderNotApprover(orderId, approver);
        if (o.firstApprover == approver) revert OrderAlreadyApproved(orderId, approver);

        uint8 required = o.value > hospitals.approvalThreshold(o.hospital) ? 2 : 1;
        uint8 approvals = o.firstApprover == address(0) ? 1 : 2;
        emit OrderApproved(orderId, approver, approvals, required);
        if (approvals < required) {
            o.firstApprover = approver;
            return;
        }
        o.status = OrderStatus.Funded;
        o.escrow = o.value;
        totalEscrow += o.value;
        emit OrderFunded(orderId, o.hospital, o.value);
        token.safeTransferFrom(o.hospital, address(this), o.value);
    }

    function _checkConfirmation(
        uint256 shipmentId,
        Shipment memory s,
        Order storage o,
        Confirmation calldata c
    ) internal view {
        address caller = _msgSender();
        if (!hospitals.hasHospitalRole(o.hospital, caller, SETTLER))
            revert SettlementNotSettler(shipmentId, caller);
        if (s.confirmed) revert SettlementAlreadyConfirmed(shipmentId);
        if (uint256(c.accepted) + c.rejected != s.quantity) {
            revert SettlementQuantityMismatch(shipmentId, c.accepted, c.rejected, s.quantity);
        }
        if (c.receivedAt < s.createdAt || c.receivedAt > block.timestamp) {
            revert SettlementInvalidReceiptTime(shipmentId, c.receivedAt, s.createdAt, block.timestamp);
        }
        // Rejecting everything pays nothing and is always allowed; paying needs a clean lot.
        if (c.accepted == 0) return;
        if (trace.isRecalled(s.gtin, s.lot)) revert SettlementLotRecalled(shipmentId, s.gtin, s.lot);
        if (s.expiry <= c.receivedAt) revert SettlementExpiredAtReceipt(shipmentId, s.expiry, c.receivedAt);
        bytes32 category = tenders.agreement(o.agreementId).category;
        if (!registry.isQualified(s.supplier, category, uint64(block.timestamp))) {
            revert SettlementSupplierNotQualified(shipmentId, s.supplier, category);
        }
        if (s.excursion && !s.excursionWaived) revert SettlementExcursionNotWaived(shipmentId);
    }

    /// @dev Gross for this delivery is what the accepted total is owed minus what was already
    /// released, so rounding never accumulates and the last unit pays the exact remainder.
    function _payout(Order storage o, Confirmation calldata c) internal returns (Payout memory p) {
        uint256 owed = SettlementMath.grossOwed(o.value, o.quantity, o.accepted);
        p.gross = uint128(owed - o.grossPaid);
        o.grossPaid = uint128(owed);
        p.daysLate = uint64(SettlementMath.daysLate(o.deliveryDeadline, c.receivedAt));
        if (p.daysLate > 0 && p.gross > 0) {
            Agreement memory agr = tenders.agreement(o.agreementId);
            p.penalty = uint128(
                SettlementMath.penalty(p.gross, p.daysLate, agr.penaltyBpsPerDay, agr.penaltyCapBps)
            );
        }
        p.paid = p.gross - p.penalty;
    }

    /// @dev Closes the order once every unit is accepted or cancelled and nothing is in flight,
    /// and returns the escrow left to refund.
    function _closeIfComplete(uint256 orderId, Order storage o) internal returns (uint128 refund) {
        if (o.accepted + o.cancelled != o.quantity) return 0;
        refund = o.escrow;
        o.status = OrderStatus.Closed;
        _releaseEscrow(o, refund);
        emit OrderClosed(orderId, refund);
    }

    /// @dev The later of what the hospital asked for and what the agreement's lead time allows.
    function _deliveryDeadline(uint256 agreementId, uint64 requestedDelivery) internal view returns (uint64) {
        uint64 earliest =
            uint64(block.timestamp) + uint64(tenders.agreement(agreementId).leadTimeDays) * 1 days;
        return requestedDelivery > earliest ? requestedDelivery : earliest;
    }

    function _releaseEscrow(Order storage o, uint128 amount) internal {
        o.escrow -= amount;
        totalEscrow -= amount;
    }

    function _refund(address hospital, uint128 amount) internal {
        if (amount > 0) token.safeTransfer(hospital, amount);
    }

    function _remaining(Order storage o) internal view returns (uint64) {
        return o.quantity - o.cancelled - o.shipped;
    }

    /// @dev The hospital an account acts for when ordering: the hospital itself or an approver.
    function _staffHospital(address account) internal view returns (address hospital) {
        hospital = hospitals.hospitalOf(account);
        if (
            hospital == address(0) ||
            (hospital != account && !hospitals.hasHospitalRole(hospital, account, APPROVER))
        ) {
            revert OrderNotHospitalStaff(account);
        }
    }

    function _order(uint256 orderId) internal view returns (Order storage o) {
        o = _orders[orderId];
        if (o.status == OrderStatus.None) revert OrderNotFound(orderId);
    }

    function _requireStatus(uint256 orderId, OrderStatus status, OrderStatus expected) internal pure {
        if (status != expected) revert OrderStatusInvalid(orderId, status);
    }
}
