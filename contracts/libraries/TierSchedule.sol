// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Tier} from "../types/LedgerTypes.sol";

/// @title TierSchedule
/// @notice Pure maths of a volume price schedule: thresholds strictly increasing from 0, unit
/// prices non-increasing. Tier i covers cumulative volumes [threshold_i, threshold_i+1).
library TierSchedule {
    uint256 internal constant MAX_TIERS = 8;

    /// @dev Why a schedule is invalid, as `TenderInvalidSchedule(tenderId, bidder, reason)`.
    enum Defect {
        None,
        TierCount,
        FirstThresholdNotZero,
        ThresholdNotIncreasing,
        PriceIncreasing,
        AboveReserve,
        ZeroPrice
    }

    /// @notice Returns the first defect of `tiers` against `reservePrice`, or `Defect.None`.
    function check(Tier[] calldata tiers, uint256 reservePrice) internal pure returns (Defect) {
        uint256 n = tiers.length;
        if (n == 0 || n > MAX_TIERS) return Defect.TierCount;
        if (tiers[0].threshold != 0) return Defect.FirstThresholdNotZero;
        if (tiers[0].unitPrice > reservePrice) return Defect.AboveReserve;
        for (uint256 i = 1; i < n; ++i) {
            if (tiers[i].threshold <= tiers[i - 1].threshold) return Defect.ThresholdNotIncreasing;
            if (tiers[i].unitPrice > tiers[i - 1].unitPrice) return Defect.PriceIncreasing;
        }
        if (tiers[n - 1].unitPrice == 0) return Defect.ZeroPrice;
        return Defect.None;
    }

    /// @notice Unit price of the tier that cumulative `volume` falls in.
    function priceAt(Tier[] storage tiers, uint256 volume) internal view returns (uint256 price) {
        uint256 n = tiers.length;
        for (uint256 i = n; i > 0; --i) {
            if (volume >= tiers[i - 1].threshold) return tiers[i - 1].unitPrice;
        }
    }

    /// @notice Value of `quantity` units ordered when `before` units were already ordered:
    /// each unit at the price of the tier its own cumulative position falls in, so an order
    /// straddling boundaries is priced piecewise.
    function valueOf(
        Tier[] storage tiers,
        uint256 before,
        uint256 quantity
    ) internal view returns (uint256 value) {
        uint256 from = before;
        uint256 to = before + quantity;
        uint256 n = tiers.length;
        for (uint256 i = 0; i < n && from < to; ++i) {
            uint256 tierEnd = i + 1 < n ? tiers[i + 1].threshold : type(uint256).max;
            if (from >= tierEnd) continue;
            uint256 end = to < tierEnd ? to : tierEnd;
            value += (end - from) * tiers[i].unitPrice;
            from = end;
        }
    }
}
