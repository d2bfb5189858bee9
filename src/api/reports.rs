//! Reports: coverage and the yearly report (JSON, CSV or XLSX).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiQuery, Problem, Result};
use crate::reports::{self, coverage, yearly};

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
#[into_params(parameter_in = Query)]
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct CoverageQuery {
    /// The calendar year, local time.
    year: i32,
    /// One district; the province board may leave it out for all.
    district_id: Option<i64>,
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
    let coverage = state
        .db
        .read(async |c| reports::coverage(c, &user, query.year, query.district_id).await)
        .await?;
    Ok(Json(coverage))
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
    let report = state
        .db
        .read(async |c| reports::yearly(c, &user, query.year, query.district_id).await)
        .await?;
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
