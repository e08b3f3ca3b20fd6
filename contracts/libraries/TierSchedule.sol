// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Tier} from "../types/LedgerTypes.sol";

/// @title TierSchedule
/// @notice Pure maths of a volume price schedule: thresholds strictly increasing from 0, unit
/// prices non-increasing and above zero. Tier i covers cumulative volumes [threshold_i,
/// threshold_i+1).
/// @dev Stored packed: a tier is 80 bits (32-bit threshold, 48-bit unit price), three to a word,
/// so eight tiers take three slots instead of eight. A packed tier with price 0 is absent, which
/// a valid schedule never has, so the tier count needs no slot of its own.
library TierSchedule {
    uint256 internal constant MAX_TIERS = 8;
    uint256 internal constant WORDS = 3;
    uint256 internal constant PER_WORD = 3;
    uint256 internal constant TIER_BITS = 80;
    uint256 internal constant PRICE_BITS = 48;
    uint256 internal constant MAX_THRESHOLD = type(uint32).max;
    uint256 internal constant MAX_PRICE = type(uint48).max;

    /// @dev Why a schedule is invalid, as `TenderInvalidSchedule(tenderId, bidder, reason)`.
    enum Defect {
        None,
        TierCount,
        FirstThresholdNotZero,
        ThresholdNotIncreasing,
        PriceIncreasing,
        AboveReserve,
        ZeroPrice,
        ValueTooLarge
    }

    /// @notice The first defect of `tiers` against `reservePrice` (or `Defect.None`) and, for a
    /// valid schedule, its packed words: checked and packed in one pass.
    function checkAndPack(
        Tier[] calldata tiers,
        uint256 reservePrice
    ) internal pure returns (Defect, uint256[WORDS] memory words) {
        uint256 n = tiers.length;
        if (n == 0 || n > MAX_TIERS) return (Defect.TierCount, words);
        uint256 prevThreshold = tiers[0].threshold;
        uint256 prevPrice = tiers[0].unitPrice;
        if (prevThreshold != 0) return (Defect.FirstThresholdNotZero, words);
        if (prevPrice > reservePrice) return (Defect.AboveReserve, words);
        if (prevPrice > MAX_PRICE) return (Defect.ValueTooLarge, words);
        words[0] = prevPrice;
        for (uint256 i = 1; i < n; ++i) {
            uint256 threshold = tiers[i].threshold;
            uint256 price = tiers[i].unitPrice;
            if (threshold <= prevThreshold) return (Defect.ThresholdNotIncreasing, words);
            if (price > prevPrice) return (Defect.PriceIncreasing, words);
            if (threshold > MAX_THRESHOLD) return (Defect.ValueTooLarge, words);
            words[i / PER_WORD] |= ((threshold << PRICE_BITS) | price) << ((i % PER_WORD) * TIER_BITS);
            (prevThreshold, prevPrice) = (threshold, price);
        }
        if (prevPrice == 0) return (Defect.ZeroPrice, words);
        return (Defect.None, words);
    }

    /// @notice Packs a schedule that `check` accepted into three words.
    function pack(Tier[] calldata tiers) internal pure returns (uint256[WORDS] memory words) {
        for (uint256 i = 0; i < tiers.length; ++i) {
            uint256 tier = (uint256(tiers[i].threshold) << PRICE_BITS) | tiers[i].unitPrice;
            words[i / PER_WORD] |= tier << ((i % PER_WORD) * TIER_BITS);
        }
    }

    /// @notice The schedule held in `words`, one storage read per word.
    function unpack(uint256[WORDS] storage words) internal pure returns (Tier[] memory) {
        return unpackMemory(words);
    }

    function unpackMemory(uint256[WORDS] memory w) internal pure returns (Tier[] memory tiers) {
        uint256 n;
        while (n < MAX_TIERS && _price(w, n) != 0) ++n;
        tiers = new Tier[](n);
        for (uint256 i = 0; i < n; ++i) {
            (uint256 threshold, uint256 price) = _tier(w[i / PER_WORD], i % PER_WORD);
            tiers[i] = Tier(uint128(threshold), uint128(price));
        }
    }

    function _price(uint256[WORDS] memory w, uint256 i) private pure returns (uint256 price) {
        (, price) = _tier(w[i / PER_WORD], i % PER_WORD);
    }

    /// @notice Value of `quantity` units when `before` units are already counted: each unit at
    /// the price of the tier its own cumulative position falls in, so a span straddling
    /// boundaries is priced piecewise. Each word is read only when the span reaches its tiers:
    /// early in an agreement's life one storage read prices an order.
    function valueOfStored(
        uint256[WORDS] storage words,
        uint256 before,
        uint256 quantity
    ) internal view returns (uint256 value) {
        uint256 from = before;
        uint256 to = before + quantity;
        uint256 word = words[0];
        uint256 loaded;
        (, uint256 price) = _tier(word, 0);
        for (uint256 i = 0; i < MAX_TIERS && from < to; ++i) {
            // The next tier's threshold ends this one; a missing tier (price 0) never ends.
            uint256 next = i + 1;
            uint256 tierEnd = type(uint256).max;
            uint256 nextThreshold;
            uint256 nextPrice;
            if (next < MAX_TIERS) {
                if (next / PER_WORD != loaded) {
                    loaded = next / PER_WORD;
                    word = words[loaded];
                }
                (nextThreshold, nextPrice) = _tier(word, next % PER_WORD);
                if (nextPrice != 0) tierEnd = nextThreshold;
            }
            if (from < tierEnd) {
                uint256 end = to < tierEnd ? to : tierEnd;
                value += (end - from) * price;
                from = end;
            }
            if (nextPrice == 0) break;
            price = nextPrice;
        }
    }

    function _tier(uint256 word, uint256 index) private pure returns (uint256 threshold, uint256 price) {
        uint256 tier = (word >> (index * TIER_BITS)) & ((1 << TIER_BITS) - 1);
        return (tier >> PRICE_BITS, tier & MAX_PRICE);
    }

    /// @notice Unit price of the tier that cumulative `volume` falls in.
    function priceAt(Tier[] memory tiers, uint256 volume) internal pure returns (uint256 price) {
        for (uint256 i = tiers.length; i > 0; --i) {
            if (volume >= tiers[i - 1].threshold) return tiers[i - 1].unitPrice;
        }
    }
}
