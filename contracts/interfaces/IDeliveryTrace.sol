// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ShipmentInput, ShipmentRecord, ShipmentState, TraceStep} from "../types/LedgerTypes.sol";

/// @title IDeliveryTrace
/// @notice Shipments against funded orders, their EPCIS trace events, serial proofs and lot
/// recalls. A shipment is stored as the hash of its `ShipmentRecord` plus one slot of state;
/// acts that need its facts take the record (from the `ShipmentCreated` event) as calldata.
interface IDeliveryTrace {
    /// @notice A supplier shipped against an order.
    /// @param shipmentId The new shipment.
    /// @param supplier The supplier.
    /// @param lotKey keccak256(abi.encode(gtin, lot)): a lot's history is one topic filter.
    /// @param record Every fact of the shipment; later acts take it back as calldata.
    event ShipmentCreated(
        uint256 indexed shipmentId,
        address indexed supplier,
        bytes32 indexed lotKey,
        ShipmentRecord record
    );
    /// @notice A custody or inspection step was recorded.
    /// @param shipmentId The shipment.
    /// @param step The EPCIS business step.
    /// @param actor Who recorded it.
    /// @param location Hash of the read point (GLN or site id).
    /// @param eventTime When the step happened, as stated by the actor.
    /// @param sensorDigest Digest of the sensor readings, or zero.
    /// @param excursion The readings left the allowed range.
    event TraceEventRecorded(
        uint256 indexed shipmentId,
        TraceStep indexed step,
        address indexed actor,
        bytes32 location,
        uint64 eventTime,
        bytes32 sensorDigest,
        bool excursion
    );
    /// @notice An approver accepted a shipment despite its excursion.
    /// @param shipmentId The shipment.
    /// @param approver The approver.
    /// @param reasonCode The hospital's reason code.
    event ExcursionWaived(uint256 indexed shipmentId, address indexed approver, uint16 reasonCode);
    /// @notice The hospital recorded no receiving step, and its supplier claimed settlement once
    /// the receiving and confirmation windows after its Arriving record had passed: the shipment
    /// counts as received at the end of the receiving window (the order book's claim rule).
    /// @param shipmentId The shipment.
    /// @param receivedAt The time it counts as received at: its arrival plus the receiving window.
    event ShipmentDeemedReceived(uint256 indexed shipmentId, uint64 receivedAt);
    /// @notice A supplier allowed or disallowed a carrier to record transport steps for it.
    /// @param supplier The supplier.
    /// @param carrier The carrier.
    /// @param allowed Allowed now.
    event CarrierChanged(address indexed supplier, address indexed carrier, bool allowed);
    /// @notice A lot was recalled.
    /// @param lotKey keccak256(abi.encode(gtin, lot)).
    /// @param gtin The GTIN.
    /// @param lot The lot.
    /// @param scope The supplier whose shipments are recalled, or the zero address for every
    /// supplier's (a regulator's recall).
    /// @param by Who recalled.
    /// @param reasonCode The reason code.
    /// @param recalledAt Block time.
    event LotRecalled(
        bytes32 indexed lotKey,
        uint64 gtin,
        string lot,
        address indexed scope,
        address indexed by,
        uint16 reasonCode,
        uint64 recalledAt
    );
    /// @notice A regulator lifted a recall.
    /// @param lotKey keccak256(abi.encode(gtin, lot)).
    /// @param gtin The GTIN.
    /// @param lot The lot.
    /// @param scope The recall's scope (zero: the global recall).
    /// @param regulator Who lifted it.
    /// @param reasonCode The regulator's reason code.
    event RecallLifted(
        bytes32 indexed lotKey,
        uint64 gtin,
        string lot,
        address indexed scope,
        address indexed regulator,
        uint16 reasonCode
    );
    /// @notice The order book was bound.
    /// @param orderBook The order book.
    event OrderBookBound(address orderBook);

    /// @notice No shipment has id `shipmentId`.
    /// @param shipmentId The id.
    error TraceShipmentNotFound(uint256 shipmentId);
    /// @notice The record given does not hash to the stored shipment.
    /// @param shipmentId The shipment.
    error TraceRecordMismatch(uint256 shipmentId);
    /// @notice A number below 10^14 (so a GTIN-14) with a bad check digit, or 0.
    /// @param gtin The GTIN.
    error TraceInvalidGtin(uint64 gtin);
    /// @notice The supplier is not registered for the GTIN (no attested product registration).
    /// @param supplier The supplier.
    /// @param gtin The GTIN.
    error TraceGtinNotRegistered(address supplier, uint64 gtin);
    /// @notice A lot that is not 1-20 characters of GS1 set 82, or starts with = + - @.
    /// @param lot The lot.
    error TraceInvalidLot(string lot);
    /// @notice Goods already expired.
    /// @param expiry Their expiry.
    /// @param now Block time.
    error TraceExpiryPassed(uint64 expiry, uint256 now);
    /// @notice A shipment of zero units.
    error TraceZeroQuantity();
    /// @notice A shipment without a serial root.
    error TraceZeroSerialRoot();
    /// @notice The lot is recalled (for this supplier or everyone).
    /// @param gtin The GTIN.
    /// @param lot The lot.
    error TraceLotRecalled(uint64 gtin, string lot);
    /// @notice No recall of the lot in that scope to lift.
    /// @param gtin The GTIN.
    /// @param lot The lot.
    /// @param scope The scope.
    error TraceLotNotRecalled(uint64 gtin, string lot, address scope);
    /// @notice The supplier is not qualified for the category now.
    /// @param supplier The supplier.
    /// @param category The category.
    error TraceSupplierNotQualified(address supplier, bytes32 category);
    /// @notice The actor may not record this step now.
    /// @param shipmentId The shipment.
    /// @param step The step.
    /// @param actor The actor.
    error TraceStepNotAllowed(uint256 shipmentId, TraceStep step, address actor);
    /// @notice A step dated in the future.
    /// @param eventTime The stated time.
    /// @param now Block time.
    error TraceEventInFuture(uint64 eventTime, uint256 now);
    /// @notice Nothing to waive.
    /// @param shipmentId The shipment.
    error TraceNoExcursion(uint256 shipmentId);
    /// @notice The caller is not an approver of the shipment's hospital.
    /// @param shipmentId The shipment.
    /// @param caller The caller.
    error TraceNotApprover(uint256 shipmentId, address caller);
    /// @notice The shipment's own supplier cannot waive its excursion, whatever role the hospital
    /// gave its account.
    /// @param shipmentId The shipment.
    /// @param supplier The caller, the shipment's supplier.
    error TraceOwnDelivery(uint256 shipmentId, address supplier);
    /// @notice The shipment was settled already.
    /// @param shipmentId The shipment.
    error TraceAlreadyConfirmed(uint256 shipmentId);
    /// @notice A deemed receipt for a shipment the hospital already recorded receiving.
    /// @param shipmentId The shipment.
    /// @param receivedAt The receiving time recorded.
    error TraceAlreadyReceived(uint256 shipmentId, uint64 receivedAt);
    /// @notice Only the order book confirms.
    /// @param caller The caller.
    error TraceCallerNotOrderBook(address caller);
    /// @notice The order book is bound once.
    /// @param orderBook The bound order book.
    error TraceOrderBookAlreadyBound(address orderBook);
    /// @notice The order book cannot be the zero address.
    error TraceZeroOrderBook();

