// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {LedgerBase} from "./access/LedgerBase.sol";
import {IAgreementBook} from "./interfaces/IAgreementBook.sol";
import {ISupplierRegistry} from "./interfaces/ISupplierRegistry.sol";
import {ITenderHouse} from "./interfaces/ITenderHouse.sol";
import {TierSchedule} from "./libraries/TierSchedule.sol";
import {
    BidState,
    BidView,
    Tender,
    TenderPhase,
    TenderStatus,
    TenderTerms,
    Tier
} from "./types/LedgerTypes.sol";

/// @title TenderHouse
/// @notice Sealed-bid volume tenders. Bids are commitments until the commit deadline passes, so
/// nobody (not even the regulator) sees a price before reveal; each commitment escrows a bid
/// bond, so a cover bid that is never revealed costs its bidder the bond.
/// @dev Finalize must fit one transaction (EIP-7825 caps one at 2^24 gas) for every tender
/// `openTender` accepts: it costs O(bidders x winners) — `isQualified` is a constant number of
/// reads whatever a supplier filed — and writes O(winners); hospitals' shares are derived.
contract TenderHouse is ITenderHouse, LedgerBase, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    uint256 public constant MAX_BIDDERS = 32;
    uint256 public constant MAX_HOSPITALS = 64;
    uint8 public constant MAX_WINNERS = 8;
    /// @dev Volume agreements run for a few years at most; the cap keeps start + term far from overflow.
    uint64 public constant MAX_TERM_SECONDS = 10 * 365 days;
    uint32 public constant MIN_WINDOW = 1 hours;
    uint16 internal constant BPS = 10_000;

    IERC20 public immutable token;
    ISupplierRegistry public immutable registry;
    IAgreementBook public agreements;

    uint256 public tenderCount;

    mapping(uint256 tenderId => Tender) internal _tenders;
    mapping(uint256 tenderId => mapping(address bidder => BidState)) internal _bids;
    mapping(uint256 tenderId => mapping(address bidder => uint256[3])) internal _bidTiers;
    /// @dev 1 + the hospital's index in its tender's `hospitals`; 0 means not in the tender.
    mapping(uint256 tenderId => mapping(address hospital => uint256)) internal _hospitalSlot;
    mapping(uint256 tenderId => mapping(address hospital => bool)) internal _forfeitClaimed;

    constructor(
        IAccessControl roles_,
        address forwarder,
        IERC20 token_,
        ISupplierRegistry registry_
    ) LedgerBase(roles_, forwarder) {
        token = token_;
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
    function commitBid(uint256 tenderId, bytes32 commitment) external whenNotPaused nonReentrant {
        Tender storage tender = _requireStatus(tenderId, TenderStatus.Open);
        address bidder = _msgSender();
        TenderTerms storage terms = tender.terms;
        if (block.timestamp > terms.commitDeadline) {
            revert TenderBidTooLate(tenderId, terms.commitDeadline, block.timestamp);
        }
        if (commitment == bytes32(0)) revert TenderZeroCommitment();
        if (!registry.isQualified(bidder, terms.category, uint64(block.timestamp))) {
            revert TenderBidderNotQualified(tenderId, bidder, terms.category);
        }

        BidState storage b = _bids[tenderId][bidder];
        uint80 bond;
        if (b.committedAt == 0) {
            if (tender.bidders.length >= MAX_BIDDERS) revert TenderTooManyBidders(tenderId, MAX_BIDDERS);
            tender.bidders.push(bidder);
            bond = terms.bidBond;
        }
        _bids[tenderId][bidder] = BidState({
            commitment: bytes24(commitment),
            committedAt: uint40(block.timestamp),
            revealed: false,
            bondReturned: false
        });
        emit BidCommitted(tenderId, bidder, commitment, bond);
        if (bond > 0) _pull(bidder, bond);
    }

    /// @inheritdoc ITenderHouse
    function revealBid(
        uint256 tenderId,
        Tier[] calldata tiers,
        bytes32 salt
    ) external whenNotPaused nonReentrant {
        Tender storage tender = _requireStatus(tenderId, TenderStatus.Open);
        address bidder = _msgSender();
        TenderTerms storage terms = tender.terms;
        if (block.timestamp <= terms.commitDeadline) {
            revert TenderRevealNotOpen(tenderId, terms.commitDeadline, block.timestamp);
        }
        if (block.timestamp > terms.revealDeadline) {
            revert TenderRevealTooLate(tenderId, terms.revealDeadline, block.timestamp);
        }
        BidState storage b = _bids[tenderId][bidder];
        if (b.committedAt == 0) revert TenderNoCommitment(tenderId, bidder);
        if (b.revealed) revert TenderAlreadyRevealed(tenderId, bidder);
        bytes32 revealed = keccak256(abi.encode(tenderId, bidder, tiers, salt));
        if (bytes24(revealed) != b.commitment) {
            revert TenderCommitmentMismatch(tenderId, bidder, b.commitment, revealed);
        }
        (TierSchedule.Defect defect, uint256[3] memory packed) = TierSchedule.checkAndPack(
            tiers,
            terms.reservePrice
        );
        if (defect != TierSchedule.Defect.None) revert TenderInvalidSchedule(tenderId, bidder, defect);

        b.revealed = true;
        b.bondReturned = true;
        _bidTiers[tenderId][bidder] = packed;
        uint80 bond = terms.bidBond;
        emit BidRevealed(tenderId, bidder, tiers, bond);
        token.safeTransfer(bidder, bond);
    }

    /// @inheritdoc ITenderHouse
    function finalize(uint256 tenderId) external whenNotPaused {
        Tender storage tender = _requireStatus(tenderId, TenderStatus.Open);
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
        _forfeitUnrevealed(tenderId, tender);
        uint256[] memory agreementIds = new uint256[](winners.length);
        for (uint256 i = 0; i < winners.length; ++i) {
            agreementIds[i] = _createAgreement(tenderId, tender, winners[i], i, winners.length);
        }
        emit TenderAwarded(tenderId, winners, agreementIds);
    }

    /// @inheritdoc ITenderHouse
    function cancelTender(uint256 tenderId, uint16 reasonCode) external onlyRole(_REGULATOR_ROLE) {
        Tender storage tender = _requireStatus(tenderId, TenderStatus.Open);
        tender.status = TenderStatus.Cancelled;
        emit TenderCancelled(tenderId, _msgSender(), reasonCode);
    }

    /// @inheritdoc ITenderHouse
    /// @dev Never paused: it only pays back what the bidder escrowed.
    function withdrawBond(uint256 tenderId) external nonReentrant {
        TenderStatus status = _tender(tenderId).status;
        address bidder = _msgSender();
        BidState storage b = _bids[tenderId][bidder];
        if (status != TenderStatus.Failed && status != TenderStatus.Cancelled) {
            revert TenderStatusInvalid(tenderId, status, TenderStatus.Cancelled);
        }
        if (b.committedAt == 0 || b.bondReturned) revert TenderNothingToClaim(tenderId, bidder);
        b.bondReturned = true;
        uint80 bond = _tenders[tenderId].terms.bidBond;
        emit BondWithdrawn(tenderId, bidder, bond);
        token.safeTransfer(bidder, bond);
    }

    /// @inheritdoc ITenderHouse
    /// @dev Never paused: it only pays out what the hospitals were awarded.
    function claimForfeit(uint256 tenderId) external nonReentrant {
        address hospital = _msgSender();
        uint256 share = forfeitShare(tenderId, hospital);
        if (share == 0) revert TenderNothingToClaim(tenderId, hospital);
        _forfeitClaimed[tenderId][hospital] = true;
        emit ForfeitClaimed(tenderId, hospital, uint128(share));
        token.safeTransfer(hospital, share);
    }

    /// @inheritdoc ITenderHouse
    function bindAgreements(address agreements_) external onlyRole(_ADMIN_ROLE) {
        if (address(agreements) != address(0)) revert TenderAgreementsAlreadyBound(address(agreements));
        if (agreements_ == address(0)) revert TenderZeroAgreements();
        agreements = IAgreementBook(agreements_);
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
        TenderStatus status = tender.status;
        if (status == TenderStatus.None) return TenderPhase.None;
        if (status == TenderStatus.Awarded) return TenderPhase.Awarded;
        if (status == TenderStatus.Failed) return TenderPhase.Failed;
        if (status == TenderStatus.Cancelled) return TenderPhase.Cancelled;
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
    function bid(uint256 tenderId, address bidder) external view returns (BidView memory v) {
        BidState memory b = _bids[tenderId][bidder];
        v.commitment = b.commitment;
        v.committedAt = b.committedAt;
        v.revealed = b.revealed;
        v.bondReturned = b.bondReturned;
        v.tiers = TierSchedule.unpack(_bidTiers[tenderId][bidder]);
    }

    /// @inheritdoc ITenderHouse
    function hospitalVolume(uint256 tenderId, address hospital) external view returns (uint256) {
        uint256 slot = _hospitalSlot[tenderId][hospital];
        return slot == 0 ? 0 : _tenders[tenderId].volumes[slot - 1];
    }

    /// @inheritdoc ITenderHouse
    function forfeitShare(uint256 tenderId, address hospital) public view returns (uint256) {
        uint256 slot = _hospitalSlot[tenderId][hospital];
        if (slot == 0 || _forfeitClaimed[tenderId][hospital]) return 0;
        Tender storage tender = _tenders[tenderId];
        uint256[] storage volumes = tender.volumes;
        uint256 total;
        for (uint256 i = 0; i < volumes.length; ++i) total += volumes[i];
        // Rounded down: what rounding leaves stays in the contract, never more than one base
        // unit per hospital.
        return (uint256(tender.forfeited) * volumes[slot - 1]) / total;
    }

    /// @dev Winners in award order: lowest first-tier price first; among equal prices the earlier
    /// final commitment, then the earlier first commitment. Bidders not qualified at the reveal
    /// deadline, or suspended since, are skipped (and said so).
    function _rankWinners(
        uint256 tenderId,
        Tender storage tender
    ) internal returns (address[] memory ranked) {
        address[] storage bidders = tender.bidders;
        uint256 n = bidders.length;
        uint256[] memory price = new uint256[](n);
        uint256[] memory committedAt = new uint256[](n);
        uint256 eligibleCount;
        for (uint256 i = 0; i < n; ++i) {
            address bidder = bidders[i];
            BidState memory b = _bids[tenderId][bidder];
            if (!b.revealed) continue;
            // Documents as they stood when reveals closed, whenever anyone calls this: a bidder
            // cannot win by waiting for a rival's document to lapse. A suspension counts as of now.
            if (!registry.isQualified(bidder, tender.terms.category, tender.terms.revealDeadline)) {
                emit BidderSkipped(tenderId, bidder);
                continue;
            }
            // The first packed tier's price: the low 48 bits of the first word.
            price[i] = _bidTiers[tenderId][bidder][0] & TierSchedule.MAX_PRICE;
            committedAt[i] = b.committedAt;
            ++eligibleCount;
        }

        uint256 count = eligibleCount < tender.terms.winners ? eligibleCount : tender.terms.winners;
        ranked = new address[](count);
        for (uint256 r = 0; r < count; ++r) {
            uint256 best = type(uint256).max;
            for (uint256 i = 0; i < n; ++i) {
                if (price[i] == 0) continue;
                if (
                    best == type(uint256).max ||
                    price[i] < price[best] ||
                    (price[i] == price[best] && committedAt[i] < committedAt[best])
                ) best = i;
            }
            price[best] = 0;
            ranked[r] = bidders[best];
        }
    }

    /// @dev Bonds of bidders that never revealed go to the hospitals, claimed in proportion to
    /// their committed volumes.
    function _forfeitUnrevealed(uint256 tenderId, Tender storage tender) internal {
        address[] storage bidders = tender.bidders;
        uint256 n = bidders.length;
        uint256 count;
        for (uint256 i = 0; i < n; ++i) {
            if (!_bids[tenderId][bidders[i]].revealed) ++count;
        }
        if (count == 0) return;
        address[] memory forfeiting = new address[](count);
        uint256 k;
        for (uint256 i = 0; i < n; ++i) {
            if (!_bids[tenderId][bidders[i]].revealed) forfeiting[k++] = bidders[i];
        }
        uint128 amount = uint128(count) * tender.terms.bidBond;
        tender.forfeited = amount;
        emit BondsForfeited(tenderId, forfeiting, amount);
    }

    /// @dev Splits every hospital's committed volume evenly between the winners; the
    /// remainder of each split goes to the best bid (rank 0). The split is only emitted here
    /// and recomputed by the agreement book, so awarding costs the same for 1 or 64 hospitals.
    function _createAgreement(
        uint256 tenderId,
        Tender storage tender,
        address supplier,
        uint256 rank,
        uint256 winnerCount
    ) internal returns (uint256) {
        uint256[] memory shares = tender.volumes;
        for (uint256 i = 0; i < shares.length; ++i) {
            shares[i] = shares[i] / winnerCount + (rank == 0 ? shares[i] % winnerCount : 0);
        }
        // Both fit uint8: rank < winnerCount <= MAX_WINNERS.
        return
            agreements.createAgreement(
                tenderId,
                supplier,
                uint8(rank),
                uint8(winnerCount),
                tender.terms,
                _bidTiers[tenderId][supplier],
                tender.hospitals,
                shares
            );
    }

    /// @dev Takes `amount` from `from` and refuses tokens that deliver less than asked.
    function _pull(address from, uint256 amount) internal {
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(from, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != amount) revert TenderTokenTransferMismatch(amount, received);
    }

    function _checkTerms(TenderTerms calldata terms) internal view {
        if (terms.category == bytes32(0)) revert TenderZeroCategory();
        if (terms.reservePrice == 0) revert TenderInvalidReservePrice(terms.reservePrice);
        if (terms.commitDeadline <= block.timestamp || terms.revealDeadline <= terms.commitDeadline) {
            revert TenderInvalidDeadlines(terms.commitDeadline, terms.revealDeadline, block.timestamp);
        }
        if (terms.winners == 0 || terms.winners > MAX_WINNERS) revert TenderInvalidWinners(terms.winners);
        if (terms.termSeconds == 0 || terms.termSeconds > MAX_TERM_SECONDS) {
            revert TenderInvalidTerm(terms.termSeconds);
        }
        if (terms.penaltyCapBps > BPS || (terms.penaltyBpsPerDay == 0) != (terms.penaltyCapBps == 0)) {
            revert TenderInvalidPenalty(terms.penaltyBpsPerDay, terms.penaltyCapBps);
        }
        if (terms.bidBond == 0) revert TenderZeroBidBond();
        if (
            terms.fundingWindow < MIN_WINDOW ||
            terms.receivingWindow < MIN_WINDOW ||
            terms.confirmWindow < MIN_WINDOW
        ) {
            revert TenderInvalidWindows(terms.fundingWindow, terms.receivingWindow, terms.confirmWindow);
        }
    }

    function _checkParticipants(address[] calldata hospitals, uint256[] calldata volumes) internal pure {
        uint256 n = hospitals.length;
        if (n == 0 || n > MAX_HOSPITALS || n != volumes.length) {
            revert TenderInvalidHospitals(n, volumes.length);
        }
        for (uint256 i = 0; i < n; ++i) {
            // Volumes are booked as uint64 per hospital.
            if (volumes[i] == 0 || volumes[i] > type(uint64).max) revert TenderZeroVolume(hospitals[i]);
            for (uint256 j = 0; j < i; ++j) {
                if (hospitals[j] == hospitals[i]) revert TenderDuplicateHospital(hospitals[i]);
            }
        }
    }

    function _tender(uint256 tenderId) internal view returns (Tender storage tender) {
        tender = _tenders[tenderId];
        if (tender.status == TenderStatus.None) revert TenderNotFound(tenderId);
    }

    function _requireStatus(
        uint256 tenderId,
        TenderStatus expected
    ) internal view returns (Tender storage tender) {
        tender = _tender(tenderId);
        if (tender.status != expected) revert TenderStatusInvalid(tenderId, tender.status, expected);
    }
}
