// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @dev Kinds of qualification document a supplier files. Each kind is one bit in the
/// regulator's required-kinds bitmap (`1 << uint8(kind)`).
enum DocumentKind {
    BusinessLicence,
    DeviceOperatingPermit,
    ProductRegistration
}

/// @dev Attested and Rejected are terminal: a corrected document is filed again under a new id.
enum DocumentStatus {
    None,
    Pending,
    Attested, // terminal
    Rejected // terminal
}

/// @dev UDI issuing agencies other than GS1 (whose GTIN is the product number itself): their
/// device identifiers are bound to a product key by `SupplierRegistry.declareDeviceIdentifier`.
/// MA is the MA (IDcode) agency (ZIIOT); AHM is 阿里健康, whose syntax is not published, so its
/// identifiers are kept as opaque strings.
enum IssuingAgency {
    None,
    MA,
    AHM
}

enum SupplierStatus {
    None,
    Active,
    Suspended
}

struct QualificationDocument {
    address supplier;
    DocumentKind kind;
    DocumentStatus status;
    uint64 validFrom;
    uint64 validUntil;
    uint16 reasonCode;
    bytes32 sha256Digest;
    bytes32[] categories;
}

/// @dev One step of a volume price schedule: from `threshold` cumulative units on, each unit
/// costs `unitPrice` (token base units).
struct Tier {
    uint128 threshold;
    uint128 unitPrice;
}

/// @dev Stored tender status. The commit/reveal/finalizable phases are derived from the
/// deadlines (see `TenderPhase`), never stored.
enum TenderStatus {
    None,
    Open,
    Awarded, // terminal
    Failed, // terminal: nobody eligible revealed; every bond can be withdrawn
    Cancelled // terminal: a regulator cancelled it before award; every bond can be withdrawn
}

enum TenderPhase {
    None,
    Commit,
    Reveal,
    Finalizable,
    Awarded,
    Failed,
    Cancelled
}

/// @dev What a regulator fixes when opening a tender; every resulting agreement carries the
/// term, lead time, penalty and the three windows.
struct TenderTerms {
    bytes32 category;
    /// @dev Settlement-token amount escrowed with each sealed bid, returned on reveal.
    uint80 bidBond;
    uint64 commitDeadline;
    uint64 revealDeadline;
    /// @dev Highest first-tier unit price accepted; 48 bits like every packed tier price.
    uint48 reservePrice;
    uint64 termSeconds;
    uint32 leadTimeDays;
    uint16 penaltyBpsPerDay;
    uint16 penaltyCapBps;
    uint8 winners;
    /// @dev Seconds an order may wait for its funding approval before it expires.
    uint32 fundingWindow;
    /// @dev Seconds by which a supplier's arrival record may precede the hospital's receiving
    /// record and still count as the delivery time.
    uint32 receivingWindow;
    /// @dev Seconds after receipt on chain the hospital has to confirm (or dispute) before the
    /// supplier may claim settlement of the undisputed units.
    uint32 confirmWindow;
}

struct Tender {
    TenderTerms terms;
    TenderStatus status;
    /// @dev Bonds of bidders that never revealed in an awarded tender, shared by the hospitals.
    uint128 forfeited;
    address[] hospitals;
    uint256[] volumes;
    address[] bidders;
}

/// @dev One bidder's sealed bid in storage: one slot. The commitment keeps the first 24 bytes of
/// the keccak-256 hash (192 bits: finding a second schedule with the same prefix is out of reach),
/// so the commitment, its time and the bid's flags are written with a single SSTORE.
struct BidState {
    bytes24 commitment;
    /// @dev Block time of the bidder's latest commitment: an earlier one wins a price tie.
    uint40 committedAt;
    bool revealed;
    bool bondReturned;
}

/// @dev A bid as the `bid` view shows it.
struct BidView {
    bytes24 commitment;
    uint40 committedAt;
    bool revealed;
    bool bondReturned;
    Tier[] tiers;
}

/// @dev The terms an order book needs of an agreement, read in one call.
struct AgreementTerms {
    address supplier;
    uint64 tenderId;
    bytes32 category;
    uint40 start;
    uint40 end;
    uint32 leadTimeDays;
    uint16 penaltyBpsPerDay;
    uint16 penaltyCapBps;
    uint32 fundingWindow;
    uint32 receivingWindow;
    uint32 confirmWindow;
}

/// @dev The terms settling a delivery needs, read in one call.
struct SettlementTerms {
    bytes32 category;
    uint16 penaltyBpsPerDay;
    uint16 penaltyCapBps;
    uint32 receivingWindow;
}

/// @dev An agreement as the `agreement` view shows it.
struct Agreement {
    AgreementTerms terms;
    /// @dev Units accepted on delivery: the position on the tier schedule.
    uint64 acceptedVolume;
    uint8 rank;
    uint8 winnerCount;
    Tier[] tiers;
}

/// @dev One hospital's volume under one agreement; `party` marks a hospital of the tender.
/// Accepted units are not kept per hospital: `ShipmentSettled` events carry them.
struct HospitalVolume {
    uint64 committed;
    uint64 funded;
    bool party;
    /// @dev The insurance fund has paid money in for this hospital under the agreement (set by
    /// its first payment, never cleared): funding asks the fund for a share only then.
    bool fundPaidIn;
}

/// @dev Funded is the only state in which shipments and settlements happen.
enum OrderStatus {
    None,
    Placed,
    Funded,
    Closed, // terminal: fully delivered or remainder cancelled, escrow released
    Cancelled // terminal: cancelled before any shipment, refunded in full
}

