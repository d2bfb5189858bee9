//! The yearly report sent to the province: a district board reviews and submits its report
//! with its remarks; the province follows who has submitted, reads each frozen copy and may
//! return one with a reason.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router, http::StatusCode};
use chrono::{Datelike, NaiveDate, Utc};
use maud::{Markup, html};
use serde::Deserialize;

use super::Page;
use super::form::{field_errors, other_errors};
use super::layout::{clock, date, page, tr};
use crate::api::AppState;
use crate::auth::Scope;
use crate::error::{ApiError, Lang, Result};
use crate::reports::submissions::{self, ReturnInput, Submission, SubmissionInput, UnitStatus};
use crate::reports::yearly::{self, YearlyReport};
use crate::time::ZONE;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/report/submit", get(own).post(submit))
        .route("/report/submissions", get(follow))
        .route("/report/submissions/{id}", get(show))
        .route("/report/submissions/{id}/return", post(send_back))
}

fn today() -> NaiveDate {
    Utc::now().with_timezone(&ZONE).date_naive()
}

/// The deadline of a year's report and how many days remain (or how late it is).
pub fn deadline_note(lang: Lang, year: i32) -> Markup {
    let left = submissions::days_left(year, today());
    html! {
        p #deadline {
            (tr(lang, "Hạn gửi báo cáo năm ", "The report for ")) (year)
            (tr(lang, " về Ban Tuyên giáo Tỉnh ủy: trước ngày ", " is due at the province before "))
            strong { (submissions::deadline(year).format("%d/%m/%Y")) } " – "
            @if left > 0 {
                (tr(lang, "còn ", "")) strong { (left) } (tr(lang, " ngày.", " days left."))
            } @else {
                strong.error { (tr(lang, "đã quá hạn ", "overdue by ")) (1 - left) (tr(lang, " ngày.", " days.")) }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct YearDone {
    year: Option<i32>,
    done: Option<String>,
}

impl YearDone {
    /// The year asked for, else last year (the one due next February).
    fn year(&self) -> i32 {
        self.year.unwrap_or(today().year() - 1)
    }
}

fn status_label(lang: Lang, status: &str) -> &'static str {
    match status {
        "submitted" => tr(lang, "Đã gửi", "Submitted"),
        "returned" => tr(lang, "Bị trả lại, chờ gửi lại", "Returned, to send again"),
        _ => tr(lang, "Chưa gửi", "Not submitted"),
    }
}

fn when(t: chrono::DateTime<Utc>) -> String {
    format!("{} {}", date(t), clock(t))
}

/// A year's report of one unit as a summary row (the same columns as the report).
fn summary_table(
    lang: Lang,
    id: &str,
    year: i32,
    rows: Vec<yearly::DistrictYear>,
    total: yearly::DistrictYear,
) -> Markup {
    let report = YearlyReport {
        year,
        districts: rows,
        total,
    };
    let (header, rows) = yearly::summary(&report, lang);
    html! {
        div.scroll tabindex="0" { table id=(id) {
            thead { tr { @for h in &header { th { (h) } } } }
            tbody { @for row in &rows { tr { @for c in row {
                @match c {
                    yearly::Cell::Text(t) => td { (t) },
                    yearly::Cell::Count(n) => td { (n) },
                    yearly::Cell::Hours(h) => td { (format!("{h:.1}")) },
                    yearly::Cell::Rate(r) => td { (format!("{:.1}%", r * 100.0)) },
                }
            } } } }
        } }
    }
}

fn history(lang: Lang, unit: &UnitStatus) -> Markup {
    html! {
        @if unit.submissions.is_empty() {
            p.muted { (tr(lang, "Chưa gửi lần nào.", "Nothing sent yet.")) }
        } @else {
            table.history {
                thead { tr {
                    th { (tr(lang, "Lần gửi", "Sent")) } th { (tr(lang, "Người gửi", "By")) }
                    th { (tr(lang, "Tình trạng", "Status")) } th { (tr(lang, "Bản đã gửi", "What was sent")) }
                } }
                tbody { @for s in &unit.submissions { tr {
                    td { (when(s.submitted_at)) @if s.late { " " strong.error { (tr(lang, "(muộn)", "(late)")) } } }
                    td.text { (s.submitted_by) }
                    td.text {
                        @if let (Some(at), Some(reason)) = (s.returned_at, &s.return_reason) {
                            (tr(lang, "Bị trả lại ngày ", "Returned on ")) (date(at)) ": " (reason)
                        } @else { (tr(lang, "Đã nhận", "Received")) }
                    }
                    td { a href={ "/report/submissions/" (s.id) } { (tr(lang, "Xem bản đã gửi", "See what was sent")) } }
                } } }
            }
        }
    }
}

const REMARKS: [(&str, &str, &str); 3] = [
    ("achievements", "Kết quả đạt được", "Achievements"),
    ("difficulties", "Khó khăn, hạn chế", "Difficulties"),
    ("proposals", "Đề xuất, kiến nghị", "Proposals"),
];

async fn own_page(
    state: &AppState,
    p: &Page,
    year: i32,
    done: Option<&str>,
    sent: &[(String, String)],
    errors: &[ApiError],
) -> Result<Markup> {
    let lang = p.lang;
    // Only a district's board sends its report; the province follows them.
    if !matches!(p.user.scope, Scope::District(_)) {
        return Err(ApiError::forbidden());
    }
    let follow = state
        .db
        .read(async |c| submissions::follow(c, &p.user, year, today()).await)
        .await?;
    let unit = follow.units.first().ok_or_else(ApiError::forbidden)?;
    let report = state
        .db
        .read(async |c| crate::reports::yearly(c, &p.user, year, None).await)
        .await?;
    let value = |k: &str| sent.iter().find(|(f, _)| f == k).map_or("", |(_, v)| v.as_str());
    let body = html! {
        @if done == Some("sent") { p.ok role="status" { (tr(lang, "Đã gửi báo cáo về Ban Tuyên giáo Tỉnh ủy.", "The report is sent to the province.")) } }
        (deadline_note(lang, year))
        p { (tr(lang, "Tình trạng: ", "Status: ")) strong #status { (status_label(lang, &unit.status)) }
            @if unit.late { " " strong.error { (tr(lang, "(muộn)", "(late)")) } } }
        h2 { (tr(lang, "Số liệu hiện nay", "The figures now")) }
        (summary_table(lang, "figures", year, report.districts, report.total))
        h2 { (tr(lang, "Gửi báo cáo", "Send the report")) }
        p.muted { (tr(lang, "Khi gửi, số liệu trên và ý kiến dưới đây được lưu nguyên như lúc gửi; gửi lại là một lần đính chính, các lần trước vẫn được giữ.",
            "Sending freezes the figures above and the remarks below as they are; sending again is a correction, and the earlier ones are kept.")) }
        form #submit method="post" action="/report/submit" {
            (other_errors(lang, errors, &REMARKS.map(|(f, _, _)| f)))
            input type="hidden" name="year" value=(year);
            @for (field, vi, en) in REMARKS {
                label { (tr(lang, vi, en)) br;
                    textarea name=(field) rows="4" maxlength="5000" { (value(field)) }
                    (field_errors(lang, errors, field))
                }
            }
            button type="submit" { (tr(lang, "Gửi báo cáo năm ", "Send the report for ")) (year) }
        }
        h2 { (tr(lang, "Các lần đã gửi", "Sent so far")) }
        (history(lang, unit))
    };
    Ok(page(
        p,
        &format!("{} {year}", tr(lang, "Gửi báo cáo năm", "Send the yearly report")),
        body,
    ))
}

/// A district board's own report for a year: the figures, the form, what it sent before.
async fn own(State(state): State<AppState>, p: Page, Query(q): Query<YearDone>) -> Result<Markup> {
    own_page(&state, &p, q.year(), q.done.as_deref(), &[], &[]).await
}

async fn submit(State(state): State<AppState>, p: Page, Form(fields): Form<Vec<(String, String)>>) -> Result<Response> {
    let value = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let year: i32 = value("year")
        .parse()
        .map_err(|_| ApiError::invalid("year", "invalid_year", "Năm không hợp lệ.", "Not a year."))?;
    let input = SubmissionInput {
        year,
        achievements: value("achievements"),
        difficulties: value("difficulties"),
        proposals: value("proposals"),
    };
    match state
        .db
        .write(async |c| submissions::submit(c, &p.user, input).await)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/report/submit?year={year}&done=sent")).into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let markup = own_page(&state, &p, year, None, &fields, std::slice::from_ref(&e)).await?;
            Ok((e.status, markup).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The province follows a year: who has sent, who is late, and the sum of what was sent.
async fn follow(State(state): State<AppState>, p: Page, Query(q): Query<YearDone>) -> Result<Markup> {
    let lang = p.lang;
    p.user.require_admin()?;
    let year = q.year();
    let follow = state
        .db
        .read(async |c| submissions::follow(c, &p.user, year, today()).await)
        .await?;
    let sent = follow.units.iter().filter(|u| u.status == "submitted").count();
    let standing: Vec<yearly::DistrictYear> = follow
        .units
        .iter()
        .filter(|u| u.status == "submitted")
        .filter_map(|u| u.submissions.last().map(|s| s.figures.clone()))
        .collect();
    let body = html! {
        @if q.done.as_deref() == Some("returned") { p.ok role="status" { (tr(lang, "Đã trả lại báo cáo.", "The report is returned.")) } }
        (deadline_note(lang, year))
        p { (tr(lang, "Đã nhận ", "Received from ")) strong { (sent) " / " (follow.units.len()) } (tr(lang, " đơn vị.", " units.")) }
        div.scroll tabindex="0" { table #units {
            thead { tr {
                th { (tr(lang, "Đơn vị", "Unit")) } th { (tr(lang, "Tình trạng", "Status")) }
                th { (tr(lang, "Gửi lần cuối", "Last sent")) } th { (tr(lang, "Báo cáo", "Report")) }
            } }
            tbody { @for u in &follow.units { tr.late[u.late] {
                td.text { (u.district_name) }
                td.text { (status_label(lang, &u.status)) @if u.late { " " strong.error { (tr(lang, "(muộn)", "(late)")) } } }
                td.text { @if let Some(s) = u.submissions.last() { (when(s.submitted_at)) ", " (s.submitted_by) } @else { "–" } }
                td { @if let Some(s) = u.submissions.last() { a href={ "/report/submissions/" (s.id) } { (tr(lang, "Xem", "Open")) } } }
            } } }
        } }
        h2 { (tr(lang, "Tổng hợp các báo cáo đã nhận", "The reports received, added up")) }
        (summary_table(lang, "received", year, standing, follow.submitted_total))
    };
    Ok(page(
        &p,
        &format!(
            "{} {year}",
            tr(lang, "Theo dõi báo cáo năm", "Following the yearly reports")
        ),
        body,
    ))
}

fn submission_page(p: &Page, s: &Submission, standing: bool, errors: &[ApiError]) -> Markup {
    let lang = p.lang;
    let body = html! {
        p {
            (tr(lang, "Gửi lúc ", "Sent at ")) (when(s.submitted_at)) (tr(lang, " bởi ", " by ")) (s.submitted_by)
            @if s.late { " " strong.error { (tr(lang, "(muộn)", "(late)")) } }
        }
        p { a #print href={ "/print/submission/" (s.id) } { (tr(lang, "Bản in (A4, thể thức văn bản của Đảng)", "Printable document (A4, Party layout)")) } }
        @if let (Some(at), Some(by), Some(reason)) = (s.returned_at, &s.returned_by, &s.return_reason) {
            p.error { (tr(lang, "Bị trả lại ngày ", "Returned on ")) (when(at)) (tr(lang, " bởi ", " by ")) (by) ": " (reason) }
        }
        (summary_table(lang, "figures", s.year, vec![s.figures.clone()], Default::default()))
        @for ((_, vi, en), text) in REMARKS.iter().zip([&s.achievements, &s.difficulties, &s.proposals]) {
            h2 { (tr(lang, vi, en)) }
            p.remark style="white-space:pre-line" { @if text.is_empty() { "–" } @else { (text) } }
        }
        @if p.user.is_admin() && standing {
            h2 { (tr(lang, "Trả lại báo cáo", "Return the report")) }
            form #return method="post" action={ "/report/submissions/" (s.id) "/return" } {
                label { (tr(lang, "Lý do", "Reason")) br;
                    textarea name="reason" rows="2" maxlength="1000" required {}
                    (field_errors(lang, errors, "reason"))
                }
                button type="submit" { (tr(lang, "Trả lại để đơn vị gửi lại", "Return it to be sent again")) }
            }
        }
    };
    page(
        p,
        &format!(
            "{} {} – {}",
            tr(lang, "Báo cáo năm", "Yearly report"),
            s.year,
            s.district_name
        ),
        body,
    )
}

async fn load(state: &AppState, p: &Page, id: i64) -> Result<(Submission, bool)> {
    let s = state.db.read(async |c| submissions::get(c, &p.user, id).await).await?;
    let (year, district) = (s.year, s.district_id);
    let follow = state
        .db
        .read(async |c| submissions::follow(c, &p.user, year, today()).await)
        .await?;
    let standing = follow
        .units
        .iter()
        .find(|u| u.district_id == district)
        .and_then(|u| u.submissions.last())
        .is_some_and(|last| last.id == id && last.returned_at.is_none());
    Ok((s, standing))
}

/// One submission as it was sent; the province may return the standing one.
async fn show(State(state): State<AppState>, p: Page, Path(id): Path<i64>) -> Result<Markup> {
    let (s, standing) = load(&state, &p, id).await?;
    Ok(submission_page(&p, &s, standing, &[]))
}

#[derive(Deserialize)]
pub struct ReturnForm {
    reason: String,
}

async fn send_back(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<i64>,
    Form(f): Form<ReturnForm>,
) -> Result<Response> {
    let input = ReturnInput { reason: f.reason };
    match state
        .db
        .write(async |c| submissions::send_back(c, &p.user, id, input).await)
        .await
    {
        Ok(s) => Ok(Redirect::to(&format!("/report/submissions?year={}&done=returned", s.year)).into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let (s, standing) = load(&state, &p, id).await?;
            Ok((e.status, submission_page(&p, &s, standing, std::slice::from_ref(&e))).into_response())
        }
        Err(e) => Err(e),
    }
}
