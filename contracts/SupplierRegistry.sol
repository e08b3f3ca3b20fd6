// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {LedgerBase} from "./access/LedgerBase.sol";
import {ISupplierRegistry} from "./interfaces/ISupplierRegistry.sol";
import {DocumentKind, DocumentStatus, QualificationDocument, SupplierStatus} from "./types/LedgerTypes.sol";

/// @title SupplierRegistry
/// @notice Supplier registration and qualification. A document's own validity window makes it
/// lapse by time; nothing has to happen on-chain when it does.
contract SupplierRegistry is ISupplierRegistry, LedgerBase {
    uint256 internal constant MAX_CATEGORIES = 32;
    uint8 internal constant ALL_KINDS = uint8((1 << (uint256(type(DocumentKind).max) + 1)) - 1);

    /// @inheritdoc ISupplierRegistry
    uint8 public requiredKinds = ALL_KINDS;

    uint256 public documentCount;
    mapping(address supplier => SupplierStatus) internal _status;
    mapping(uint256 documentId => QualificationDocument) internal _documents;
    mapping(address supplier => mapping(DocumentKind => uint256[])) internal _documentsByKind;
    mapping(uint256 documentId => mapping(bytes32 category => bool)) internal _covers;

    constructor(IAccessControl roles_, address forwarder) LedgerBase(roles_, forwarder) {}

    /// @inheritdoc ISupplierRegistry
    function register(bytes32 name, bytes32 registrationId) external whenNotPaused {
        address supplier = _msgSender();
        if (_status[supplier] != SupplierStatus.None) revert RegistrySupplierAlreadyRegistered(supplier);
        _status[supplier] = SupplierStatus.Active;
        emit SupplierRegistered(supplier, name, registrationId, uint64(block.timestamp));
    }

    /// @inheritdoc ISupplierRegistry
    function fileDocument(
        DocumentKind kind,
        bytes32 sha256Digest,
        uint64 validFrom,
        uint64 validUntil,
        bytes32[] calldata categories
    ) external whenNotPaused returns (uint256 documentId) {
        address supplier = _msgSender();
        if (_status[supplier] == SupplierStatus.None) revert RegistrySupplierNotRegistered(supplier);
        if (sha256Digest == bytes32(0)) revert RegistryZeroDigest();
        if (validUntil <= validFrom) revert RegistryInvalidValidity(validFrom, validUntil);
        if (categories.length == 0 || categories.length > MAX_CATEGORIES) {
            revert RegistryInvalidCategories(categories.length);
        }

        documentId = ++documentCount;
        QualificationDocument storage doc = _documents[documentId];
        doc.supplier = supplier;
        doc.kind = kind;
        doc.status = DocumentStatus.Pending;
        doc.validFrom = validFrom;
        doc.validUntil = validUntil;
        doc.sha256Digest = sha256Digest;
        doc.categories = categories;
        for (uint256 i = 0; i < categories.length; ++i) {
            _covers[documentId][categories[i]] = true;
        }
        _documentsByKind[supplier][kind].push(documentId);
        emit DocumentFiled(documentId, supplier, kind, sha256Digest, validFrom, validUntil, categories);
    }

    /// @inheritdoc ISupplierRegistry
    function attestDocument(uint256 documentId) external whenNotPaused onlyRole(_REGULATOR_ROLE) {
        QualificationDocument storage doc = _pendingDocument(documentId);
        doc.status = DocumentStatus.Attested;
        emit DocumentAttested(documentId, doc.supplier, _msgSender());
    }

    /// @inheritdoc ISupplierRegistry
    function rejectDocument(
        uint256 documentId,
        uint16 reasonCode
    ) external whenNotPaused onlyRole(_REGULATOR_ROLE) {
        QualificationDocument storage doc = _pendingDocument(documentId);
        doc.status = DocumentStatus.Rejected;
        doc.reasonCode = reasonCode;
        emit DocumentRejected(documentId, doc.supplier, _msgSender(), reasonCode);
    }

    /// @inheritdoc ISupplierRegistry
    function suspend(address supplier, uint16 reasonCode) external whenNotPaused onlyRole(_REGULATOR_ROLE) {
        _requireSupplierStatus(supplier, SupplierStatus.Active);
        _status[supplier] = SupplierStatus.Suspended;
        emit SupplierSuspended(supplier, _msgSender(), reasonCode);
    }

    /// @inheritdoc ISupplierRegistry
    function reinstate(address supplier, uint16 reasonCode) external whenNotPaused onlyRole(_REGULATOR_ROLE) {
        _requireSupplierStatus(supplier, SupplierStatus.Suspended);
        _status[supplier] = SupplierStatus.Active;
        emit SupplierReinstated(supplier, _msgSender(), reasonCode);
    }

    /// @inheritdoc ISupplierRegistry
    function setRequiredKinds(uint8 kinds) external whenNotPaused onlyRole(_REGULATOR_ROLE) {
        if (kinds == 0 || kinds & ~ALL_KINDS != 0) revert RegistryInvalidRequiredKinds(kinds);
        requiredKinds = kinds;
        emit RequiredKindsChanged(kinds, _msgSender());
    }

    /// @inheritdoc ISupplierRegistry
    function isQualified(address supplier, bytes32 category, uint64 at) public view returns (bool) {
        if (_status[supplier] != SupplierStatus.Active) return false;
        uint8 kinds = requiredKinds;
        for (uint256 k = 0; k <= uint256(type(DocumentKind).max); ++k) {
            if (kinds & (1 << k) == 0) continue;
            if (!_holdsValidDocument(supplier, DocumentKind(k), category, at)) return false;
        }
        return true;
    }

    /// @inheritdoc ISupplierRegistry
    function supplierStatus(address supplier) external view returns (SupplierStatus) {
        return _status[supplier];
    }

    /// @inheritdoc ISupplierRegistry
    function document(uint256 documentId) external view returns (QualificationDocument memory) {
        return _documents[documentId];
    }

    function _holdsValidDocument(
        address supplier,
        DocumentKind kind,
        bytes32 category,
        uint64 at
    ) internal view returns (bool) {
        uint256[] storage ids = _documentsByKind[supplier][kind];
        // Newest first: a current document is usually the latest one filed.
        for (uint256 i = ids.length; i > 0; --i) {
            uint256 id = ids[i - 1];
            QualificationDocument storage doc = _documents[id];
            if (
                doc.status == DocumentStatus.Attested &&
                doc.validFrom <= at &&
                at <= doc.validUntil &&
                _covers[id][category]
            ) return true;
        }
        return false;
    }

    function _pendingDocument(uint256 documentId) internal view returns (QualificationDocument storage doc) {
        doc = _documents[documentId];
        if (doc.status == DocumentStatus.None) revert RegistryDocumentNotFound(documentId);
        if (doc.status != DocumentStatus.Pending) revert RegistryDocumentNotPending(documentId, doc.status);
    }

    function _requireSupplierStatus(address supplier, SupplierStatus expected) internal view {
        SupplierStatus status = _status[supplier];
        if (status == SupplierStatus.None) revert RegistrySupplierNotRegistered(supplier);
        if (status != expected) revert RegistrySupplierStatus(supplier, status, expected);
    }
}
