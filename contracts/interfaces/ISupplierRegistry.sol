// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {
    DocumentKind,
    DocumentStatus,
    IssuingAgency,
    QualificationDocument,
    SupplierStatus
} from "../types/LedgerTypes.sol";

/// @title ISupplierRegistry
/// @notice Who may sell, and what: suppliers register, file qualification documents (by SHA-256
/// digest, the document itself stays off-chain), regulators attest or reject them and may suspend
/// a supplier. `isQualified` is the one question the rest of the ledger asks about a supplier,
/// `isGtinRegistered` the one it asks about a product.
///
/// Current document rule: for each (supplier, kind, category) the registry keeps the validity
/// window of one attested document, the current one. An attested document becomes current for a
/// (kind, category) it covers when its `validUntil` is later than the current one's (or there is
/// none); otherwise the current window stays. The same rule applies to each GTIN of an attested
/// product registration, per (supplier, GTIN). When the new window overlaps or directly follows
/// the current one, the current start is kept (renewing early leaves no gap); after a gap the new
/// window replaces it. So a later attestation never shortens a qualification or a registration.
interface ISupplierRegistry {
    /// @notice A supplier registered itself.
    /// @param supplier The supplier's account, now Active.
    /// @param name The supplier's name, packed into bytes32 or hashed.
    /// @param registrationId Its business registration number, packed into bytes32 or hashed.
    /// @param registeredAt The block time of the registration.
    event SupplierRegistered(
        address indexed supplier,
        bytes32 name,
        bytes32 registrationId,
        uint64 registeredAt
    );

    /// @notice A supplier filed a document; it is Pending until a regulator decides.
    /// @param documentId The new document's id (ids start at 1).
    /// @param supplier The filing supplier.
    /// @param kind The kind of document.
    /// @param sha256Digest SHA-256 of the off-chain document.
    /// @param validFrom First second of the document's validity.
    /// @param validUntil Last second of the document's validity.
    /// @param categories The product categories the document covers.
    event DocumentFiled(
        uint256 indexed documentId,
        address indexed supplier,
        DocumentKind kind,
        bytes32 sha256Digest,
        uint64 validFrom,
        uint64 validUntil,
        bytes32[] categories
    );

    /// @notice A product registration filed with `fileProductRegistration` declared the GTINs it
    /// covers; they become registered when the document is attested. Emitted after `DocumentFiled`.
    /// @param documentId The product registration's document id.
    /// @param supplier The filing supplier.
    /// @param gtins The GTIN-14s the registration covers, as filed.
    event ProductsDeclared(uint256 indexed documentId, address indexed supplier, uint64[] gtins);

    /// @notice A regulator attested a document. Each (kind, category) it covers now has it as
    /// current if it expires later than the current one (see the current document rule above).
    /// @param documentId The attested document.
    /// @param supplier The supplier that filed it.
    /// @param regulator The attesting regulator.
    event DocumentAttested(uint256 indexed documentId, address indexed supplier, address indexed regulator);

    /// @notice An attested product registration became the current one for a GTIN of its
    /// supplier's (see the current document rule above). Not emitted for a GTIN whose current
    /// registration expires no earlier than this document. Emitted after `DocumentAttested`.
    /// @param supplier The supplier the GTIN is registered for.
    /// @param gtin The GTIN-14.
    /// @param documentId The product registration now current for the GTIN.
    /// @param validFrom First second of the registration.
    /// @param validUntil Last second of the registration.
    event GtinRegistered(
        address indexed supplier,
        uint64 indexed gtin,
        uint256 indexed documentId,
        uint64 validFrom,
        uint64 validUntil
    );

    /// @notice A supplier declared another agency's device identifier: `productKey` now stands for
    /// it on the ledger, and a product registration may cover it like a GTIN.
    /// @param productKey The key, `productKeyOf(agency, deviceIdentifier)`, at least 10^14.
    /// @param supplier The declaring supplier.
    /// @param agency The issuing agency.
    /// @param deviceIdentifier The device identifier (UDI-DI) as the agency issued it.
    event DeviceIdentifierDeclared(
        uint64 indexed productKey,
        address indexed supplier,
        IssuingAgency agency,
        string deviceIdentifier
    );

    /// @notice A regulator rejected a document, with a reason code.
    /// @param documentId The rejected document.
    /// @param supplier The supplier that filed it.
    /// @param regulator The rejecting regulator.
    /// @param reasonCode The regulator's reason code, stored with the document.
    event DocumentRejected(
        uint256 indexed documentId,
        address indexed supplier,
        address indexed regulator,
        uint16 reasonCode
    );

    /// @notice A regulator suspended a supplier, with a reason code.
    /// @param supplier The supplier, now Suspended.
    /// @param regulator The suspending regulator.
    /// @param reasonCode The regulator's reason code.
    event SupplierSuspended(address indexed supplier, address indexed regulator, uint16 reasonCode);

