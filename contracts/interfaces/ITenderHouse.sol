// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BidView, TenderPhase, TenderStatus, TenderTerms, Tier} from "../types/LedgerTypes.sol";
import {TierSchedule} from "../libraries/TierSchedule.sol";

/// @title ITenderHouse
/// @notice Volume-based procurement: a regulator opens a tender, qualified suppliers commit
/// sealed tier schedules with a bid bond and reveal them, and finalization awards agreements
/// (kept by the agreement book) to the lowest first-tier prices.
interface ITenderHouse {
    /// @notice A regulator opened a tender.
    /// @param tenderId The new tender.
    /// @param category Product category tendered.
    /// @param terms Every term the tender and its agreements run on.
    /// @param hospitals The hospitals taking part.
    /// @param volumes Units each hospital commits to buy over the term, by index.
    /// @param regulator Who opened it.
    event TenderOpened(
        uint256 indexed tenderId,
        bytes32 indexed category,
        TenderTerms terms,
        address[] hospitals,
        uint256[] volumes,
        address indexed regulator
    );
    /// @notice A bidder committed (or replaced) its sealed bid.
    /// @param tenderId The tender.
    /// @param bidder The supplier bidding.
    /// @param commitment keccak256(abi.encode(tenderId, bidder, tiers, salt)).
    /// @param bond Bond taken with this commitment (0 when it replaces an earlier one).
    event BidCommitted(uint256 indexed tenderId, address indexed bidder, bytes32 commitment, uint128 bond);
    /// @notice A bidder revealed its schedule; its bond went back to it.
    /// @param tenderId The tender.
    /// @param bidder The supplier.
    /// @param tiers The revealed schedule.
    /// @param bondReturned Bond paid back.
    event BidRevealed(uint256 indexed tenderId, address indexed bidder, Tier[] tiers, uint128 bondReturned);
    /// @notice A revealed bidder was left out of the award: suspended, or its documents did not
    /// qualify it at the reveal deadline.
    /// @param tenderId The tender.
    /// @param bidder The supplier left out.
    event BidderSkipped(uint256 indexed tenderId, address indexed bidder);
    /// @notice The tender was awarded.
    /// @param tenderId The tender.
    /// @param winners Winners in award order.
    /// @param agreementIds The agreement of each winner, by index.
    event TenderAwarded(uint256 indexed tenderId, address[] winners, uint256[] agreementIds);
    /// @notice Nobody eligible revealed; every bond can be withdrawn.
    /// @param tenderId The tender.
    event TenderFailed(uint256 indexed tenderId);
    /// @notice A regulator cancelled the tender before award; every bond can be withdrawn.
    /// @param tenderId The tender.
    /// @param regulator Who cancelled it.
    /// @param reasonCode The regulator's reason code.
    event TenderCancelled(uint256 indexed tenderId, address indexed regulator, uint16 reasonCode);
    /// @notice Bonds of bidders that never revealed were forfeited to the tender's hospitals.
    /// @param tenderId The tender.
    /// @param bidders The bidders that forfeited.
    /// @param amount Total forfeited, shared by the hospitals in proportion to their volumes.
    event BondsForfeited(uint256 indexed tenderId, address[] bidders, uint128 amount);
    /// @notice A bid bond went back to its bidder after the tender failed or was cancelled.
    /// @param tenderId The tender.
    /// @param bidder The bidder.
    /// @param amount The bond.
    event BondWithdrawn(uint256 indexed tenderId, address indexed bidder, uint128 amount);
    /// @notice A hospital took its share of the forfeited bonds.
    /// @param tenderId The tender.
    /// @param hospital The hospital.
    /// @param amount Its share.
    event ForfeitClaimed(uint256 indexed tenderId, address indexed hospital, uint128 amount);

