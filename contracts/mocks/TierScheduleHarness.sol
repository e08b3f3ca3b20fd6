// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TierSchedule} from "../libraries/TierSchedule.sol";
import {Tier} from "../types/LedgerTypes.sol";

/// @title TierScheduleHarness
/// @notice Test-only: exposes the `TierSchedule` library so its branches are reachable with
/// schedules an agreement could never hold (empty, unvalidated).
contract TierScheduleHarness {
    using TierSchedule for Tier[];

    uint256[3] internal _words;

    function setTiers(Tier[] calldata tiers) external {
        _words = TierSchedule.pack(tiers);
    }

    function storedTiers() external view returns (Tier[] memory) {
        return TierSchedule.unpack(_words);
    }

    function check(
        Tier[] calldata schedule,
        uint256 reservePrice
    ) external pure returns (TierSchedule.Defect) {
        (TierSchedule.Defect defect, ) = TierSchedule.checkAndPack(schedule, reservePrice);
        return defect;
    }

    function priceAt(uint256 volume) external view returns (uint256) {
        return TierSchedule.unpack(_words).priceAt(volume);
    }

    /// @dev Not named `valueOf`: that would shadow `Object.prototype.valueOf` on the ethers contract.
    function valueOfOrder(uint256 before, uint256 quantity) external view returns (uint256) {
        return TierSchedule.valueOfStored(_words, before, quantity);
    }
}
