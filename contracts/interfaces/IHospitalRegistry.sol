// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IHospitalRegistry
/// @notice Hospitals enrolled by a regulator. A hospital is identified by its own account (the
/// hospital admin, whose balance funds its orders); the admin names its members: approvers
/// (procurement officers), settlers (its gateway, which confirms receipts) and receivers (the
/// accounts its warehouse and billing systems sign in with).
interface IHospitalRegistry {
    event HospitalEnrolled(address indexed hospital, bytes32 nameHash, address indexed regulator);
    /// @notice `member`'s roles at `hospital` are now `roles` (a bitmap; 0 removes the member).
    event HospitalMemberChanged(address indexed hospital, address indexed member, uint8 roles);
    event ApprovalThresholdChanged(address indexed hospital, uint256 threshold);

    error HospitalAlreadyEnrolled(address hospital);
    error HospitalNotEnrolled(address hospital);
    error HospitalMemberOfOther(address member, address hospital);
    error HospitalInvalidRoles(uint8 roles);
    error HospitalInvalidMember(address member);

    /// @notice Enrols `hospital` (its admin account); regulator only.
    function enrolHospital(address hospital, bytes32 nameHash) external;

    /// @notice Sets `member`'s roles at the caller's hospital (bits: APPROVER, SETTLER, RECEIVER).
    function setMemberRoles(address member, uint8 roles) external;

    /// @notice Orders worth more than `threshold` need two distinct approvers.
    function setApprovalThreshold(uint256 threshold) external;

    function isEnrolled(address hospital) external view returns (bool);

    /// @notice True if `account` holds every bit of `roles` at `hospital`.
    function hasHospitalRole(address hospital, address account, uint8 roles) external view returns (bool);

    /// @notice The hospital `account` belongs to: itself if it is a hospital, else the hospital
    /// that made it a member, else the zero address.
    function hospitalOf(address account) external view returns (address);

    function memberRoles(address hospital, address member) external view returns (uint8);

    function approvalThreshold(address hospital) external view returns (uint256);
}
