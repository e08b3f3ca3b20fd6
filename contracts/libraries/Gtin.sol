// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Gtin
/// @notice GS1 GTIN-14 check: 14 digits (held as an integer below 10^14, so leading zeros are
/// implicit) whose last digit is the GS1 mod-10 check digit over the other 13 with weights
/// 3,1,3,… from the right.
library Gtin {
    uint64 internal constant LIMIT = 1e14;

    function isValid(uint64 gtin) internal pure returns (bool) {
        if (gtin == 0 || gtin >= LIMIT) return false;
        uint256 body = gtin / 10;
        uint256 sum;
        for (uint256 i = 0; i < 13; ++i) {
            uint256 digit = body % 10;
            sum += i % 2 == 0 ? digit * 3 : digit;
            body /= 10;
        }
        return (10 - (sum % 10)) % 10 == gtin % 10;
    }

    /// @notice Whether a number can name a product on the ledger: a valid GTIN-14, or a product
    /// key (at least 10^14, so never a GTIN) standing for another agency's device identifier —
    /// SupplierRegistry only registers keys that were declared, so this is the form check alone.
    function isProductNumber(uint64 product) internal pure returns (bool) {
        return product >= LIMIT || isValid(product);
    }
}
