// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ICampusTransfers
/// @notice Custody of a lot moving between a hospital's locations (campuses, community health
/// centres), or out of the hospital (back to its supplier). Locations are GS1 GLNs: a GLN names
/// its location worldwide, so the ledger keeps no register of campuses (the hospital's gateway
/// does). A transfer is recorded by the hospital's account or a member with the receiver role
/// (its warehouse); its serials, where known, are committed as the Merkle root of the moved
/// units' serials, as a shipment's are.
interface ICampusTransfers {
    /// @notice Units of a lot moved from one location of a hospital to another.
    /// @param transferId The transfer (from 1).
    /// @param hospital The hospital whose custody it is.
    /// @param gtin The GTIN-14, as an integer.
    /// @param lot The lot (GS1 AI 10).
    /// @param fromGln The location the units left (GLN, as an integer).
    /// @param toGln The location they arrived at.
    /// @param quantity Units moved.
    /// @param serialRoot Merkle root of the moved units' serials; zero when they are not known.
    /// @param recordedBy The member (or hospital account) who recorded it.
    /// @param at The block time.
    event CampusTransferRecorded(
        uint256 indexed transferId,
        address indexed hospital,
        uint64 indexed gtin,
        string lot,
        uint64 fromGln,
        uint64 toGln,
        uint256 quantity,
        bytes32 serialRoot,
        address recordedBy,
        uint64 at
    );

    /// @notice The caller is neither an enrolled hospital nor a receiver of one.
    error TransferNotHospitalReceiver(address caller);
    /// @notice The number is below 10^14 (so a GTIN) but has a wrong GS1 check digit, or is 0.
    error TransferInvalidGtin(uint64 gtin);
    /// @notice The lot is not a ledger lot (see `LotCode`).
    error TransferInvalidLot(string lot);
    /// @notice A location is not a GLN: 13 digits with a correct GS1 check digit.
    error TransferInvalidGln(uint64 gln);
    /// @notice Source and destination are the same location.
    error TransferSameLocation(uint64 gln);
    /// @notice A transfer moves at least one unit.
    error TransferZeroQuantity();
    /// @notice More units than one transfer carries (2^64 − 1, the width of shipment quantities).
    error TransferQuantityTooLarge(uint256 quantity, uint256 max);

    /// @notice Records a transfer of `quantity` units of (`gtin`, `lot`) from `fromGln` to
    /// `toGln` in the caller's hospital's custody. Requirements: not paused; caller an enrolled
    /// hospital or its member with the receiver role; valid GTIN, lot and GLNs; different
    /// locations; 1 ≤ quantity ≤ 2^64 − 1. Emits `CampusTransferRecorded`.
    function recordTransfer(
        uint64 gtin,
        string calldata lot,
        uint64 fromGln,
        uint64 toGln,
        uint256 quantity,
        bytes32 serialRoot
    ) external returns (uint256 transferId);

    /// @notice Transfers recorded so far (the last id).
    function transferCount() external view returns (uint256);
}
