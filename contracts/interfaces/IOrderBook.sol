// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Confirmation, Order, OrderStatus, Payout, ShipmentRecord} from "../types/LedgerTypes.sol";
import {IFundBook} from "./IFundBook.sol";

/// @title IOrderBook
/// @notice Orders against agreements, their escrow, and settlement of delivered shipments.
/// The token held by this contract equals the sum of every order's `escrow` plus
/// `totalRefundsOwed`.
interface IOrderBook {
    /// @notice A hospital placed an order; nothing is priced or escrowed until it is funded.
    /// @param orderId The new order.
    /// @param agreementId The agreement it is placed under.
    /// @param hospital The ordering hospital.
    /// @param placedBy The hospital account or approver that placed it.
    /// @param quantity Units ordered.
    /// @param requestedDelivery The date the hospital asked for.
    /// @param deliveryDeadline The later of that date and the agreement's lead time.
    /// @param fundingExpiresAt After this time the order can no longer be funded.
    /// @param orderRef The hospital's own order reference.
    event OrderPlaced(
        uint256 indexed orderId,
        uint256 indexed agreementId,
        address indexed hospital,
        address placedBy,
        uint32 quantity,
        uint64 requestedDelivery,
        uint64 deliveryDeadline,
        uint64 fundingExpiresAt,
        bytes32 orderRef
    );
    /// @notice An approver approved an order.
    /// @param orderId The order.
    /// @param approver The approver.
    /// @param approvals Approvals so far.
    /// @param required Approvals needed: two when, at placement, the order took the hospital's
    /// 30-day placed value under this agreement past its threshold (`Order.twoApprovals`).
    event OrderApproved(uint256 indexed orderId, address indexed approver, uint8 approvals, uint8 required);
    /// @notice The last approval pulled the order's escrow.
    /// @param orderId The order.
    /// @param hospital The hospital that paid in.
    /// @param amount Escrow taken: the units priced at the agreement's accepted volume now.
    event OrderFunded(uint256 indexed orderId, address indexed hospital, uint128 amount);
    /// @notice The supplier agreed that the hospital may cancel before the deadline.
    /// @param orderId The order.
    /// @param supplier The supplier.
    event SupplierAgreedToCancel(uint256 indexed orderId, address indexed supplier);
    /// @notice The supplier consented to deliver beyond the hospital's committed volume.
    /// @param orderId The order.
    /// @param supplier The supplier.
    event ExcessVolumeConsented(uint256 indexed orderId, address indexed supplier);
    /// @notice The hospital accepts shipments after the delivery deadline.
    /// @param orderId The order.
    /// @param approver The approver who allowed it.
    event LateShipmentAllowed(uint256 indexed orderId, address indexed approver);
    /// @notice The hospital cancelled `units` undelivered units; `refund` went back to it now.
    /// @param orderId The order.
    /// @param by Who cancelled.
    /// @param units Units cancelled.
    /// @param refund Escrow returned now.
    /// @param status The order's status after the cancellation.
    event OrderCancelled(
        uint256 indexed orderId,
        address indexed by,
        uint32 units,
        uint128 refund,
        OrderStatus status
    );
    /// @notice The hospital disputed units of a shipment before confirming it.
    /// @param shipmentId The shipment.
    /// @param orderId Its order.
    /// @param by The hospital member who disputed.
    /// @param units Units disputed: a supplier's claim settles only the others.
    /// @param reasonCode The hospital's reason code.
    event ShipmentDisputed(
        uint256 indexed shipmentId,
        uint256 indexed orderId,
        address indexed by,
        uint32 units,
        uint16 reasonCode
    );
    /// @notice A shipment was settled and paid.
    /// @param shipmentId The shipment.
    /// @param orderId Its order.
    /// @param supplier The supplier paid.
    /// @param settledBy The hospital's settler, or the supplier claiming undisputed units.
    /// @param confirmation Accepted and rejected units and the goods-receipt hash.
    /// @param payout What moved, and the delivery time it was judged at.
    event ShipmentSettled(
        uint256 indexed shipmentId,
        uint256 indexed orderId,
        address indexed supplier,
        address settledBy,
        Confirmation confirmation,
        Payout payout
    );
    /// @notice A settlement's payment was the insurance fund's money (drawn at funding): the fund
    /// deducts it from the hospital's reimbursement.
    /// @param shipmentId The shipment settled.
    /// @param orderId Its order.
    /// @param hospital The hospital whose reimbursement it reduces.
    /// @param amount The part of the payment that was the fund's.
    event SettlementFundPaid(
        uint256 indexed shipmentId,
        uint256 indexed orderId,
        address indexed hospital,
        uint128 amount
    );
    /// @notice Every unit is accepted or cancelled; the rest of the escrow went back (to the
    /// fund first, up to the order's `fundShare`, then to the hospital).
    /// @param orderId The order.
    /// @param refund Escrow returned.
    event OrderClosed(uint256 indexed orderId, uint128 refund);
    /// @notice A refund transfer failed (the token refused the recipient); it is owed instead.
    /// @param account The recipient.
    /// @param amount Amount now owed, to be taken with `withdrawRefund`.
    event RefundDeferred(address indexed account, uint128 amount);
    /// @notice An owed refund was paid out.
    /// @param account The recipient.
    /// @param amount Amount paid.
    event RefundWithdrawn(address indexed account, uint256 amount);

