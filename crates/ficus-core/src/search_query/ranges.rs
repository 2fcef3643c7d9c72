//! Number and date values: `words>10k`, `kudos:100-500`,
//! `posted:2020-01-01..2020-12-31`, `updated>2w`.

use chrono::NaiveDate;

use super::DateBound;

/// A comparison operator after a field name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cmp {
    Gt,
    Ge,
    Lt,
    Le,
}

// ---------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------

/// The canonical range no count can satisfy.
const EMPTY_COUNT_RANGE: (Option<u64>, Option<u64>) = (Some(1), Some(0));

/// The bounds of a number field's value; `None` when the value is malformed.
pub(super) fn count_bounds(cmp: Option<Cmp>, value: &str) -> Option<(Option<u64>, Option<u64>)> {
    let bounds = match cmp {
        Some(Cmp::Gt) => match parse_count(value)?.checked_add(1) {
            Some(lo) => (Some(lo), None),
            None => EMPTY_COUNT_RANGE,
        },
        Some(Cmp::Ge) => (Some(parse_count(value)?), None),
        Some(Cmp::Lt) => match parse_count(value)?.checked_sub(1) {
            Some(hi) => (None, Some(hi)),
            None => EMPTY_COUNT_RANGE,
        },
        Some(Cmp::Le) => (None, Some(parse_count(value)?)),
        None => match value.split_once("..").or_else(|| value.split_once('-')) {
            Some((lo, hi)) => {
                let lo = optional(lo, parse_count)?;
                let hi = optional(hi, parse_count)?;
                if lo.is_none() && hi.is_none() {
                    return None;
                }
                (lo, hi)
            }
            None => {
                let n = parse_count(value)?;
                (Some(n), Some(n))
            }
        },
    };
    Some(bounds)
}

/// Parses one end of a range: `Some(None)` when empty, `None` when malformed.
fn optional<T>(s: &str, parse_one: impl Fn(&str) -> Option<T>) -> Option<Option<T>> {
    if s.is_empty() {
        Some(None)
    } else {
        parse_one(s).map(Some)
    }
}

/// Parses a count: digits with optional thousands separators in groups of
/// three, and an optional `k` (thousand) or `m` (million) suffix, before
/// which decimals are allowed (`1.5k`). `None` on garbage or overflow.
fn parse_count(s: &str) -> Option<u64> {
    let mut chars = s.chars();
    let (body, multiplier, places) = match chars.next_back() {
        Some('k' | 'K') => (chars.as_str(), 1_000u64, 3usize),
        Some('m' | 'M') => (chars.as_str(), 1_000_000, 6),
        _ => (s, 1, 0),
    };
    let (int_part, frac_part) = match body.split_once('.') {
        Some((int_part, frac_part)) => (int_part, Some(frac_part)),
        None => (body, None),
    };
    let mut value = parse_grouped_digits(int_part)?.checked_mul(multiplier)?;
    if let Some(frac) = frac_part {
        if frac.is_empty() || frac.len() > places || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let digits: u64 = frac.parse().ok()?;
        let scale = 10u64.checked_pow(u32::try_from(places - frac.len()).ok()?)?;
        value = value.checked_add(digits.checked_mul(scale)?)?;
    }
    Some(value)
}

/// Parses ASCII digits, allowing `,` between groups of three (`12,345`).
fn parse_grouped_digits(s: &str) -> Option<u64> {
    let mut groups = s.split(',');
    let first = groups.next()?;
    let grouped = s.contains(',');
    if first.is_empty() || (grouped && first.len() > 3) {
        return None;
    }
    let mut value: u64 = 0;
    for (i, group) in std::iter::once(first).chain(groups).enumerate() {
        if i > 0 && group.len() != 3 {
            return None;
        }
        for c in group.chars() {
            let digit = c.to_digit(10)?;
            value = value.checked_mul(10)?.checked_add(u64::from(digit))?;
        }
    }
    Some(value)
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

/// The bounds of a date field's value; `None` when the value is malformed.
pub(super) fn date_bounds(
    cmp: Option<Cmp>,
    value: &str,
) -> Option<(Option<DateBound>, Option<DateBound>)> {
    let bounds = match cmp {
        Some(Cmp::Gt) => match parse_date_bound(value)? {
            DateBound::Absolute(date) => (Some(DateBound::Absolute(date.succ_opt()?)), None),
            relative => (Some(relative), None),
        },
        Some(Cmp::Ge) => (Some(parse_date_bound(value)?), None),
        Some(Cmp::Lt) => match parse_date_bound(value)? {
            DateBound::Absolute(date) => (None, Some(DateBound::Absolute(date.pred_opt()?))),
            relative => (None, Some(relative)),
        },
        Some(Cmp::Le) => (None, Some(parse_date_bound(value)?)),
        None => match value.split_once("..") {
            Some((lo, hi)) => {
                let lo = optional(lo, parse_date_bound)?;
                let hi = optional(hi, parse_date_bound)?;
                if lo.is_none() && hi.is_none() {
                    return None;
                }
                (lo, hi)
            }
            None => match parse_date_bound(value)? {
                // That one day.
                absolute @ DateBound::Absolute(_) => (Some(absolute), Some(absolute)),
                // Within the last N days.
                relative => (Some(relative), None),
            },
        },
    };
    Some(bounds)
}

/// Parses `YYYY-MM-DD` or an age (`30d`, `2w`, `6m`, `1y`).
fn parse_date_bound(s: &str) -> Option<DateBound> {
    match parse_age_days(s) {
        Some(days) => Some(DateBound::DaysAgo(days)),
        None => parse_ymd(s).map(DateBound::Absolute),
    }
}

/// Parses an age in days: digits and a unit `d`, `w`, `m` (30 days) or `y`
/// (365 days), case-insensitive. `None` on garbage or overflow.
fn parse_age_days(s: &str) -> Option<u32> {
    let mut chars = s.chars();
    let unit = chars.next_back()?;
    let digits = chars.as_str();
    let days_per_unit: u32 = match unit.to_ascii_lowercase() {
        'd' => 1,
        'w' => 7,
        'm' => 30,
        'y' => 365,
        _ => return None,
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u32>().ok()?.checked_mul(days_per_unit)
}

/// Parses `YYYY-MM-DD` (four-digit year, one- or two-digit month and day),
/// rejecting dates that do not exist.
fn parse_ymd(s: &str) -> Option<NaiveDate> {
    let mut parts = s.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let all_digits = |p: &str, min: usize, max: usize| {
        (min..=max).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    if !all_digits(year, 4, 4) || !all_digits(month, 1, 2) || !all_digits(day, 1, 2) {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}
