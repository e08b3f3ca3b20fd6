// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {LedgerBase} from "./access/LedgerBase.sol";
import {ISupplierRegistry} from "./interfaces/ISupplierRegistry.sol";
import {ITenderHouse} from "./interfaces/ITenderHouse.sol";
import {TierSchedule} from "./libraries/TierSchedule.sol";
import {Agreement, Bid, Tender, TenderPhase, TenderStatus, TenderTerms, Tier} from "./types/LedgerTypes.sol";

/// @title TenderHouse
/// @notice Sealed-bid volume tenders and the agreements they award. Bids are commitments until
/// the commit deadline passes, so nobody (not even the regulator) sees a price before reveal.
/// @dev Finalize must fit one transaction (EIP-7825 caps one at 2^24 gas) for every tender
/// `openTender` accepts, so awarding writes O(winners), never O(winners x hospitals): an
/// agreement's hospitals and per-hospital committed volumes are derived from its tender and its
/// award rank when read, not copied into it.
contract TenderHouse is ITenderHouse, LedgerBase {
    using TierSchedule for Tier[];

    /// @dev Where an agreement sits in its tender's award: rank 0 is the best bid.
    struct AwardRank {
        uint8 rank;
        uint8 winnerCount;
    }

    uint256 public constant MAX_BIDDERS = 32;
    uint256 public constant MAX_HOSPITALS = 64;
    uint8 public constant MAX_WINNERS = 8;
    /// @dev Volume agreements run for a few years at most; the cap keeps start + term far from overflow.
    uint64 public constant MAX_TERM_SECONDS = 10 * 365 days;
    uint16 internal constant BPS = 10_000;

    ISupplierRegistry public immutable registry;
    address public orderBook;

    uint256 public tenderCount;
    uint256 public agreementCount;
    uint64 internal _commitSequence;

    mapping(uint256 tenderId => Tender) internal _tenders;
    mapping(uint256 tenderId => mapping(address bidder => Bid)) internal _bids;
    mapping(uint256 agreementId => Agreement) internal _agreements;
    /// @dev 1 + the hospital's index in its tender's `hospitals`; 0 means not in the tender.
    mapping(uint256 tenderId => mapping(address hospital => uint256)) internal _hospitalSlot;
    mapping(uint256 agreementId => AwardRank) internal _awardRanks;
    mapping(uint256 agreementId => mapping(address hospital => uint256)) internal _ordered;

    constructor(
        IAccessControl roles_,
        address forwarder,
        ISupplierRegistry registry_
    ) LedgerBase(roles_, forwarder) {
        registry = registry_;
    }

    /// @inheritdoc ITenderHouse
    function openTender(
        TenderTerms calldata terms,
        address[] calldata hospitals,
        uint256[] calldata volumes
    ) external whenNotPaused onlyRole(_REGULATOR_ROLE) returns (uint256 tenderId) {
        _checkTerms(terms);
        _checkParticipants(hospitals, volumes);

        tenderId = ++tenderCount;
        Tender storage tender = _tenders[tenderId];
        tender.terms = terms;
        tender.status = TenderStatus.Open;
        tender.hospitals = hospitals;
        tender.volumes = volumes;
        for (uint256 i = 0; i < hospitals.length; ++i) {
            _hospitalSlot[tenderId][hospitals[i]] = i + 1;
        }
        emit TenderOpened(tenderId, terms.category, terms, hospitals, volumes, _msgSender());
    }

    /// @inheritdoc ITenderHouse
    function commitBid(uint256 tenderId, bytes32 commitment) external whenNotPaused {
        Tender storage tender = _openTender(tenderId);
        address bidder = _msgSender();
        if (block.timestamp > tender.terms.commitDeadline) {
            revert TenderBidTooLate(tenderId, tender.terms.commitDeadline, block.timestamp);
        }
        if (commitment == bytes32(0)) revert TenderZeroCommitment();
        if (!registry.isQualified(bidder, tender.terms.category, uint64(block.timestamp))) {
            revert TenderBidderNotQualified(tenderId, bidder, tender.terms.category);
        }

        Bid storage bid_ = _bids[tenderId][bidder];
        if (bid_.commitment == bytes32(0)) {
            if (tender.bidders.length >= MAX_BIDDERS) revert TenderTooManyBidders(tenderId, MAX_BIDDERS);
            tender.bidders.push(bidder);
        }
        bid_.commitment = commitment;
        bid_.sequence = ++_commitSequence;
        emit BidCommitted(tenderId, bidder, commitment, bid_.sequence);
    }

    /// @inheritdoc ITenderHouse
    function revealBid(uint256 tenderId, Tier[] calldata tiers, bytes32 salt) external whenNotPaused {
        Tender storage tender = _openTender(tenderId);
        address bidder = _msgSender();
        TenderTerms storage terms = tender.terms;
        if (block.timestamp <= terms.commitDeadline) {
            revert TenderRevealNotOpen(tenderId, terms.commitDeadline, block.timestamp);
        }
        if (block.timestamp > terms.revealDeadline) {
            revert TenderRevealTooLate(tenderId, terms.revealDeadline, block.timestamp);
        }
        Bid storage bid_ = _bids[tenderId][bidder];
        if (bid_.commitment == bytes32(0)) revert TenderNoCommitment(tenderId, bidder);
        if (bid_.revealed) revert TenderAlreadyRevealed(tenderId, bidder);
        bytes32 revealed = keccak256(abi.encode(tenderId, bidder, tiers, salt));
        if (revealed != bid_.commitment)
            revert TenderCommitmentMismatch(tenderId, bidder, bid_.commitment, revealed);
        TierSchedule.Defect defect = TierSchedule.check(tiers, terms.reservePrice);
        if (defect != TierSchedule.Defect.None) revert TenderInvalidSchedule(tenderId, bidder, defect);

        bid_.revealed = true;
        for (uint256 i = 0; i < tiers.length; ++i) {
            bid_.tiers.push(tiers[i]);
        }
        emit BidRevealed(tenderId, bidder, tiers);
    }

    /// @inheritdoc ITenderHouse
    function finalize(uint256 tenderId) external whenNotPaused {
        Tender storage tender = _openTender(tenderId);
        if (block.timestamp <= tender.terms.revealDeadline) {
            revert TenderRevealNotOver(tenderId, tender.terms.revealDeadline, block.timestamp);
        }

        address[] memory winners = _rankWinners(tenderId, tender);
        if (winners.length == 0) {
            tender.status = TenderStatus.Failed;
            emit TenderFailed(tenderId);
            return;
        }
        tender.status = TenderStatus.Awarded;
        uint256[] memory agreementIds = new uint256[](winners.length);
        for (uint256 i = 0; i < winners.length; ++i) {
            agreementIds[i] = _createAgreement(tenderId, tender, winners[i], i, winners.length);
        }
        emit TenderAwarded(tenderId, winners, agreementIds);
    }

    /// @inheritdoc ITenderHouse
    function bindOrderBook(address orderBook_) external onlyRole(_ADMIN_ROLE) {
        if (orderBook != address(0)) revert AgreementOrderBookAlreadyBound(orderBook);
        if (orderBook_ == address(0)) revert AgreementZeroOrderBook();
        orderBook = orderBook_;
        emit OrderBookBound(orderBook_);
    }

    /// @inheritdoc ITenderHouse
    function recordOrder(
        uint256 agreementId,
        address hospital,
        uint256 quantity
    ) external whenNotPaused returns (uint256 value) {
        Agreement storage agr = _agreementFromOrderBook(agreementId);
        // An agreement starts when it is created, so only its end can have passed.
        if (block.timestamp > agr.end) {
            revert AgreementNotInTerm(agreementId, agr.start, agr.end, block.timestamp);
        }
        value = agr.tiers.valueOf(agr.cumulativeVolume, quantity);
        agr.cumulativeVolume += quantity;
        _ordered[agreementId][hospital] += quantity;
        emit AgreementVolumeChanged(
            agreementId,
            hospital,
            agr.cumulativeVolume,
            _ordered[agreementId][hospital]
        );
    }

    /// @inheritdoc ITenderHouse
    /// @dev Not paused with the rest of the contract: it only ever gives volume back, as part
    /// of a cancellation or refund in the order book, which has its own pause.
    function releaseVolume(uint256 agreementId, address hospital, uint256 quantity) external {
        Agreement storage agr = _agreementFromOrderBook(agreementId);
        agr.cumulativeVolume -= quantity;
        _ordered[agreementId][hospital] -= quantity;
        emit AgreementVolumeChanged(
            agreementId,
            hospital,
            agr.cumulativeVolume,
            _ordered[agreementId][hospital]
        );
    }

    /// @inheritdoc ITenderHouse
    function commitmentOf(
        uint256 tenderId,
        address bidder,
        Tier[] calldata tiers,
        bytes32 salt
    ) external pure returns (bytes32) {
        return keccak256(abi.encode(tenderId, bidder, tiers, salt));
    }

    /// @inheritdoc ITenderHouse
    function tenderPhase(uint256 tenderId) external view returns (TenderPhase) {
        Tender storage tender = _tenders[tenderId];
        if (tender.status == TenderStatus.None) return TenderPhase.None;
        if (tender.status == TenderStatus.Awarded) return TenderPhase.Awarded;
        if (tender.status == TenderStatus.Failed) return TenderPhase.Failed;
        if (block.timestamp <= tender.terms.commitDeadline) return TenderPhase.Commit;
        if (block.timestamp <= tender.terms.revealDeadline) return TenderPhase.Reveal;
        return TenderPhase.Finalizable;
    }

    /// @inheritdoc ITenderHouse
    function tenderTerms(uint256 tenderId) external view returns (TenderTerms memory) {
        return _tender(tenderId).terms;
    }

    /// @inheritdoc ITenderHouse
    function tenderParticipants(
        uint256 tenderId
    ) external view returns (address[] memory hospitals, uint256[] memory volumes, address[] memory bidders) {
        Tender storage tender = _tender(tenderId);
        return (tender.hospitals, tender.volumes, tender.bidders);
    }

    /// @inheritdoc ITenderHouse
    function bid(uint256 tenderId, address bidder) external view returns (Bid memory) {
        return _bids[tenderId][bidder];
    }

    /// @inheritdoc ITenderHouse
    function agreement(uint256 agreementId) external view returns (Agreement memory agr) {
        agr = _agreement(agreementId);
        agr.hospitals = _tenders[agr.tenderId].hospitals;
    }

    /// @inheritdoc ITenderHouse
    function priceAt(uint256 agreementId, uint256 cumulativeVolume) external view returns (uint256) {
        return _agreement(agreementId).tiers.priceAt(cumulativeVolume);
    }

    /// @inheritdoc ITenderHouse
    function quote(uint256 agreementId, uint256 quantity) external view returns (uint256) {
        Agreement storage agr = _agreement(agreementId);
        return agr.tiers.valueOf(agr.cumulativeVolume, quantity);
    }

    /// @inheritdoc ITenderHouse
    function committedVolume(uint256 agreementId, address hospital) external view returns (uint256) {
        uint256 tenderId = _agreements[agreementId].tenderId;
        uint256 slot = _hospitalSlot[tenderId][hospital];
        // An unknown agreement has tender id 0, where no hospital has a slot.
        if (slot == 0) return 0;
        AwardRank memory award = _awardRanks[agreementId];
        return _shareOf(_tenders[tenderId].volumes[slot - 1], award.rank, award.winnerCount);
    }

    /// @inheritdoc ITenderHouse
    function orderedVolume(uint256 agreementId, address hospital) external view returns (uint256) {
        return _ordered[agreementId][hospital];
    }

    /// @dev Winners in award order: lowest first-tier price first, the earlier final commitment
    /// first among equal prices. Bidders no longer qualified are skipped (and said so).
    function _rankWinners(
        uint256 tenderId,
        Tender storage tender
    ) internal returns (address[] memory ranked) {
        address[] storage bidders = tender.bidders;
        uint256 n = bidders.length;
        bool[] memory eligible = new bool[](n);
        uint256 eligibleCount;
        for (uint256 i = 0; i < n; ++i) {
            address bidder = bidders[i];
            if (!_bids[tenderId][bidder].revealed) continue;
            if (!registry.isQualified(bidder, tender.terms.category, uint64(block.timestamp))) {
                emit BidderSkipped(tenderId, bidder);
                continue;
            }
            eligible[i] = true;
            ++eligibleCount;
        }

        uint256 count = eligibleCount < tender.terms.winners ? eligibleCount : tender.terms.winners;
        ranked = new address[](count);
        for (uint256 r = 0; r < count; ++r) {
            uint256 best = type(uint256).max;
            for (uint256 i = 0; i < n; ++i) {
                if (
                    eligible[i] &&
                    (best == type(uint256).max || _ranksBefore(tenderId, bidders[i], bidders[best]))
                ) {
                    best = i;
                }
            }
            eligible[best] = false;
            ranked[r] = bidders[best];
        }
    }

    function _ranksBefore(uint256 tenderId, address a, address b) internal view returns (bool) {
        Bid storage bidA = _bids[tenderId][a];
        Bid storage bidB = _bids[tenderId][b];
        uint256 priceA = bidA.tiers[0].unitPrice;
        uint256 priceB = bidB.tiers[0].unitPrice;
        return priceA < priceB || (priceA == priceB && bidA.sequence < bidB.sequence);
    }

    /// @dev Splits every hospital's committed volume evenly between the winners; the
    /// remainder of each split goes to the best bid (rank 0). The split is only emitted here
    /// and recomputed by `committedVolume`, so awarding costs the same for 1 or 64 hospitals.
    function _createAgreement(
        uint256 tenderId,
        Tender storage tender,
        address supplier,
        uint256 rank,
        uint256 winnerCount
    ) internal returns (uint256 agreementId) {
        agreementId = ++agreementCount;
        Agreement storage agr = _agreements[agreementId];
        agr.tenderId = tenderId;
        agr.supplier = supplier;
        agr.category = tender.terms.category;
        agr.start = uint64(block.timestamp);
        agr.end = uint64(block.timestamp) + tender.terms.termSeconds;
        agr.leadTimeDays = tender.terms.leadTimeDays;
        agr.penaltyBpsPerDay = tender.terms.penaltyBpsPerDay;
        agr.penaltyCapBps = tender.terms.penaltyCapBps;
        Tier[] storage tiers = _bids[tenderId][supplier].tiers;
        for (uint256 i = 0; i < tiers.length; ++i) {
            agr.tiers.push(tiers[i]);
        }
        // Both fit uint8: rank < winnerCount <= MAX_WINNERS.
        _awardRanks[agreementId] = AwardRank(uint8(rank), uint8(winnerCount));

        uint256[] memory shares = tender.volumes;
        for (uint256 i = 0; i < shares.length; ++i) {
            shares[i] = _shareOf(shares[i], rank, winnerCount);
        }
        emit AgreementCreated(
            agreementId,
            tenderId,
            supplier,
            agr.category,
            agr.start,
            agr.end,
            agr.tiers,
            tender.hospitals,
            shares
        );
    }

    function _shareOf(uint256 volume, uint256 rank, uint256 winnerCount) internal pure returns (uint256) {
        return volume / winnerCount + (rank == 0 ? volume % winnerCount : 0);
    }

    function _checkTerms(TenderTerms calldata terms) internal view {
        if (terms.category == bytes32(0)) revert TenderZeroCategory();
        if (terms.reservePrice == 0) revert TenderInvalidReservePrice(terms.reservePrice);
        if (terms.commitDeadline <= block.timestamp || terms.revealDeadline <= terms.commitDeadline) {
            revert TenderInvalidDeadlines(terms.commitDeadline, terms.revealDeadline, block.timestamp);
        }
        if (terms.winners == 0 || terms.winners > MAX_WINNERS) revert TenderInvalidWinners(terms.winners);
        if (terms.termSeconds == 0 || terms.termSeconds > MAX_TERM_SECONDS)
            revert TenderInvalidTerm(terms.termSeconds);
        if (terms.penaltyCapBps > BPS || (terms.penaltyBpsPerDay == 0) != (terms.penaltyCapBps == 0)) {
            revert TenderInvalidPenalty(terms.penaltyBpsPerDay, terms.penaltyCapBps);
        }
    }

    function _checkParticipants(address[] calldata hospitals, uint256[] calldata volumes) internal pure {
        uint256 n = hospitals.length;
        if (n == 0 || n > MAX_HOSPITALS || n != volumes.length) {
            revert TenderInvalidHospitals(n, volumes.length);
        }
        for (uint256 i = 0; i < n; ++i) {
            if (volumes[i] == 0) revert TenderZeroVolume(hospitals[i]);
            for (uint256 j = 0; j < i; ++j) {
                if (hospitals[j] == hospitals[i]) revert TenderDuplicateHospital(hospitals[i]);
            }
        }
    }

    function _tender(uint256 tenderId) internal view returns (Tender storage tender) {
        tender = _tenders[tenderId];
        if (tender.status == TenderStatus.None) revert TenderNotFound(tenderId);
    }

    function _openTender(uint256 tenderId) internal view returns (Tender storage tender) {
        tender = _tender(tenderId);
        if (tender.status != TenderStatus.Open) revert TenderNotOpen(tenderId, tender.status);
    }

    function _agreement(uint256 agreementId) internal view returns (Agreement storage agr) {
        agr = _agreements[agreementId];
        if (agr.supplier == address(0)) revert AgreementNotFound(agreementId);
    }

    function _agreementFromOrderBook(uint256 agreementId) internal view returns (Agreement storage) {
        // orderBook is never bound to the zero address, and msg.sender is never zero.
        if (msg.sender != orderBook) revert AgreementCallerNotOrderBook(msg.sender);
        return _agreement(agreementId);
    }
}
