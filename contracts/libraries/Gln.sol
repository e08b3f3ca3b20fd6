// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Gln
/// @notice GS1 Global Location Number check: 13 digits (held as an integer from 10^12, so it has
/// no implicit leading zero) whose last digit is the GS1 mod-10 check digit over the other 12
/// with weights 3,1,3,… from the right.
library Gln {
    uint64 internal constant MIN = 1e12;
    uint64 internal constant LIMIT = 1e13;

    function isValid(uint64 gln) internal pure returns (bool) {
        if (gln < MIN || gln >= LIMIT) return false;
        uint256 body = gln / 10;
        uint256 sum;
        for (uint256 i = 0; i < 12; ++i) {
            uint256 digit = body % 10;
            sum += i % 2 == 0 ? digit * 3 : digit;
            body /= 10;
        }
        return (10 - (sum % 10)) % 10 == gln % 10;
    }
}
