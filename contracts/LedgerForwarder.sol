// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC2771Forwarder} from "@openzeppelin/contracts/metatx/ERC2771Forwarder.sol";

/// @title LedgerForwarder
/// @notice The trusted ERC-2771 forwarder of the ledger: anyone (typically the gateway) relays
/// an EIP-712-signed request, and the ledger contracts see the signer as the caller.
contract LedgerForwarder is ERC2771Forwarder {
    constructor() ERC2771Forwarder("SunshineLedger") {}
}
