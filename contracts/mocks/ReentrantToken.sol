// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @title ReentrantToken
/// @notice Test-only settlement token that, once armed, calls `callee` with `payload` from inside
/// its next transfer and bubbles up any revert. It stands in for a hostile or callback-bearing
/// token (ERC-777 style) to prove the order book's reentrancy guard.
contract ReentrantToken is ERC20 {
    address public callee;
    bytes public payload;

    /// @notice The armed callback ran and returned normally.
    event Reentered(address indexed callee, bytes payload);

    constructor() ERC20("Reentrant Yuan", "rCNY") {}

    /// @notice Anyone may mint: test only.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Calls `callee_` with `payload_` during the next transfer (not mint), once.
    function arm(address callee_, bytes calldata payload_) external {
        callee = callee_;
        payload = payload_;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        address armed = callee;
        if (armed == address(0) || from == address(0) || to == address(0)) return;
        callee = address(0);
        bytes memory call = payload;
        Address.functionCall(armed, call);
        emit Reentered(armed, call);
    }
}
