// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Agreement, Bid, TenderPhase, TenderStatus, TenderTerms, Tier} from "../types/LedgerTypes.sol";
import {TierSchedule} from "../libraries/TierSchedule.sol";

/// @title ITenderHouse
/// @notice Volume-based procurement: a regulator opens a tender, qualified suppliers commit
/// sealed tier schedules and reveal them, and finalization awards agreements to the lowest
/// first-tier prices. Agreements then price every order from their tiers.
interface ITenderHouse {
    event TenderOpened(
        uint256 indexed tenderId,
        bytes32 indexed category,
        TenderTerms terms,
        address[] hospitals,
        uint256[] volumes,
        address indexed regulator
    );
    /// @notice A bidder committed (or replaced) its sealed bid; `sequence` orders commitments.
    event BidCommitted(uint256 indexed tenderId, address indexed bidder, bytes32 commitment, uint64 sequence);
    event BidRevealed(uint256 indexed tenderId, address indexed bidder, Tier[] tiers);
    /// @notice A revealed bidder was left out of the award because it was no longer qualified.
    event BidderSkipped(uint256 indexed tenderId, address indexed bidder);
    event TenderAwarded(uint256 indexed tenderId, address[] winners, uint256[] agreementIds);
    event TenderFailed(uint256 indexed tenderId);
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
    /// @notice An order took (or a cancellation gave back) volume under an agreement.
    event AgreementVolumeChanged(
        uint256 indexed agreementId,
        address indexed hospital,
        uint256 cumulativeVolume,
        uint256 hospitalOrderedVolume
    );
    event OrderBookBound(address orderBook);

    error TenderNotFound(uint256 tenderId);
    error TenderZeroCategory();
    error TenderInvalidReservePrice(uint256 reservePrice);
    error TenderInvalidDeadlines(uint64 commitDeadline, uint64 revealDeadline, uint256 now);
    error TenderInvalidWinners(uint8 winners);
    error TenderInvalidTerm(uint64 termSeconds);
    error TenderInvalidPenalty(uint16 penaltyBpsPerDay, uint16 penaltyCapBps);
    error TenderInvalidHospitals(uint256 hospitals, uint256 volumes);
    error TenderDuplicateHospital(address hospital);
    error TenderZeroVolume(address hospital);
    error TenderBidderNotQualified(uint256 tenderId, address bidder, bytes32 category);
    error TenderTooManyBidders(uint256 tenderId, uint256 max);
    error TenderZeroCommitment();
    error TenderBidTooLate(uint256 tenderId, uint64 commitDeadline, uint256 now);
    error TenderRevealNotOpen(uint256 tenderId, uint64 commitDeadline, uint256 now);
    error TenderRevealTooLate(uint256 tenderId, uint64 revealDeadline, uint256 now);
    error TenderRevealNotOver(uint256 tenderId, uint64 revealDeadline, uint256 now);
    error TenderNotOpen(uint256 tenderId, TenderStatus status);
    error TenderNoCommitment(uint256 tenderId, address bidder);
    error TenderAlreadyRevealed(uint256 tenderId, address bidder);
    error TenderCommitmentMismatch(uint256 tenderId, address bidder, bytes32 committed, bytes32 revealed);
    error TenderInvalidSchedule(uint256 tenderId, address bidder, TierSchedule.Defect defect);
    error AgreementNotFound(uint256 agreementId);
    error AgreementNotInTerm(uint256 agreementId, uint64 start, uint64 end, uint256 now);
    error AgreementCallerNotOrderBook(address caller);
    error AgreementOrderBookAlreadyBound(address orderBook);
    error AgreementZeroOrderBook();

    /// @notice Opens a tender; `hospitals[i]` commits to buy `volumes[i]` units over the term.
    function openTender(
        TenderTerms calldata terms,
        address[] calldata hospitals,
        uint256[] calldata volumes
    ) external returns (uint256 tenderId);

    /// @notice Commits `keccak256(abi.encode(tenderId, bidder, tiers, salt))`; a later commit
    /// before the deadline replaces the earlier one.
    function commitBid(uint256 tenderId, bytes32 commitment) external;

    function revealBid(uint256 tenderId, Tier[] calldata tiers, bytes32 salt) external;

    /// @notice Awards the tender after the reveal deadline; callable by anyone.
    function finalize(uint256 tenderId) external;

    /// @notice Marks `orderBook` as the one contract that may take volume from agreements.
    function bindOrderBook(address orderBook) external;

    /// @notice Takes `quantity` units of volume for `hospital` and returns their piecewise value.
    function recordOrder(
        uint256 agreementId,
        address hospital,
        uint256 quantity
    ) external returns (uint256 value);

    /// @notice Gives back volume of a cancelled remainder.
    function releaseVolume(uint256 agreementId, address hospital, uint256 quantity) external;

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

    function bid(uint256 tenderId, address bidder) external view returns (Bid memory);

    function agreement(uint256 agreementId) external view returns (Agreement memory);

    /// @notice Unit price of the tier that `cumulativeVolume` falls in.
    function priceAt(uint256 agreementId, uint256 cumulativeVolume) external view returns (uint256);

    /// @notice Value an order of `quantity` units would be locked at now.
    function quote(uint256 agreementId, uint256 quantity) external view returns (uint256);

    function committedVolume(uint256 agreementId, address hospital) external view returns (uint256);

    function orderedVolume(uint256 agreementId, address hospital) external view returns (uint256);
}
