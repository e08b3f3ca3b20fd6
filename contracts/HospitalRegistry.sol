// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {LedgerBase} from "./access/LedgerBase.sol";
import {IHospitalRegistry} from "./interfaces/IHospitalRegistry.sol";
import {HospitalRoles} from "./libraries/HospitalRoles.sol";

/// @title HospitalRegistry
/// @notice Hospitals and their on-chain staff roles. Roles live on-chain because the gateway
/// reads them at sign-in: no hospital system can grant itself a role the admin did not.
/// Membership takes two steps (the hospital invites, the account accepts) because an account
/// belongs to at most one hospital: a hospital that could name any address its member could
/// keep that address from ever joining the hospital it works for.
contract HospitalRegistry is IHospitalRegistry, LedgerBase {
    /// @notice The role bits, public so that off-chain copies can be checked against the ABI.
    uint8 public constant APPROVER = HospitalRoles.APPROVER;
    uint8 public constant SETTLER = HospitalRoles.SETTLER;
    uint8 public constant RECEIVER = HospitalRoles.RECEIVER;

    mapping(address hospital => bool) internal _enrolled;
    mapping(address hospital => uint256) public approvalThreshold;
    mapping(address hospital => mapping(address member => uint8)) public memberRoles;
    mapping(address member => address hospital) internal _memberOf;
    mapping(address hospital => mapping(address member => uint8 roles)) internal _invitations;

    constructor(IAccessControl roles_, address forwarder) LedgerBase(roles_, forwarder) {}

    /// @inheritdoc IHospitalRegistry
    function enrolHospital(
        address hospital,
        bytes32 nameHash
    ) external whenNotPaused onlyRole(_REGULATOR_ROLE) {
        if (hospital == address(0)) revert HospitalInvalidMember(hospital);
        if (_enrolled[hospital]) revert HospitalAlreadyEnrolled(hospital);
        if (_memberOf[hospital] != address(0)) revert HospitalMemberOfOther(hospital, _memberOf[hospital]);
        _enrolled[hospital] = true;
        emit HospitalEnrolled(hospital, nameHash, _msgSender());
    }

    /// @inheritdoc IHospitalRegistry
    function setMemberRoles(address member, uint8 roles_) external whenNotPaused {
        address hospital = _msgSender();
        if (!_enrolled[hospital]) revert HospitalNotEnrolled(hospital);
        if (roles_ & ~HospitalRoles.ALL != 0) revert HospitalInvalidRoles(roles_);
        if (member == address(0) || member == hospital || _enrolled[member])
            revert HospitalInvalidMember(member);
        address current = _memberOf[member];

        if (current == hospital) {
            if (roles_ == 0) {
                _removeMember(hospital, member);
            } else {
                memberRoles[hospital][member] = roles_;
                emit HospitalMemberChanged(hospital, member, roles_);
            }
        } else {
            // Withdrawing stays possible after the account joined elsewhere, so that the
            // invitation cannot be accepted once it leaves.
            if (current != address(0) && roles_ != 0) revert HospitalMemberOfOther(member, current);
            _invitations[hospital][member] = roles_;
            emit MemberInvited(hospital, member, roles_);
        }
    }

    /// @inheritdoc IHospitalRegistry
    function acceptMembership(address hospital) external whenNotPaused {
        address member = _msgSender();
        if (!_enrolled[hospital]) revert HospitalNotEnrolled(hospital);
        // Enrolment does not look at invitations, so the account may have become a hospital
        // since it was invited.
        if (_enrolled[member]) revert HospitalInvalidMember(member);
        address current = _memberOf[member];
        if (current != address(0)) revert HospitalMemberOfOther(member, current);
        uint8 roles_ = _invitations[hospital][member];
        if (roles_ == 0) revert HospitalNoInvitation(hospital, member);

        // Used up, so that rejoining after leaving needs the hospital's consent again.
        delete _invitations[hospital][member];
        memberRoles[hospital][member] = roles_;
        _memberOf[member] = hospital;
        emit HospitalMemberChanged(hospital, member, roles_);
    }

    /// @inheritdoc IHospitalRegistry
    /// @dev Not `whenNotPaused`, as `unbindMember`: a pause must never keep access in place.
    function leaveHospital() external {
        address member = _msgSender();
        address hospital = _memberOf[member];
        if (hospital == address(0)) revert HospitalNotMember(member);
        _removeMember(hospital, member);
        emit MemberLeft(hospital, member);
    }

    /// @inheritdoc IHospitalRegistry
    /// @dev Not `whenNotPaused`, as `leaveHospital`: a pause must never keep access in place.
    function unbindMember(address member, uint16 reasonCode) external onlyRole(_REGULATOR_ROLE) {
        address hospital = _memberOf[member];
        if (hospital == address(0)) revert HospitalNotMember(member);
        _removeMember(hospital, member);
        emit MemberUnbound(hospital, member, _msgSender(), reasonCode);
    }

    /// @inheritdoc IHospitalRegistry
    function setApprovalThreshold(uint256 threshold) external whenNotPaused {
        address hospital = _msgSender();
        if (!_enrolled[hospital]) revert HospitalNotEnrolled(hospital);
        approvalThreshold[hospital] = threshold;
        emit ApprovalThresholdChanged(hospital, threshold);
    }

    /// @inheritdoc IHospitalRegistry
    function isEnrolled(address hospital) external view returns (bool) {
        return _enrolled[hospital];
    }

    /// @inheritdoc IHospitalRegistry
    function hasHospitalRole(address hospital, address account, uint8 roles_) external view returns (bool) {
        return roles_ != 0 && memberRoles[hospital][account] & roles_ == roles_;
    }

    /// @inheritdoc IHospitalRegistry
    function hospitalOf(address account) external view returns (address) {
        return _enrolled[account] ? account : _memberOf[account];
    }

    /// @inheritdoc IHospitalRegistry
    function invitation(address hospital, address member) external view returns (uint8 roles_) {
        return _invitations[hospital][member];
    }

    function _removeMember(address hospital, address member) private {
        delete memberRoles[hospital][member];
        delete _memberOf[member];
        emit HospitalMemberChanged(hospital, member, 0);
    }
}