    /// @notice No tender has id `tenderId`.
    /// @param tenderId The id asked for.
    error TenderNotFound(uint256 tenderId);
    /// @notice The terms name no category.
    error TenderZeroCategory();
    /// @notice The reserve price is zero or does not fit a packed tier price.
    /// @param reservePrice The price given.
    error TenderInvalidReservePrice(uint256 reservePrice);
    /// @notice The deadlines are not in the future and in order.
    /// @param commitDeadline Given commit deadline.
    /// @param revealDeadline Given reveal deadline.
    /// @param now Block time.
    error TenderInvalidDeadlines(uint64 commitDeadline, uint64 revealDeadline, uint256 now);
    /// @notice Winner count outside 1..MAX_WINNERS.
    /// @param winners The count given.
    error TenderInvalidWinners(uint8 winners);
    /// @notice Term outside 1..MAX_TERM_SECONDS.
    /// @param termSeconds The term given.
    error TenderInvalidTerm(uint64 termSeconds);
    /// @notice Penalty rate and cap must both be zero or both set, the cap at most 100 %.
    /// @param penaltyBpsPerDay Rate given.
    /// @param penaltyCapBps Cap given.
    error TenderInvalidPenalty(uint16 penaltyBpsPerDay, uint16 penaltyCapBps);
    /// @notice A bid bond of zero lets a bidder commit cover bids for free.
    error TenderZeroBidBond();
    /// @notice Each window must be at least one hour.
    /// @param fundingWindow Given funding window.
    /// @param receivingWindow Given receiving window.
    /// @param confirmWindow Given confirmation window.
    error TenderInvalidWindows(uint32 fundingWindow, uint32 receivingWindow, uint32 confirmWindow);
    /// @notice Hospital and volume lists empty, too long or of different lengths.
    /// @param hospitals Hospitals given.
    /// @param volumes Volumes given.
    error TenderInvalidHospitals(uint256 hospitals, uint256 volumes);
    /// @notice A hospital appears twice.
    /// @param hospital The hospital.
    error TenderDuplicateHospital(address hospital);
    /// @notice A hospital commits to no volume, or more than a packed volume holds.
    /// @param hospital The hospital.
    error TenderZeroVolume(address hospital);
    /// @notice The bidder is not qualified for the category now.
    /// @param tenderId The tender.
    /// @param bidder The bidder.
    /// @param category The category.
    error TenderBidderNotQualified(uint256 tenderId, address bidder, bytes32 category);
    /// @notice The tender already has the most bidders it takes.
    /// @param tenderId The tender.
    /// @param max The limit.
    error TenderTooManyBidders(uint256 tenderId, uint256 max);
    /// @notice A zero commitment.
    error TenderZeroCommitment();
    /// @notice The commit deadline has passed.
    /// @param tenderId The tender.
    /// @param commitDeadline The deadline.
    /// @param now Block time.
    error TenderBidTooLate(uint256 tenderId, uint64 commitDeadline, uint256 now);
    /// @notice Reveals start after the commit deadline.
    /// @param tenderId The tender.
    /// @param commitDeadline The deadline.
    /// @param now Block time.
    error TenderRevealNotOpen(uint256 tenderId, uint64 commitDeadline, uint256 now);
    /// @notice The reveal deadline has passed.
    /// @param tenderId The tender.
    /// @param revealDeadline The deadline.
    /// @param now Block time.
    error TenderRevealTooLate(uint256 tenderId, uint64 revealDeadline, uint256 now);
    /// @notice Finalizing waits for the reveal deadline.
    /// @param tenderId The tender.
    /// @param revealDeadline The deadline.
    /// @param now Block time.
    error TenderRevealNotOver(uint256 tenderId, uint64 revealDeadline, uint256 now);
    /// @notice The tender is not in the status the act needs.
    /// @param tenderId The tender.
    /// @param status Its status.
    /// @param expected The status needed.
    error TenderStatusInvalid(uint256 tenderId, TenderStatus status, TenderStatus expected);
    /// @notice The bidder has not committed.
    /// @param tenderId The tender.
    /// @param bidder The bidder.
    error TenderNoCommitment(uint256 tenderId, address bidder);
    /// @notice The bidder has revealed already.
    /// @param tenderId The tender.
    /// @param bidder The bidder.
    error TenderAlreadyRevealed(uint256 tenderId, address bidder);
    /// @notice The revealed schedule and salt do not hash to the commitment.
    /// @param tenderId The tender.
    /// @param bidder The bidder.
    /// @param committed The stored commitment prefix.
    /// @param revealed The hash of what was revealed.
    error TenderCommitmentMismatch(uint256 tenderId, address bidder, bytes24 committed, bytes32 revealed);
    /// @notice The revealed schedule breaks a rule.
    /// @param tenderId The tender.
    /// @param bidder The bidder.
    /// @param defect The first rule broken.
    error TenderInvalidSchedule(uint256 tenderId, address bidder, TierSchedule.Defect defect);
    /// @notice The token moved a different amount than asked (fee-on-transfer tokens are refused).
    /// @param expected Amount asked.
    /// @param received Amount that arrived.
    error TenderTokenTransferMismatch(uint256 expected, uint256 received);
    /// @notice Nothing to pay back or to claim.
    /// @param tenderId The tender.
    /// @param account The caller.
    error TenderNothingToClaim(uint256 tenderId, address account);
    /// @notice The agreement book may be bound once.
    /// @param agreements The bound agreement book.
    error TenderAgreementsAlreadyBound(address agreements);
    /// @notice The agreement book cannot be the zero address.
    error TenderZeroAgreements();

