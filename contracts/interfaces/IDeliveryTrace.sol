// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Shipment, ShipmentInput, TraceStep} from "../types/LedgerTypes.sol";

/// @title IDeliveryTrace
/// @notice Shipments against funded orders, their EPCIS trace events, serial proofs and lot
/// recalls. Serial numbers stay off-chain: a shipment carries only the root of a
/// `StandardMerkleTree` over `["string"]` leaves, so its cost does not grow with the serials.
interface IDeliveryTrace {
    event ShipmentCreated(
        uint256 indexed shipmentId,
        uint256 indexed orderId,
        address indexed supplier,
        uint64 gtin,
        string lot,
        uint64 expiry,
        uint64 quantity,
        bytes32 serialRoot,
        bytes32 noticeHash
    );
    event TraceEventRecorded(
        uint256 indexed shipmentId,
        uint256 indexed eventIndex,
        TraceStep step,
        address indexed actor,
        bytes32 location,
        uint64 eventTime,
        bytes32 sensorDigest,
        bool excursion
    );
    event ExcursionWaived(uint256 indexed shipmentId, address indexed approver, uint16 reasonCode);
    event CarrierChanged(address indexed supplier, address indexed carrier, bool allowed);
    event LotRecalled(
        bytes32 indexed lotKey,
        uint64 indexed gtin,
        string lot,
        address indexed by,
        uint16 reasonCode,
        uint64 recalledAt
    );
    event ShipmentConfirmed(uint256 indexed shipmentId);
    event OrderBookBound(address orderBook);

    error TraceShipmentNotFound(uint256 shipmentId);
    error TraceInvalidGtin(uint64 gtin);
    error TraceInvalidLot(string lot);
    error TraceExpiryPassed(uint64 expiry, uint256 now);
    error TraceZeroQuantity();
    error TraceZeroSerialRoot();
    error TraceLotRecalled(uint64 gtin, string lot);
    error TraceSupplierNotQualified(address supplier, bytes32 category);
    error TraceStepNotAllowed(uint256 shipmentId, TraceStep step, address actor);
    error TraceEventInFuture(uint64 eventTime, uint256 now);
    error TraceNoExcursion(uint256 shipmentId);
    error TraceNotApprover(uint256 shipmentId, address caller);
    error TraceRecallNotAllowed(uint64 gtin, string lot, address caller);
    error TraceAlreadyConfirmed(uint256 shipmentId);
    error TraceCallerNotOrderBook(address caller);
    error TraceOrderBookAlreadyBound(address orderBook);
    error TraceZeroOrderBook();

    /// @notice A supplier ships against one of its funded orders.
    function createShipment(ShipmentInput calldata input) external returns (uint256 shipmentId);

    /// @notice Records an EPCIS business step. Shipping, departing and arriving are the
    /// supplier's or its carriers' until the hospital takes custody; receiving and later steps
    /// are the hospital's (admin or any member).
    function recordTraceEvent(
        uint256 shipmentId,
        TraceStep step,
        bytes32 location,
        uint64 eventTime,
        bytes32 sensorDigest,
        bool excursion
    ) external;

    /// @notice A hospital approver accepts a shipment despite its temperature excursions. The
    /// waiver covers the excursions recorded so far; a later excursion needs a new waiver.
    function waiveExcursion(uint256 shipmentId, uint16 reasonCode) external;

    /// @notice A supplier allows or disallows `carrier` to record its shipments' transport steps.
    function setCarrier(address carrier, bool allowed) external;

    /// @notice Recalls a lot: a regulator, or a supplier that has shipped it.
    function recall(uint64 gtin, string calldata lot, uint16 reasonCode) external;

    function bindOrderBook(address orderBook) external;

    /// @notice Marks a shipment confirmed; only the order book, when it settles it.
    function markConfirmed(uint256 shipmentId) external;

    function verifySerial(
        uint256 shipmentId,
        string calldata serial,
        bytes32[] calldata proof
    ) external view returns (bool);

    function shipment(uint256 shipmentId) external view returns (Shipment memory);

    function isRecalled(uint64 gtin, string calldata lot) external view returns (bool);

    function lotKey(uint64 gtin, string calldata lot) external pure returns (bytes32);
}
