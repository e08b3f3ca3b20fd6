// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title SettlementMath
/// @notice How much a delivery pays and what lateness costs. Payments are pro rata of the
/// value locked at order time; cumulative amounts are computed from totals, never summed from
/// rounded parts, so a fully accepted order releases exactly its value.
library SettlementMath {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant DAY = 1 days;

    /// @notice Gross amount owed for `acceptedTotal` of `quantity` units worth `value` in all:
    /// rounded down, and exactly `value` once every unit is accepted.
    function grossOwed(
        uint256 value,
        uint256 quantity,
        uint256 acceptedTotal
    ) internal pure returns (uint256) {
        if (acceptedTotal == quantity) return value;
        return (acceptedTotal * value) / quantity;
    }

    /// @notice Whole days (rounded up) that `receivedAt` is past `deadline`, 0 if on time.
    function daysLate(uint256 deadline, uint256 receivedAt) internal pure returns (uint256) {
        if (receivedAt <= deadline) return 0;
        return (receivedAt - deadline + DAY - 1) / DAY;
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
