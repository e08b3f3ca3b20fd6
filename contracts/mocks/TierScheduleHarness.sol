// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TierSchedule} from "../libraries/TierSchedule.sol";
import {Tier} from "../types/LedgerTypes.sol";

/// @title TierScheduleHarness
/// @notice Test-only: exposes the `TierSchedule` library so its branches are reachable with
/// schedules an agreement could never hold (empty, unvalidated).
contract TierScheduleHarness {
    using TierSchedule for Tier[];

    Tier[] internal _tiers;

    function setTiers(Tier[] calldata tiers) external {
        delete _tiers;
        for (uint256 i = 0; i < tiers.length; ++i) {
            _tiers.push(tiers[i]);
        }
    }

    function check(Tier[] calldata tiers, uint256 reservePrice) external pure returns (TierSchedule.Defect) {
        return TierSchedule.check(tiers, reservePrice);
    }

    function priceAt(uint256 volume) external view returns (uint256) {
        return _tiers.priceAt(volume);
    }

    /// @dev Not named `valueOf`: that would shadow `Object.prototype.valueOf` on the ethers contract.
    function valueOfOrder(uint256 before, uint256 quantity) external view returns (uint256) {
        return _tiers.valueOf(before, quantity);
    }
}
