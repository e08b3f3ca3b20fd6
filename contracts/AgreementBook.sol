// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {LedgerBase} from "./access/LedgerBase.sol";
import {IAgreementBook} from "./interfaces/IAgreementBook.sol";
import {ITenderHouse} from "./interfaces/ITenderHouse.sol";
import {TierSchedule} from "./libraries/TierSchedule.sol";
import {
    Agreement,
    AgreementTerms,
    HospitalVolume,
    SettlementTerms,
    TenderTerms,
    Tier
} from "./types/LedgerTypes.sol";

/// @title AgreementBook
/// @notice Agreements awarded by the tender house and the volume booked under them. See
/// `IAgreementBook` for the pricing rule (tiers follow accepted volume).
/// @dev An agreement is three slots of terms, one of volume and three of packed tiers; each
/// hospital's position is one slot, opened on its first order from the tender's volumes, so an
/// award writes O(winners) whatever the number of hospitals.
contract AgreementBook is IAgreementBook, LedgerBase {
    using TierSchedule for Tier[];
    using SafeCast for uint256;

    struct Volume {
        uint64 accepted;
        uint8 rank;
        uint8 winnerCount;
    }

    struct Entry {
        AgreementTerms terms;
        Volume volume;
        uint256[3] tiers;
    }

    ITenderHouse public tenders;
    address public orderBook;
    uint256 public agreementCount;

    mapping(uint256 agreementId => Entry) internal _entries;
    mapping(uint256 agreementId => mapping(address hospital => HospitalVolume)) internal _positions;

    modifier onlyOrderBook() {
        if (msg.sender != orderBook) revert AgreementCallerNotAllowed(msg.sender);
        _;
    }

    constructor(IAccessControl roles_, address forwarder) LedgerBase(roles_, forwarder) {}

    /// @inheritdoc IAgreementBook
    function bind(address tenders_, address orderBook_) external onlyRole(_ADMIN_ROLE) {
        if (address(tenders) != address(0) || tenders_ == address(0) || orderBook_ == address(0)) {
            revert AgreementBookBindingInvalid();
        }
        tenders = ITenderHouse(tenders_);
        orderBook = orderBook_;
        emit AgreementBookBound(tenders_, orderBook_);
    }

    /// @inheritdoc IAgreementBook
    function createAgreement(
        uint256 tenderId,
        address supplier,
        uint8 rank,
        uint8 winnerCount,
        TenderTerms calldata t,
        uint256[3] calldata packedTiers,
        address[] calldata hospitals,
        uint256[] calldata shares
    ) external returns (uint256 agreementId) {
        if (msg.sender != address(tenders)) revert AgreementCallerNotAllowed(msg.sender);
        agreementId = ++agreementCount;
        Entry storage e = _entries[agreementId];
        uint40 start = uint40(block.timestamp);
        // The tender house caps the term at ten years, far from overflow.
        uint40 end = start + uint40(t.termSeconds);
        e.terms = AgreementTerms({
            supplier: supplier,
            tenderId: uint64(tenderId),
            category: t.category,
            start: start,
            end: end,
            leadTimeDays: t.leadTimeDays,
            penaltyBpsPerDay: t.penaltyBpsPerDay,
            penaltyCapBps: t.penaltyCapBps,
            fundingWindow: t.fundingWindow,
            receivingWindow: t.receivingWindow,
            confirmWindow: t.confirmWindow
        });
        e.volume = Volume({accepted: 0, rank: rank, winnerCount: winnerCount});
        e.tiers = packedTiers;
        _emitCreated(agreementId, e.terms, packedTiers, hospitals, shares);
    }

    /// @inheritdoc IAgreementBook
    function openPosition(
        uint256 agreementId,
        address hospital
    ) external onlyOrderBook returns (AgreementTerms memory terms) {
        Entry storage e = _entry(agreementId);
        terms = e.terms;
        _requireInTerm(agreementId, terms);
        HospitalVolume storage p = _positions[agreementId][hospital];
        if (p.party) return terms;
        uint256 committed = _committed(e, hospital);
        if (committed == 0) revert AgreementHospitalNotParty(agreementId, hospital);
        p.committed = uint64(committed);
        p.party = true;
    }

    /// @inheritdoc IAgreementBook
    function fund(
        uint256 agreementId,
        address hospital,
        uint64 quantity,
        bool excessConsented
    ) external onlyOrderBook returns (uint256 value, bytes32 category, bool fundPaidIn) {
        Entry storage e = _entries[agreementId];
        if (block.timestamp > e.terms.end) {
            revert AgreementNotInTerm(agreementId, e.terms.start, e.terms.end, block.timestamp);
        }
        HospitalVolume storage p = _positions[agreementId][hospital];
        uint64 remaining = p.funded < p.committed ? p.committed - p.funded : 0;
        if (quantity > remaining && !excessConsented) {
            revert AgreementExceedsCommitment(agreementId, hospital, quantity, remaining);
        }
        uint64 accepted = e.volume.accepted;
        value = TierSchedule.valueOfStored(e.tiers, accepted, quantity);
        p.funded += quantity;
        emit AgreementVolumeChanged(agreementId, hospital, p.funded, accepted);
        category = e.terms.category;
        fundPaidIn = p.fundPaidIn;
    }

    /// @inheritdoc IAgreementBook
    /// @dev Not paused: it is part of a payment the fund book accepts, under its own pause.
    function noteFundPaidIn(uint256 agreementId, address hospital) external onlyOrderBook {
        HospitalVolume storage p = _positions[agreementId][hospital];
        if (!p.fundPaidIn) p.fundPaidIn = true;
    }

    /// @inheritdoc IAgreementBook
    /// @dev Not paused with the rest of the contract: it only ever gives volume back, as part of
    /// a cancellation, which must work while the ledger is paused.
    function releaseFunding(uint256 agreementId, address hospital, uint64 quantity) external onlyOrderBook {
        HospitalVolume storage p = _positions[agreementId][hospital];
        p.funded -= quantity;
        emit AgreementVolumeChanged(agreementId, hospital, p.funded, _entries[agreementId].volume.accepted);
    }

    /// @inheritdoc IAgreementBook
    function recordAcceptance(
        uint256 agreementId,
        uint64 quantity
    ) external onlyOrderBook returns (uint256 gross, SettlementTerms memory terms) {
        Entry storage e = _entries[agreementId];
        AgreementTerms storage t = e.terms;
        terms = SettlementTerms({
            category: t.category,
            penaltyBpsPerDay: t.penaltyBpsPerDay,
            penaltyCapBps: t.penaltyCapBps,
            receivingWindow: t.receivingWindow
        });
        if (quantity == 0) return (0, terms);
        Volume storage v = e.volume;
        uint64 accepted = v.accepted;
        gross = TierSchedule.valueOfStored(e.tiers, accepted, quantity);
        // The agreement's tier position; per-hospital accepted units are in the settlement events.
        v.accepted = accepted + quantity;
    }

    /// @inheritdoc IAgreementBook
    function agreement(uint256 agreementId) external view returns (Agreement memory agr) {
        Entry storage e = _entry(agreementId);
        agr.terms = e.terms;
        agr.acceptedVolume = e.volume.accepted;
        agr.rank = e.volume.rank;
        agr.winnerCount = e.volume.winnerCount;
        agr.tiers = TierSchedule.unpack(e.tiers);
    }

    /// @inheritdoc IAgreementBook
    function agreementTerms(uint256 agreementId) external view returns (AgreementTerms memory) {
        return _entry(agreementId).terms;
    }

    /// @inheritdoc IAgreementBook
    function supplierAndCategory(
        uint256 agreementId
    ) external view returns (address supplier, bytes32 category) {
        AgreementTerms storage t = _entry(agreementId).terms;
        return (t.supplier, t.category);
    }

    /// @inheritdoc IAgreementBook
    function priceAt(uint256 agreementId, uint256 cumulativeVolume) external view returns (uint256) {
        return TierSchedule.unpack(_entry(agreementId).tiers).priceAt(cumulativeVolume);
    }

    /// @inheritdoc IAgreementBook
    function quote(uint256 agreementId, uint256 quantity) external view returns (uint256) {
        Entry storage e = _entry(agreementId);
        return TierSchedule.valueOfStored(e.tiers, e.volume.accepted, quantity);
    }

    /// @inheritdoc IAgreementBook
    function hospitalVolume(
        uint256 agreementId,
        address hospital
    ) external view returns (HospitalVolume memory p) {
        Entry storage e = _entry(agreementId);
        p = _positions[agreementId][hospital];
        if (!p.party) {
            p.committed = _committed(e, hospital).toUint64();
            p.party = p.committed != 0;
        }
    }

    function _emitCreated(
        uint256 agreementId,
        AgreementTerms storage t,
        uint256[3] calldata packedTiers,
        address[] calldata hospitals,
        uint256[] calldata shares
    ) internal {
        emit AgreementCreated(
            agreementId,
            t.tenderId,
            t.supplier,
            t.category,
            t.start,
            t.end,
            TierSchedule.unpackMemory(packedTiers),
            hospitals,
            shares
        );
    }

    /// @dev The hospital's share of its tender volume: split evenly between the winners, the
    /// remainder of the split to the best bid (rank 0).
    function _committed(Entry storage e, address hospital) internal view returns (uint256) {
        uint256 volume = tenders.hospitalVolume(e.terms.tenderId, hospital);
        uint256 n = e.volume.winnerCount;
        return volume / n + (e.volume.rank == 0 ? volume % n : 0);
    }

    function _requireInTerm(uint256 agreementId, AgreementTerms memory terms) internal view {
        // An agreement starts when it is created, so only its end can have passed.
        if (block.timestamp > terms.end) {
            revert AgreementNotInTerm(agreementId, terms.start, terms.end, block.timestamp);
        }
    }

    function _entry(uint256 agreementId) internal view returns (Entry storage e) {
        e = _entries[agreementId];
        if (e.terms.supplier == address(0)) revert AgreementNotFound(agreementId);
    }
}