/// @dev Three slots, laid out by which act reads what: settlement and shipping read slots 0 and
/// 1, approval slots 0 to 2 (a refund reads slot 2 for the budget period). Units are uint32 (over four billion units per order); the delivery
/// deadline is a uint32 timestamp (good until 2106).
struct Order {
    // slot 0
    address hospital;
    uint32 agreementId;
    OrderStatus status;
    bool cancelRequested;
    bool supplierAgreedToCancel;
    /// @dev Set by the first shipment: from then on the supplier may deliver (or replace
    /// rejected units) until the deadline, even if every unit shipped so far was rejected.
    bool shippedAgainst;
    uint32 deliveryDeadline;
    // slot 1
    uint32 quantity;
    /// @dev Units in shipments that are in flight or accepted (rejected units come back).
    uint32 shipped;
    uint32 accepted;
    /// @dev Units the hospital will no longer take (cancelled remainder).
    uint32 cancelled;
    /// @dev Token held in escrow for this order right now (a uint112 leaves room for the two flags
    /// settlement reads with it).
    uint112 escrow;
    /// @dev The hospital elected consignment (set by the consignment book before funding).
    bool consigned;
    /// @dev Funding drew on the insurance fund: `OrderBook.fundShare` holds what is left of it.
    bool fundShared;
    // slot 2
    address firstApprover;
    uint40 fundingExpiresAt;
    /// @dev The supplier agreed to deliver beyond the hospital's committed volume.
    bool excessConsented;
    /// @dev The hospital accepts shipments after the delivery deadline.
    bool lateShipmentAllowed;
    /// @dev Decided at placement from the hospital's approval window: two approvers needed.
    bool twoApprovals;
    /// @dev The fiscal period whose budget (hospital × the agreement's category) funding was
    /// charged to, so that refunds go back to it (see BudgetBook); 0 if none was charged.
    uint16 budgetPeriod;
}

/// @dev EPCIS 2.0 CBV business steps a shipment can go through. Up to Arriving the supplier
/// (or its carrier) records them; from Receiving on, the hospital does.
enum TraceStep {
    Shipping,
    Departing,
    Arriving,
    Receiving,
    Inspecting,
    Accepting,
    Holding,
    Storing
}

/// @dev Every immutable fact of a shipment. Only its hash is stored; acts that need the facts
/// take the record as calldata and the contract checks it against the hash. The
/// `ShipmentCreated` event carries every field.
struct ShipmentRecord {
    uint256 orderId;
    address supplier;
    address hospital;
    uint64 gtin;
    uint64 expiry;
    uint32 quantity;
    uint64 createdAt;
    bytes32 serialRoot;
    bytes32 noticeHash;
    string lot;
}

/// @dev The mutable part of a shipment: one slot, written by its first trace event (a shipment
/// exists when its record hash does). Times are block timestamps.
struct ShipmentState {
    /// @dev When the supplier (or its carrier) first recorded Arriving; 0 if never.
    uint40 arrivedAt;
    /// @dev When the hospital first took custody (Receiving or later, or its confirmation).
    uint40 receivedAt;
    bool hospitalCustody;
    bool excursion;
    bool excursionWaived;
    bool confirmed;
}

/// @dev What a supplier states when it ships.
struct ShipmentInput {
    uint256 orderId;
    uint64 gtin;
    uint64 expiry;
    uint32 quantity;
    bytes32 serialRoot;
    bytes32 noticeHash;
    string lot;
}

/// @dev What the hospital's settler states when it confirms a shipment. The delivery time is
/// not stated: it comes from the shipment's arrival and receiving records.
struct Confirmation {
    uint32 accepted;
    uint32 rejected;
    bytes32 receiptHash;
}

/// @dev What one confirmation released: `gross` for the accepted units at the agreement's
/// accepted-volume tiers, `penalty` of it back to the hospital for lateness, `paid` = gross −
/// penalty to the supplier; `deliveredAt` is the delivery time lateness and expiry were judged at.
struct Payout {
    uint128 gross;
    uint128 penalty;
    uint128 paid;
    uint64 daysLate;
    uint64 deliveredAt;
}

/// @dev One hospital's budget for a product category in a fiscal period: one slot, read and
/// written once when an order is funded. `spent` is what funding charged less what refunds
/// gave back, so it never exceeds `amount`. `set` tells a budget of 0 from no budget.
struct Budget {
    uint120 amount;
    uint120 spent;
    bool set;
}

/// @dev Applied and Withdrawn are terminal.
enum AdjustmentStatus {
    None,
    Proposed,
    Applied, // terminal
    Withdrawn // terminal
}

/// @dev A change to a budget proposed by one approver of its hospital, applied when a second
/// one confirms it.
struct BudgetAdjustment {
    // slot 0
    address hospital;
    uint16 period;
    uint16 reasonCode;
    AdjustmentStatus status;
    // slot 1
    bytes32 category;
    // slot 2
    address proposer;
    // slot 3
    int128 delta;
}

/// @dev A consigned shipment's units in the hospital's custody and the value held for them:
/// on hand = received − used − returned − expired, and `held` is the value of the units on hand.
struct ConsignedStock {
    // slot 0
    address hospital;
    uint64 expiry;
    uint32 received;
    // slot 1
    address supplier;
    uint32 used;
    uint32 returned;
    uint32 expired;
    // slot 2
    uint128 held;
    uint64 orderId;
    uint32 agreementId;
    // slot 3
    /// @dev The lot's key (`IDeliveryTrace.lotKey`), so its recalls can be asked.
    bytes32 lotKey;
}

/// @dev One line of a consumption batch: units of a consigned shipment used.
struct ConsumptionLine {
    uint256 shipmentId;
    uint32 units;
}