    /// @notice No order has id `orderId`.
    /// @param orderId The id asked for.
    error OrderNotFound(uint256 orderId);
    /// @notice The order is not in the status the act needs.
    /// @param orderId The order.
    /// @param status Its status.
    /// @param expected The status needed.
    error OrderStatusInvalid(uint256 orderId, OrderStatus status, OrderStatus expected);
    /// @notice The caller is neither the hospital account nor one of its approvers.
    /// @param caller The caller.
    error OrderNotHospitalStaff(address caller);
    /// @notice The caller is not an approver of the order's hospital.
    /// @param orderId The order.
    /// @param caller The caller.
    error OrderNotApprover(uint256 orderId, address caller);
    /// @notice The order's own supplier cannot decide for the hospital on its delivery, whatever
    /// role the hospital gave its account.
    /// @param orderId The order.
    /// @param supplier The caller, the agreement's supplier.
    error OrderOwnDelivery(uint256 orderId, address supplier);
    /// @notice The agreement's supplier cannot order from itself for a hospital, whatever role
    /// the hospital gave its account.
    /// @param agreementId The agreement.
    /// @param supplier The caller, the agreement's supplier.
    error OrderOwnAgreement(uint256 agreementId, address supplier);
    /// @notice The same approver cannot approve twice.
    /// @param orderId The order.
    /// @param approver The approver.
    error OrderAlreadyApproved(uint256 orderId, address approver);
    /// @notice An order of zero units.
    error OrderZeroQuantity();
    /// @notice The requested delivery date has passed.
    /// @param requestedDelivery The date asked for.
    /// @param now Block time.
    error OrderDeliveryDateInPast(uint64 requestedDelivery, uint256 now);
    /// @notice The order waited too long for funding.
    /// @param orderId The order.
    /// @param expiredAt When funding closed.
    /// @param now Block time.
    error OrderFundingExpired(uint256 orderId, uint64 expiredAt, uint256 now);
    /// @notice Cancelling a shipped order's remainder waits for the deadline or the supplier.
    /// @param orderId The order.
    /// @param deliveryDeadline The deadline.
    /// @param now Block time.
    error OrderCancelNotAllowed(uint256 orderId, uint64 deliveryDeadline, uint256 now);
    /// @notice The remainder was cancelled already.
    /// @param orderId The order.
    error OrderCancelAlreadyRequested(uint256 orderId);
    /// @notice The caller is not the agreement's supplier.
    /// @param orderId The order.
    /// @param caller The caller.
    error OrderNotSupplier(uint256 orderId, address caller);
    /// @notice A shipment larger than what remains to ship.
    /// @param orderId The order.
    /// @param quantity Units shipped.
    /// @param remaining Units that remain.
    error OrderQuantityExceedsRemaining(uint256 orderId, uint32 quantity, uint32 remaining);
    /// @notice A shipment after the delivery deadline without the hospital's consent.
    /// @param orderId The order.
    /// @param deliveryDeadline The deadline.
    /// @param now Block time.
    error OrderShipmentLate(uint256 orderId, uint64 deliveryDeadline, uint256 now);
    /// @notice Only the delivery trace records shipments.
    /// @param caller The caller.
    error OrderCallerNotTrace(address caller);
    /// @notice A permit would leave a smaller allowance than other orders already rely on.
    /// @param permitValue The permit's value.
    /// @param needed Current allowance plus this order's escrow.
    error OrderPermitBelowAllowance(uint256 permitValue, uint256 needed);
    /// @notice The token moved a different amount than asked (fee-on-transfer tokens are refused).
    /// @param expected Amount asked.
    /// @param received Amount that arrived.
    error OrderTokenTransferMismatch(uint256 expected, uint256 received);
    /// @notice Only the consignment book releases consigned value to a budget, tells consigned
    /// use or marks an order consigned.
    /// @param caller The caller.
    error OrderCallerNotConsignment(address caller);
    /// @notice Only the fund book tells the order book of the fund's payments.
    /// @param caller The caller.
    error OrderCallerNotFund(address caller);
    /// @notice No refund is owed to the caller.
    /// @param account The caller.
    error OrderNoRefundOwed(address account);
    /// @notice The caller is not the hospital's settler.
    /// @param shipmentId The shipment.
    /// @param caller The caller.
    error SettlementNotSettler(uint256 shipmentId, address caller);
    /// @notice The shipment's own supplier cannot confirm or dispute it, whatever role the
    /// hospital gave its account: a confirmation or the latest dispute decides what is paid.
    /// @param shipmentId The shipment.
    /// @param supplier The caller, the shipment's supplier.
    error SettlementOwnDelivery(uint256 shipmentId, address supplier);
    /// @notice Accepted and rejected units must add up to the shipment.
    /// @param shipmentId The shipment.
    /// @param accepted Units accepted.
    /// @param rejected Units rejected.
    /// @param shipped Units shipped.
    error SettlementQuantityMismatch(uint256 shipmentId, uint32 accepted, uint32 rejected, uint32 shipped);
    /// @notice The lot is recalled; only rejecting every unit is possible.
    /// @param shipmentId The shipment.
    /// @param gtin The GTIN.
    /// @param lot The lot.
    error SettlementLotRecalled(uint256 shipmentId, uint64 gtin, string lot);
    /// @notice The goods had expired when they were delivered.
    /// @param shipmentId The shipment.
    /// @param expiry Their expiry.
    /// @param deliveredAt The delivery time.
    error SettlementExpiredAtDelivery(uint256 shipmentId, uint64 expiry, uint64 deliveredAt);
    /// @notice The supplier is not qualified for the category now.
    /// @param shipmentId The shipment.
    /// @param supplier The supplier.
    /// @param category The category.
    error SettlementSupplierNotQualified(uint256 shipmentId, address supplier, bytes32 category);
    /// @notice A temperature excursion holds the hospital's confirmation of accepted units until
    /// an approver waives it (a supplier's claim after the confirmation window is not held).
    /// @param shipmentId The shipment.
    error SettlementExcursionNotWaived(uint256 shipmentId);
    /// @notice The supplier's claim waits for receipt on chain plus the confirmation window.
    /// @param shipmentId The shipment.
    /// @param claimableAt When the claim opens (0 while the shipment is not received on chain).
    /// @param now Block time.
    error SettlementClaimTooEarly(uint256 shipmentId, uint64 claimableAt, uint256 now);
    /// @notice More units disputed than shipped.
    /// @param shipmentId The shipment.
    /// @param units Units disputed.
    /// @param shipped Units shipped.
    error SettlementDisputeTooLarge(uint256 shipmentId, uint32 units, uint32 shipped);

