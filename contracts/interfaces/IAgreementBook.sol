// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {
    Agreement,
    AgreementTerms,
    HospitalVolume,
    SettlementTerms,
    TenderTerms,
    Tier
} from "../types/LedgerTypes.sol";

/// @title IAgreementBook
/// @notice The agreements tenders award and their volume book. Prices follow the agreement's
/// *accepted* volume: a unit costs the price of the tier that the agreement's cumulative
/// accepted volume is in when the unit is accepted, so volume that is ordered but never funded,
/// funded and cancelled, or shipped and rejected never lowers the price of any unit. An order is
/// escrowed at the value its units would cost if accepted next, which no later acceptance can
/// exceed because prices never rise with volume.
interface IAgreementBook {
    /// @notice A tender awarded an agreement.
    /// @param agreementId The new agreement.
    /// @param tenderId The tender that awarded it.
    /// @param supplier The winning supplier.
    /// @param category Product category.
    /// @param start Start of the term (award time).
    /// @param end End of the term.
    /// @param tiers The supplier's revealed schedule.
    /// @param hospitals The tender's hospitals.
    /// @param volumes Each hospital's committed volume under this agreement, by index.
    event AgreementCreated(
        uint256 indexed agreementId,
        uint256 indexed tenderId,
        address indexed supplier,
        bytes32 category,
        uint64 start,
        uint64 end,
        Tier[] tiers,
        address[] hospitals,
        uint256[] volumes
    );
    /// @notice A hospital's funded volume under an agreement changed (an order was funded, or
    /// units of a funded order were cancelled). Accepted units are in `ShipmentSettled`.
    /// @param agreementId The agreement.
    /// @param hospital The hospital.
    /// @param hospitalFunded The hospital's funded, uncancelled units now.
    /// @param acceptedVolume The agreement's accepted units (its tier position) now.
    event AgreementVolumeChanged(
        uint256 indexed agreementId,
        address indexed hospital,
        uint64 hospitalFunded,
        uint64 acceptedVolume
    );
    /// @notice The tender house and order book this book serves were bound.
    /// @param tenders The tender house.
    /// @param orderBook The order book.
    event AgreementBookBound(address tenders, address orderBook);

    /// @notice No agreement has id `agreementId`.
    /// @param agreementId The id asked for.
    error AgreementNotFound(uint256 agreementId);
    /// @notice The agreement's term has ended.
    /// @param agreementId The agreement.
    /// @param start Term start.
    /// @param end Term end.
    /// @param now Block time.
    error AgreementNotInTerm(uint256 agreementId, uint64 start, uint64 end, uint256 now);
    /// @notice Only hospitals of the awarding tender order under an agreement.
    /// @param agreementId The agreement.
    /// @param hospital The hospital that is not a party.
    error AgreementHospitalNotParty(uint256 agreementId, address hospital);
    /// @notice Funding would take the hospital past its committed volume without the supplier's
    /// consent.
    /// @param agreementId The agreement.
    /// @param hospital The hospital.
    /// @param quantity Units being funded.
    /// @param remaining Committed units left before this order.
    error AgreementExceedsCommitment(
        uint256 agreementId,
        address hospital,
        uint64 quantity,
        uint64 remaining
    );
    /// @notice Only the bound tender house or order book may call this.
    /// @param caller The caller.
    error AgreementCallerNotAllowed(address caller);
    /// @notice The book is bound once, to non-zero addresses.
    error AgreementBookBindingInvalid();

    /// @notice Binds the tender house (the only creator of agreements) and the order book (the
    /// only mover of volume). Admin only, once, both non-zero. Emits `AgreementBookBound`.
    function bind(address tenders, address orderBook) external;

    /// @notice Creates the agreement of one winner. Tender house only.
    /// Emits `AgreementCreated`.
    function createAgreement(
        uint256 tenderId,
        address supplier,
        uint8 rank,
        uint8 winnerCount,
        TenderTerms calldata terms,
        uint256[3] calldata packedTiers,
        address[] calldata hospitals,
        uint256[] calldata shares
    ) external returns (uint256 agreementId);

    /// @notice The terms a new order of `hospital` runs on; opens the hospital's volume position
    /// the first time. Order book only.
    /// Requirements: agreement exists, in its term, `hospital` is a party. Emits nothing.
    function openPosition(uint256 agreementId, address hospital) external returns (AgreementTerms memory);

    /// @notice Funds `quantity` units for `hospital`: returns the escrow value (the units priced
    /// from the current accepted volume), the agreement's category (whose budget funding
    /// charges) and whether the insurance fund has ever paid in for the hospital under the
    /// agreement (whose money funding then draws first). Order book only.
    /// Requirements: in term; within the hospital's remaining committed volume unless
    /// `excessConsented`. Emits `AgreementVolumeChanged`.
    function fund(
        uint256 agreementId,
        address hospital,
        uint64 quantity,
        bool excessConsented
    ) external returns (uint256 value, bytes32 category, bool fundPaidIn);

    /// @notice Marks that the insurance fund paid money in for `hospital` under the agreement, so
    /// that its fundings ask the fund for a share; kept with the hospital's volume, which funding
    /// reads anyway. Order book only (relaying the fund book). Emits nothing.
    function noteFundPaidIn(uint256 agreementId, address hospital) external;

    /// @notice Gives back funded volume of cancelled units. Order book only; never paused.
    /// Emits `AgreementVolumeChanged`.
    function releaseFunding(uint256 agreementId, address hospital, uint64 quantity) external;

    /// @notice Records `quantity` accepted units and returns what they cost at the agreement's
    /// accepted volume, with the terms settlement needs. Order book only: for a delivery when it
    /// settles, or for consigned units when used (a consigned delivery settles with 0 and its
    /// order's funded price). Emits nothing: the order book's `ShipmentSettled` and the
    /// consignment book's `ConsumptionConfirmed` and `ConsignedStockExpired` carry the units.
    function recordAcceptance(
        uint256 agreementId,
        uint64 quantity
    ) external returns (uint256 gross, SettlementTerms memory terms);

    /// @notice The agreement's supplier and category.
    function supplierAndCategory(
        uint256 agreementId
    ) external view returns (address supplier, bytes32 category);

    function agreementCount() external view returns (uint256);

    function agreement(uint256 agreementId) external view returns (Agreement memory);

    function agreementTerms(uint256 agreementId) external view returns (AgreementTerms memory);

    /// @notice Unit price of the tier that `cumulativeVolume` falls in.
    function priceAt(uint256 agreementId, uint256 cumulativeVolume) external view returns (uint256);

    /// @notice Escrow an order of `quantity` units would take if funded now.
    function quote(uint256 agreementId, uint256 quantity) external view returns (uint256);

    /// @notice The hospital's committed and funded volume (committed read from the tender before
    /// the hospital's first order).
    function hospitalVolume(
        uint256 agreementId,
        address hospital
    ) external view returns (HospitalVolume memory);
}
