// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ConsignedStock, ConsumptionLine, ShipmentRecord} from "../types/LedgerTypes.sol";

/// @title IConsignmentBook
/// @notice Consignment: the supplier's stock sits in the hospital's custody and is paid only when
/// used. The rules:
/// - An agreement becomes a consignment agreement when its supplier offers consignment terms
///   (once; the terms say who bears the loss of stock that expires unused — the supplier unless
///   the terms say the hospital). An order under such an agreement is a consignment when its
///   hospital (the account or an approver) elects it before funding.
/// - Funding escrows the order's value as for any order. Confirming a consigned shipment
///   (`OrderBook.confirmShipment` / `claimSettlement`) pays the supplier nothing: the settled
///   value (the accepted units' share of the order's escrow, that is its funded price, net of
///   any late penalty) moves from the order book to this book, held per shipment.
/// - Consigned units count toward the agreement's tier position (its accepted volume) only when
///   used, or when they expire at the hospital's cost: units returned, or written off at the
///   supplier's loss, were never bought and never lower the price of later orders.
/// - The hospital's settler confirms consumption in batches (one hospital, one supplier, a
///   unique batch id): each line pays `units × held ÷ on hand` of its shipment (the last unit
///   takes the rounding remainder), so the units of a shipment are paid exactly their held value
///   once, and never more units than were accepted and are still on hand.
/// - Unused stock goes back to the supplier by a return: the hospital returns it at any time; the
///   supplier takes it back once the agreement's term has ended. The held value goes back to the
///   hospital and to the budget the order was charged to.
/// - Stock that expires unused is written off by anyone after its expiry: its held value goes
///   back to the hospital (the supplier's loss), or to the supplier if the terms say the hospital
///   bears expiry.
/// - Stock of a lot recalled for its supplier (a regulator's recall, or the supplier's own) that
///   expires unused is the supplier's loss whatever the terms say: nobody could use it. Units used
///   are paid on use, recall or not, as a delivery settled before a recall is not taken back.
interface IConsignmentBook {
    /// @notice The order book was bound; from now on only it records consigned shipments.
    event OrderBookBound(address orderBook);

    /// @notice A supplier made its agreement a consignment agreement.
    /// @param agreementId The agreement.
    /// @param supplier Its supplier.
    /// @param hospitalBearsExpiry True if stock expiring unused is paid to the supplier.
    event ConsignmentOffered(uint256 indexed agreementId, address indexed supplier, bool hospitalBearsExpiry);

    /// @notice A hospital elected consignment for a placed order.
    /// @param orderId The order.
    /// @param agreementId Its agreement.
    /// @param hospital The hospital.
    /// @param by Who elected it.
    event OrderConsigned(
        uint256 indexed orderId,
        uint256 indexed agreementId,
        address indexed hospital,
        address by
    );

    /// @notice A consigned shipment was confirmed: its accepted units are in the hospital's
    /// custody and their value is held here, unpaid.
    /// @param shipmentId The shipment.
    /// @param orderId Its order.
    /// @param hospital The hospital.
    /// @param supplier The supplier.
    /// @param units Units accepted into custody.
    /// @param value Value held for them.
    /// @param expiry The lot's expiry.
    event StockConsigned(
        uint256 indexed shipmentId,
        uint256 indexed orderId,
        address indexed hospital,
        address supplier,
        uint32 units,
        uint128 value,
        uint64 expiry
    );

    /// @notice Units of a shipment were used and paid, as one line of a consumption batch.
    /// @param batchId The batch.
    /// @param shipmentId The shipment.
    /// @param orderId Its order.
    /// @param units Units paid.
    /// @param amount Paid to the supplier.
    event ConsumptionConfirmed(
        bytes32 indexed batchId,
        uint256 indexed shipmentId,
        uint256 indexed orderId,
        uint32 units,
        uint128 amount
    );

    /// @notice A consumption batch was confirmed and paid.
    /// @param batchId The batch.
    /// @param hospital The hospital.
    /// @param supplier The supplier paid.
    /// @param by The settler.
    /// @param units Units paid over every line.
    /// @param amount Paid over every line.
    event ConsumptionBatchConfirmed(
        bytes32 indexed batchId,
        address indexed hospital,
        address indexed supplier,
        address by,
        uint32 units,
        uint128 amount
    );

