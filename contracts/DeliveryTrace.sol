// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {LedgerBase} from "./access/LedgerBase.sol";
import {IDeliveryTrace} from "./interfaces/IDeliveryTrace.sol";
import {IHospitalRegistry} from "./interfaces/IHospitalRegistry.sol";
import {IOrderBook} from "./interfaces/IOrderBook.sol";
import {ISupplierRegistry} from "./interfaces/ISupplierRegistry.sol";
import {Gtin} from "./libraries/Gtin.sol";
import {Shipment, ShipmentInput, TraceStep} from "./types/LedgerTypes.sol";

/// @title DeliveryTrace
/// @notice Shipments, their custody trail and lot recalls. A shipment's serial list is a Merkle
/// root only; the gateway serves the list and proofs, `verifySerial` checks them.
contract DeliveryTrace is IDeliveryTrace, LedgerBase {
    uint256 internal constant MAX_LOT_LENGTH = 20;
    uint8 internal constant APPROVER = 1;

    ISupplierRegistry public immutable registry;
    IHospitalRegistry public immutable hospitals;
    IOrderBook public orderBook;

    uint256 public shipmentCount;
    mapping(uint256 shipmentId => Shipment) internal _shipments;
    mapping(uint256 shipmentId => uint256) public traceEventCount;
    mapping(address supplier => mapping(address carrier => bool)) public isCarrier;
    mapping(bytes32 lotKey => bool) internal _recalled;
    mapping(bytes32 lotKey => mapping(address supplier => bool)) public hasShippedLot;

    constructor(
        IAccessControl roles_,
        address forwarder,
        ISupplierRegistry registry_,
        IHospitalRegistry hospitals_
    ) LedgerBase(roles_, forwarder) {
        registry = registry_;
        hospitals = hospitals_;
    }

    /// @inheritdoc IDeliveryTrace
    function bindOrderBook(address orderBook_) external onlyRole(_ADMIN_ROLE) {
        if (address(orderBook) != address(0)) revert TraceOrderBookAlreadyBound(address(orderBook));
        if (orderBook_ == address(0)) revert TraceZeroOrderBook();
        orderBook = IOrderBook(orderBook_);
        emit OrderBookBound(orderBook_);
    }

    /// @inheritdoc IDeliveryTrace
    function createShipment(
        ShipmentInput calldata input
    ) external whenNotPaused returns (uint256 shipmentId) {
        address supplier = _msgSender();
        bytes32 key = _checkShipment(input);

        // The order book is a trusted ledger contract: it reserves the quantity and tells the
        // category, so the qualification check below sees the agreement's category.
        bytes32 category = orderBook.recordShipment(input.orderId, supplier, input.quantity);
        if (!registry.isQualified(supplier, category, uint64(block.timestamp))) {
            revert TraceSupplierNotQualified(supplier, category);
        }

        shipmentId = ++shipmentCount;
        Shipment storage s = _shipments[shipmentId];
        s.orderId = input.orderId;
        s.supplier = supplier;
        s.gtin = input.gtin;
        s.expiry = input.expiry;
        s.quantity = input.quantity;
        s.createdAt = uint64(block.timestamp);
        s.serialRoot = input.serialRoot;
        s.noticeHash = input.noticeHash;
        s.lot = input.lot;
        hasShippedLot[key][supplier] = true;
        emit ShipmentCreated(
            shipmentId,
            input.orderId,
            supplier,
            input.gtin,
            input.lot,
            input.expiry,
            input.quantity,
            input.serialRoot,
            input.noticeHash
        );
    }

    /// @inheritdoc IDeliveryTrace
    function recordTraceEvent(
        uint256 shipmentId,
        TraceStep step,
        bytes32 location,
        uint64 eventTime,
        bytes32 sensorDigest,
        bool excursion
    ) external whenNotPaused {
        Shipment storage s = _shipment(shipmentId);
        address actor = _msgSender();
        if (eventTime > block.timestamp) revert TraceEventInFuture(eventTime, block.timestamp);
        if (step <= TraceStep.Arriving) {
            bool transporter = actor == s.supplier || isCarrier[s.supplier][actor];
            if (!transporter || s.hospitalCustody) revert TraceStepNotAllowed(shipmentId, step, actor);
        } else {
            if (hospitals.hospitalOf(actor) != orderBook.order(s.orderId).hospital) {
                revert TraceStepNotAllowed(shipmentId, step, actor);
            }
            s.hospitalCustody = true;
        }
        if (excursion) {
            // A waiver covers only the excursions reported before it: a new one needs its own.
            s.excursion = true;
            s.excursionWaived = false;
        }
        uint256 index = ++traceEventCount[shipmentId];
        emit TraceEventRecorded(shipmentId, index, step, actor, location, eventTime, sensorDigest, excursion);
    }

    /// @inheritdoc IDeliveryTrace
    function waiveExcursion(uint256 shipmentId, uint16 reasonCode) external whenNotPaused {
        Shipment storage s = _shipment(shipmentId);
        address caller = _msgSender();
        if (!hospitals.hasHospitalRole(orderBook.order(s.orderId).hospital, caller, APPROVER)) {
            revert TraceNotApprover(shipmentId, caller);
        }
        if (!s.excursion) revert TraceNoExcursion(shipmentId);
        s.excursionWaived = true;
        emit ExcursionWaived(shipmentId, caller, reasonCode);
    }

    /// @inheritdoc IDeliveryTrace
    function setCarrier(address carrier, bool allowed) external whenNotPaused {
        address supplier = _msgSender();
        isCarrier[supplier][carrier] = allowed;
        emit CarrierChanged(supplier, carrier, allowed);
    }

    /// @inheritdoc IDeliveryTrace
    function recall(uint64 gtin, string calldata lot, uint16 reasonCode) external whenNotPaused {
        address caller = _msgSender();
        bytes32 key = lotKey(gtin, lot);
        if (!_isRegulator(caller) && !hasShippedLot[key][caller])
            revert TraceRecallNotAllowed(gtin, lot, caller);
        if (_recalled[key]) revert TraceLotRecalled(gtin, lot);
        _recalled[key] = true;
        emit LotRecalled(key, gtin, lot, caller, reasonCode, uint64(block.timestamp));
    }

    /// @inheritdoc IDeliveryTrace
    function markConfirmed(uint256 shipmentId) external {
        if (msg.sender != address(orderBook)) revert TraceCallerNotOrderBook(msg.sender);
        Shipment storage s = _shipment(shipmentId);
        if (s.confirmed) revert TraceAlreadyConfirmed(shipmentId);
        s.confirmed = true;
        emit ShipmentConfirmed(shipmentId);
    }

    /// @inheritdoc IDeliveryTrace
    function verifySerial(
        uint256 shipmentId,
        string calldata serial,
        bytes32[] calldata proof
    ) external view returns (bool) {
        // StandardMerkleTree leaf for the value ["string"]: double-hashed against second
        // preimage attacks.
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(serial))));
        return MerkleProof.verifyCalldata(proof, _shipment(shipmentId).serialRoot, leaf);
    }

    /// @inheritdoc IDeliveryTrace
    function shipment(uint256 shipmentId) external view returns (Shipment memory) {
        return _shipment(shipmentId);
    }

    /// @inheritdoc IDeliveryTrace
    function isRecalled(uint64 gtin, string calldata lot) external view returns (bool) {
        return _recalled[lotKey(gtin, lot)];
    }

    /// @inheritdoc IDeliveryTrace
    function lotKey(uint64 gtin, string calldata lot) public pure returns (bytes32) {
        return keccak256(abi.encode(gtin, lot));
    }

    function _checkShipment(ShipmentInput calldata input) internal view returns (bytes32 key) {
        if (!Gtin.isValid(input.gtin)) revert TraceInvalidGtin(input.gtin);
        uint256 lotLength = bytes(input.lot).length;
        if (lotLength == 0 || lotLength > MAX_LOT_LENGTH) revert TraceInvalidLot(input.lot);
        if (input.expiry <= block.timestamp) revert TraceExpiryPassed(input.expiry, block.timestamp);
        if (input.quantity == 0) revert TraceZeroQuantity();
        if (input.serialRoot == bytes32(0)) revert TraceZeroSerialRoot();
        key = lotKey(input.gtin, input.lot);
        if (_recalled[key]) revert TraceLotRecalled(input.gtin, input.lot);
    }

    function _shipment(uint256 shipmentId) internal view returns (Shipment storage s) {
        s = _shipments[shipmentId];
        if (s.orderId == 0) revert TraceShipmentNotFound(shipmentId);
    }
}
