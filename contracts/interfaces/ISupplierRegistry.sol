// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DocumentKind, DocumentStatus, QualificationDocument, SupplierStatus} from "../types/LedgerTypes.sol";

/// @title ISupplierRegistry
/// @notice Who may sell: suppliers register, file qualification documents (by SHA-256 digest,
/// the document itself stays off-chain), regulators attest or reject them and may suspend a
/// supplier. `isQualified` is the one question the rest of the ledger asks.
interface ISupplierRegistry {
    /// @notice A supplier registered itself.
    event SupplierRegistered(
        address indexed supplier,
        bytes32 name,
        bytes32 registrationId,
        uint64 registeredAt
    );
    /// @notice A supplier filed a document; it is Pending until a regulator decides.
    event DocumentFiled(
        uint256 indexed documentId,
        address indexed supplier,
        DocumentKind kind,
        bytes32 sha256Digest,
        uint64 validFrom,
        uint64 validUntil,
        bytes32[] categories
    );
    /// @notice A regulator attested a document.
    event DocumentAttested(uint256 indexed documentId, address indexed supplier, address indexed regulator);
    /// @notice A regulator rejected a document, with a reason code.
    event DocumentRejected(
        uint256 indexed documentId,
        address indexed supplier,
        address indexed regulator,
        uint16 reasonCode
    );
    /// @notice A regulator suspended a supplier, with a reason code.
    event SupplierSuspended(address indexed supplier, address indexed regulator, uint16 reasonCode);
    /// @notice A regulator reinstated a suspended supplier, with a reason code.
    event SupplierReinstated(address indexed supplier, address indexed regulator, uint16 reasonCode);
    /// @notice A regulator changed which document kinds qualification requires (bit i = kind i).
    event RequiredKindsChanged(uint8 requiredKinds, address indexed regulator);

    error RegistrySupplierAlreadyRegistered(address supplier);
    error RegistrySupplierNotRegistered(address supplier);
    error RegistrySupplierStatus(address supplier, SupplierStatus status);
    error RegistryInvalidValidity(uint64 validFrom, uint64 validUntil);
    error RegistryInvalidCategories(uint256 count);
    error RegistryZeroDigest();
    error RegistryDocumentNotFound(uint256 documentId);
    error RegistryDocumentNotPending(uint256 documentId, DocumentStatus status);
    error RegistryInvalidRequiredKinds(uint8 requiredKinds);

    /// @notice Registers the caller as a supplier. `name` and `registrationId` are short
    /// strings packed into bytes32 or hashes of longer ones; contact details stay off-chain.
    function register(bytes32 name, bytes32 registrationId) external;

    /// @notice Files a qualification document of the caller's and returns its id.
    function fileDocument(
        DocumentKind kind,
        bytes32 sha256Digest,
        uint64 validFrom,
        uint64 validUntil,
        bytes32[] calldata categories
    ) external returns (uint256 documentId);

    function attestDocument(uint256 documentId) external;

    function rejectDocument(uint256 documentId, uint16 reasonCode) external;

    function suspend(address supplier, uint16 reasonCode) external;

    function reinstate(address supplier, uint16 reasonCode) external;

    /// @notice Sets the document kinds qualification requires, one bit per `DocumentKind`.
    function setRequiredKinds(uint8 requiredKinds) external;

    /// @notice True if `supplier` is active and, at time `at`, holds an attested, unexpired
    /// document of every required kind that covers `category`.
    function isQualified(address supplier, bytes32 category, uint64 at) external view returns (bool);

    function supplierStatus(address supplier) external view returns (SupplierStatus);

    function document(uint256 documentId) external view returns (QualificationDocument memory);

    function requiredKinds() external view returns (uint8);

    /// @notice Whether an attested product registration of `supplier` valid at `at` lists `gtin`.
    function isGtinRegistered(address supplier, uint64 gtin, uint64 at) external view returns (bool);
}