    /// @notice Opens a tender; `hospitals[i]` commits to buy `volumes[i]` units over the term.
    /// Requirements: regulator; not paused; valid terms (deadlines ahead, 1..8 winners, term up
    /// to ten years, penalty pair, non-zero bid bond, windows of an hour or more); 1..64 distinct
    /// hospitals with non-zero volumes. Emits `TenderOpened`.
    function openTender(
        TenderTerms calldata terms,
        address[] calldata hospitals,
        uint256[] calldata volumes
    ) external returns (uint256 tenderId);

    /// @notice Commits `keccak256(abi.encode(tenderId, bidder, tiers, salt))`; a later commit
    /// before the deadline replaces the earlier one. The first commitment takes the bid bond
    /// from the bidder (it must have approved this contract for it).
    /// Requirements: tender open, before the commit deadline; bidder qualified for the
    /// category; at most 32 bidders. Emits `BidCommitted`.
    function commitBid(uint256 tenderId, bytes32 commitment) external;

    /// @notice Reveals the committed schedule and takes the bond back.
    /// Requirements: between the commit and reveal deadlines; the hash matches; the schedule is
    /// valid. Emits `BidRevealed`.
    function revealBid(uint256 tenderId, Tier[] calldata tiers, bytes32 salt) external;

    /// @notice Awards the tender after the reveal deadline; callable by anyone. Bidders are
    /// judged by their documents at the reveal deadline (and their suspension now), so when it
    /// is called changes nothing. Bonds of bidders that did not reveal are forfeited to the
    /// hospitals when the tender is awarded.
    /// Requirements: tender open; reveal deadline passed. Emits `TenderAwarded` (with
    /// `BidderSkipped`, `BondsForfeited`) or `TenderFailed`.
    function finalize(uint256 tenderId) external;

    /// @notice A regulator cancels an open tender before award; every bond can be withdrawn.
    /// Requirements: regulator; tender open. Emits `TenderCancelled`.
    function cancelTender(uint256 tenderId, uint16 reasonCode) external;

    /// @notice Takes back the caller's bond of a failed or cancelled tender it did not reveal in.
    /// Requirements: tender failed or cancelled; caller committed, did not reveal, not yet paid
    /// back. Emits `BondWithdrawn`.
    function withdrawBond(uint256 tenderId) external;

    /// @notice Takes the caller's share of the tender's forfeited bonds (its volume over all).
    /// Requirements: caller is a hospital of the tender; something forfeited; not yet claimed.
    /// Emits `ForfeitClaimed`.
    function claimForfeit(uint256 tenderId) external;

    /// @notice Marks `agreements` as the agreement book awards are written to. Admin only, once.
    function bindAgreements(address agreements) external;

    function commitmentOf(
        uint256 tenderId,
        address bidder,
        Tier[] calldata tiers,
        bytes32 salt
    ) external pure returns (bytes32);

    function tenderPhase(uint256 tenderId) external view returns (TenderPhase);

    function tenderTerms(uint256 tenderId) external view returns (TenderTerms memory);

    function tenderParticipants(
        uint256 tenderId
    ) external view returns (address[] memory hospitals, uint256[] memory volumes, address[] memory bidders);

    function bid(uint256 tenderId, address bidder) external view returns (BidView memory);

    /// @notice Units `hospital` committed to in the tender; 0 if it is not one of its hospitals.
    function hospitalVolume(uint256 tenderId, address hospital) external view returns (uint256);

    /// @notice Forfeited bonds of the tender not yet claimed by `hospital`.
    function forfeitShare(uint256 tenderId, address hospital) external view returns (uint256);
}
