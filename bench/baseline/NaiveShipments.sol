// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title NaiveShipments
/// @notice Benchmark baseline only, never deployed with the ledger: a shipment contract as it is
/// often first written, storing every field and every serial number on chain. `bench/gas.ts`
/// compares it with DeliveryTrace, which stores a hash of the record and a Merkle root.
contract NaiveShipments {
    struct Shipment {
        uint256 orderId;
        address supplier;
        uint64 gtin;
        uint64 expiry;
        uint64 quantity;
        uint64 createdAt;
        string lot;
    }

    uint256 public shipmentCount;
    mapping(uint256 shipmentId => Shipment) public shipments;
    mapping(bytes32 serialKey => uint256 shipmentId) public shipmentOfSerial;

    function createShipment(
        uint256 orderId,
        uint64 gtin,
        uint64 expiry,
        string calldata lot,
        string[] calldata serials
    ) external returns (uint256 shipmentId) {
        shipmentId = ++shipmentCount;
        shipments[shipmentId] = Shipment(
            orderId,
            msg.sender,
            gtin,
            expiry,
            uint64(serials.length),
            uint64(block.timestamp),
            lot
        );
        for (uint256 i = 0; i < serials.length; ++i) {
            bytes32 key = keccak256(abi.encode(gtin, serials[i]));
            require(shipmentOfSerial[key] == 0, "serial shipped before");
            shipmentOfSerial[key] = shipmentId;
        }
    }
}
