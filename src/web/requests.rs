//! The requests inbox: the board of the plan's district (or the province) accepts or refuses
//! the centers' requests for lecturers, and sees the history.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Utc;
use maud::{Markup, html};
use serde::Deserialize;

use super::Page;
use super::form::{error_id, field_errors, has_error};
use super::layout::{date, page, tr};
use crate::api::AppState;
use crate::auth::Scope;
use crate::error::{ApiError, Lang, Result};
use crate::planning::requests::{self, ClassRequest, RejectInput, RequestFilter};
use crate::vocab::{HalfDay, RequestStatus};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/requests", get(inbox))
        .route("/requests/{id}/accept", post(accept))
        .route("/requests/{id}/reject", post(reject))
}

#[derive(Deserialize)]
pub struct Done {
    accepted: Option<i64>,
    rejected: Option<i64>,
}

fn half_day(lang: Lang, h: HalfDay) -> &'static str {
    match lang {
        Lang::Vi => h.label(),
        Lang::En => h.as_str(),
    }
}

fn status_text(lang: Lang, s: RequestStatus) -> &'static str {
    match lang {
        Lang::Vi => s.label(),
        Lang::En => s.as_str(),
    }
}

/// How long a request has waited, in days or hours.
fn waiting(lang: Lang, r: &ClassRequest) -> String {
    let d = Utc::now() - r.requested_at;
    if d.num_days() >= 1 {
        format!("{} {}", d.num_days(), tr(lang, "ngày", "days"))
    } else {
        format!("{} {}", d.num_hours().max(0), tr(lang, "giờ", "hours"))
    }
}

fn half_days(lang: Lang, r: &ClassRequest) -> Markup {
    html! {
        ul style="margin:0;padding-left:1rem" { @for s in &r.slots {
            li { (s.date.format("%d/%m/%Y")) " " (half_day(lang, s.half_day)) }
        } }
    }
}