    /// @notice A regulator reinstated a suspended supplier, with a reason code.
    /// @param supplier The supplier, Active again.
    /// @param regulator The reinstating regulator.
    /// @param reasonCode The regulator's reason code.
    event SupplierReinstated(address indexed supplier, address indexed regulator, uint16 reasonCode);

    /// @notice A regulator changed which document kinds qualification requires.
    /// @param requiredKinds The new bitmap, bit i = `DocumentKind` i.
    /// @param regulator The regulator that changed it.
    event RequiredKindsChanged(uint8 requiredKinds, address indexed regulator);

    /// @notice The caller is already a registered supplier (Active or Suspended).
    /// @param supplier The caller.
    error RegistrySupplierAlreadyRegistered(address supplier);

    /// @notice The account is not a registered supplier.
    /// @param supplier The account.
    error RegistrySupplierNotRegistered(address supplier);

    /// @notice The supplier is not in the status the operation needs.
    /// @param supplier The supplier.
    /// @param status Its status.
    /// @param expected The status the operation needs.
    error RegistrySupplierStatus(address supplier, SupplierStatus status, SupplierStatus expected);

    /// @notice The validity window is empty (`validUntil` not after `validFrom`) or ends after
    /// 2^40 − 1 (year 36812), the largest time the registry stores.
    /// @param validFrom The window's start as filed.
    /// @param validUntil The window's end as filed.
    error RegistryInvalidValidity(uint64 validFrom, uint64 validUntil);

    /// @notice A document must cover 1 to 32 categories.
    /// @param count The number of categories filed.
    error RegistryInvalidCategories(uint256 count);

    /// @notice The document digest is zero.
    error RegistryZeroDigest();

    /// @notice No document has this id.
    /// @param documentId The id.
    error RegistryDocumentNotFound(uint256 documentId);

    /// @notice The document was already attested or rejected (both are terminal).
    /// @param documentId The document.
    /// @param status Its status; the operation needs Pending.
    error RegistryDocumentNotPending(uint256 documentId, DocumentStatus status);

    /// @notice The required-kinds bitmap is zero or sets a bit beyond the known kinds.
    /// @param requiredKinds The bitmap given.
    error RegistryInvalidRequiredKinds(uint8 requiredKinds);

    /// @notice The supplier already has the maximum number of documents awaiting a decision;
    /// an attestation or a rejection frees one.
    /// @param supplier The filing supplier.
    /// @param max The maximum number of pending documents per supplier.
    error RegistryTooManyPendingDocuments(address supplier, uint256 max);

    /// @notice A product registration must declare 1 to 32 GTINs.
    /// @param count The number of GTINs filed.
    error RegistryInvalidGtins(uint256 count);

    /// @notice The number is not a valid GTIN-14 (see the `Gtin` library).
    /// @param gtin The number filed.
    error RegistryInvalidGtin(uint64 gtin);

    /// @notice The number is a product key (at least 10^14) that no device identifier was
    /// declared for.
    /// @param productKey The number filed.
    error RegistryProductKeyNotDeclared(uint64 productKey);

    /// @notice The device identifier's key already stands for a declared identifier: this one
    /// (declared before) or, were two identifiers ever to share a key, another.
    /// @param productKey The key.
    /// @param agency The agency given.
    /// @param deviceIdentifier The identifier given.
    error RegistryProductKeyTaken(uint64 productKey, IssuingAgency agency, string deviceIdentifier);

    /// @notice The device identifier does not have its agency's form: MA, five dot-separated
    /// segments "MA.156.M0.<6 letters or digits>.<letters or digits>"; AHM, 1 to 64 printable
    /// ASCII characters without spaces. Agency None is never valid.
    /// @param agency The agency given.
    /// @param deviceIdentifier The identifier given.
    error RegistryInvalidDeviceIdentifier(IssuingAgency agency, string deviceIdentifier);

    /// @notice Registers the caller as an Active supplier. `name` and `registrationId` are short
    /// strings packed into bytes32 or hashes of longer ones; contact details stay off-chain.
    ///
    /// Requirements:
    /// - the registry is not paused;
    /// - the caller is not registered yet (a suspended supplier cannot register again).
    ///
    /// Emits `SupplierRegistered`.
    function register(bytes32 name, bytes32 registrationId) external;

    /// @notice Files a qualification document of the caller's, Pending until a regulator decides,
    /// and returns its id. A product registration filed this way declares no GTINs: it counts
    /// towards qualification only.
    ///
    /// Requirements:
    /// - the registry is not paused;
    /// - the caller is a registered supplier (a suspended one may file, to cure the cause);
    /// - the caller has fewer than `MAX_PENDING_DOCUMENTS` documents pending;
    /// - `sha256Digest` is not zero;
    /// - `validFrom < validUntil <= 2^40 − 1`;
    /// - 1 to 32 categories.
    ///
    /// Emits `DocumentFiled`.
    function fileDocument(
        DocumentKind kind,
        bytes32 sha256Digest,
        uint64 validFrom,
        uint64 validUntil,
        bytes32[] calldata categories
    ) external returns (uint256 documentId);

