//! Spreadsheet import of people, and its template.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::IntoResponse;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiQuery, Problem, Result};
use crate::import::template::{TemplateFormat, TemplateQuery, XLSX, csv_template};
use crate::import::{self, FILE_LIMIT, ImportReport, template};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_people))
        .routes(routes!(download_template))
}

/// Import people (province board only). The body is the file itself, XLSX or CSV (UTF-8).
#[utoipa::path(post, path = "/api/v1/people/import", tag = "import",
    request_body(content = Vec<u8>, description = "An XLSX or CSV file with the template's headers",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = ImportReport),
              (status = 413, body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "Nothing imported; `errors` lists every bad row", body = Problem, content_type = "application/problem+json")))]
async fn import_people(State(state): State<AppState>, user: AuthUser, body: Body) -> Result<Json<ImportReport>> {
    let bytes = axum::body::to_bytes(body, FILE_LIMIT).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("Tệp quá lớn (tối đa {} MB).", FILE_LIMIT / 1024 / 1024),
            format!("The file is too large (at most {} MB).", FILE_LIMIT / 1024 / 1024),
        )
    })?;
    let report = import::import(&state.db, &user, bytes.into()).await?;
    // An import may deactivate people: their feed links stop answering at once.
    Ok(Json(report))
}

/// The import template, XLSX (with a sheet of accepted values) or CSV (UTF-8).
#[utoipa::path(get, path = "/api/v1/people/import/template", tag = "import", params(TemplateQuery),
    responses((status = 200, description = "The template file", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn download_template(
    State(state): State<AppState>,
    _user: AuthUser,
    ApiQuery(q): ApiQuery<TemplateQuery>,
) -> Result<impl IntoResponse> {
    let (bytes, content_type, name) = if q.format == Some(TemplateFormat::Csv) {
        (
            csv_template().into_bytes(),
            "text/csv; charset=utf-8",
            "mau-nhap-danh-sach.csv",
        )
    } else {
        let xlsx = state.db.read(async |c| template(c).await).await?;
        (xlsx, XLSX, "mau-nhap-danh-sach.xlsx")
    };
    Ok((
        [
            (CONTENT_TYPE, content_type.to_string()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    ))
}
