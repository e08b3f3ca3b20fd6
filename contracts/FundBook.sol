// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {LedgerBase} from "./access/LedgerBase.sol";
import {IAgreementBook} from "./interfaces/IAgreementBook.sol";
import {IFundBook} from "./interfaces/IFundBook.sol";
import {IOrderBook} from "./interfaces/IOrderBook.sol";
import {ITenderHouse} from "./interfaces/ITenderHouse.sol";
import {AgreementTerms} from "./types/LedgerTypes.sol";

/// @title FundBook
/// @notice The insurance fund's prepayments and direct-settlement escrow; see `IFundBook`.
/// Invariants: the token balance equals the sum of every account's undrawn balance, and
/// `totalPaidIn == totalDrawn + totalReturned + balance`.
contract FundBook is IFundBook, LedgerBase, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    bytes32 internal constant _PAYER_ROLE = keccak256("PAYER_ROLE");
    uint256 internal constant _BPS = 10_000;

    struct Cover {
        address payer;
        uint16 prepayShareBps;
        bool direct;
    }

    /// @dev One hospital's money under one agreement.
    struct Account {
        uint128 prepayment;
        uint128 escrow;
        uint128 prepaidIn;
    }

    /// @dev What an order drew and has not restored, per source.
    struct Draw {
        uint128 prepayment;
        uint128 escrow;
    }

    IERC20 public immutable token;
    IAgreementBook public immutable agreements;
    ITenderHouse public immutable tenders;
    address public orderBook;

    uint256 public totalPaidIn;
    /// @notice Drawn for orders and not restored: what the fund paid, or holds in order escrow.
    uint256 public totalDrawn;
    uint256 public totalReturned;

    mapping(uint256 tenderId => Cover) public covers;
    mapping(uint256 agreementId => mapping(address hospital => Account)) public accounts;
    mapping(uint256 orderId => Draw) public draws;

    modifier onlyOrderBook() {
        if (msg.sender != orderBook) revert FundCallerNotOrderBook(msg.sender);
        _;
    }

    constructor(
        IAccessControl roles_,
        address forwarder,
        IERC20 token_,
        IAgreementBook agreements_,
        ITenderHouse tenders_
    ) LedgerBase(roles_, forwarder) {
        token = token_;
        agreements = agreements_;
        tenders = tenders_;
    }

    /// @inheritdoc IFundBook
    function bindOrderBook(address orderBook_) external onlyRole(_ADMIN_ROLE) {
        if (orderBook != address(0)) revert FundOrderBookAlreadyBound(orderBook);
        if (orderBook_ == address(0)) revert FundZeroOrderBook();
        // Every payment in tells the order book (`noteFundPaidIn`), which hears it from its own
        // fund book only: bound to another, no payment could be made.
        address itsFund = address(IOrderBook(orderBook_).fund());
        if (itsFund != address(this)) revert FundOrderBookMismatch(orderBook_, itsFund);
        orderBook = orderBook_;
        emit FundOrderBookBound(orderBook_);
    }

    /// @inheritdoc IFundBook
    function setCover(
        uint256 tenderId,
        uint16 prepayShareBps,
        bool direct
    ) external whenNotPaused onlyRole(_PAYER_ROLE) {
        Cover storage c = covers[tenderId];
        if (c.payer != address(0)) revert FundCoverAlreadySet(tenderId, c.payer);
        if (prepayShareBps > _BPS) revert FundShareTooHigh(prepayShareBps);
        // Only a tender that exists: a cover claimed on an id to come would keep the fund the
        // regulators appoint for it from ever covering it. Reverts with TenderNotFound.
        tenders.tenderTerms(tenderId);
        address payer = _msgSender();
        covers[tenderId] = Cover({payer: payer, prepayShareBps: prepayShareBps, direct: direct});
        emit FundCoverSet(tenderId, payer, prepayShareBps, direct);
    }

    /// @inheritdoc IFundBook
    function prepay(
        uint256 agreementId,
        address hospital,
        uint128 amount
    ) external whenNotPaused nonReentrant {
        (Cover memory c, uint256 committedValue) = _payingIn(agreementId, hospital, amount);
        Account storage a = accounts[agreementId][hospital];
        uint256 cap = (committedValue * c.prepayShareBps) / _BPS;
        uint256 room = cap > a.prepaidIn ? cap - a.prepaidIn : 0;
        if (amount > room) revert FundPrepaymentAboveCap(agreementId, hospital, amount, room);
        a.prepaidIn += amount;
        a.prepayment += amount;
        totalPaidIn += amount;
        emit FundPaidIn(agreementId, hospital, c.payer, amount, false, a.prepaidIn, uint128(cap));
        IOrderBook(orderBook).noteFundPaidIn(agreementId, hospital);
        _pull(c.payer, amount);
    }

    /// @inheritdoc IFundBook
    function depositEscrow(
        uint256 agreementId,
        address hospital,
        uint128 amount
    ) external whenNotPaused nonReentrant {
        (Cover memory c, ) = _payingIn(agreementId, hospital, amount);
        if (!c.direct) revert FundNotDirect(agreementId, agreements.agreementTerms(agreementId).tenderId);
        Account storage a = accounts[agreementId][hospital];
        a.escrow += amount;
        totalPaidIn += amount;
        emit FundPaidIn(agreementId, hospital, c.payer, amount, true, a.prepaidIn, 0);
        IOrderBook(orderBook).noteFundPaidIn(agreementId, hospital);
        _pull(c.payer, amount);
    }

    /// @inheritdoc IFundBook
    /// @dev Never paused: it only gives back.
    function returnUndrawn(uint256 agreementId, address hospital) external nonReentrant {
        AgreementTerms memory t = agreements.agreementTerms(agreementId);
        if (block.timestamp <= t.end) revert FundTermNotEnded(agreementId, t.end, block.timestamp);
        Account storage a = accounts[agreementId][hospital];
        uint128 prepayment = a.prepayment;
        uint128 escrow = a.escrow;
        if (prepayment == 0 && escrow == 0) revert FundNothingToReturn(agreementId, hospital);
        address payer = covers[t.tenderId].payer;
        a.prepayment = 0;
        a.escrow = 0;
        totalReturned += uint256(prepayment) + escrow;
        emit FundReturned(agreementId, hospital, payer, prepayment, escrow);
        token.safeTransfer(payer, uint256(prepayment) + escrow);
    }

    /// @inheritdoc IFundBook
    /// @dev No cover is read: only a direct agreement's account can hold escrow. The order book
    /// asks only for orders that are not consigned, of a hospital the fund paid in for under the
    /// agreement (`IOrderBook.noteFundPaidIn`), so other orders never call here.
    function draw(
        uint256 orderId,
        uint256 agreementId,
        address hospital,
        uint256 value
    ) external onlyOrderBook returns (uint128 taken) {
        Account storage a = accounts[agreementId][hospital];
        uint128 prepayment = a.prepayment;
        uint128 escrow = a.escrow;
        if (prepayment == 0 && escrow == 0) return 0;
        uint128 fromPrepayment = value < prepayment ? uint128(value) : prepayment;
        uint256 rest = value - fromPrepayment;
        uint128 fromEscrow = rest < escrow ? uint128(rest) : escrow;
        taken = fromPrepayment + fromEscrow;
        if (taken == 0) return 0;
        a.prepayment = prepayment - fromPrepayment;
        a.escrow = escrow - fromEscrow;
        Draw storage d = draws[orderId];
        d.prepayment += fromPrepayment;
        d.escrow += fromEscrow;
        totalDrawn += taken;
        emit FundDrawn(orderId, agreementId, hospital, fromPrepayment, fromEscrow, uint128(value));
        token.safeTransfer(msg.sender, taken);
    }

    /// @inheritdoc IFundBook
    /// @dev The escrow first: direct settlement is the fund's own purchase, the prepayment an
    /// advance the hospital may draw again.
    function restore(
        uint256 orderId,
        uint256 agreementId,
        address hospital,
        uint128 amount
    ) external onlyOrderBook {
        Draw storage d = draws[orderId];
        uint128 drawnEscrow = d.escrow;
        uint128 toEscrow = amount < drawnEscrow ? amount : drawnEscrow;
        uint128 toPrepayment = amount - toEscrow;
        if (toPrepayment > d.prepayment) {
            revert FundRestoreExceedsDrawn(orderId, amount, uint256(d.prepayment) + drawnEscrow);
        }
        d.escrow = drawnEscrow - toEscrow;
        d.prepayment -= toPrepayment;
        Account storage a = accounts[agreementId][hospital];
        a.escrow += toEscrow;
        a.prepayment += toPrepayment;
        totalDrawn -= amount;
        emit FundRestored(orderId, agreementId, hospital, toPrepayment, toEscrow);
    }

    /// @dev Checks common to paying in: the cover's payer, in term, a party; returns the cover and
    /// the value of the hospital's committed volume at the current tier price.
    function _payingIn(
        uint256 agreementId,
        address hospital,
        uint128 amount
    ) internal view returns (Cover memory c, uint256 committedValue) {
        AgreementTerms memory t = agreements.agreementTerms(agreementId);
        c = covers[t.tenderId];
        address caller = _msgSender();
        _checkRole(_PAYER_ROLE, caller);
        if (caller != c.payer) revert FundNotCoverPayer(agreementId, t.tenderId, caller, c.payer);
        if (amount == 0) revert FundZeroAmount();
        if (block.timestamp > t.end) revert FundTermEnded(agreementId, t.end, block.timestamp);
        uint64 committed = agreements.hospitalVolume(agreementId, hospital).committed;
        if (committed == 0) revert FundHospitalNotParty(agreementId, hospital);
        committedValue = agreements.quote(agreementId, committed);
    }

    /// @dev Takes `amount` from `from` and refuses tokens that deliver less.
    function _pull(address from, uint256 amount) internal {
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(from, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != amount) revert FundTokenTransferMismatch(amount, received);
    }
}