    /// @notice Files a product registration certificate of the caller's together with the GTINs
    /// it covers and returns its id. Once attested, it counts towards qualification like any
    /// product registration and registers its GTINs for the caller (see `isGtinRegistered`).
    ///
    /// Requirements: those of `fileDocument`, and 1 to 32 GTINs, each a valid GTIN-14 or a
    /// declared product key (`declareDeviceIdentifier`).
    ///
    /// Emits `DocumentFiled`, then `ProductsDeclared`.
    function fileProductRegistration(
        bytes32 sha256Digest,
        uint64 validFrom,
        uint64 validUntil,
        bytes32[] calldata categories,
        uint64[] calldata gtins
    ) external returns (uint256 documentId);

    /// @notice Declares another agency's device identifier, binding its product key to it (once for
    /// all suppliers), and returns the key. A supplier then registers the key for itself with a
    /// product registration (`fileProductRegistration`), attested like one for GTINs.
    ///
    /// Requirements:
    /// - the registry is not paused;
    /// - the caller is a registered supplier;
    /// - the identifier has its agency's form (see `RegistryInvalidDeviceIdentifier`);
    /// - its key is not taken.
    ///
    /// Emits `DeviceIdentifierDeclared`.
    function declareDeviceIdentifier(
        IssuingAgency agency,
        string calldata deviceIdentifier
    ) external returns (uint64 productKey);

    /// @notice The product key of a device identifier: 10^14 + keccak256(abi.encode(agency,
    /// deviceIdentifier)) mod (2^64 − 10^14), so at least 10^14 and never a GTIN-14.
    function productKeyOf(
        IssuingAgency agency,
        string calldata deviceIdentifier
    ) external pure returns (uint64);

    /// @notice Whether a device identifier was declared for `productKey`.
    function isProductKeyDeclared(uint64 productKey) external view returns (bool);

    /// @notice Attests a pending document: for each category it covers it becomes the current
    /// document of its kind if it expires later than the current one, and a product registration's
    /// GTINs become registered for its supplier under the same rule.
    ///
    /// Requirements:
    /// - the registry is not paused;
    /// - the caller holds REGULATOR_ROLE;
    /// - the document exists and is Pending.
    ///
    /// Emits `DocumentAttested`, then one `GtinRegistered` per GTIN the document became current for.
    function attestDocument(uint256 documentId) external;

    /// @notice Rejects a pending document with a reason code; it never counts.
    ///
    /// Requirements:
    /// - the registry is not paused;
    /// - the caller holds REGULATOR_ROLE;
    /// - the document exists and is Pending.
    ///
    /// Emits `DocumentRejected`.
    function rejectDocument(uint256 documentId, uint16 reasonCode) external;

    /// @notice Suspends an active supplier: it is not qualified until reinstated.
    ///
    /// Requirements:
    /// - the registry is not paused;
    /// - the caller holds REGULATOR_ROLE;
    /// - the supplier is Active.
    ///
    /// Emits `SupplierSuspended`.
    function suspend(address supplier, uint16 reasonCode) external;

    /// @notice Reinstates a suspended supplier; its documents count again.
    ///
    /// Requirements:
    /// - the registry is not paused;
    /// - the caller holds REGULATOR_ROLE;
    /// - the supplier is Suspended.
    ///
    /// Emits `SupplierReinstated`.
    function reinstate(address supplier, uint16 reasonCode) external;

    /// @notice Sets the document kinds qualification requires, one bit per `DocumentKind`.
    ///
    /// Requirements:
    /// - the registry is not paused;
    /// - the caller holds REGULATOR_ROLE;
    /// - `requiredKinds` is not zero and sets no bit beyond the known kinds.
    ///
    /// Emits `RequiredKindsChanged`.
    function setRequiredKinds(uint8 requiredKinds) external;

    /// @notice True if `supplier` is Active and, for every required kind, the window of its
    /// current attested document of that kind covering `category` contains `at` (edges included).
    /// Costs the same whatever the number of documents filed.
    function isQualified(address supplier, bytes32 category, uint64 at) external view returns (bool);

    /// @notice True if the window of `supplier`'s current attested product registration for `gtin`
    /// contains `at` (edges included). Says nothing about the supplier's status or qualification.
    function isGtinRegistered(address supplier, uint64 gtin, uint64 at) external view returns (bool);

    function supplierStatus(address supplier) external view returns (SupplierStatus);

    /// @notice The number of `supplier`'s documents awaiting a decision.
    function pendingDocumentCount(address supplier) external view returns (uint256);

    function document(uint256 documentId) external view returns (QualificationDocument memory);

    /// @notice The GTINs a product registration declared; empty for any other document.
    function documentGtins(uint256 documentId) external view returns (uint64[] memory);

    function requiredKinds() external view returns (uint8);
}
