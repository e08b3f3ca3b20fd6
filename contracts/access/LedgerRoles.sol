// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {Context} from "@openzeppelin/contracts/utils/Context.sol";

/// @title LedgerRoles
/// @notice The one place that says who is a regulator, a pauser, a payer or an administrator of
/// the ledger. Every ledger contract asks it, so the gateway reads roles from one contract. Role
/// grants can be relayed through the ledger's forwarder like every other act.
contract LedgerRoles is AccessControl, ERC2771Context {
    bytes32 public constant REGULATOR_ROLE = keccak256("REGULATOR_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice The medical-insurance fund (see `FundBook`). Regulators grant and revoke it.
    bytes32 public constant PAYER_ROLE = keccak256("PAYER_ROLE");

    constructor(address admin, address forwarder) ERC2771Context(forwarder) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setRoleAdmin(PAYER_ROLE, REGULATOR_ROLE);
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
