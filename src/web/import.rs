//! The spreadsheet import page: the template, an upload, and every bad row in a table.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::{Markup, html};
use serde::Deserialize;

use super::Page;
use super::form::message;
use super::layout::{page, tr};
use crate::api::AppState;
use crate::error::{ApiError, Lang, Result};
use crate::import::template::{TemplateFormat, TemplateQuery, XLSX, csv_template};
use crate::import::{self, FILE_LIMIT, RowError, template};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/import", get(form).post(upload))
        .route("/import/template", get(download_template))
        // The file, and the form's other parts.
        .layer(DefaultBodyLimit::max(FILE_LIMIT + 64 * 1024))
}

#[derive(Deserialize)]
pub struct Done {
    created: Option<usize>,
    updated: Option<usize>,
    unchanged: Option<usize>,
}

fn upload_form(lang: Lang) -> Markup {
    html! {
        p {
            (tr(lang, "Tải tệp mẫu: ", "Download the template: "))
            a href="/import/template" { "XLSX" } " · " a href="/import/template?format=csv" { "CSV" }
        }
        p.muted { (tr(lang,
            "Mỗi dòng là một người, khớp theo mã: người đã có được cập nhật, người mới được thêm. Nếu có dòng lỗi, không dòng nào được nhập.",
            "One person a row, matched by code: people already registered are updated, new ones added. If any row has an error, nothing is imported.")) }
        form #upload method="post" action="/import" enctype="multipart/form-data" {
            label { (tr(lang, "Tệp XLSX hoặc CSV (UTF-8)", "An XLSX or CSV file (UTF-8)")) br;
                input type="file" name="file" required accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"; }
            button type="submit" { (tr(lang, "Nhập", "Import")) }
        }
    }
}

pub async fn form(p: Page, Query(done): Query<Done>) -> Result<Markup> {
    p.user.require_admin()?;
    let lang = p.lang;
    let body = html! {
        @if let (Some(created), Some(updated), Some(unchanged)) = (done.created, done.updated, done.unchanged) {
            div.ok role="status" #report {
                p { (tr(lang, "Đã nhập xong.", "Imported.")) }
                ul {
                    li { (tr(lang, "Thêm mới: ", "Created: ")) strong data-count="created" { (created) } }
                    li { (tr(lang, "Cập nhật: ", "Updated: ")) strong data-count="updated" { (updated) } }
                    li { (tr(lang, "Không đổi: ", "Unchanged: ")) strong data-count="unchanged" { (unchanged) } }
                }
                p { a href="/people" { (tr(lang, "Xem danh sách giảng viên, báo cáo viên", "See the lecturers and rapporteurs")) } }
            }
        }
        (upload_form(lang))
    };
    Ok(page(&p, tr(lang, "Nhập từ bảng tính", "Spreadsheet import"), body))
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!(
            "Tệp quá lớn (tối đa {} MB); hãy chia thành nhiều tệp.",
            FILE_LIMIT / 1024 / 1024
        ),
        format!(
            "The file is too large (at most {} MB); split it into several files.",
            FILE_LIMIT / 1024 / 1024
        ),
    )
}

pub async fn upload(State(state): State<AppState>, p: Page, mut parts: Multipart) -> Result<Response> {
    p.user.require_admin()?;
    let lang = p.lang;
    let mut bytes = None;
    while let Some(field) = parts.next_field().await.map_err(|_| too_large())? {
        if field.name() == Some("file") {
            bytes = Some(field.bytes().await.map_err(|_| too_large())?.to_vec());
        }
    }
    let bytes = bytes.filter(|b| !b.is_empty()).ok_or_else(|| {
        ApiError::invalid(
            "file",
            "missing_file",
            "Hãy chọn một tệp XLSX hoặc CSV.",
            "Choose an XLSX or CSV file.",
        )
    })?;
    match import::import(&state.db, &p.user, bytes).await {
        Ok(report) => Ok(Redirect::to(&format!(
            "/import?created={}&updated={}&unchanged={}",
            report.created, report.updated, report.unchanged
        ))
        .into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let rows: Vec<RowError> = e
                .errors
                .as_deref()
                .and_then(|v| serde_json::from_value::<Vec<RowErrorIn>>(v.clone()).ok())
                .unwrap_or_default()
                .into_iter()
                .map(RowErrorIn::into_row)
                .collect();
            let body = html! {
                p.error role="alert" {
                    (message(lang, &e)) " "
                    (tr(lang, "Hãy sửa các ô dưới đây trong tệp rồi nhập lại cả tệp.", "Correct the cells below in the file, then import the whole file again."))
                }
                @if !rows.is_empty() {
                    div.scroll tabindex="0" { table #row-errors {
                        thead { tr {
                            th scope="col" { (tr(lang, "Dòng", "Row")) }
                            th scope="col" { (tr(lang, "Cột", "Column")) }
                            th scope="col" { (tr(lang, "Giá trị", "Value")) }
                            th scope="col" { (tr(lang, "Lỗi", "What is wrong")) }
                        } }
                        tbody { @for r in &rows { tr {
                            td { (r.row) }
                            td.text { (r.column) }
                            td.text { (r.value) }
                            td.text { @if lang == Lang::Vi { (r.message) } @else { (r.message_en) } }
                        } } }
                    } }
                }
                (upload_form(lang))
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                page(&p, tr(lang, "Nhập từ bảng tính", "Spreadsheet import"), body),
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

/// A bad row as the import's answer lists it.
#[derive(Deserialize)]
struct RowErrorIn {
    row: usize,
    column: String,
    #[serde(default)]
    value: String,
    message: String,
    message_en: String,
}

impl RowErrorIn {
    fn into_row(self) -> RowError {
        RowError {
            row: self.row,
            column: self.column,
            value: self.value,
            message: self.message,
            message_en: self.message_en,
        }
    }
}

/// The same template as the API's.
pub async fn download_template(
    State(state): State<AppState>,
    p: Page,
    Query(q): Query<TemplateQuery>,
) -> Result<impl IntoResponse> {
    p.user.require_admin()?;
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
