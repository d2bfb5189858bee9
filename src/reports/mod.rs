//! Reports for the boards: coverage by district and month, a district's sessions, and the
//! yearly report as JSON, CSV or XLSX.

pub mod coverage;
mod facts;
pub mod loads;
pub mod sessions;
pub mod yearly;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::{AuthUser, Scope};
use crate::error::{ApiError, ApiQuery, Problem, Result};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(coverage_report))
        .routes(routes!(yearly_report))
}

#[derive(Debug, Clone, Copy, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
enum ReportFormat {
    #[default]
    Json,
    Csv,
    Xlsx,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
struct YearlyQuery {
    /// The calendar year, local time.
    year: i32,
    /// One district; the province board may leave it out for all.
    district_id: Option<i64>,
    /// `json` (default), `csv` or `xlsx`.
    #[param(value_type = Option<String>)]
    format: Option<ReportFormat>,
}

/// The district a board's report covers: its own; the province's, the one asked or all.
pub fn reported_district(user: &AuthUser, asked: Option<i64>) -> Result<Option<i64>> {
    match user.scope {
        Scope::Province => Ok(asked),
        Scope::District(d) if asked.is_none_or(|a| a == d) => Ok(Some(d)),
        _ => Err(ApiError::forbidden()),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
struct CoverageQuery {
    /// The calendar year, local time.
    year: i32,
    /// One district; the province board may leave it out for all.
    district_id: Option<i64>,
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

/// The year's coverage by district and month: sessions and hours planned and staffed, split
/// by classes and briefings and by kind of person. For the province board, and a district
/// board for its district.
#[utoipa::path(get, path = "/api/v1/reports/coverage", tag = "reports", params(CoverageQuery),
    responses((status = 200, body = coverage::Coverage),
              (status = 400, body = Problem, content_type = "application/problem+json"),
              (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn coverage_report(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<CoverageQuery>,
) -> Result<Json<coverage::Coverage>> {
    let district = reported_district(&user, query.district_id)?;
    let year = valid_year(query.year)?;
    Ok(Json(coverage(&state, year, district).await?))
}

async fn facts(state: &AppState, year: i32, district: Option<i64>) -> Result<facts::Facts> {
    let mut conn = state.db.acquire().await?;
    facts::load(conn.conn(), year, district).await
}

/// The coverage of a year, for one district or all.
pub async fn coverage(state: &AppState, year: i32, district: Option<i64>) -> Result<coverage::Coverage> {
    Ok(coverage::compute(year, &facts(state, year, district).await?))
}

/// The yearly report of a year, for one district or all.
pub async fn yearly(state: &AppState, year: i32, district: Option<i64>) -> Result<yearly::YearlyReport> {
    Ok(yearly::compute(year, &facts(state, year, district).await?))
}

/// The yearly report (due before 22 February): per district, classes planned and held by
/// program with trainees, women and ethnic-minority trainees; sessions and hours by full-time
/// lecturers, part-time lecturers and rapporteurs; briefing conferences per resolution with
/// their rapporteurs' levels; coverage; short sessions by reason. For the province board, and
/// a district board for its district.
#[utoipa::path(get, path = "/api/v1/reports/yearly", tag = "reports", params(YearlyQuery),
    responses((status = 200, body = yearly::YearlyReport, description = "JSON, or CSV (UTF-8 with BOM) or XLSX by `format`"),
              (status = 400, body = Problem, content_type = "application/problem+json"),
              (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn yearly_report(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<YearlyQuery>,
) -> Result<Response> {
    let district = reported_district(&user, query.district_id)?;
    let report = yearly(&state, valid_year(query.year)?, district).await?;
    let file = |bytes: Vec<u8>, mime: &'static str, ext: &str| {
        let disposition = format!("attachment; filename=\"bao-cao-nam-{}.{ext}\"", query.year);
        (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::try_from(disposition).expect("an ASCII file name"),
                ),
            ],
            bytes,
        )
            .into_response()
    };
    Ok(match query.format.unwrap_or_default() {
        ReportFormat::Json => Json(report).into_response(),
        ReportFormat::Csv => file(yearly::to_csv(&report), "text/csv; charset=utf-8", "csv"),
        ReportFormat::Xlsx => file(
            yearly::to_xlsx(&report).map_err(|e| anyhow::anyhow!("writing the report: {e}"))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    })
}
