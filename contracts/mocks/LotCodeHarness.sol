// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {LotCode} from "../libraries/LotCode.sol";

/// @title LotCodeHarness
/// @notice Test-only: exposes the internal `LotCode` library, on raw bytes too, so every byte
/// value can be checked (a string argument is always valid UTF-8).
contract LotCodeHarness {
    function isValid(string calldata lot) external pure returns (bool) {
        return LotCode.isValid(lot);
    }

    function isValidBytes(bytes calldata lot) external pure returns (bool) {
        return LotCode.isValid(string(lot));
    }
}