    /// @notice Ships against a funded order of the caller.
    /// Requirements: not paused; valid GTIN registered to the caller; valid lot not recalled for
    /// the caller or globally; expiry ahead; quantity within what remains; non-zero serial root;
    /// the caller is the agreement's supplier, qualified; before the delivery deadline unless the
    /// hospital allowed late shipment. Emits `ShipmentCreated`.
    function createShipment(ShipmentInput calldata input) external returns (uint256 shipmentId);

    /// @notice Records an EPCIS step. Shipping to Arriving: the supplier or its carrier, until the
    /// hospital takes custody (the first Arriving sets the arrival time). Receiving and later:
    /// the hospital's accounts, never the supplier's (the first sets the receiving time and
    /// custody). A new excursion
    /// cancels an earlier waiver. Requirements: not paused; record matches; event time not in
    /// the future. Emits `TraceEventRecorded`.
    function recordTraceEvent(
        uint256 shipmentId,
        ShipmentRecord calldata shipment,
        TraceStep step,
        bytes32 location,
        uint64 eventTime,
        bytes32 sensorDigest,
        bool excursion
    ) external;

    /// @notice An approver of the hospital, not the shipment's supplier, waives the shipment's
    /// excursion. Emits `ExcursionWaived`.
    function waiveExcursion(uint256 shipmentId, ShipmentRecord calldata shipment, uint16 reasonCode) external;

    /// @notice The caller (a supplier) allows or disallows `carrier`. Emits `CarrierChanged`.
    function setCarrier(address carrier, bool allowed) external;

    /// @notice Recalls a lot: a regulator's recall covers every supplier's shipments of it, a
    /// supplier's only its own. Works while paused. Emits `LotRecalled`.
    function recall(uint64 gtin, string calldata lot, uint16 reasonCode) external;

    /// @notice A regulator lifts a recall of `scope` (zero for the global one). Works while
    /// paused. Emits `RecallLifted`.
    function liftRecall(uint64 gtin, string calldata lot, address scope, uint16 reasonCode) external;

    function bindOrderBook(address orderBook) external;

    /// @notice Records `receivedAt` as the receiving time of a shipment the hospital recorded none
    /// for, for the order book's claim on arrival. Requirements: the order book; no receiving time
    /// recorded (`TraceAlreadyReceived`). Emits `ShipmentDeemedReceived`.
    function markDeemedReceived(uint256 shipmentId, uint64 receivedAt) external;

    /// @notice Marks the shipment settled for the order book, recording the receiving time now if
    /// the hospital never recorded one, and returns what settlement needs. The order book passes
    /// the hash of the record it was given; it must equal the stored one.
    function markConfirmed(
        uint256 shipmentId,
        bytes32 recordHash,
        bytes32 lotKey,
        address supplier
    ) external returns (uint64 arrivedAt, uint64 receivedAt, bool recalled, bool excursionHeld);

    /// @notice Checks a shipment record against its hash and returns the shipment's state.
    function checkedState(
        uint256 shipmentId,
        ShipmentRecord calldata shipment
    ) external view returns (ShipmentState memory);

    function verifySerial(
        uint256 shipmentId,
        ShipmentRecord calldata shipment,
        string calldata serial,
        bytes32[] calldata proof
    ) external view returns (bool);

    function shipmentState(uint256 shipmentId) external view returns (ShipmentState memory);

    function shipmentHash(uint256 shipmentId) external view returns (bytes32);

    /// @notice Whether shipments of `supplier` of the lot are recalled (globally or for it).
    function isRecalled(uint64 gtin, string calldata lot, address supplier) external view returns (bool);

    /// @notice `isRecalled` by the lot's key (`lotKey`), for a book that keeps the key.
    function isLotKeyRecalled(bytes32 key, address supplier) external view returns (bool);

    function lotKey(uint64 gtin, string calldata lot) external pure returns (bytes32);
}
