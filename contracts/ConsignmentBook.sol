// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {LedgerBase} from "./access/LedgerBase.sol";
import {IAgreementBook} from "./interfaces/IAgreementBook.sol";
import {IConsignmentBook} from "./interfaces/IConsignmentBook.sol";
import {IDeliveryTrace} from "./interfaces/IDeliveryTrace.sol";
import {IHospitalRegistry} from "./interfaces/IHospitalRegistry.sol";
import {IOrderBook} from "./interfaces/IOrderBook.sol";
import {HospitalRoles} from "./libraries/HospitalRoles.sol";
import {ConsignedStock, ConsumptionLine, Order, OrderStatus, ShipmentRecord} from "./types/LedgerTypes.sol";

/// @title ConsignmentBook
/// @notice Consigned stock and its payment on use; see `IConsignmentBook` for the rules.
/// Invariant: this book's token balance equals `totalHeld`, the Σ over every shipment of `held`
/// (the value of its units on hand) and of its pending return's value.
/// @dev Every function that moves tokens checks, then writes every effect, then transfers.
contract ConsignmentBook is IConsignmentBook, LedgerBase, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @dev A consignment agreement's terms.
    struct Terms {
        bool offered;
        bool hospitalBearsExpiry;
    }

    /// @dev Units a hospital sent back, off its shelf but not refunded until the supplier
    /// confirms it has them.
    struct PendingReturn {
        uint32 units;
        uint128 value;
        uint16 reasonCode;
        uint64 answerBy;
    }

    /// @notice How long a supplier has to refuse a hospital's return; silence after it is consent,
    /// so a supplier cannot hold the hospital's refund by never answering.
    uint64 public constant RETURN_ANSWER_WINDOW = 14 days;

    IERC20 public immutable token;
    IAgreementBook public immutable agreements;
    IHospitalRegistry public immutable hospitals;
    IDeliveryTrace public immutable trace;
    IOrderBook public orderBook;
    /// @inheritdoc IConsignmentBook
    uint256 public totalHeld;

    mapping(uint256 agreementId => Terms) internal _terms;
    mapping(uint256 shipmentId => ConsignedStock) internal _stock;
    mapping(bytes32 batchId => bool) public batchConfirmed;
    mapping(uint256 shipmentId => PendingReturn) internal _pendingReturns;

    constructor(
        IAccessControl roles_,
        address forwarder,
        IERC20 token_,
        IAgreementBook agreements_,
        IHospitalRegistry hospitals_,
        IDeliveryTrace trace_
    ) LedgerBase(roles_, forwarder) {
        token = token_;
        agreements = agreements_;
        hospitals = hospitals_;
        trace = trace_;
    }

    /// @inheritdoc IConsignmentBook
    function bindOrderBook(address orderBook_) external onlyRole(_ADMIN_ROLE) {
        if (address(orderBook) != address(0)) revert ConsignmentOrderBookAlreadyBound(address(orderBook));
        if (orderBook_ == address(0)) revert ConsignmentZeroOrderBook();
        orderBook = IOrderBook(orderBook_);
        emit OrderBookBound(orderBook_);
    }

    /// @inheritdoc IConsignmentBook
    function offerConsignment(uint256 agreementId, bool hospitalBearsExpiry) external whenNotPaused {
        address caller = _msgSender();
        (address supplier, ) = agreements.supplierAndCategory(agreementId);
        if (caller != supplier) revert ConsignmentNotSupplier(agreementId, caller);
        Terms storage t = _terms[agreementId];
        // Fixed once offered: hospitals elect consignment on these terms.
        if (t.offered) revert ConsignmentAlreadyOffered(agreementId);
        t.offered = true;
        t.hospitalBearsExpiry = hospitalBearsExpiry;
        emit ConsignmentOffered(agreementId, supplier, hospitalBearsExpiry);
    }

    /// @inheritdoc IConsignmentBook
    function electConsignment(uint256 orderId) external whenNotPaused {
        Order memory o = orderBook.order(orderId);
        address caller = _msgSender();
        _requireStaff(o.hospital, caller);
        // Before funding: once the supplier may ship, it ships on the terms it was funded on.
        if (o.status != OrderStatus.Placed) revert ConsignmentOrderNotPlaced(orderId, uint8(o.status));
        if (!_terms[o.agreementId].offered) revert ConsignmentNotOffered(orderId, o.agreementId);
        if (o.consigned) revert ConsignmentAlreadyElected(orderId);
        orderBook.markConsigned(orderId);
        emit OrderConsigned(orderId, o.agreementId, o.hospital, caller);
    }

    /// @inheritdoc IConsignmentBook
    function onSettled(
        uint256 shipmentId,
        ShipmentRecord calldata shipment,
        uint32 units,
        uint128 value
    ) external returns (bool consigned) {
        if (msg.sender != address(orderBook)) revert ConsignmentCallerNotOrderBook(msg.sender);
        uint256 orderId = shipment.orderId;
        Order memory o = orderBook.order(orderId);
        if (!o.consigned) return false;
        // A shipment settles once (the trace refuses a second confirmation), so this is new.
        _stock[shipmentId] = ConsignedStock({
            hospital: shipment.hospital,
            expiry: shipment.expiry,
            received: units,
            supplier: shipment.supplier,
            used: 0,
            returned: 0,
            expired: 0,
            held: value,
            orderId: uint64(orderId),
            agreementId: o.agreementId,
            lotKey: trace.lotKey(shipment.gtin, shipment.lot)
        });
        totalHeld += value;
        emit StockConsigned(
            shipmentId,
            orderId,
            shipment.hospital,
            shipment.supplier,
            units,
            value,
            shipment.expiry
        );
        return true;
    }

    /// @inheritdoc IConsignmentBook
    function confirmConsumption(
        bytes32 batchId,
        ConsumptionLine[] calldata lines
    ) external whenNotPaused nonReentrant {
        if (lines.length == 0) revert ConsignmentBatchEmpty(batchId);
        if (batchConfirmed[batchId]) revert ConsignmentBatchRepeated(batchId);
        batchConfirmed[batchId] = true;
        ConsignedStock storage first = _existing(lines[0].shipmentId);
        address hospital = first.hospital;
        address supplier = first.supplier;
        address caller = _msgSender();
        if (!hospitals.hasHospitalRole(hospital, caller, HospitalRoles.SETTLER)) {
            revert ConsignmentNotSettler(hospital, caller);
        }
        // A representative managing the stock may hold the settler role: it still does not say
        // what the wards used of its own stock.
        if (caller == supplier) revert ConsignmentOwnStock(batchId, caller);
        uint32 units;
        uint128 amount;
        for (uint256 i = 0; i < lines.length; ++i) {
            uint256 shipmentId = lines[i].shipmentId;
            ConsignedStock storage s = _existing(shipmentId);
            if (s.hospital != hospital || s.supplier != supplier)
                revert ConsignmentBatchMixed(batchId, shipmentId);
            uint32 n = lines[i].units;
            uint128 pay = _takeOnHand(shipmentId, s, n);
            s.used += n;
            orderBook.recordConsignedUse(s.orderId, n);
            units += n;
            amount += pay;
            emit ConsumptionConfirmed(batchId, shipmentId, s.orderId, n, pay);
        }
        totalHeld -= amount;
        emit ConsumptionBatchConfirmed(batchId, hospital, supplier, caller, units, amount);
        if (amount > 0) token.safeTransfer(supplier, amount);
    }

    /// @inheritdoc IConsignmentBook
    /// @dev Never paused: giving stock back only undoes.
    function returnStock(uint256 shipmentId, uint32 units, uint16 reasonCode) external nonReentrant {
        ConsignedStock storage s = _existing(shipmentId);
        address caller = _msgSender();
        if (!_mayReturn(s, caller)) revert ConsignmentReturnNotAllowed(shipmentId, caller);
        // A pending return is answered first, the supplier's own included.
        PendingReturn storage pending = _pendingReturns[shipmentId];
        if (pending.units != 0) revert ConsignmentReturnPending(shipmentId, pending.units);
        if (caller == s.supplier) {
            // The supplier takes its own stock back: nothing to confirm.
            uint128 refund = _takeOnHand(shipmentId, s, units);
            s.returned += units;
            totalHeld -= refund;
            emit ConsignedStockReturned(shipmentId, s.orderId, caller, units, refund, reasonCode);
            _refundHospital(s, refund);
            return;
        }
        // Expired stock is written off by the agreement's rule (writeOffExpired), not returned.
        if (block.timestamp >= s.expiry) revert ConsignmentReturnAfterExpiry(shipmentId, s.expiry);
        uint128 value = _takeOnHand(shipmentId, s, units);
        uint64 answerBy = uint64(block.timestamp) + RETURN_ANSWER_WINDOW;
        _pendingReturns[shipmentId] = PendingReturn(units, value, reasonCode, answerBy);
        emit ConsignedReturnRequested(shipmentId, s.orderId, caller, units, value, reasonCode, answerBy);
    }

    /// @inheritdoc IConsignmentBook
    /// @dev Never paused, like the return it completes.
    function confirmReturn(uint256 shipmentId) external nonReentrant {
        (ConsignedStock storage s, PendingReturn memory r) = _pending(shipmentId);
        address caller = _msgSender();
        if (caller != s.supplier) {
            if (!_isStaff(s.hospital, caller)) revert ConsignmentNotShipmentSupplier(shipmentId, caller);
            if (block.timestamp < r.answerBy) revert ConsignmentReturnAnswerDue(shipmentId, r.answerBy);
        }
        delete _pendingReturns[shipmentId];
        s.returned += r.units;
        totalHeld -= r.value;
        emit ConsignedStockReturned(shipmentId, s.orderId, caller, r.units, r.value, r.reasonCode);
        _refundHospital(s, r.value);
    }

    /// @inheritdoc IConsignmentBook
    function refuseReturn(uint256 shipmentId, uint16 reasonCode) external nonReentrant {
        (ConsignedStock storage s, PendingReturn memory r) = _pending(shipmentId);
        address caller = _msgSender();
        if (caller != s.supplier) revert ConsignmentNotShipmentSupplier(shipmentId, caller);
        if (block.timestamp >= r.answerBy) revert ConsignmentReturnAnswerWindowClosed(shipmentId, r.answerBy);
        delete _pendingReturns[shipmentId];
        // Back on the shelf with the value they left with: payable on use again.
        s.held += r.value;
        emit ConsignedReturnRefused(shipmentId, s.orderId, caller, r.units, reasonCode);
    }

    /// @inheritdoc IConsignmentBook
    function pendingReturn(
        uint256 shipmentId
    ) external view returns (uint32 units, uint128 value, uint16 reasonCode, uint64 answerBy) {
        PendingReturn storage r = _pendingReturns[shipmentId];
        return (r.units, r.value, r.reasonCode, r.answerBy);
    }

    /// @inheritdoc IConsignmentBook
    /// @dev Never paused: expiry does not wait.
    function writeOffExpired(uint256 shipmentId) external nonReentrant {
        ConsignedStock storage s = _existing(shipmentId);
        if (block.timestamp < s.expiry) revert ConsignmentNotExpired(shipmentId, s.expiry, block.timestamp);
        uint32 units = _onHand(shipmentId, s);
        uint128 value = _takeOnHand(shipmentId, s, units);
        s.expired += units;
        totalHeld -= value;
        // Recalled stock is the supplier's loss, whoever bears expiry: nothing is paid for units
        // nobody could use. (Units used are paid on use, recall or not, as a settled delivery is
        // not taken back; and the supplier may still refuse a return, its check on a return of
        // used units, since recalled stock it refuses is written off at its own loss.)
        bool toSupplier = _terms[s.agreementId].hospitalBearsExpiry && !_recalled(s);
        emit ConsignedStockExpired(shipmentId, s.orderId, units, value, toSupplier);
        if (toSupplier) {
            // Bought by the hospital, as if used: the units count toward the tier position.
            if (units > 0) orderBook.recordConsignedUse(s.orderId, units);
            if (value > 0) token.safeTransfer(s.supplier, value);
        } else {
            _refundHospital(s, value);
        }
    }

    /// @inheritdoc IConsignmentBook
    function stock(uint256 shipmentId) external view returns (ConsignedStock memory) {
        return _stock[shipmentId];
    }

    /// @inheritdoc IConsignmentBook
    function isConsigned(uint256 orderId) external view returns (bool) {
        return orderBook.order(orderId).consigned;
    }

    /// @inheritdoc IConsignmentBook
    function terms(uint256 agreementId) external view returns (bool offered, bool hospitalBearsExpiry) {
        Terms storage t = _terms[agreementId];
        return (t.offered, t.hospitalBearsExpiry);
    }

    /// @dev Takes `units` off the shipment's stock on hand and returns their share of the held
    /// value: pro rata, so the last unit on hand takes the remainder and the shipment's units are
    /// paid (or refunded) exactly their held value, whatever the order.
    function _takeOnHand(
        uint256 shipmentId,
        ConsignedStock storage s,
        uint32 units
    ) internal returns (uint128 value) {
        if (units == 0) revert ConsignmentZeroUnits(shipmentId);
        uint32 onHand = _onHand(shipmentId, s);
        if (units > onHand) revert ConsignmentExceedsOnHand(shipmentId, units, onHand);
        uint128 held = s.held;
        value = units == onHand ? held : uint128((uint256(held) * units) / onHand);
        s.held = held - value;
    }

    /// @dev Whether the shipment's lot is recalled for its supplier (a regulator's or its own recall).
    function _recalled(ConsignedStock storage s) internal view returns (bool) {
        return trace.isLotKeyRecalled(s.lotKey, s.supplier);
    }

    /// @dev The value goes back to the hospital and to the budget its order was charged to.
    function _refundHospital(ConsignedStock storage s, uint128 value) internal {
        if (value == 0) return;
        orderBook.releaseConsignedBudget(s.orderId, value);
        token.safeTransfer(s.hospital, value);
    }

    /// @dev The hospital (its account or an approver) at any time; the supplier once the
    /// agreement's term has ended, to take back what was never used.
    function _mayReturn(ConsignedStock storage s, address caller) internal view returns (bool) {
        if (caller == s.supplier) return block.timestamp > agreements.agreementTerms(s.agreementId).end;
        return _isStaff(s.hospital, caller);
    }

    /// @dev Units on the hospital's shelf: a pending return's units have left it.
    function _onHand(uint256 shipmentId, ConsignedStock storage s) internal view returns (uint32) {
        return s.received - s.used - s.returned - s.expired - _pendingReturns[shipmentId].units;
    }

    /// @dev The shipment and its pending return.
    function _pending(
        uint256 shipmentId
    ) internal view returns (ConsignedStock storage s, PendingReturn memory r) {
        s = _existing(shipmentId);
        r = _pendingReturns[shipmentId];
        if (r.units == 0) revert ConsignmentNoReturnPending(shipmentId);
    }

    function _requireStaff(address hospital, address caller) internal view {
        if (!_isStaff(hospital, caller)) revert ConsignmentNotHospitalStaff(hospital, caller);
    }

    function _isStaff(address hospital, address caller) internal view returns (bool) {
        return
            hospital != address(0) &&
            (caller == hospital || hospitals.hasHospitalRole(hospital, caller, HospitalRoles.APPROVER));
    }

    function _existing(uint256 shipmentId) internal view returns (ConsignedStock storage s) {
        s = _stock[shipmentId];
        if (s.hospital == address(0)) revert ConsignmentStockNotFound(shipmentId);
    }
}
