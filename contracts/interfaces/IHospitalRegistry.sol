// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IHospitalRegistry
/// @notice Hospitals enrolled by a regulator. A hospital is identified by its own account (the
/// hospital admin, whose balance funds its orders); the admin invites its members, who must
/// accept: approvers (procurement officers), settlers (its gateway, which confirms receipts)
/// and receivers (the accounts its warehouse and billing systems sign in with). An account
/// belongs to at most one hospital, so membership needs the account's consent: otherwise a
/// hospital could claim any address and keep it from ever joining the hospital it works for.
interface IHospitalRegistry {
    /// @notice A regulator enrolled a hospital.
    /// @param hospital The hospital's admin account, which identifies it from now on.
    /// @param nameHash Hash of the hospital's registered name (the name itself stays off-chain).
    /// @param regulator The regulator who enrolled it.
    event HospitalEnrolled(address indexed hospital, bytes32 nameHash, address indexed regulator);

    /// @notice `member`'s roles at `hospital` are now `roles`: it joined, its roles changed, or
    /// (with 0) it was removed, left or was unbound.
    /// @param hospital The hospital the member belongs, or belonged, to.
    /// @param member The member's account.
    /// @param roles The member's new roles bitmap (APPROVER, SETTLER, RECEIVER); 0 if it is no
    /// longer a member.
    event HospitalMemberChanged(address indexed hospital, address indexed member, uint8 roles);

    /// @notice `hospital` invited `member` to join it with `roles`, or withdrew its invitation
    /// (`roles` 0). The account is not a member until it accepts; accepting uses the invitation
    /// up, which the {HospitalMemberChanged} that follows from the same hospital marks.
    /// @param hospital The inviting hospital.
    /// @param member The invited account.
    /// @param roles The roles the account gets if it accepts; 0 if the invitation was withdrawn.
    event MemberInvited(address indexed hospital, address indexed member, uint8 roles);

    /// @notice `member` left `hospital` of its own accord.
    /// @param hospital The hospital it left.
    /// @param member The former member.
    event MemberLeft(address indexed hospital, address indexed member);

    /// @notice A regulator removed `member` from `hospital`.
    /// @param hospital The hospital the member was removed from.
    /// @param member The former member.
    /// @param regulator The regulator who removed it.
    /// @param reasonCode The regulator's reason, from the off-chain catalogue of reason codes.
    event MemberUnbound(
        address indexed hospital,
        address indexed member,
        address indexed regulator,
        uint16 reasonCode
    );

    /// @notice `hospital` changed the value above which its orders need two approvers.
    /// @param hospital The hospital.
    /// @param threshold The new threshold, in settlement token base units.
    event ApprovalThresholdChanged(address indexed hospital, uint256 threshold);

    /// @notice `hospital` is already enrolled.
    /// @param hospital The enrolled hospital.
    error HospitalAlreadyEnrolled(address hospital);

    /// @notice `hospital` is not an enrolled hospital.
    /// @param hospital The account that was taken for a hospital.
    error HospitalNotEnrolled(address hospital);

    /// @notice `member` already belongs to `hospital`, so it can neither join nor be claimed by
    /// another hospital, nor be enrolled as one.
    /// @param member The account.
    /// @param hospital The hospital it belongs to.
    error HospitalMemberOfOther(address member, address hospital);

    /// @notice `roles` holds a bit that is not a hospital role.
    /// @param roles The roles bitmap given.
    error HospitalInvalidRoles(uint8 roles);

    /// @notice `member` can never be a member: it is the zero address, the hospital itself or an
    /// enrolled hospital.
    /// @param member The account given.
    error HospitalInvalidMember(address member);

    /// @notice `hospital` has not invited `member` (or withdrew its invitation).
    /// @param hospital The hospital the account tried to join.
    /// @param member The account.
    error HospitalNoInvitation(address hospital, address member);

    /// @notice `account` is not a member of any hospital.
    /// @param account The account.
    error HospitalNotMember(address account);