    /// @notice Places an order for the caller's hospital (its admin or an approver). It is
    /// escrowed only when funded, and expires unfunded after the agreement's funding window; its
    /// quote is added to the hospital's 30-day approval window, which decides whether it needs
    /// two approvers.
    /// Requirements: not paused; caller is the hospital or its approver, not the agreement's
    /// supplier; the hospital is a party to the agreement; the agreement is in its term;
    /// quantity > 0; requested date not past.
    /// Emits `OrderPlaced`.
    function placeOrder(
        uint256 agreementId,
        uint32 quantity,
        uint64 requestedDelivery,
        bytes32 orderRef
    ) external returns (uint256 orderId);

    /// @notice Approves an order; the last required approval pulls its escrow. Two approvers are
    /// needed when placing the order took the hospital's placed value under this agreement over
    /// the last 30 days (a leaky bucket draining one threshold per 30 days) past its threshold.
    /// The last approval charges the escrow to the hospital's budget for the agreement's category
    /// in the current fiscal period, if the hospital set one; a category without a budget in
    /// that period is not budget-controlled (see `IBudgetBook`).
    /// Requirements: not paused; order Placed and not expired; caller an approver that has not
    /// approved it; funding within the hospital's committed volume unless the supplier consented;
    /// within the remaining budget, if any (else `IBudgetBook.BudgetExceeded`).
    /// Emits `OrderApproved`, and `OrderFunded` (and `IBudgetBook.BudgetCharged`) on the last
    /// approval.
    function approveOrder(uint256 orderId) external;

