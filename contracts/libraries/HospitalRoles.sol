// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title HospitalRoles
/// @notice The bits of a hospital member's roles bitmap, kept in one place so that the registry
/// that grants them and the contracts that check them cannot disagree.
library HospitalRoles {
    /// @notice Approves its hospital's orders (a procurement officer).
    uint8 internal constant APPROVER = 1;
    /// @notice Confirms receipts and so releases payment (the hospital's gateway).
    uint8 internal constant SETTLER = 2;
    /// @notice Records goods arriving at the hospital (its warehouse and billing systems).
    uint8 internal constant RECEIVER = 4;
    /// @notice Every known bit; a roles value with any other bit set is invalid.
    uint8 internal constant ALL = APPROVER | SETTLER | RECEIVER;
}
