//! The letterhead of printed documents (`/registry/letterhead`): the province board sets its
//! own and each unit's; every board reads them.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use maud::{Markup, html};
use serde::Deserialize;

use super::Page;
use super::form::{Values, all_errors, described, field_errors, is_form_error, other_errors, text_field};
use super::layout::{page, tr};
use crate::api::AppState;
use crate::error::{ApiError, Result};
use crate::registry::districts;
use crate::registry::letterheads::{self, LetterheadInput};

pub fn routes() -> Router<AppState> {
    Router::new().route("/registry/letterhead", get(show).post(save))
}

#[derive(Deserialize)]
pub struct Unit {
    /// The unit; blank or absent for the province board.
    #[serde(default)]
    unit: String,
    #[serde(default)]
    saved: Option<String>,
}

fn unit_of(text: &str) -> Result<Option<i64>> {
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| ApiError::not_found("đơn vị", "Unit"))
}

/// The `unit` parameter of a unit, or blank for the province board.
fn unit_param(unit: Option<i64>) -> String {
    unit.map_or(String::new(), |u| u.to_string())
}

const FIELDS: [&str; 7] = [
    "committee",
    "board",
    "place",
    "recipients",
    "signer_authority",
    "signer_title",
    "signer_name",
];

async fn render(
    state: &AppState,
    p: &Page,
    unit: Option<i64>,
    v: &Values,
    errors: &[ApiError],
    saved: bool,
) -> Result<Markup> {
    let lang = p.lang;
    let name = match unit {
        Some(id) => state.db.read(async |c| districts::get(c, id).await).await?.name,
        None => tr(lang, "Ban Tuyên giáo Tỉnh ủy", "The province board").to_string(),
    };
    let admin = p.user.is_admin();
    let text = |field: &str, label: &str, required: bool| text_field(lang, v, errors, field, label, "text", required);
    let (invalid, by) = described(errors, "recipients");
    let body = html! {
        @if saved { p.ok role="status" { (tr(lang, "Đã lưu.", "Saved.")) } }
        p.muted { (tr(lang, "Các văn bản in (báo cáo năm, lịch tháng, lịch học của lớp) mang tiêu đề và khối chữ ký này, theo thể thức văn bản của Đảng.",
            "Printed documents (the yearly report, a month's schedule, a class's schedule) carry this heading and signature block, in the Party's document layout.")) }
        h2 { (name) }
        form #letterhead method="post" action={ "/registry/letterhead?unit=" (unit_param(unit)) } novalidate {
            fieldset disabled[!admin] {
                legend { (tr(lang, "Tiêu đề (góc trên bên trái)", "Heading (top left)")) }
                (text("committee", tr(lang, "Cấp ủy, ví dụ TỈNH ỦY SÓC TRĂNG", "Party committee, e.g. TỈNH ỦY SÓC TRĂNG"), true))
                (text("board", tr(lang, "Cơ quan ban hành, ví dụ BAN TUYÊN GIÁO", "Issuing board, e.g. BAN TUYÊN GIÁO"), true))
                (text("place", tr(lang, "Địa danh trước ngày tháng, ví dụ Sóc Trăng", "Place before the date, e.g. Sóc Trăng"), true))
            }
            fieldset disabled[!admin] {
                legend { (tr(lang, "Nơi nhận và người ký", "Recipients and signer")) }
                label { (tr(lang, "Nơi nhận (mỗi dòng một nơi)", "Recipients (one a line)")) br;
                    textarea name="recipients" rows="6" cols="50" aria-invalid=[invalid] aria-describedby=[by] { (v.get("recipients")) } }
                (field_errors(lang, errors, "recipients"))
                (text("signer_authority", tr(lang, "Quyền hạn ký, ví dụ K/T TRƯỞNG BAN (để trống nếu người đứng đầu ký)", "Signing on behalf, e.g. K/T TRƯỞNG BAN (blank when the head signs)"), false))
                (text("signer_title", tr(lang, "Chức vụ người ký, ví dụ PHÓ TRƯỞNG BAN THƯỜNG TRỰC", "Signer's title, e.g. PHÓ TRƯỞNG BAN THƯỜNG TRỰC"), true))
                (text("signer_name", tr(lang, "Họ và tên người ký", "Signer's full name"), true))
            }
            @if admin { button type="submit" { (tr(lang, "Lưu", "Save")) } }
        }
        p { a href="/registry/units" { (tr(lang, "← Các đơn vị", "← The units")) } }
    };
    let body = html! { (other_errors(lang, errors, &FIELDS)) (body) };
    Ok(page(
        p,
        tr(lang, "Tiêu đề văn bản in", "Letterhead of printed documents"),
        body,
    ))
}

async fn show(State(state): State<AppState>, p: Page, Query(q): Query<Unit>) -> Result<Markup> {
    let unit = unit_of(&q.unit)?;
    let head = state.db.read(async |c| letterheads::get(c, unit).await).await?;
    let mut v = Values::default();
    v.set("committee", head.committee);
    v.set("board", head.board);
    v.set("place", head.place);
    v.set("recipients", head.recipients.join("\n"));
    v.set("signer_authority", head.signer_authority);
    v.set("signer_title", head.signer_title);
    v.set("signer_name", head.signer_name);
    render(&state, &p, unit, &v, &[], q.saved.is_some()).await
}

async fn save(
    State(state): State<AppState>,
    p: Page,
    Query(q): Query<Unit>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    p.user.require_admin()?;
    let unit = unit_of(&q.unit)?;
    let v = Values::from_pairs(&fields);
    let input = LetterheadInput {
        district_id: unit,
        committee: v.get("committee").to_string(),
        board: v.get("board").to_string(),
        place: v.get("place").to_string(),
        recipients: v.get("recipients").lines().map(str::to_string).collect(),
        signer_authority: v.get("signer_authority").to_string(),
        signer_title: v.get("signer_title").to_string(),
        signer_name: v.get("signer_name").to_string(),
    };
    match state
        .db
        .write(async |c| letterheads::set(c, &p.user, input).await)
        .await
    {
        Ok(_) => {
            let to = format!("/registry/letterhead?unit={}&saved=1", unit_param(unit));
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) if is_form_error(&e) => {
            let status = e.status;
            let errors = all_errors(e);
            Ok((status, render(&state, &p, unit, &v, &errors, false).await?).into_response())
        }
        Err(e) => Err(e),
    }
}
