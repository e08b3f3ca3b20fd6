// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title BlockingToken
/// @notice Test-only token that refuses transfers to blocked accounts, as a regulated stable
/// token does for a frozen account (or a recipient contract that reverts). It shows that a
/// recipient who cannot be paid never stops anyone else from being paid.
contract BlockingToken is ERC20 {
    mapping(address account => bool) public blocked;

    /// @notice A transfer to a blocked account.
    error RecipientBlocked(address to);

    constructor() ERC20("Blocking Yuan", "bCNY") {}

    /// @notice Anyone may mint: test only.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Anyone may block or unblock: test only.
    function setBlocked(address account, bool isBlocked) external {
        blocked[account] = isBlocked;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blocked[to]) revert RecipientBlocked(to);
        super._update(from, to, value);
    }
}
