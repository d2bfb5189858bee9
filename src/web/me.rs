//! A lecturer's or rapporteur's own page: the coming sessions week by week, the calendar link
//! (with a QR code and a one-tap `webcal://`), a form to say when they cannot come, and the
//! absences reported, each with a way to withdraw it; a session an absence falls on is marked.

use crate::error::ApiPath;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Redirect;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

use super::Page;
use super::form::{DAY_PATTERN, DAY_PLACEHOLDER};
use super::layout::{clock, date, page, tr};
use crate::api::AppState;
use crate::auth::Scope;
use crate::error::{ApiError, Lang, Result};
use crate::feeds::links::{self, IssuedLink};
use crate::registry::availability::{self, UnavailabilityInput};
use crate::scheduling::publish::{self, Upcoming};
use crate::time::ZONE;

/// The person behind a lecturer's account; other accounts have no own page.
fn person(p: &Page) -> Result<i64> {
    match p.user.scope {
        Scope::Person(id) => Ok(id),
        _ => Err(ApiError::forbidden()),
    }
}

/// What the page says after a form was sent.
enum Notice {
    None,
    Link(IssuedLink),
    /// The days reported, first and last.
    Unavailable(NaiveDate, NaiveDate),
    Withdrawn(String),
}

/// An absence as the API shows it (`GET /api/v1/people/{id}/unavailability`).
#[derive(Deserialize)]
struct Absence {
    id: i64,
    start: DateTime<chrono::FixedOffset>,
    end: DateTime<chrono::FixedOffset>,
    reason: Option<String>,
}

impl Absence {
    fn covers(&self, s: &Upcoming) -> bool {
        self.start.to_utc() < s.ends_at && self.end.to_utc() > s.starts_at
    }

    /// Its days, local time: the last day is the one before the end's midnight.
    fn days(&self) -> String {
        let start = self.start.with_timezone(&ZONE);
        let end = self.end.with_timezone(&ZONE);
        let last = if end.time() == chrono::NaiveTime::MIN {
            end.date_naive().pred_opt().unwrap_or(end.date_naive())
        } else {
            end.date_naive()
        };
        format!("{} – {}", start.format("%d/%m/%Y"), last.format("%d/%m/%Y"))
    }
}

/// The person's absences, through the registry's own list.
async fn absences(state: &AppState, p: &Page, person: i64) -> Result<Vec<Absence>> {
    let periods = state
        .db
        .read(async |c| availability::list(c, &p.user, person).await)
        .await?;
    periods
        .into_iter()
        .map(|u| {
            serde_json::to_value(u)
                .and_then(serde_json::from_value)
                .map_err(|e| ApiError::from(anyhow::Error::from(e)))
        })
        .collect()
}

