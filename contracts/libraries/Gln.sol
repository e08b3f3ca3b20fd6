// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Gtin} from "./Gtin.sol";

/// @title Gln
/// @notice GS1 Global Location Number check: 13 digits, held as an integer from 10^12 (so it has no
/// implicit leading zero). Its check digit is GS1's mod-10, weighted 3,1,3,… from the right, as a
/// GTIN's: a 13-digit number is a GTIN-14 with a leading zero, so the GTIN check serves.
library Gln {
    uint64 internal constant MIN = 1e12;
    uint64 internal constant LIMIT = 1e13;

    function isValid(uint64 gln) internal pure returns (bool) {
        return gln >= MIN && gln < LIMIT && Gtin.isValid(gln);
    }
}
