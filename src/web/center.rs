//! A center's page: the classes of its approved plans, a request for lecturers for any of them
//! (the form offers planned classes only, with as many half-days as the program has), and each
//! request's status.

use axum::Form;
use axum::extract::{Query, State};
use axum::response::Redirect;
use chrono::{Datelike, Utc};
use maud::{Markup, html};
use serde::Deserialize;

use super::Page;
use super::form::{DAY_PATTERN, DAY_PLACEHOLDER, parse_day};
use super::layout::{page, tr};
use crate::api::AppState;
use crate::auth::Scope;
use crate::error::{ApiError, Lang, Result};
use crate::planning::plans;
use crate::planning::requests::{self, RequestInput};
use crate::planning::sessions::Slot;
use crate::time::ZONE;
use crate::vocab::{HalfDay, RequestStatus};

fn center(p: &Page) -> Result<i64> {
    match p.user.scope {
        Scope::Center { center_id, .. } => Ok(center_id),
        _ => Err(ApiError::forbidden()),
    }
}

#[derive(Deserialize)]
pub struct Sent {
    sent: Option<i64>,
}

fn status_text(lang: Lang, status: Option<RequestStatus>) -> &'static str {
    match (status, lang) {
        (None, _) => tr(lang, "Chưa đề nghị", "Not requested"),
        (Some(s), Lang::Vi) => s.label(),
        (Some(s), Lang::En) => s.as_str(),
    }
}

pub async fn classes(State(state): State<AppState>, p: Page, Query(q): Query<Sent>) -> Result<Markup> {
    let lang = p.lang;
    let center = center(&p)?;
    let this_year = Utc::now().with_timezone(&ZONE).year();
    let rows = state
        .db
        .read(async |c| plans::center_classes(c, center, this_year).await)
        .await?;
    let body = html! {
        @if let Some(id) = q.sent {
            p.ok role="status" { (tr(lang, "Đã gửi đề nghị số ", "Sent request no. ")) (id) "." }
        }
        p.muted { (tr(lang, "Các lớp trong kế hoạch đã được phê duyệt của trung tâm.", "The classes of the center's approved plans.")) }
        @if rows.is_empty() {
            p { (tr(lang, "Chưa có lớp nào.", "No classes yet.")) }
        }
        @for r in &rows {
            @let status = r.status.as_deref().and_then(RequestStatus::parse);
            section.class data-planned-class=(r.planned_class_id) {
                h2 { (r.name) }
                p {
                    (r.program_name) " · " (tr(lang, "năm ", "year ")) (r.year) " · "
                    (tr(lang, "tháng ", "months ")) (r.months) " · " (r.trainees) (tr(lang, " học viên", " trainees"))
                }
                p.status {
                    strong { (status_text(lang, status)) }
                    @if let Some(reason) = &r.reason { ": " (reason) }
                }
                @if status == Some(RequestStatus::Accepted) {
                    p { a href={ "/print/class/" (r.planned_class_id) } { (tr(lang, "Bản in lịch học của lớp (A4)", "The class's schedule to print (A4)")) } }
                }
                @if matches!(status, None | Some(RequestStatus::Rejected)) {
                    form.request method="post" action="/center/requests" {
                        input type="hidden" name="planned_class_id" value=(r.planned_class_id);
                        label { (tr(lang, "Địa điểm", "Venue")) br; input name="venue" required maxlength="200"; }
                        @for i in 0..r.half_days {
                            label {
                                (tr(lang, "Buổi ", "Half-day ")) (i + 1) br;
                                input type="text" inputmode="numeric" placeholder=(DAY_PLACEHOLDER) pattern=(DAY_PATTERN) name={ "date_" (i) } required;
                                " "
                                select name={ "half_" (i) } {
                                    @for h in HalfDay::ALL {
                                        option value=(h.as_str()) { @if lang == Lang::Vi { (h.label()) } @else { (h.as_str()) } }
                                    }
                                }
                            }
                        }
                        button type="submit" { (tr(lang, "Gửi đề nghị giảng viên", "Request lecturers")) }
                    }
                }
            }
        }
    };
    Ok(page(&p, tr(lang, "Lớp của trung tâm", "The center's classes"), body))
}

/// A request from the form: the planned class, the venue, and `date_i` / `half_i` pairs.
pub async fn request(
    State(state): State<AppState>,
    p: Page,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Redirect> {
    center(&p)?;
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let bad = |name: &str| {
        ApiError::invalid(
            name.to_string(),
            "invalid_field",
            format!("Giá trị không hợp lệ ở trường `{name}`."),
            format!("Invalid value in `{name}`."),
        )
    };
    let planned_class_id = field("planned_class_id")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| bad("planned_class_id"))?;
    let mut slots = Vec::new();
    for i in 0.. {
        let (Some(date), Some(half)) = (field(&format!("date_{i}")), field(&format!("half_{i}"))) else {
            break;
        };
        slots.push(Slot {
            date: parse_day(date).ok_or_else(|| bad(&format!("date_{i}")))?,
            half_day: HalfDay::parse(half).ok_or_else(|| bad(&format!("half_{i}")))?,
        });
    }
    let input = RequestInput {
        planned_class_id,
        venue: field("venue").unwrap_or_default().to_string(),
        district_id: None,
        slots,
    };
    let created = state
        .db
        .write(async |c| requests::create(c, &p.user, input).await)
        .await?;
    Ok(Redirect::to(&format!("/center?sent={}", created.id)))
}