    /// @notice Enrols `hospital` (its admin account).
    /// @dev Requirements:
    /// - the caller is a regulator;
    /// - the registry is not paused;
    /// - `hospital` is not the zero address, not already enrolled and not a member of a hospital.
    ///
    /// Emits {HospitalEnrolled}.
    function enrolHospital(address hospital, bytes32 nameHash) external;

    /// @notice Sets `member`'s roles at the caller's hospital (bits: APPROVER, SETTLER, RECEIVER).
    /// If `member` is already its member, its roles change at once (0 removes it). Otherwise this
    /// only invites it (0 withdraws the invitation): the account becomes a member when it calls
    /// `acceptMembership`. A hospital may withdraw its invitation even once the account has
    /// joined another hospital, so that a stale invitation cannot be accepted later.
    /// @dev Requirements:
    /// - the caller is an enrolled hospital;
    /// - the registry is not paused;
    /// - `roles` holds only hospital role bits;
    /// - `member` is not the zero address, the caller or an enrolled hospital;
    /// - unless `roles` is 0, `member` does not belong to another hospital.
    ///
    /// Emits {HospitalMemberChanged} if `member` is the caller's member, else {MemberInvited}.
    function setMemberRoles(address member, uint8 roles) external;

    /// @notice The caller accepts `hospital`'s invitation and becomes its member with the roles
    /// it was invited with. The invitation is used up: after leaving, it needs a new one.
    /// Invitations from other hospitals stay pending.
    /// @dev Requirements:
    /// - the registry is not paused;
    /// - `hospital` is enrolled and has invited the caller;
    /// - the caller is not an enrolled hospital and does not belong to a hospital.
    ///
    /// Emits {HospitalMemberChanged}.
    function acceptMembership(address hospital) external;

    /// @notice The caller leaves its hospital. Allowed while the registry is paused: it only
    /// gives up access.
    /// @dev Requirements:
    /// - the caller is a member of a hospital.
    ///
    /// Emits {HospitalMemberChanged} (roles 0) and {MemberLeft}.
    function leaveHospital() external;

    /// @notice A regulator removes `member` from its hospital, so that neither a compromised key
    /// nor a hospital that will not let an account go depends on the hospital acting. Allowed
    /// while the registry is paused: it only takes access away.
    /// @dev Requirements:
    /// - the caller is a regulator;
    /// - `member` is a member of a hospital.
    ///
    /// Emits {HospitalMemberChanged} (roles 0) and {MemberUnbound}.
    function unbindMember(address member, uint16 reasonCode) external;

    /// @notice The hospital's approval threshold: an order needs two distinct approvers when
    /// placing it takes the hospital's placed value under its agreement over the last 30 days
    /// past `threshold` (see OrderBook).
    /// @dev Requirements:
    /// - the caller is an enrolled hospital;
    /// - the registry is not paused.
    ///
    /// Emits {ApprovalThresholdChanged}.
    function setApprovalThreshold(uint256 threshold) external;

    /// @notice True if `hospital` has been enrolled.
    function isEnrolled(address hospital) external view returns (bool);

    /// @notice True if `account` holds every bit of `roles` at `hospital`; false for `roles` 0.
    function hasHospitalRole(address hospital, address account, uint8 roles) external view returns (bool);

    /// @notice The hospital `account` belongs to: itself if it is a hospital, else the hospital
    /// whose invitation it accepted, else the zero address.
    function hospitalOf(address account) external view returns (address);

    /// @notice `member`'s roles at `hospital`; 0 if it is not its member (an invitation grants none).
    function memberRoles(address hospital, address member) external view returns (uint8);

    /// @notice The roles `hospital` has invited `member` with and it has not accepted; 0 if none.
    function invitation(address hospital, address member) external view returns (uint8 roles);

    /// @notice The order value above which `hospital`'s orders need two approvers.
    function approvalThreshold(address hospital) external view returns (uint256);
}
