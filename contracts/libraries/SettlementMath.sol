// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title SettlementMath
/// @notice When a delivery counts as delivered, and what lateness costs.
library SettlementMath {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant DAY = 1 days;

    /// @notice The delivery time lateness and expiry are judged at, from two records neither
    /// party controls alone: the supplier's first Arriving record (`arrivedAt`, 0 if none) and
    /// the hospital's first receiving record (`receivedAt`), both block timestamps. The supplier's
    /// arrival counts when it is at most `window` before the hospital's receipt; an arrival
    /// recorded earlier than that counts as `receivedAt - window`, so recording early gains the
    /// supplier at most `window`. Without an arrival record (or one after the receipt) the
    /// hospital's receipt is the delivery time.
    function deliveredAt(
        uint256 arrivedAt,
        uint256 receivedAt,
        uint256 window
    ) internal pure returns (uint256) {
        if (arrivedAt == 0 || arrivedAt >= receivedAt) return receivedAt;
        uint256 earliest = receivedAt > window ? receivedAt - window : 0;
        return arrivedAt > earliest ? arrivedAt : earliest;
    }

    /// @notice Whole days (rounded up) that `delivered` is past `deadline`, 0 if on time.
    function daysLate(uint256 deadline, uint256 delivered) internal pure returns (uint256) {
        if (delivered <= deadline) return 0;
        return (delivered - deadline + DAY - 1) / DAY;
    }

    /// @notice Penalty on `gross` for `lateDays`, `bpsPerDay` each, capped at `capBps`.
    function penalty(
        uint256 gross,
        uint256 lateDays,
        uint256 bpsPerDay,
        uint256 capBps
    ) internal pure returns (uint256) {
        uint256 bps = lateDays * bpsPerDay;
        if (bps > capBps) bps = capBps;
        return (gross * bps) / BPS;
    }
}
