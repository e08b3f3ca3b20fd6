// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {Context} from "@openzeppelin/contracts/utils/Context.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

/// @title LedgerBase
/// @notice Shared plumbing of every ledger contract: roles come from `LedgerRoles`, callers are
/// resolved through the trusted ERC-2771 forwarder (so relayed requests act as their signer),
/// and a pauser can stop all state changes.
abstract contract LedgerBase is ERC2771Context, Pausable {
    bytes32 internal constant _ADMIN_ROLE = 0x00;
    bytes32 internal constant _REGULATOR_ROLE = keccak256("REGULATOR_ROLE");
    bytes32 internal constant _PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice The roles contract every check is asked of.
    IAccessControl public immutable roles;

    /// @notice The caller lacks a role the act needs.
    /// @param account The caller.
    /// @param role The role it needs (see `LedgerRoles`).
    error LedgerUnauthorized(address account, bytes32 role);

    modifier onlyRole(bytes32 role) {
        _checkRole(role, _msgSender());
        _;
    }

    constructor(IAccessControl roles_, address forwarder) ERC2771Context(forwarder) {
        roles = roles_;
    }

    /// @notice Stops new business in this contract until `unpause`. Acts that only give back or
    /// take away (refunds, cancellations of unshipped volume, recalls, bond withdrawals, members
    /// leaving) stay open: see each contract. Requirements: PAUSER_ROLE. Emits `Paused`.
    function pause() external onlyRole(_PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resumes business. Requirements: PAUSER_ROLE. Emits `Unpaused`.
    function unpause() external onlyRole(_PAUSER_ROLE) {
        _unpause();
    }

    function _checkRole(bytes32 role, address account) internal view {
        if (!roles.hasRole(role, account)) revert LedgerUnauthorized(account, role);
    }

    function _isRegulator(address account) internal view returns (bool) {
        return roles.hasRole(_REGULATOR_ROLE, account);
    }

    function _msgSender() internal view override(Context, ERC2771Context) returns (address) {
        return ERC2771Context._msgSender();
    }

    function _msgData() internal view override(Context, ERC2771Context) returns (bytes calldata) {
        return ERC2771Context._msgData();
    }

    function _contextSuffixLength() internal view override(Context, ERC2771Context) returns (uint256) {
        return ERC2771Context._contextSuffixLength();
    }
}
