// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IssuingAgency} from "../types/LedgerTypes.sol";

/// @title DeviceIdentifier
/// @notice The form of a non-GS1 device identifier (UDI-DI), at most 64 characters.
/// MA (IDcode): five dot-separated segments, "MA.156.M0." (China, medical devices), a 6-character
/// registrant code and a product code, both letters or digits; the product code's length varies
/// between the agency's published examples, so it is not fixed. AHM: its syntax is not published,
/// so only printable ASCII without spaces, not starting like a spreadsheet formula (an equals,
/// plus, minus or at sign).
library DeviceIdentifier {
    uint256 internal constant MAX_LENGTH = 64;
    bytes internal constant MA_PREFIX = "MA.156.M0.";
    uint256 internal constant REGISTRANT_LENGTH = 6;
    /// @dev Bits of `=`, `+`, `-` and `@`.
    uint256 internal constant FORMULA_START = 0x12000280000000000;

    function isValid(IssuingAgency agency, string calldata deviceIdentifier) internal pure returns (bool) {
        bytes calldata b = bytes(deviceIdentifier);
        if (b.length == 0 || b.length > MAX_LENGTH) return false;
        if (agency == IssuingAgency.MA) return _isMa(b);
        if (agency == IssuingAgency.AHM) return _isOpaque(b);
        return false;
    }

    function _isMa(bytes calldata b) private pure returns (bool) {
        uint256 prefix = MA_PREFIX.length;
        uint256 dot = prefix + REGISTRANT_LENGTH;
        // The product code needs at least one character after the registrant code's dot.
        if (b.length < dot + 2) return false;
        if (keccak256(b[:prefix]) != keccak256(MA_PREFIX)) return false;
        if (b[dot] != ".") return false;
        for (uint256 i = prefix; i < b.length; ++i) {
            if (i != dot && !_isAlphanumeric(b[i])) return false;
        }
        return true;
    }

    function _isOpaque(bytes calldata b) private pure returns (bool) {
        if ((FORMULA_START >> uint8(b[0])) & 1 == 1) return false;
        for (uint256 i = 0; i < b.length; ++i) {
            if (b[i] < 0x21 || b[i] > 0x7e) return false;
        }
        return true;
    }

    function _isAlphanumeric(bytes1 c) private pure returns (bool) {
        return (c >= "0" && c <= "9") || (c >= "A" && c <= "Z") || (c >= "a" && c <= "z");
    }
}