    /// @notice Like `approveOrder`, first applying the hospital's EIP-2612 permit of `permitValue`
    /// when the current allowance is below it. The permit must add to the allowance: its value
    /// must be at least the current allowance plus the order's escrow.
    function approveOrderWithPermit(
        uint256 orderId,
        uint256 permitValue,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice Cancels what has not been shipped: everything (full refund) before the first
    /// shipment, otherwise (even if every unit shipped so far was rejected) the undelivered
    /// remainder once the delivery deadline has passed or the supplier agreed. Works while
    /// paused. What is refunded goes back to the budget the order was charged to, as every refund
    /// to the hospital from an order does (settlement penalties and the rest of the escrow when
    /// it closes). Requirements: hospital staff of the order, not its supplier. Emits `OrderCancelled`
    /// (`OrderClosed`, `IBudgetBook.BudgetReturned`).
    function cancelOrder(uint256 orderId) external;

    /// @notice The supplier lets the hospital cancel the remainder before the deadline.
    /// Emits `SupplierAgreedToCancel`.
    function agreeToCancel(uint256 orderId) external;

    /// @notice The supplier consents to fund this order beyond the hospital's committed volume.
    /// Requirements: the agreement's supplier; order Placed. Emits `ExcessVolumeConsented`.
    function consentToExcess(uint256 orderId) external;

    /// @notice An approver lets the supplier ship after the delivery deadline.
    /// Requirements: approver of the hospital, not the supplier; order Funded. Emits
    /// `LateShipmentAllowed`.
    function allowLateShipment(uint256 orderId) external;

    /// @notice Called by the delivery trace when a shipment is created; reserves the units and
    /// returns the hospital and the agreement's category.
    function recordShipment(
        uint256 orderId,
        address supplier,
        uint32 quantity
    ) external returns (address hospital, bytes32 category);

    /// @notice The hospital's settler confirms a shipment; accepted units are paid from escrow at
    /// the agreement's accepted-volume tiers, minus any late penalty, and the rest is refunded
    /// when the order closes. The delivery time comes from the trace (see `SettlementMath`).
    /// Requirements: not paused; settler of the hospital; the record matches; not settled;
    /// accepted + rejected = shipped; not the shipment's supplier; to pay anything: lot not
    /// recalled, not expired at delivery, supplier qualified, excursion waived. Emits
    /// `ShipmentSettled` (`OrderClosed`).
    function confirmShipment(
        uint256 shipmentId,
        ShipmentRecord calldata shipment,
        Confirmation calldata confirmation
    ) external;

    /// @notice A hospital member (approver or settler) disputes units before confirming, so a
    /// supplier's claim cannot settle them; the latest dispute stands. Not the shipment's
    /// supplier. Emits `ShipmentDisputed`.
    function disputeShipment(
        uint256 shipmentId,
        ShipmentRecord calldata shipment,
        uint32 units,
        uint16 reasonCode
    ) external;

    /// @notice The supplier settles a shipment the hospital received on chain and did not
    /// confirm within the agreement's confirmation window (or, with no receipt recorded, the
    /// receiving and confirmation windows after the supplier's arrival): undisputed units are
    /// accepted, disputed ones rejected, with the same payment rules as a confirmation but one:
    /// an excursion the hospital did not waive within the window no longer holds the payment.
    /// Emits `ShipmentSettled` (`OrderClosed`).
    function claimSettlement(uint256 shipmentId, ShipmentRecord calldata shipment) external;

    /// @notice The consignment book gave `amount` of a consigned order's value back to the
    /// hospital (a return, or stock expired at the supplier's loss): it goes back to the budget
    /// the order was charged to. Requirements: the consignment book.
    function releaseConsignedBudget(uint256 orderId, uint128 amount) external;

    /// @notice The consignment book tells units of a consigned order used (or expired at the
    /// hospital's cost): they now count toward the agreement's tier position, as a delivery's
    /// accepted units do when it settles. Requirements: the consignment book.
    function recordConsignedUse(uint256 orderId, uint32 units) external;

    /// @notice The consignment book marks an order consigned (the hospital elected it): its
    /// deliveries are then priced at its funded price and paid into the consignment book, and
    /// funding takes none of the insurance fund's money. Requirements: the consignment book; the
    /// order is Placed.
    function markConsigned(uint256 orderId) external;

    /// @notice The fund book tells that the insurance fund paid money in for `hospital` under the
    /// agreement, so that the hospital's fundings under it ask the fund for a share (see
    /// `IAgreementBook.noteFundPaidIn`). Requirements: the fund book.
    function noteFundPaidIn(uint256 agreementId, address hospital) external;

    /// @notice The fund book whose payments in it hears and whose money funding draws.
    function fund() external view returns (IFundBook);

    /// @notice Pays out refunds owed to the caller (deferred because a transfer failed). Works
    /// while paused. Emits `RefundWithdrawn`.
    function withdrawRefund() external;

    function order(uint256 orderId) external view returns (Order memory);

    /// @notice Units that may still be shipped against the order.
    function remainingToShip(uint256 orderId) external view returns (uint32);

    /// @notice Token held for orders: the balance less refunds owed (the sum of `escrow` over all
    /// orders, unless someone sent tokens to the contract outside the ledger's acts).
    function totalEscrow() external view returns (uint256);

    /// @notice Refunds owed after failed transfers.
    function totalRefundsOwed() external view returns (uint256);
}
