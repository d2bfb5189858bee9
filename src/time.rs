//! Time as users see it: local to Asia/Ho_Chi_Minh (UTC+7, no daylight saving).

use std::ops::RangeInclusive;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};

use crate::error::ApiError;

pub const ZONE: chrono_tz::Tz = chrono_tz::Asia::Ho_Chi_Minh;

/// An instant shown in local time, e.g. `2027-03-01T07:30:00+07:00`.
pub fn local(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&ZONE).fixed_offset()
}

/// An instant as stored: UTC, to the second.
pub fn stored(t: DateTime<FixedOffset>) -> DateTime<Utc> {
    let t = t.with_timezone(&Utc);
    t - chrono::Duration::nanoseconds(i64::from(t.timestamp_subsec_nanos()))
}

/// An instant from a request body as stored, if it is in the years 1900-2200; a 422 naming the
/// field otherwise.
pub fn checked(t: DateTime<FixedOffset>, field: &str) -> Result<DateTime<Utc>, ApiError> {
    if in_range(t) {
        Ok(stored(t))
    } else {
        Err(ApiError::invalid(
            field,
            "date_out_of_range",
            "Thời điểm phải trong các năm 1900-2200.",
            "Dates must fall in the years 1900-2200.",
        ))
    }
}

/// Whether the instant's year, as its writer wrote it (in its own offset), is 1900-2200: the
/// first moment of 1900 in Việt Nam is still 1899 in UTC, and must not be refused with a
/// message that names 1900.
pub fn in_range(t: DateTime<FixedOffset>) -> bool {
    (1900..=2200).contains(&t.year())
}

/// The years plans, and so sessions and schedules, may fall in. The zone's clock last changed
/// in 1975: every local time in them exists once.
pub const PLAN_YEARS: RangeInclusive<i32> = 2000..=2200;

/// A day in [`PLAN_YEARS`]; a 422 naming the field otherwise.
pub fn require_plan_day(field: &str, day: NaiveDate) -> Result<(), ApiError> {
    if PLAN_YEARS.contains(&day.year()) {
        return Ok(());
    }
    Err(ApiError::invalid(
        field,
        "date_out_of_range",
        format!("Ngày {} nằm ngoài các năm 2000-2200.", day.format("%d/%m/%Y")),
        format!("{day} is outside the years 2000-2200."),
    ))
}

/// The start of a local day, as stored.
pub fn local_midnight(day: NaiveDate) -> crate::error::Result<DateTime<Utc>> {
    use chrono::TimeZone;
    Ok(crate::time::ZONE
        .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .ok_or_else(|| anyhow::anyhow!("no local midnight on {day}"))?
        .with_timezone(&Utc))
}

/// The first and the day after the last day of a `YYYY-MM` month.
pub fn month_range(month: &str) -> crate::error::Result<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").map_err(|_| {
        ApiError::invalid(
            "month",
            "invalid_month",
            "Chọn tháng theo dạng năm-tháng, ví dụ 2027-03.",
            "Give the month as year-month, e.g. 2027-03.",
        )
    })?;
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    }
    .ok_or_else(|| anyhow::anyhow!("month after {first}"))?;
    Ok((first, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_time_is_utc_plus_seven() {
        let t: DateTime<FixedOffset> = "2027-03-01T00:30:00Z".parse().unwrap();
        assert_eq!(local(stored(t)).to_rfc3339(), "2027-03-01T07:30:00+07:00");
    }

    #[test]
    fn the_years_allowed_are_the_years_the_message_names() {
        for (text, allowed) in [
            ("1900-01-01T00:00:00+07:00", true),
            ("1899-12-31T23:59:59+07:00", false),
            ("2200-12-31T23:59:59-05:00", true),
            ("2201-01-01T00:00:00+07:00", false),
        ] {
            let t: DateTime<FixedOffset> = text.parse().unwrap();
            assert_eq!(in_range(t), allowed, "{text}");
        }
    }
}
