// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Confirmation, Order, OrderStatus, Payout} from "../types/LedgerTypes.sol";

/// @title IOrderBook
/// @notice Orders against agreements, their escrow, and settlement of confirmed shipments.
/// The token held by this contract always equals the sum of `escrow` over all orders.
interface IOrderBook {
    event OrderPlaced(
        uint256 indexed orderId,
        uint256 indexed agreementId,
        address indexed hospital,
        address placedBy,
        uint64 quantity,
        uint128 value,
        uint64 requestedDelivery,
        uint64 deliveryDeadline,
        bytes32 orderRef
    );
    event OrderApproved(uint256 indexed orderId, address indexed approver, uint8 approvals, uint8 required);
    event OrderFunded(uint256 indexed orderId, address indexed hospital, uint128 amount);
    event SupplierAgreedToCancel(uint256 indexed orderId, address indexed supplier);
    /// @notice The hospital cancelled `units` undelivered units; `refund` went back to it now.
    event OrderCancelled(
        uint256 indexed orderId,
        address indexed by,
        uint64 units,
        uint128 refund,
        OrderStatus status
    );
    /// @notice A shipment was confirmed and paid: what the settler stated and what moved.
    event ShipmentSettled(
        uint256 indexed shipmentId,
        uint256 indexed orderId,
        address indexed supplier,
        Confirmation confirmation,
        Payout payout
    );
    /// @notice Every unit is accepted or cancelled; the rest of the escrow went back to the hospital.
    event OrderClosed(uint256 indexed orderId, uint128 refund);

    error OrderNotFound(uint256 orderId);
    error OrderStatusInvalid(uint256 orderId, OrderStatus status);
    error OrderNotHospitalStaff(address caller);
    error OrderNotApprover(uint256 orderId, address caller);
    error OrderAlreadyApproved(uint256 orderId, address approver);
    error OrderZeroQuantity();
    error OrderDeliveryDateInPast(uint64 requestedDelivery, uint256 now);
    error OrderCancelNotAllowed(uint256 orderId, uint64 deliveryDeadline, uint256 now);
    error OrderCancelAlreadyRequested(uint256 orderId);
    error OrderNotSupplier(uint256 orderId, address caller);
    error OrderQuantityExceedsRemaining(uint256 orderId, uint64 quantity, uint64 remaining);
    error OrderCallerNotTrace(address caller);
    error SettlementNotSettler(uint256 shipmentId, address caller);
    error SettlementAlreadyConfirmed(uint256 shipmentId);
    error SettlementQuantityMismatch(uint256 shipmentId, uint64 accepted, uint64 rejected, uint64 shipped);
    error SettlementInvalidReceiptTime(uint256 shipmentId, uint64 receivedAt, uint64 shippedAt, uint256 now);
    error SettlementLotRecalled(uint256 shipmentId, uint64 gtin, string lot);
    error SettlementExpiredAtReceipt(uint256 shipmentId, uint64 expiry, uint64 receivedAt);
    error SettlementSupplierNotQualified(uint256 shipmentId, address supplier, bytes32 category);
    error SettlementExcursionNotWaived(uint256 shipmentId);

    /// @notice Places an order for the caller's hospital (its admin or an approver); the value
    /// is locked now from the agreement's tiers at its cumulative volume before this order.
    function placeOrder(
        uint256 agreementId,
        uint64 quantity,
        uint64 requestedDelivery,
        bytes32 orderRef
    ) external returns (uint256 orderId);

    /// @notice Approves an order; the last required approval pulls its value into escrow.
    function approveOrder(uint256 orderId) external;

    /// @notice Like `approveOrder`, first applying the hospital's EIP-2612 permit for the value.
    function approveOrderWithPermit(
        uint256 orderId,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice Cancels what has not been shipped: everything (full refund) before the first
    /// shipment, otherwise (even if every unit shipped so far was rejected) the undelivered
    /// remainder once the delivery deadline has passed or the supplier agreed.
    function cancelOrder(uint256 orderId) external;

    function agreeToCancel(uint256 orderId) external;

    /// @notice Called by the delivery trace when a shipment is created; returns the category
    /// and supplier of the order's agreement.
    function recordShipment(
        uint256 orderId,
        address supplier,
        uint64 quantity
    ) external returns (bytes32 category);

    /// @notice The hospital's settler confirms a shipment and the supplier is paid from escrow.
    function confirmShipment(uint256 shipmentId, Confirmation calldata confirmation) external;

    function order(uint256 orderId) external view returns (Order memory);

    /// @notice Units that may still be shipped against the order.
    function remainingToShip(uint256 orderId) external view returns (uint64);

    /// @notice Sum of `escrow` over all orders (equals the token balance held).
    function totalEscrow() external view returns (uint256);
}
