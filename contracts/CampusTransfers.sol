// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {LedgerBase} from "./access/LedgerBase.sol";
import {ICampusTransfers} from "./interfaces/ICampusTransfers.sol";
import {IHospitalRegistry} from "./interfaces/IHospitalRegistry.sol";
import {Gln} from "./libraries/Gln.sol";
import {Gtin} from "./libraries/Gtin.sol";
import {HospitalRoles} from "./libraries/HospitalRoles.sol";
import {LotCode} from "./libraries/LotCode.sol";

/// @title CampusTransfers
/// @notice Custody events of a lot between a hospital's locations; see `ICampusTransfers`.
/// @dev A transfer is an event and a counter: stock is counted off-chain from receipts, usages
/// and these events, so the ledger holds no per-location balance it could not check anyway
/// (usages never reach the chain).
contract CampusTransfers is ICampusTransfers, LedgerBase {
    uint256 internal constant _MAX_QUANTITY = type(uint64).max;

    IHospitalRegistry public immutable hospitals;
    /// @inheritdoc ICampusTransfers
    uint256 public transferCount;

    constructor(
        IAccessControl roles_,
        address forwarder,
        IHospitalRegistry hospitals_
    ) LedgerBase(roles_, forwarder) {
        hospitals = hospitals_;
    }

    /// @inheritdoc ICampusTransfers
    function recordTransfer(
        uint64 gtin,
        string calldata lot,
        uint64 fromGln,
        uint64 toGln,
        uint256 quantity,
        bytes32 serialRoot
    ) external whenNotPaused returns (uint256 transferId) {
        address caller = _msgSender();
        address hospital = hospitals.hospitalOf(caller);
        if (
            hospital == address(0) ||
            (hospital != caller && !hospitals.hasHospitalRole(hospital, caller, HospitalRoles.RECEIVER))
        ) revert TransferNotHospitalReceiver(caller);
        if (!Gtin.isProductNumber(gtin)) revert TransferInvalidGtin(gtin);
        if (!LotCode.isValid(lot)) revert TransferInvalidLot(lot);
        if (!Gln.isValid(fromGln)) revert TransferInvalidGln(fromGln);
        if (!Gln.isValid(toGln)) revert TransferInvalidGln(toGln);
        if (fromGln == toGln) revert TransferSameLocation(fromGln);
        if (quantity == 0) revert TransferZeroQuantity();
        if (quantity > _MAX_QUANTITY) revert TransferQuantityTooLarge(quantity, _MAX_QUANTITY);
        transferId = ++transferCount;
        emit CampusTransferRecorded(
            transferId,
            hospital,
            gtin,
            lot,
            fromGln,
            toGln,
            quantity,
            serialRoot,
            caller,
            uint64(block.timestamp)
        );
    }
}
