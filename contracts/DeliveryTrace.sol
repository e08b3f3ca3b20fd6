// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {LedgerBase} from "./access/LedgerBase.sol";
import {IDeliveryTrace} from "./interfaces/IDeliveryTrace.sol";
import {IHospitalRegistry} from "./interfaces/IHospitalRegistry.sol";
import {IOrderBook} from "./interfaces/IOrderBook.sol";
import {ISupplierRegistry} from "./interfaces/ISupplierRegistry.sol";
import {Gtin} from "./libraries/Gtin.sol";
import {HospitalRoles} from "./libraries/HospitalRoles.sol";
import {LotCode} from "./libraries/LotCode.sol";
import {ShipmentInput, ShipmentRecord, ShipmentState, TraceStep} from "./types/LedgerTypes.sol";

/// @title DeliveryTrace
/// @notice Shipments, their custody trail and lot recalls. A shipment's serial list is a Merkle
/// root only; the gateway serves the list and proofs, `verifySerial` checks them.
/// @dev A shipment costs two slots: the hash of its record and one slot of state. Recalls are
/// keyed by lot (global, by a regulator) or by lot and supplier (a supplier's own shipments),
/// so a supplier can never recall a competitor's stock.
contract DeliveryTrace is IDeliveryTrace, LedgerBase {
    ISupplierRegistry public immutable registry;
    IHospitalRegistry public immutable hospitals;
    IOrderBook public orderBook;

    uint256 public shipmentCount;
    mapping(uint256 shipmentId => bytes32) internal _recordHash;
    mapping(uint256 shipmentId => ShipmentState) internal _state;
    mapping(address supplier => mapping(address carrier => bool)) public isCarrier;
    /// @dev Per lot: the global recall, and how many supplier-scoped recalls are active, so that
    /// the common case (no recall at all) costs one read.
    struct LotRecalls {
        bool global;
        uint32 scoped;
    }

    mapping(bytes32 lotKey => LotRecalls) internal _lotRecalls;
    /// @dev Keyed by keccak256(lotKey, supplier).
    mapping(bytes32 scopedKey => bool) internal _scopedRecall;

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
        bytes32 key = _checkShipment(input, supplier);

        // The order book is a trusted ledger contract: it reserves the quantity and tells the
        // hospital and category, so the qualification check below sees the agreement's category.
        (address hospital, bytes32 category) = orderBook.recordShipment(
            input.orderId,
            supplier,
            input.quantity
        );
        if (!registry.isQualified(supplier, category, uint64(block.timestamp))) {
            revert TraceSupplierNotQualified(supplier, category);
        }

        shipmentId = ++shipmentCount;
        ShipmentRecord memory record = ShipmentRecord({
            orderId: input.orderId,
            supplier: supplier,
            hospital: hospital,
            gtin: input.gtin,
            expiry: input.expiry,
            quantity: input.quantity,
            createdAt: uint64(block.timestamp),
            serialRoot: input.serialRoot,
            noticeHash: input.noticeHash,
            lot: input.lot
        });
        _recordHash[shipmentId] = keccak256(abi.encode(record));
        emit ShipmentCreated(shipmentId, supplier, key, record);
    }

    /// @inheritdoc IDeliveryTrace
    function recordTraceEvent(
        uint256 shipmentId,
        ShipmentRecord calldata shipment,
        TraceStep step,
        bytes32 location,
        uint64 eventTime,
        bytes32 sensorDigest,
        bool excursion
    ) external whenNotPaused {
        ShipmentState memory st = _checked(shipmentId, shipment);
        address actor = _msgSender();
        if (eventTime > block.timestamp) revert TraceEventInFuture(eventTime, block.timestamp);
        bool changed;
        if (step <= TraceStep.Arriving) {
            bool transporter = actor == shipment.supplier || isCarrier[shipment.supplier][actor];
            if (!transporter || st.hospitalCustody) revert TraceStepNotAllowed(shipmentId, step, actor);
            if (step == TraceStep.Arriving && st.arrivedAt == 0) {
                st.arrivedAt = uint40(block.timestamp);
                changed = true;
            }
        } else {
            // The hospital's own record of the goods: not the supplier's, whatever role the
            // hospital gave its account, as a receipt opens the supplier's claim.
            if (hospitals.hospitalOf(actor) != shipment.hospital || actor == shipment.supplier) {
                revert TraceStepNotAllowed(shipmentId, step, actor);
            }
            if (!st.hospitalCustody) {
                st.hospitalCustody = true;
                st.receivedAt = uint40(block.timestamp);
                changed = true;
            }
        }
        if (excursion) {
            // A waiver covers only the excursions reported before it: a new one needs its own.
            st.excursion = true;
            st.excursionWaived = false;
            changed = true;
        }
        // Most steps change nothing but the log: the state slot is written only when it changes.
        if (changed) _state[shipmentId] = st;
        emit TraceEventRecorded(shipmentId, step, actor, location, eventTime, sensorDigest, excursion);
    }

    /// @inheritdoc IDeliveryTrace
    function waiveExcursion(
        uint256 shipmentId,
        ShipmentRecord calldata shipment,
        uint16 reasonCode
    ) external whenNotPaused {
        ShipmentState memory st = _checked(shipmentId, shipment);
        address caller = _msgSender();
        if (!hospitals.hasHospitalRole(shipment.hospital, caller, HospitalRoles.APPROVER)) {
            revert TraceNotApprover(shipmentId, caller);
        }
        if (caller == shipment.supplier) revert TraceOwnDelivery(shipmentId, caller);
        if (!st.excursion) revert TraceNoExcursion(shipmentId);
        _state[shipmentId].excursionWaived = true;
        emit ExcursionWaived(shipmentId, caller, reasonCode);
    }

    /// @inheritdoc IDeliveryTrace
    function setCarrier(address carrier, bool allowed) external whenNotPaused {
        address supplier = _msgSender();
        isCarrier[supplier][carrier] = allowed;
        emit CarrierChanged(supplier, carrier, allowed);
    }

    /// @inheritdoc IDeliveryTrace
    /// @dev Never paused: stopping unsafe stock must not wait for an unpause.
    function recall(uint64 gtin, string calldata lot, uint16 reasonCode) external {
        address caller = _msgSender();
        // A regulator's recall is global; anyone else's covers only its own shipments, so it can
        // never touch a competitor's stock of the same lot.
        address scope = _isRegulator(caller) ? address(0) : caller;
        bytes32 key = lotKey(gtin, lot);
        if (_isRecalled(key, scope)) revert TraceLotRecalled(gtin, lot);
        _setRecall(key, scope, true);
        emit LotRecalled(key, gtin, lot, scope, caller, reasonCode, uint64(block.timestamp));
    }

    /// @inheritdoc IDeliveryTrace
    function liftRecall(
        uint64 gtin,
        string calldata lot,
        address scope,
        uint16 reasonCode
    ) external onlyRole(_REGULATOR_ROLE) {
        bytes32 key = lotKey(gtin, lot);
        bool active = scope == address(0) ? _lotRecalls[key].global : _scopedRecall[_scopedKey(key, scope)];
        if (!active) revert TraceLotNotRecalled(gtin, lot, scope);
        _setRecall(key, scope, false);
        emit RecallLifted(key, gtin, lot, scope, _msgSender(), reasonCode);
    }

    /// @inheritdoc IDeliveryTrace
    function markConfirmed(
        uint256 shipmentId,
        bytes32 recordHash,
        bytes32 key,
        address supplier
    ) external returns (uint64 arrivedAt, uint64 receivedAt, bool recalled, bool excursionHeld) {
        if (msg.sender != address(orderBook)) revert TraceCallerNotOrderBook(msg.sender);
        bytes32 stored = _recordHash[shipmentId];
        if (stored == bytes32(0)) revert TraceShipmentNotFound(shipmentId);
        if (stored != recordHash) revert TraceRecordMismatch(shipmentId);
        ShipmentState memory st = _state[shipmentId];
        if (st.confirmed) revert TraceAlreadyConfirmed(shipmentId);
        st.confirmed = true;
        // A confirmation is the hospital's receiving record when it made none before.
        if (st.receivedAt == 0) {
            st.receivedAt = uint40(block.timestamp);
            st.hospitalCustody = true;
        }
        _state[shipmentId] = st;
        return (st.arrivedAt, st.receivedAt, _isRecalled(key, supplier), st.excursion && !st.excursionWaived);
    }

    /// @inheritdoc IDeliveryTrace
    function markDeemedReceived(uint256 shipmentId, uint64 receivedAt) external {
        if (msg.sender != address(orderBook)) revert TraceCallerNotOrderBook(msg.sender);
        ShipmentState storage st = _state[shipmentId];
        if (st.receivedAt != 0) revert TraceAlreadyReceived(shipmentId, st.receivedAt);
        st.receivedAt = uint40(receivedAt);
        st.hospitalCustody = true;
        emit ShipmentDeemedReceived(shipmentId, receivedAt);
    }

    /// @inheritdoc IDeliveryTrace
    function checkedState(
        uint256 shipmentId,
        ShipmentRecord calldata shipment
    ) external view returns (ShipmentState memory) {
        return _checked(shipmentId, shipment);
    }

    /// @inheritdoc IDeliveryTrace
    function verifySerial(
        uint256 shipmentId,
        ShipmentRecord calldata shipment,
        string calldata serial,
        bytes32[] calldata proof
    ) external view returns (bool) {
        _checked(shipmentId, shipment);
        // StandardMerkleTree leaf for the value ["string"]: double-hashed against second
        // preimage attacks.
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(serial))));
        return MerkleProof.verifyCalldata(proof, shipment.serialRoot, leaf);
    }

    /// @inheritdoc IDeliveryTrace
    function shipmentState(uint256 shipmentId) external view returns (ShipmentState memory) {
        return _existing(shipmentId);
    }

    /// @inheritdoc IDeliveryTrace
    function shipmentHash(uint256 shipmentId) external view returns (bytes32) {
        _existing(shipmentId);
        return _recordHash[shipmentId];
    }

    /// @inheritdoc IDeliveryTrace
    function isRecalled(uint64 gtin, string calldata lot, address supplier) external view returns (bool) {
        return _isRecalled(lotKey(gtin, lot), supplier);
    }

    /// @inheritdoc IDeliveryTrace
    function isLotKeyRecalled(bytes32 key, address supplier) external view returns (bool) {
        return _isRecalled(key, supplier);
    }

    /// @inheritdoc IDeliveryTrace
    function lotKey(uint64 gtin, string calldata lot) public pure returns (bytes32) {
        return keccak256(abi.encode(gtin, lot));
    }

    function _checkShipment(
        ShipmentInput calldata input,
        address supplier
    ) internal view returns (bytes32 key) {
        if (!Gtin.isProductNumber(input.gtin)) revert TraceInvalidGtin(input.gtin);
        if (!LotCode.isValid(input.lot)) revert TraceInvalidLot(input.lot);
        if (input.expiry <= block.timestamp) revert TraceExpiryPassed(input.expiry, block.timestamp);
        if (input.quantity == 0) revert TraceZeroQuantity();
        if (input.serialRoot == bytes32(0)) revert TraceZeroSerialRoot();
        if (!registry.isGtinRegistered(supplier, input.gtin, uint64(block.timestamp))) {
            revert TraceGtinNotRegistered(supplier, input.gtin);
        }
        key = lotKey(input.gtin, input.lot);
        if (_isRecalled(key, supplier)) revert TraceLotRecalled(input.gtin, input.lot);
    }

    function _isRecalled(bytes32 key, address supplier) internal view returns (bool) {
        LotRecalls memory r = _lotRecalls[key];
        if (r.global) return true;
        return r.scoped != 0 && supplier != address(0) && _scopedRecall[_scopedKey(key, supplier)];
    }

    function _setRecall(bytes32 key, address scope, bool active) internal {
        if (scope == address(0)) {
            _lotRecalls[key].global = active;
            return;
        }
        _scopedRecall[_scopedKey(key, scope)] = active;
        if (active) ++_lotRecalls[key].scoped;
        else --_lotRecalls[key].scoped;
    }

    function _scopedKey(bytes32 key, address scope) internal pure returns (bytes32) {
        return keccak256(abi.encode(key, scope));
    }

    function _checked(
        uint256 shipmentId,
        ShipmentRecord calldata shipment
    ) internal view returns (ShipmentState memory st) {
        st = _existing(shipmentId);
        if (_recordHash[shipmentId] != keccak256(abi.encode(shipment)))
            revert TraceRecordMismatch(shipmentId);
    }

    function _existing(uint256 shipmentId) internal view returns (ShipmentState memory) {
        if (_recordHash[shipmentId] == bytes32(0)) revert TraceShipmentNotFound(shipmentId);
        return _state[shipmentId];
    }
}
