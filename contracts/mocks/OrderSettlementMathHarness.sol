// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SettlementMath} from "../libraries/SettlementMath.sol";

/// @title OrderSettlementMathHarness
/// @notice Test-only: exposes the order book's settlement maths so its edges can be checked
/// directly, without building orders.
contract OrderSettlementMathHarness {
    function deliveredAt(
        uint256 arrivedAt,
        uint256 receivedAt,
        uint256 window
    ) external pure returns (uint256) {
        return SettlementMath.deliveredAt(arrivedAt, receivedAt, window);
    }

    function daysLate(uint256 deadline, uint256 delivered) external pure returns (uint256) {
        return SettlementMath.daysLate(deadline, delivered);
    }

    function penalty(
        uint256 gross,
        uint256 lateDays,
        uint256 bpsPerDay,
        uint256 capBps
    ) external pure returns (uint256) {
        return SettlementMath.penalty(gross, lateDays, bpsPerDay, capBps);
    }
}
