// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {LedgerBase} from "./access/LedgerBase.sol";
import {ISupplierRegistry} from "./interfaces/ISupplierRegistry.sol";
import {DeviceIdentifier} from "./libraries/DeviceIdentifier.sol";
import {Gtin} from "./libraries/Gtin.sol";
import {
    DocumentKind,
    DocumentStatus,
    IssuingAgency,
    QualificationDocument,
    SupplierStatus
} from "./types/LedgerTypes.sol";

/// @title SupplierRegistry
/// @notice Supplier registration, qualification and product (GTIN) registration. A document's
/// own validity window makes it lapse by time; nothing has to happen on-chain when it does.
/// @dev Attestation does the work so that the questions stay cheap: it writes the attested
/// document's window where `isQualified` and `isGtinRegistered` read it, so they cost a constant
/// number of storage reads however many documents a supplier files. Pending documents are capped
/// per supplier so that filing cannot flood the regulators' queue either.
contract SupplierRegistry is ISupplierRegistry, LedgerBase {
    /// @notice How many documents a supplier may have awaiting a decision at once.
    uint256 public constant MAX_PENDING_DOCUMENTS = 16;

    uint256 internal constant MAX_CATEGORIES = 32;
    uint256 internal constant MAX_GTINS = 32;
    uint256 internal constant KIND_COUNT = uint256(type(DocumentKind).max) + 1;
    uint8 internal constant ALL_KINDS = uint8((1 << KIND_COUNT) - 1);
    /// @dev A window packs validFrom (low 40 bits) and validUntil (high 40 bits); 40-bit seconds
    /// last until the year 36812.
    uint256 internal constant WINDOW_BITS = 80;
    uint256 internal constant TIME_BITS = 40;
    uint256 internal constant WINDOW_MASK = type(uint80).max;
    uint256 internal constant MAX_TIME = type(uint40).max;

    /// @dev Status and pending-document count share a slot: filing and deciding read both.
    struct SupplierRecord {
        SupplierStatus status;
        uint8 pendingDocuments;
    }

    /// @dev A validity window; validUntil 0 means none (a filed window ends after it starts).
    struct Window {
        uint40 validFrom;
        uint40 validUntil;
    }

    /// @inheritdoc ISupplierRegistry
    uint8 public requiredKinds = ALL_KINDS;

    /// @notice The number of documents filed, which is also the latest document id.
    uint256 public documentCount;
    mapping(address supplier => SupplierRecord) internal _suppliers;
    mapping(uint256 documentId => QualificationDocument) internal _documents;
    mapping(uint256 documentId => uint64[]) internal _documentGtins;
    /// @dev The current document's window for each kind, window k at bits [80k, 80k + 80): all
    /// kinds in one slot, so `isQualified` reads one word per (supplier, category).
    mapping(address supplier => mapping(bytes32 category => uint256 windows)) internal _qualifications;
    mapping(address supplier => mapping(uint64 gtin => Window)) internal _gtinRegistrations;
    /// @dev keccak256(abi.encode(agency, deviceIdentifier)) of the identifier a key stands for.
    mapping(uint64 productKey => bytes32 identifierHash) internal _productKeys;

    constructor(IAccessControl roles_, address forwarder) LedgerBase(roles_, forwarder) {}

    /// @inheritdoc ISupplierRegistry
    function register(bytes32 name, bytes32 registrationId) external whenNotPaused {
        address supplier = _msgSender();
        SupplierRecord storage record = _suppliers[supplier];
        if (record.status != SupplierStatus.None) revert RegistrySupplierAlreadyRegistered(supplier);
        record.status = SupplierStatus.Active;
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
        return _file(kind, sha256Digest, validFrom, validUntil, categories);
    }

    /// @inheritdoc ISupplierRegistry
    function fileProductRegistration(
        bytes32 sha256Digest,
        uint64 validFrom,
        uint64 validUntil,
        bytes32[] calldata categories,
        uint64[] calldata gtins
    ) external whenNotPaused returns (uint256 documentId) {
        if (gtins.length == 0 || gtins.length > MAX_GTINS) revert RegistryInvalidGtins(gtins.length);
        for (uint256 i = 0; i < gtins.length; ++i) {
            uint64 gtin = gtins[i];
            if (gtin >= Gtin.LIMIT) {
                if (_productKeys[gtin] == 0) revert RegistryProductKeyNotDeclared(gtin);
            } else if (!Gtin.isValid(gtin)) {
                revert RegistryInvalidGtin(gtin);
            }
        }
        documentId = _file(DocumentKind.ProductRegistration, sha256Digest, validFrom, validUntil, categories);
        _documentGtins[documentId] = gtins;
        emit ProductsDeclared(documentId, _msgSender(), gtins);
    }

    /// @inheritdoc ISupplierRegistry
    function declareDeviceIdentifier(
        IssuingAgency agency,
        string calldata deviceIdentifier
    ) external whenNotPaused returns (uint64 productKey) {
        address supplier = _msgSender();
        if (_suppliers[supplier].status == SupplierStatus.None)
            revert RegistrySupplierNotRegistered(supplier);
        if (!DeviceIdentifier.isValid(agency, deviceIdentifier)) {
            revert RegistryInvalidDeviceIdentifier(agency, deviceIdentifier);
        }
        bytes32 identifierHash = keccak256(abi.encode(agency, deviceIdentifier));
        productKey = _keyOf(identifierHash);
        if (_productKeys[productKey] != 0)
            revert RegistryProductKeyTaken(productKey, agency, deviceIdentifier);
        _productKeys[productKey] = identifierHash;
        emit DeviceIdentifierDeclared(productKey, supplier, agency, deviceIdentifier);
    }

    /// @inheritdoc ISupplierRegistry
    function productKeyOf(
        IssuingAgency agency,
        string calldata deviceIdentifier
    ) external pure returns (uint64) {
        return _keyOf(keccak256(abi.encode(agency, deviceIdentifier)));
    }

    /// @inheritdoc ISupplierRegistry
    function isProductKeyDeclared(uint64 productKey) external view returns (bool) {
        return _productKeys[productKey] != 0;
    }

    /// @inheritdoc ISupplierRegistry
    function attestDocument(uint256 documentId) external whenNotPaused onlyRole(_REGULATOR_ROLE) {
        QualificationDocument storage doc = _pendingDocument(documentId);
        address supplier = doc.supplier;
        doc.status = DocumentStatus.Attested;
        --_suppliers[supplier].pendingDocuments;

        // Filing bounded validUntil to 40 bits, and validFrom below it.
        uint40 validFrom = uint40(doc.validFrom);
        uint40 validUntil = uint40(doc.validUntil);
        // Current document rule: the attested document replaces the current one of its kind for
        // a category only if it expires later, so a later attestation never shortens a
        // qualification; a renewal that overlaps or directly follows the current window extends
        // it (the earlier start is kept), so renewing early leaves no gap.
        uint256 shift = uint256(doc.kind) * WINDOW_BITS;
        mapping(bytes32 category => uint256) storage qualifications = _qualifications[supplier];
        bytes32[] storage categories = doc.categories;
        for (uint256 i = 0; i < categories.length; ++i) {
            bytes32 category = categories[i];
            uint256 windows = qualifications[category];
            uint40 currentUntil = uint40(windows >> (shift + TIME_BITS));
            if (validUntil > currentUntil) {
                uint40 from = _renewedStart(uint40(windows >> shift), currentUntil, validFrom);
                uint256 others = windows & ~(WINDOW_MASK << shift);
                qualifications[category] = others | (((uint256(validUntil) << TIME_BITS) | from) << shift);
            }
        }
        emit DocumentAttested(documentId, supplier, _msgSender());

        if (doc.kind == DocumentKind.ProductRegistration) {
            _registerGtins(documentId, supplier, validFrom, validUntil);
        }
    }

    /// @inheritdoc ISupplierRegistry
    function rejectDocument(
        uint256 documentId,
        uint16 reasonCode
    ) external whenNotPaused onlyRole(_REGULATOR_ROLE) {
        QualificationDocument storage doc = _pendingDocument(documentId);
        address supplier = doc.supplier;
        doc.status = DocumentStatus.Rejected;
        doc.reasonCode = reasonCode;
        --_suppliers[supplier].pendingDocuments;
        emit DocumentRejected(documentId, supplier, _msgSender(), reasonCode);
    }

    /// @inheritdoc ISupplierRegistry
    function suspend(address supplier, uint16 reasonCode) external whenNotPaused onlyRole(_REGULATOR_ROLE) {
        _requireSupplierStatus(supplier, SupplierStatus.Active).status = SupplierStatus.Suspended;
        emit SupplierSuspended(supplier, _msgSender(), reasonCode);
    }

    /// @inheritdoc ISupplierRegistry
    function reinstate(address supplier, uint16 reasonCode) external whenNotPaused onlyRole(_REGULATOR_ROLE) {
        _requireSupplierStatus(supplier, SupplierStatus.Suspended).status = SupplierStatus.Active;
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
        if (_suppliers[supplier].status != SupplierStatus.Active) return false;
        uint256 kinds = requiredKinds;
        uint256 windows = _qualifications[supplier][category];
        for (uint256 k = 0; k < KIND_COUNT; ++k) {
            if (kinds & (1 << k) == 0) continue;
            uint256 window = windows >> (k * WINDOW_BITS);
            uint40 validFrom = uint40(window);
            uint40 validUntil = uint40(window >> TIME_BITS);
            if (validUntil == 0 || at < validFrom || at > validUntil) return false;
        }
        return true;
    }

    /// @inheritdoc ISupplierRegistry
    function isGtinRegistered(address supplier, uint64 gtin, uint64 at) external view returns (bool) {
        Window memory w = _gtinRegistrations[supplier][gtin];
        return w.validUntil != 0 && w.validFrom <= at && at <= w.validUntil;
    }

    /// @inheritdoc ISupplierRegistry
    function supplierStatus(address supplier) external view returns (SupplierStatus) {
        return _suppliers[supplier].status;
    }

    /// @inheritdoc ISupplierRegistry
    function pendingDocumentCount(address supplier) external view returns (uint256) {
        return _suppliers[supplier].pendingDocuments;
    }

    /// @inheritdoc ISupplierRegistry
    function document(uint256 documentId) external view returns (QualificationDocument memory) {
        return _documents[documentId];
    }

    /// @inheritdoc ISupplierRegistry
    function documentGtins(uint256 documentId) external view returns (uint64[] memory) {
        return _documentGtins[documentId];
    }

    function _file(
        DocumentKind kind,
        bytes32 sha256Digest,
        uint64 validFrom,
        uint64 validUntil,
        bytes32[] calldata categories
    ) internal returns (uint256 documentId) {
        address supplier = _msgSender();
        SupplierRecord storage record = _suppliers[supplier];
        if (record.status == SupplierStatus.None) revert RegistrySupplierNotRegistered(supplier);
        if (record.pendingDocuments >= MAX_PENDING_DOCUMENTS) {
            revert RegistryTooManyPendingDocuments(supplier, MAX_PENDING_DOCUMENTS);
        }
        if (sha256Digest == bytes32(0)) revert RegistryZeroDigest();
        if (validUntil <= validFrom || validUntil > MAX_TIME) {
            revert RegistryInvalidValidity(validFrom, validUntil);
        }
        if (categories.length == 0 || categories.length > MAX_CATEGORIES) {
            revert RegistryInvalidCategories(categories.length);
        }

        ++record.pendingDocuments;
        documentId = ++documentCount;
        QualificationDocument storage doc = _documents[documentId];
        doc.supplier = supplier;
        doc.kind = kind;
        doc.status = DocumentStatus.Pending;
        doc.validFrom = validFrom;
        doc.validUntil = validUntil;
        doc.sha256Digest = sha256Digest;
        doc.categories = categories;
        emit DocumentFiled(documentId, supplier, kind, sha256Digest, validFrom, validUntil, categories);
    }

    function _keyOf(bytes32 identifierHash) internal pure returns (uint64) {
        return uint64((uint256(identifierHash) % (2 ** 64 - uint256(Gtin.LIMIT))) + Gtin.LIMIT);
    }

    /// @dev Same current document rule as for qualification, per (supplier, GTIN).
    function _registerGtins(
        uint256 documentId,
        address supplier,
        uint40 validFrom,
        uint40 validUntil
    ) internal {
        uint64[] storage gtins = _documentGtins[documentId];
        mapping(uint64 gtin => Window) storage registrations = _gtinRegistrations[supplier];
        for (uint256 i = 0; i < gtins.length; ++i) {
            uint64 gtin = gtins[i];
            Window storage current = registrations[gtin];
            if (validUntil <= current.validUntil) continue;
            uint40 from = _renewedStart(current.validFrom, current.validUntil, validFrom);
            current.validFrom = from;
            current.validUntil = validUntil;
            emit GtinRegistered(supplier, gtin, documentId, from, validUntil);
        }
    }

    /// @dev Start of the window after a later-expiring document is attested: the current start
    /// when the new window overlaps or directly follows the current one, else the new start.
    function _renewedStart(
        uint40 currentFrom,
        uint40 currentUntil,
        uint40 newFrom
    ) internal pure returns (uint40) {
        bool current = currentUntil != 0;
        return current && newFrom <= currentUntil + 1 && currentFrom < newFrom ? currentFrom : newFrom;
    }

    function _pendingDocument(uint256 documentId) internal view returns (QualificationDocument storage doc) {
        doc = _documents[documentId];
        if (doc.status == DocumentStatus.None) revert RegistryDocumentNotFound(documentId);
        if (doc.status != DocumentStatus.Pending) revert RegistryDocumentNotPending(documentId, doc.status);
    }

    function _requireSupplierStatus(
        address supplier,
        SupplierStatus expected
    ) internal view returns (SupplierRecord storage record) {
        record = _suppliers[supplier];
        if (record.status == SupplierStatus.None) revert RegistrySupplierNotRegistered(supplier);
        if (record.status != expected) revert RegistrySupplierStatus(supplier, record.status, expected);
    }
}