async fn render(state: &AppState, p: &Page, person: i64, notice: Notice) -> Result<Markup> {
    let lang = p.lang;
    let sessions = state.db.read(async |c| publish::upcoming(c, person).await).await?;
    let link = state.db.read(async |c| links::status(c, &p.user, person).await).await?;
    let now = Utc::now();
    let away: Vec<Absence> = absences(state, p, person)
        .await?
        .into_iter()
        .filter(|a| a.end.to_utc() > now)
        .collect();
    // Week by week (ISO weeks, local time).
    let mut weeks: Vec<((i32, u32), Vec<&Upcoming>)> = Vec::new();
    for s in &sessions {
        let week = s.starts_at.with_timezone(&ZONE).iso_week();
        let key = (week.year(), week.week());
        match weeks.last_mut() {
            Some((k, list)) if *k == key => list.push(s),
            _ => weeks.push((key, vec![s])),
        }
    }
    let body = html! {
        @match &notice {
            Notice::Unavailable(from, to) => {
                @let hit: Vec<&Upcoming> = sessions.iter().filter(|s| {
                    let day = s.starts_at.with_timezone(&ZONE).date_naive();
                    (*from..=*to).contains(&day)
                }).collect();
                div #away-notice .ok role="status" {
                    p {
                        (tr(lang, "Đã ghi nhận thời gian vắng: ", "Recorded as unavailable: "))
                        (from.format("%d/%m/%Y")) " – " (to.format("%d/%m/%Y")) "."
                    }
                    @if hit.is_empty() {
                        p { (tr(lang, "Không có buổi nào đã xếp cho bạn trong những ngày này.",
                                "None of your scheduled sessions falls on those days.")) }
                    } @else {
                        p { (tr(lang, "Những buổi đã xếp cho bạn bị ảnh hưởng:", "Your scheduled sessions it affects:")) }
                        ul { @for s in &hit {
                            li { (weekday(lang, s.starts_at)) " " (date(s.starts_at)) " " (clock(s.starts_at)) "–" (clock(s.ends_at))
                                ": " (s.topic_name) @if let Some(part_of) = &s.part_of { " (" (part_of) ")" } }
                        } }
                        p { (tr(lang, "Ban Tuyên giáo đã được báo: những buổi này đã vào danh sách cần xếp lại của Ban, để giao cho người khác.",
                                "The board has been told: these sessions are on its list to re-plan, to give them to someone else.")) }
                    }
                }
            }
            Notice::Withdrawn(when) => p.ok role="status" {
                (tr(lang, "Đã rút báo vắng ", "Withdrawn the absence ")) (when)
                (tr(lang, ". Bạn lại có thể được xếp lịch vào những ngày này.", ". You may be scheduled on those days again."))
            },
            _ => {}
        }
        h2 { (tr(lang, "Các buổi sắp tới", "Coming sessions")) }
        @if weeks.is_empty() {
            p.muted { (tr(lang, "Chưa có buổi nào được xếp.", "Nothing scheduled yet.")) }
        }
        @for ((year, week), list) in &weeks {
            h3 { (tr(lang, "Tuần ", "Week ")) (week) "/" (year) }
            div.scroll tabindex="0" { table.week {
                tbody {
                    @for s in list {
                        @let away_then = away.iter().any(|a| a.covers(s));
                        tr.away[away_then] {
                            td.text {
                                (weekday(lang, s.starts_at)) " " (date(s.starts_at))
                                @if away_then {
                                    br; strong.away-mark { (tr(lang, "Trùng ngày báo vắng", "During your absence")) }
                                }
                            }
                            td { (clock(s.starts_at)) "–" (clock(s.ends_at)) }
                            td.text {
                                (s.topic_name)
                                @if let Some(part_of) = &s.part_of { br; span.muted { (part_of) } }
                            }
                            td.text { (s.venue) ", " (s.district_name) }
                        }
                    }
                }
            } }
        }
        h2 { (tr(lang, "Lịch trên điện thoại", "Calendar on your phone")) }
        @match &notice {
            Notice::Link(l) => {
                p.ok {
                    (tr(lang, "Đường dẫn mới (chỉ hiện một lần; đường dẫn cũ không còn dùng được):",
                        "Your new link (shown once; the old one no longer works):"))
                }
                p { a #webcal href=(l.webcal) { (tr(lang, "Thêm vào lịch điện thoại", "Add to your phone's calendar")) } }
                p { code #https { (l.https) } }
                div #qr style="max-width:240px" { (PreEscaped(&l.qr_svg)) }
            }
            _ => {
                @if let Some(issued) = link.issued_at {
                    p { (tr(lang, "Đường dẫn lịch đã tạo ngày ", "Your calendar link was made on ")) (date(issued)) "." }
                } @else {
                    p { (tr(lang, "Chưa có đường dẫn lịch.", "You have no calendar link yet.")) }
                }
            }
        }
        form method="post" action="/my/feed" {
            button type="submit" { (tr(lang, "Tạo đường dẫn lịch mới", "Make a new calendar link")) }
        }
        h2 { (tr(lang, "Báo vắng", "Unavailable")) }
        @if away.is_empty() {
            p.muted { (tr(lang, "Bạn chưa báo vắng ngày nào sắp tới.", "You have reported no coming absence.")) }
        } @else {
            div.scroll tabindex="0" {
                table #absences {
                    thead {
                        tr {
                            th scope="col" { (tr(lang, "Ngày vắng", "Days away")) }
                            th scope="col" { (tr(lang, "Lý do", "Reason")) }
                            th scope="col" { (tr(lang, "Buổi đã xếp bị ảnh hưởng", "Scheduled sessions affected")) }
                            th scope="col" { (tr(lang, "Rút lại", "Withdraw")) }
                        }
                    }
                    tbody {
                        @for a in &away {
                            @let hit = sessions.iter().filter(|s| a.covers(s)).count();
                            tr data-absence=(a.id) {
                                th scope="row" { (a.days()) }
                                td.text { (a.reason.as_deref().unwrap_or("—")) }
                                td { (hit) }
                                td.text {
                                    form.inline method="post" action={ "/my/unavailability/" (a.id) "/withdraw" } {
                                        button type="submit" { (tr(lang, "Rút báo vắng ", "Withdraw ")) (a.days()) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p.muted {
                (tr(lang, "Rút báo vắng khi bạn lại đến được; các buổi đã xếp vẫn giữ nguyên cho đến khi Ban Tuyên giáo xếp lại.",
                    "Withdraw an absence when you can come after all; scheduled sessions stay as they are until the board re-plans."))
            }
        }
        h3 { (tr(lang, "Báo thêm ngày vắng", "Report an absence")) }
        form method="post" action="/my/unavailability" {
            label { (tr(lang, "Từ ngày", "From")) br; input type="text" inputmode="numeric" placeholder=(DAY_PLACEHOLDER) pattern=(DAY_PATTERN) name="from" required; }
            label { (tr(lang, "Đến hết ngày", "To (inclusive)")) br; input type="text" inputmode="numeric" placeholder=(DAY_PLACEHOLDER) pattern=(DAY_PATTERN) name="to" required; }
            label { (tr(lang, "Lý do", "Reason")) br; input name="reason" maxlength="200"; }
            button type="submit" { (tr(lang, "Gửi", "Send")) }
        }
    };
    Ok(page(p, tr(lang, "Lịch của tôi", "My schedule"), body))
}

fn weekday(lang: Lang, t: DateTime<Utc>) -> &'static str {
    let day = t.with_timezone(&ZONE).weekday().num_days_from_monday() as usize;
    match lang {
        Lang::Vi => [
            "Thứ Hai",
            "Thứ Ba",
            "Thứ Tư",
            "Thứ Năm",
            "Thứ Sáu",
            "Thứ Bảy",
            "Chủ Nhật",
        ][day],
        Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][day],
    }
}

/// After an unavailability was recorded or withdrawn, the page shows its days.
#[derive(Deserialize)]
pub struct Recorded {
    away_from: Option<NaiveDate>,
    away_to: Option<NaiveDate>,
    withdrawn: Option<String>,
}

pub async fn schedule(State(state): State<AppState>, p: Page, Query(q): Query<Recorded>) -> Result<Markup> {
    let person = person(&p)?;
    let notice = match (q.away_from, q.away_to) {
        (Some(from), Some(to)) => Notice::Unavailable(from, to),
        _ => match q.withdrawn {
            Some(days) => Notice::Withdrawn(days),
            None => Notice::None,
        },
    };
    render(&state, &p, person, notice).await
}

pub async fn issue_feed(State(state): State<AppState>, p: Page, headers: HeaderMap) -> Result<Markup> {
    let person = person(&p)?;
    let base_url = crate::api::base_url(&state, &headers)?;
    let link = state
        .db
        .write(async |c| links::issue(c, &p.user, person, &base_url).await)
        .await?;
    render(&state, &p, person, Notice::Link(link)).await
}

#[derive(Deserialize)]
pub struct AwayForm {
    #[serde(deserialize_with = "super::form::day")]
    from: NaiveDate,
    #[serde(deserialize_with = "super::form::day")]
    to: NaiveDate,
    reason: Option<String>,
}

pub async fn mark_unavailable(State(state): State<AppState>, p: Page, Form(form): Form<AwayForm>) -> Result<Redirect> {
    let person = person(&p)?;
    // Midnight, local time; the earliest one where history repeated it, none where it skipped it.
    let start_of = |day: NaiveDate, field: &str| {
        ZONE.from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .map(|t| t.fixed_offset())
            .ok_or_else(|| ApiError::invalid(field, "invalid_date", "Ngày không hợp lệ.", "Not a valid date."))
    };
    let end = form
        .to
        .succ_opt()
        .ok_or_else(|| ApiError::invalid("to", "invalid_date", "Ngày không hợp lệ.", "Not a valid date."))?;
    let input = UnavailabilityInput {
        start: start_of(form.from, "from")?,
        end: start_of(end, "to")?,
        reason: form.reason,
    };
    state
        .db
        .write(async |c| availability::add(c, &p.user, person, input).await)
        .await?;
    // Redirected, so that reloading the page does not send the form again.
    Ok(Redirect::to(&format!(
        "/my?away_from={}&away_to={}",
        form.from, form.to
    )))
}

/// Withdraws one of the lecturer's own absences (the registry checks that they may).
pub async fn withdraw(State(state): State<AppState>, p: Page, ApiPath(id): ApiPath<i64>) -> Result<Redirect> {
    let person = person(&p)?;
    let days = absences(&state, &p, person)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .map(|a| a.days())
        .unwrap_or_default();
    state
        .db
        .write(async |c| availability::remove(c, &p.user, person, id).await)
        .await?;
    let days: String = form_urlencoded::byte_serialize(days.as_bytes()).collect();
    Ok(Redirect::to(&format!("/my?withdrawn={days}")))
}
