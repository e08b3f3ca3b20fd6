// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Gtin} from "../libraries/Gtin.sol";

/// @title GtinHarness
/// @notice Test-only: exposes the internal `Gtin` library so its vectors can be checked directly.
contract GtinHarness {
    function isValid(uint64 gtin) external pure returns (bool) {
        return Gtin.isValid(gtin);
    }
}