    /// @notice Unused consigned units went back to the supplier's custody; their held value went
    /// back to the hospital.
    /// @param shipmentId The shipment.
    /// @param orderId Its order.
    /// @param by Who returned them.
    /// @param units Units returned.
    /// @param refund Value given back to the hospital.
    /// @param reasonCode The reason, from the off-chain catalogue.
    event ConsignedStockReturned(
        uint256 indexed shipmentId,
        uint256 indexed orderId,
        address by,
        uint32 units,
        uint128 refund,
        uint16 reasonCode
    );

    /// @notice A hospital sent consigned units back to their supplier: off its shelf now, their
    /// value refunded once the supplier confirms it has them (`confirmReturn`), or back on the
    /// shelf if it refuses (`refuseReturn`).
    /// @param shipmentId The shipment.
    /// @param orderId Its order.
    /// @param by Who returned them.
    /// @param units Units sent back.
    /// @param value Their held value, refunded on confirmation.
    /// @param reasonCode The reason, from the off-chain catalogue.
    /// @param answerBy Until when the supplier may refuse; after it the hospital may confirm.
    event ConsignedReturnRequested(
        uint256 indexed shipmentId,
        uint256 indexed orderId,
        address by,
        uint32 units,
        uint128 value,
        uint16 reasonCode,
        uint64 answerBy
    );

    /// @notice The supplier did not get the units a hospital said it sent back: they are on the
    /// hospital's shelf again, payable on use.
    /// @param shipmentId The shipment.
    /// @param orderId Its order.
    /// @param by The supplier.
    /// @param units Units back on the shelf.
    /// @param reasonCode The supplier's reason, from the off-chain catalogue.
    event ConsignedReturnRefused(
        uint256 indexed shipmentId,
        uint256 indexed orderId,
        address by,
        uint32 units,
        uint16 reasonCode
    );

    /// @notice Consigned units expired unused and were written off.
    /// @param shipmentId The shipment.
    /// @param orderId Its order.
    /// @param units Units written off.
    /// @param value Their held value.
    /// @param paidToSupplier True if the value went to the supplier (the hospital bore the loss),
    /// false if back to the hospital (the supplier's loss).
    event ConsignedStockExpired(
        uint256 indexed shipmentId,
        uint256 indexed orderId,
        uint32 units,
        uint128 value,
        bool paidToSupplier
    );

    error ConsignmentOrderBookAlreadyBound(address orderBook);
    error ConsignmentZeroOrderBook();
    error ConsignmentCallerNotOrderBook(address caller);
    /// @notice Only the agreement's supplier offers consignment.
    error ConsignmentNotSupplier(uint256 agreementId, address caller);
    error ConsignmentAlreadyOffered(uint256 agreementId);
    /// @notice The order's agreement has no consignment terms.
    error ConsignmentNotOffered(uint256 orderId, uint256 agreementId);
    /// @notice Consignment is elected before funding only.
    error ConsignmentOrderNotPlaced(uint256 orderId, uint8 status);
    error ConsignmentAlreadyElected(uint256 orderId);
    /// @notice The caller is not the hospital's account or an approver of it.
    error ConsignmentNotHospitalStaff(address hospital, address caller);
    /// @notice The caller is not a settler of the hospital.
    error ConsignmentNotSettler(address hospital, address caller);
    /// @notice The stock's own supplier cannot confirm its use, whatever role the hospital gave
    /// its account.
    error ConsignmentOwnStock(bytes32 batchId, address supplier);
    /// @notice No consigned stock is recorded for the shipment.
    error ConsignmentStockNotFound(uint256 shipmentId);
    error ConsignmentBatchEmpty(bytes32 batchId);
    /// @notice A batch id is paid once.
    error ConsignmentBatchRepeated(bytes32 batchId);
    /// @notice Every line of a batch is of one hospital and one supplier.
    error ConsignmentBatchMixed(bytes32 batchId, uint256 shipmentId);
    error ConsignmentZeroUnits(uint256 shipmentId);
    /// @notice More units than the shipment has on hand (accepted − used − returned − expired).
    error ConsignmentExceedsOnHand(uint256 shipmentId, uint32 units, uint32 onHand);
    /// @notice The caller may not return this stock (the supplier only after the term's end).
    error ConsignmentReturnNotAllowed(uint256 shipmentId, address caller);
    error ConsignmentNotExpired(uint256 shipmentId, uint64 expiry, uint256 nowTime);
    /// @notice The shipment already has a return waiting for its supplier's answer.
    error ConsignmentReturnPending(uint256 shipmentId, uint32 pendingUnits);
    /// @notice The shipment has no return waiting for an answer.
    error ConsignmentNoReturnPending(uint256 shipmentId);
    /// @notice Only the shipment's supplier answers a return (the hospital confirms it after the
    /// supplier's window).
    error ConsignmentNotShipmentSupplier(uint256 shipmentId, address caller);
    /// @notice The supplier may still refuse the return until `answerBy`.
    error ConsignmentReturnAnswerDue(uint256 shipmentId, uint64 answerBy);
    /// @notice A hospital cannot return stock that has expired: it is written off instead.
    error ConsignmentReturnAfterExpiry(uint256 shipmentId, uint64 expiry);
    /// @notice The supplier's window to refuse the return ended at `answerBy`.
    error ConsignmentReturnAnswerWindowClosed(uint256 shipmentId, uint64 answerBy);

