//! The units that own yearly plans and their kinds (`/registry/units`): every account reads
//! them; the province board adds a kind of unit and a unit of a kind, seated in a district
//! when it has no place of its own in the travel matrix.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router, http::StatusCode};
use maud::{Markup, html};

use super::Page;
use super::form::other_errors;
use super::layout::{page, tr};
use crate::api::AppState;
use crate::error::{ApiError, Result};
use crate::registry::districts::{self, DistrictInput};
use crate::registry::unit_kinds::{self, UnitKindInput};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/registry/units", get(show).post(add_unit))
        .route("/registry/units/kinds", post(add_kind))
}

async fn render(state: &AppState, p: &Page, errors: &[ApiError], done: bool) -> Result<Markup> {
    let lang = p.lang;
    let (kinds, units) = state
        .db
        .read(async |mut c| {
            let kinds = unit_kinds::list(c.reborrow()).await?;
            Ok::<_, ApiError>((kinds, districts::list(c).await?))
        })
        .await?;
    let kind_name = |id: Option<i64>| kinds.iter().find(|k| Some(k.id) == id).map_or("–", |k| k.name.as_str());
    let place = |id: Option<i64>| units.iter().find(|d| Some(d.id) == id).map(|d| d.name.as_str());
    let body = html! {
        @if done { p.ok role="status" { (tr(lang, "Đã lưu.", "Saved.")) } }
        (other_errors(lang, errors, &[]))
        h2 { (tr(lang, "Loại đơn vị", "Kinds of unit")) }
        table #unit-kinds {
            thead { tr { th { (tr(lang, "Mã", "Code")) } th { (tr(lang, "Tên", "Name")) } } }
            tbody { @for k in &kinds { tr { td { (k.code) } td.text { (k.name) } } } }
        }
        @if p.user.is_admin() {
            form #new-kind method="post" action="/registry/units/kinds" {
                label { (tr(lang, "Mã", "Code")) br; input name="code" required maxlength="50"; }
                label { (tr(lang, "Tên", "Name")) br; input name="name" required maxlength="200"
                    placeholder="Đảng ủy trực thuộc Tỉnh ủy"; }
                button type="submit" { (tr(lang, "Thêm loại đơn vị", "Add the kind")) }
            }
        }
        h2 { (tr(lang, "Đơn vị lập kế hoạch", "Units that draft plans")) }
        table #units {
            thead { tr {
                th { (tr(lang, "Mã", "Code")) } th { (tr(lang, "Tên", "Name")) }
                th { (tr(lang, "Loại", "Kind")) } th { (tr(lang, "Vị trí trong bảng di chuyển", "Place in the travel matrix")) }
                th { (tr(lang, "Văn bản in", "Printed documents")) }
            } }
            tbody { @for d in &units { tr {
                td { (d.code) } td.text { (d.name) } td.text { (kind_name(d.unit_kind_id)) }
                td.text { @match place(d.seat_district_id) {
                    Some(seat) => { (tr(lang, "Đặt tại ", "Seated in ")) (seat) },
                    None => { (tr(lang, "Vị trí riêng", "Its own")) },
                } }
                td.text { a href={ "/registry/letterhead?unit=" (d.id) } aria-label={ (tr(lang, "Tiêu đề văn bản in của ", "Letterhead of ")) (d.name) } {
                    (tr(lang, "Tiêu đề văn bản", "Letterhead")) } }
            } } }
        }
        p { a #province-letterhead href="/registry/letterhead" { (tr(lang, "Tiêu đề văn bản in của Ban Tuyên giáo Tỉnh ủy", "Letterhead of the province board's printed documents")) } }
        @if p.user.is_admin() {
            form #new-unit method="post" action="/registry/units" {
                label { (tr(lang, "Mã", "Code")) br; input name="code" required maxlength="50"; }
                label { (tr(lang, "Tên", "Name")) br; input name="name" required maxlength="200"
                    placeholder="Đảng ủy Khối Cơ quan tỉnh"; }
                label { (tr(lang, "Loại", "Kind")) br; select name="unit_kind_id" {
                    option value="" { "–" }
                    @for k in &kinds { option value=(k.id) { (k.name) } }
                } }
                label { (tr(lang, "Đặt trụ sở tại (khi không có vị trí riêng)", "Seated in (when it has no place of its own)")) br;
                    select name="seat_district_id" {
                        option value="" { (tr(lang, "Vị trí riêng", "Its own")) }
                        @for d in units.iter().filter(|d| d.seat_district_id.is_none()) { option value=(d.id) { (d.name) } }
                    }
                }
                button type="submit" { (tr(lang, "Thêm đơn vị", "Add the unit")) }
            }
        }
    };
    Ok(page(p, tr(lang, "Đơn vị lập kế hoạch", "Units that draft plans"), body))
}

#[derive(serde::Deserialize)]
pub struct Done {
    done: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    p: Page,
    axum::extract::Query(q): axum::extract::Query<Done>,
) -> Result<Markup> {
    render(&state, &p, &[], q.done.is_some()).await
}

/// A refusal shown above the forms (422 and 409); anything else is the error page.
async fn answer(state: &AppState, p: &Page, result: Result<()>) -> Result<Response> {
    match result {
        Ok(()) => Ok(Redirect::to("/registry/units?done=saved").into_response()),
        Err(e) if matches!(e.status, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT) => {
            let markup = render(state, p, std::slice::from_ref(&e), false).await?;
            Ok((e.status, markup).into_response())
        }
        Err(e) => Err(e),
    }
}

async fn add_kind(State(state): State<AppState>, p: Page, Form(body): Form<UnitKindInput>) -> Result<Response> {
    let result = state
        .db
        .write(async |c| unit_kinds::create(c, &p.user, body).await.map(drop))
        .await;
    answer(&state, &p, result).await
}

#[derive(serde::Deserialize)]
pub struct UnitForm {
    code: String,
    name: String,
    unit_kind_id: String,
    seat_district_id: String,
}

async fn add_unit(State(state): State<AppState>, p: Page, Form(f): Form<UnitForm>) -> Result<Response> {
    let id = |field: &str, v: &str| -> Result<Option<i64>> {
        if v.is_empty() {
            return Ok(None);
        }
        v.parse()
            .map(Some)
            .map_err(|_| ApiError::invalid(field, "invalid_field", "Giá trị không hợp lệ.", "Not a valid choice."))
    };
    let body = DistrictInput {
        code: f.code,
        name: f.name,
        unit_kind_id: id("unit_kind_id", &f.unit_kind_id)?,
        seat_district_id: id("seat_district_id", &f.seat_district_id)?,
    };
    let result = state
        .db
        .write(async |c| districts::create(c, &p.user, body).await.map(drop))
        .await;
    answer(&state, &p, result).await
}
