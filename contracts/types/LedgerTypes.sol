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
    Failed // terminal
}

enum TenderPhase {
    None,
    Commit,
    Reveal,
    Finalizable,
    Awarded,
    Failed
}

/// @dev What a regulator fixes when opening a tender; every resulting agreement carries the
/// term, lead time and penalty.
struct TenderTerms {
    bytes32 category;
    uint128 reservePrice;
    uint64 commitDeadline;
    uint64 revealDeadline;
    uint64 termSeconds;
    uint32 leadTimeDays;
    uint16 penaltyBpsPerDay;
    uint16 penaltyCapBps;
    uint8 winners;
}

struct Tender {
    TenderTerms terms;
    TenderStatus status;
    address[] hospitals;
    uint256[] volumes;
    address[] bidders;
}

struct Bid {
    bytes32 commitment;
    /// @dev Global sequence number of the bidder's latest commitment: lower wins ties.
    uint64 sequence;
    bool revealed;
    Tier[] tiers;
}

struct Agreement {
    uint256 tenderId;
    address supplier;
    bytes32 category;
    uint64 start;
    uint64 end;
    uint32 leadTimeDays;
    uint16 penaltyBpsPerDay;
    uint16 penaltyCapBps;
    uint256 cumulativeVolume;
    Tier[] tiers;
    address[] hospitals;
}

/// @dev Funded is the only state in which shipments and settlements happen.
enum OrderStatus {
    None,
    Placed,
    Funded,
    Closed, // terminal: fully delivered or remainder cancelled, escrow released
    Cancelled // terminal: cancelled before any shipment, refunded in full
}

struct Order {
    uint256 agreementId;
    address hospital;
    OrderStatus status;
    uint64 quantity;
    uint64 placedAt;
    uint64 deliveryDeadline;
    /// @dev Units in shipments that are in flight or accepted (rejected units come back).
    uint64 shipped;
    uint64 accepted;
    /// @dev Units the hospital will no longer take (cancelled remainder).
    uint64 cancelled;
    bool cancelRequested;
    bool supplierAgreedToCancel;
    address firstApprover;
    bytes32 orderRef;
    uint128 value;
    /// @dev Gross value released for accepted units (before penalties).
    uint128 grossPaid;
    /// @dev Token held in escrow for this order right now.
    uint128 escrow;
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

struct Shipment {
    uint256 orderId;
    address supplier;
    uint64 gtin;
    uint64 expiry;
    uint64 quantity;
    uint64 createdAt;
    bool excursion;
    bool excursionWaived;
    bool confirmed;
    bool hospitalCustody;
    bytes32 serialRoot;
    bytes32 noticeHash;
    string lot;
}

/// @dev What a supplier states when it ships.
struct ShipmentInput {
    uint256 orderId;
    uint64 gtin;
    uint64 expiry;
    uint64 quantity;
    bytes32 serialRoot;
    bytes32 noticeHash;
    string lot;
}

/// @dev What the hospital's settler states when it confirms a shipment.
struct Confirmation {
    uint64 accepted;
    uint64 rejected;
    uint64 receivedAt;
    bytes32 receiptHash;
}

/// @dev What one confirmation released: `gross` for the accepted units, `penalty` of it back
/// to the hospital for lateness, `paid` = gross − penalty to the supplier.
struct Payout {
    uint128 gross;
    uint128 penalty;
    uint128 paid;
    uint64 daysLate;
}