    /// @notice Binds the order book once. Requirements: admin.
    function bindOrderBook(address orderBook) external;

    /// @notice Makes the caller's agreement a consignment agreement (once).
    function offerConsignment(uint256 agreementId, bool hospitalBearsExpiry) external;

    /// @notice Elects consignment for a placed order of the caller's hospital.
    function electConsignment(uint256 orderId) external;

    /// @notice The order book tells a settled shipment: if its order is a consignment, its
    /// accepted units and value are held here and the order book sends the value here instead
    /// of to the supplier. Requirements: the order book.
    function onSettled(
        uint256 shipmentId,
        ShipmentRecord calldata shipment,
        uint32 units,
        uint128 value
    ) external returns (bool consigned);

    /// @notice Pays the used units of each line to the supplier. Requirements: a settler of the
    /// hospital of every line, not the supplier; one hospital and one supplier; a new batch id.
    function confirmConsumption(bytes32 batchId, ConsumptionLine[] calldata lines) external;

    /// @notice Returns unused units to the supplier. The supplier's own return (after the term) is
    /// final at once; a hospital's waits for the supplier to confirm it has the units, so units
    /// used but not yet paid cannot be refunded by sending nothing back. One pending return per
    /// shipment; a hospital returns nothing once the shipment has expired (writeOffExpired).
    function returnStock(uint256 shipmentId, uint32 units, uint16 reasonCode) external;

    /// @notice The supplier has the returned units: their value goes back to the hospital.
    /// Requirements: the shipment's supplier, or the hospital's staff once the supplier's window
    /// to refuse (`answerBy`) has passed unanswered.
    function confirmReturn(uint256 shipmentId) external;

    /// @notice The supplier did not get the returned units: they go back on the hospital's shelf.
    /// Requirements: the shipment's supplier, before `answerBy`.
    function refuseReturn(uint256 shipmentId, uint16 reasonCode) external;

    /// @notice A shipment's return waiting for its supplier's answer (zero units: none).
    function pendingReturn(
        uint256 shipmentId
    ) external view returns (uint32 units, uint128 value, uint16 reasonCode, uint64 answerBy);

    /// @notice Writes off a shipment's units on hand after its expiry (anyone).
    function writeOffExpired(uint256 shipmentId) external;

    /// @notice A shipment's consigned stock.
    function stock(uint256 shipmentId) external view returns (ConsignedStock memory);

    /// @notice Whether the order is a consignment. The order book keeps the flag on the order
    /// (`Order.consigned`), where settlement reads it; this asks it. Reverts
    /// `IOrderBook.OrderNotFound` for an order that does not exist.
    function isConsigned(uint256 orderId) external view returns (bool);

    /// @notice Whether the batch id was paid.
    function batchConfirmed(bytes32 batchId) external view returns (bool);

    /// @notice The agreement's consignment terms: (offered, hospitalBearsExpiry).
    function terms(uint256 agreementId) external view returns (bool offered, bool hospitalBearsExpiry);

    /// @notice Σ held value over every shipment (what this book's token balance must equal).
    function totalHeld() external view returns (uint256);
}
