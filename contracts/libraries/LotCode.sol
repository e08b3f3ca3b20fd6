// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title LotCode
/// @notice GS1 AI (10) batch/lot numbers: 1 to 20 characters of GS1 character set 82
/// (! " % & ' ( ) * + , - . / 0-9 : ; < = > ? A-Z _ a-z). A lot may not begin with an equals,
/// plus, minus or at sign: a spreadsheet opening an export would run it as a formula.
library LotCode {
    uint256 internal constant MAX_LENGTH = 20;
    /// @dev Bit c is set for every byte c of character set 82.
    uint256 internal constant CSET82 = 0x7fffffe87fffffeffffffe600000000;
    /// @dev Bits of `=`, `+`, `-` and `@`.
    uint256 internal constant FORMULA_START = 0x12000280000000000;

    function isValid(string calldata lot) internal pure returns (bool) {
        bytes calldata b = bytes(lot);
        uint256 n = b.length;
        if (n == 0 || n > MAX_LENGTH) return false;
        if ((FORMULA_START >> uint8(b[0])) & 1 == 1) return false;
        for (uint256 i = 0; i < n; ++i) {
            uint256 c = uint8(b[i]);
            if (c > 127 || (CSET82 >> c) & 1 == 0) return false;
        }
        return true;
    }
}