/// The inbox, with the errors of one refusal beside its reason.
fn inbox_page(p: &Page, list: &[ClassRequest], refused: Option<(i64, &str, &[ApiError])>, done: &Done) -> Markup {
    let lang = p.lang;
    let decides = matches!(p.user.scope, Scope::Province | Scope::District(_));
    let (waiting_list, history): (Vec<&ClassRequest>, Vec<&ClassRequest>) =
        list.iter().partition(|r| r.status == RequestStatus::Submitted);
    let body = html! {
        @if let Some(id) = done.accepted {
            p.ok role="status" { (tr(lang, "Đã chấp nhận đề nghị số ", "Accepted request no. ")) (id) (tr(lang, "; lớp và các buổi học đã được tạo.", "; the class and its sessions are made.")) }
        }
        @if let Some(id) = done.rejected {
            p.ok role="status" { (tr(lang, "Đã từ chối đề nghị số ", "Refused request no. ")) (id) (tr(lang, "; trung tâm sẽ thấy lý do.", "; the center will see the reason.")) }
        }
        h2 { (tr(lang, "Đang chờ quyết định", "Waiting for a decision")) " (" (waiting_list.len()) ")" }
        @if waiting_list.is_empty() {
            p { (tr(lang, "Không có đề nghị nào đang chờ.", "No request is waiting.")) }
        } @else {
            div.scroll tabindex="0" { table.waiting {
                thead { tr {
                    th scope="col" { (tr(lang, "Lớp", "Class")) }
                    th scope="col" { (tr(lang, "Trung tâm", "Center")) }
                    th scope="col" { (tr(lang, "Địa điểm", "Venue")) }
                    th scope="col" { (tr(lang, "Các buổi", "Half-days")) }
                    th scope="col" { (tr(lang, "Đã chờ", "Waiting")) }
                    @if decides { th scope="col" { (tr(lang, "Quyết định", "Decision")) } }
                } }
                tbody { @for r in &waiting_list { tr data-request=(r.id) {
                    th scope="row" { (r.class_name) }
                    td.text { (r.center_name) }
                    td.text { (r.venue) }
                    td.text { (half_days(lang, r)) }
                    td.text { (waiting(lang, r)) }
                    @if decides { td.text {
                        form method="post" action={ "/requests/" (r.id) "/accept" } {
                            button type="submit" { (tr(lang, "Chấp nhận", "Accept")) }
                        }
                        @let mine = refused.filter(|(id, _, _)| *id == r.id);
                        @let errors = mine.map_or(&[][..], |(_, _, e)| e);
                        @let invalid = has_error(errors, "reason");
                        form method="post" action={ "/requests/" (r.id) "/reject" } {
                            label { (tr(lang, "Lý do từ chối (bắt buộc)", "Reason for refusing (required)")) br;
                                textarea name="reason" rows="2" required maxlength="200"
                                    aria-invalid=[invalid.then_some("true")] aria-describedby=[invalid.then(|| error_id("reason"))] {
                                    (mine.map_or("", |(_, reason, _)| reason))
                                }
                                (field_errors(lang, errors, "reason"))
                            }
                            button type="submit" { (tr(lang, "Từ chối", "Refuse")) }
                        }
                    } }
                } } }
            } }
        }
        h2 { (tr(lang, "Đã quyết định", "Decided")) }
        @if history.is_empty() {
            p { (tr(lang, "Chưa có đề nghị nào được quyết định.", "No request has been decided yet.")) }
        } @else {
            div.scroll tabindex="0" { table.history {
                thead { tr {
                    th scope="col" { (tr(lang, "Lớp", "Class")) }
                    th scope="col" { (tr(lang, "Trung tâm", "Center")) }
                    th scope="col" { (tr(lang, "Quyết định", "Decision")) }
                    th scope="col" { (tr(lang, "Người quyết định", "Decided by")) }
                    th scope="col" { (tr(lang, "Ngày", "Date")) }
                    th scope="col" { (tr(lang, "Lý do", "Reason")) }
                } }
                tbody { @for r in &history { tr data-request=(r.id) {
                    th scope="row" { (r.class_name) }
                    td.text { (r.center_name) }
                    td.text { (status_text(lang, r.status)) }
                    td.text { (r.decided_by.as_deref().unwrap_or("–")) }
                    td.text { @if let Some(t) = r.decided_at { (date(t)) } @else { "–" } }
                    td.text { (r.reason.as_deref().unwrap_or("–")) }
                } } }
            } }
        }
    };
    page(p, tr(lang, "Đề nghị giảng viên", "Requests for lecturers"), body)
}

async fn list(state: &AppState, p: &Page) -> Result<Vec<ClassRequest>> {
    state
        .db
        .read(async |c| requests::list(c, &p.user, RequestFilter { status: None }).await)
        .await
}

pub async fn inbox(State(state): State<AppState>, p: Page, Query(done): Query<Done>) -> Result<Markup> {
    let all = list(&state, &p).await?;
    Ok(inbox_page(&p, &all, None, &done))
}

pub async fn accept(State(state): State<AppState>, p: Page, Path(id): Path<i64>) -> Result<Redirect> {
    state.db.write(async |c| requests::accept(c, &p.user, id).await).await?;
    Ok(Redirect::to(&format!("/requests?accepted={id}")))
}

#[derive(Deserialize)]
pub struct Reason {
    #[serde(default)]
    reason: String,
}

pub async fn reject(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<i64>,
    Form(f): Form<Reason>,
) -> Result<Response> {
    let input = RejectInput {
        reason: f.reason.clone(),
    };
    match state
        .db
        .write(async |c| requests::reject(c, &p.user, id, input).await)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/requests?rejected={id}")).into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let errors = [ApiError::invalid(
                "reason",
                e.code,
                "Hãy ghi lý do từ chối (tối đa 200 ký tự) để trung tâm biết cần làm gì tiếp.",
                "Write the reason for refusing (up to 200 characters) so the center knows what to do next.",
            )];
            let all = list(&state, &p).await?;
            let done = Done {
                accepted: None,
                rejected: None,
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                inbox_page(&p, &all, Some((id, &f.reason, &errors)), &done),
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}
