// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title FiscalYear
/// @notice A hospital's fiscal period is the calendar year of its local time (China's public
/// hospitals budget by calendar year). Local time is a fixed offset from UTC: no daylight saving,
/// which China does not observe.
library FiscalYear {
    /// @dev Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar.
    int256 private constant _EPOCH_SHIFT = 719_468;
    uint256 private constant _DAYS_PER_ERA = 146_097;

    /// @notice The calendar year of `timestamp` (Unix seconds) at `utcOffset` seconds from UTC.
    /// @dev Howard Hinnant's `civil_from_days`, reduced to the year: years are counted from
    /// March, so that the leap day ends a year and each 400-year era is 146,097 days; a date in
    /// January or February belongs to the next civil year. Funding an order computes it, so the
    /// arithmetic after the (signed) day count is unsigned and unchecked: every bound is far
    /// below overflow, and a year past 65535 reverts in the final cast.
    function yearOf(uint256 timestamp, int256 utcOffset) internal pure returns (uint16) {
        int256 local = SafeCast.toInt256(timestamp) + utcOffset;
        int256 day = local / 1 days;
        if (local % 1 days < 0) --day; // floor, for the hours before 1970 at a negative offset
        uint256 year;
        unchecked {
            // Days since 0000-03-01: only times before that year are negative.
            uint256 z = SafeCast.toUint256(day + _EPOCH_SHIFT);
            uint256 era = z / _DAYS_PER_ERA;
            uint256 dayOfEra = z - era * _DAYS_PER_ERA;
            uint256 yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
            uint256 dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
            // Months from March: 0 = March … 9 = December, 10 = January, 11 = February.
            uint256 month = (5 * dayOfYear + 2) / 153;
            year = yearOfEra + era * 400 + (month >= 10 ? 1 : 0);
        }
        return SafeCast.toUint16(year);
    }
}
