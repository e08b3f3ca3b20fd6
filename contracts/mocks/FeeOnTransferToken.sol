// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title FeeOnTransferToken
/// @notice Test-only token whose issuer can switch on a fee taken from every transfer (as some
/// real tokens can), so the recipient gets less than was sent. It stands in for the tokens the
/// ledger refuses: with the fee off it behaves like a plain ERC-20, so a tender can run on it.
contract FeeOnTransferToken is ERC20 {
    uint256 internal constant BPS = 10_000;

    /// @notice Share of each transfer that is burnt, in basis points.
    uint256 public feeBps;

    constructor() ERC20("Fee Yuan", "fCNY") {}

    /// @notice Anyone may mint: test only.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Anyone may set the fee: test only.
    function setFee(uint256 bps) external {
        feeBps = bps;
    }

    function _update(address from, address to, uint256 value) internal override {
        uint256 fee = from == address(0) || to == address(0) ? 0 : (value * feeBps) / BPS;
        if (fee > 0) super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
