//! Reports for the boards: coverage by district and month, a district's sessions, and the
//! yearly report as JSON, CSV or XLSX.

pub mod coverage;
mod facts;
pub mod loads;
pub mod sessions;
pub mod submissions;
pub mod yearly;

use crate::auth::{AuthUser, Scope};
use crate::db::Conn;
use crate::error::{ApiError, Result};
use crate::on;

/// The district a board's report covers: its own; the province's, the one asked or all.
pub fn reported_district(user: &AuthUser, asked: Option<i64>) -> Result<Option<i64>> {
    match user.scope {
        Scope::Province => Ok(asked),
        Scope::District(d) if asked.is_none_or(|a| a == d) => Ok(Some(d)),
        _ => Err(ApiError::forbidden()),
    }
}

/// A year asked for in a query string: a 400 outside the years of plans.
pub fn valid_year(year: i32) -> Result<i32> {
    if crate::time::PLAN_YEARS.contains(&year) {
        Ok(year)
    } else {
        Err(ApiError::invalid(
            "year",
            "invalid_year",
            "Năm phải trong khoảng 2000-2200.",
            "The year must be within 2000-2200.",
        )
        .in_query())
    }
}

/// The coverage of a year, for the district the caller's report covers (see
/// [`reported_district`]).
pub async fn coverage(c: Conn<'_>, user: &AuthUser, year: i32, asked: Option<i64>) -> Result<coverage::Coverage> {
    let district = reported_district(user, asked)?;
    let year = valid_year(year)?;
    Ok(coverage::compute(
        year,
        &facts::load(c, year, district, chrono::Utc::now()).await?,
    ))
}

/// The yearly report of a year, for the district the caller's report covers.
pub async fn yearly(c: Conn<'_>, user: &AuthUser, year: i32, asked: Option<i64>) -> Result<yearly::YearlyReport> {
    let district = reported_district(user, asked)?;
    let year = valid_year(year)?;
    Ok(yearly::compute(
        year,
        &facts::load(c, year, district, chrono::Utc::now()).await?,
        district,
    ))
}

/// The year a board's pages open on when none is asked: `this_year` if the caller's district (or
/// the province) has a plan for it, else the year with plans nearest to it (the later of two
/// equally near); `None` without any plan.
pub async fn nearest_planned_year(c: Conn<'_>, user: &AuthUser, this_year: i32) -> Result<Option<i32>> {
    let district = reported_district(user, None)?;
    let years: Vec<i32> = on!(c, |c| {
        sqlx::query_scalar("SELECT DISTINCT year FROM plan WHERE $1 IS NULL OR district_id = $1")
            .bind(district)
            .fetch_all(&mut *c)
            .await?
    });
    Ok(years
        .into_iter()
        .min_by_key(|&y| ((y - this_year).abs(), std::cmp::Reverse(y))))
}
