//! The boards' pages: coverage by district and month, a district's sessions, the yearly report.

use axum::extract::{Query, State};
use chrono::{Datelike, Utc};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

use super::layout::{clock, date, decimal, page, tr};
use super::{Page, chart};
use crate::api::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiPath, Lang, Result};
use crate::reports::coverage::Cell;
use crate::reports::yearly::{self, reason_label};
use crate::reports::{self, reported_district, valid_year};
use crate::time::ZONE;

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

impl YearQuery {
    /// The year asked for, else the year with the nearest plans (see
    /// [`reports::nearest_planned_year`]), else this year; and whether it was chosen so.
    async fn year(&self, state: &AppState, user: &AuthUser) -> Result<(i32, bool)> {
        if let Some(year) = self.year {
            return Ok((valid_year(year)?, false));
        }
        let this_year = Utc::now().with_timezone(&ZONE).year();
        let nearest = state
            .db
            .read(async |c| reports::nearest_planned_year(c, user, this_year).await)
            .await?;
        Ok((nearest.unwrap_or(this_year), true))
    }
}

/// Says which year a page opened on when none was asked.
fn chosen_year(lang: Lang, year: i32, chosen: bool) -> Markup {
    html! {
        @if chosen {
            p.note role="status" {
                (tr(lang, "Đang xem năm ", "Showing ")) (year)
                (tr(lang, ": năm gần nhất có kế hoạch. Chọn năm khác ở dưới.", ": the nearest year with plans. Pick another below."))
            }
        }
    }
}

/// Links to the year before and after, keeping the page.
fn year_switch(lang: Lang, path: &str, year: i32) -> Markup {
    html! {
        p {
            a href={ (path) "?year=" (year - 1) } { "← " (year - 1) }
            " · " strong { (tr(lang, "Năm ", "Year ")) (year) } " · "
            a href={ (path) "?year=" (year + 1) } { (year + 1) " →" }
        }
    }
}

/// A cell's background: red for none staffed through yellow to green for all; grey for none.
fn shade(rate: Option<f64>) -> String {
    match rate {
        Some(r) => format!("background:hsl({:.0},70%,85%)", r * 120.0),
        None => "background:#f0f2f5".to_string(),
    }
}

/// Sessions no published schedule has seen yet: blue, never the red of "short".
const NOT_SCHEDULED: &str = "background:#dbe7f7";

fn percent(lang: Lang, rate: Option<f64>) -> String {
    rate.map_or_else(|| "–".to_string(), |r| format!("{}%", decimal(lang, r * 100.0)))
}

/// Staffed over scheduled sessions, shaded red to green; a month nobody has scheduled yet says
/// so in blue; sessions not yet scheduled beside scheduled ones are counted apart.
fn cell(lang: Lang, c: &Cell) -> Markup {
    let title = format!(
        "{}: {} / {}; {}: {}; {}: {} / {} h",
        tr(lang, "buổi đủ người", "staffed sessions"),
        c.covered,
        c.sessions,
        tr(lang, "chưa xếp lịch", "not scheduled yet"),
        c.not_scheduled,
        tr(lang, "giờ", "hours"),
        decimal(lang, c.covered_hours),
        decimal(lang, c.hours)
    );
    let scheduled = c.scheduled();
    let rate = (scheduled > 0).then(|| c.covered as f64 / scheduled as f64);
    html! {
        @if c.sessions == 0 {
            td style=(shade(None)) {}
        } @else if scheduled == 0 {
            td.not-scheduled style=(NOT_SCHEDULED) title=(title) {
                (c.covered) "/" (c.sessions) br; span.state { (tr(lang, "chưa xếp", "not yet")) }
            }
        } @else {
            td style=(shade(rate)) title=(title) {
                (c.covered) "/" (c.sessions)
                br; span.state { (percent(lang, rate)) }
                @if c.not_scheduled > 0 {
                    br; span.state { "+" (c.not_scheduled) " " (tr(lang, "chưa xếp", "not yet")) }
                }
            }
        }
    }
}

/// Coverage by district and month, for a year.
pub async fn coverage(State(state): State<AppState>, p: Page, Query(q): Query<YearQuery>) -> Result<Markup> {
    let lang = p.lang;
    let district = reported_district(&p.user, None)?;
    let (year, chosen) = q.year(&state, &p.user).await?;
    let c = state
        .db
        .read(async |c| reports::coverage(c, &p.user, year, None).await)
        .await?;
    let mut conn = state.db.acquire().await?;
    let loads = reports::loads::of_year(conn.conn(), year, district).await?;
    drop(conn);
    let chart = chart::loads(
        &loads,
        tr(lang, "Số buổi", "Sessions"),
        tr(lang, "Phút đi lại (một chiều)", "Travel minutes (one way)"),
    )
    .map_err(|e| anyhow::anyhow!("drawing the load chart: {e}"))?;
    let body = html! {
        (chosen_year(lang, year, chosen))
        (year_switch(lang, "/coverage", year))
        p.legend {
            (tr(lang, "Mỗi ô: buổi đủ người / buổi theo kế hoạch, và tỉ lệ đủ người trong các buổi đã xếp lịch. ",
                "Each cell: staffed sessions / planned sessions, and the share staffed among those scheduled. "))
            span style=(NOT_SCHEDULED) { (tr(lang, "Chưa xếp lịch", "Not scheduled yet")) }
            span style=(shade(Some(0.0))) { (tr(lang, "Thiếu người (0%)", "Short (0%)")) }
            span style=(shade(Some(0.5))) { "50%" }
            span style=(shade(Some(1.0))) { (tr(lang, "Đủ người (100%)", "Fully staffed (100%)")) }
        }
        div.scroll tabindex="0" {
            table #coverage {
                thead { tr {
                    th { (tr(lang, "Đơn vị", "Unit")) }
                    @for m in 1..=12 { th { (tr(lang, "T", "M")) (m) } }
                    th { (tr(lang, "Cả năm", "Year")) }
                } }
                tbody {
                    @for d in &c.districts {
                        tr data-district=(d.district_id) {
                            td { a href={ "/coverage/district/" (d.district_id) "?year=" (year) } { (d.district_name) } }
                            @for m in &d.months { (cell(lang, m)) }
                            (cell(lang, &d.total))
                        }
                    }
                    tr.total {
                        th { (tr(lang, "Tổng", "Total")) }
                        @for m in &c.months { (cell(lang, m)) }
                        (cell(lang, &c.total))
                    }
                }
            }
        }
        h2 { (tr(lang, "Theo loại buổi và loại người", "By kind of session and of person")) }
        div.scroll tabindex="0" {
            table #split {
                thead { tr {
                    th { (tr(lang, "Đơn vị", "Unit")) }
                    th { (tr(lang, "Buổi lớp học (đủ / theo lịch)", "Class sessions (staffed / all)")) }
                    th { (tr(lang, "Buổi hội nghị (đủ / theo lịch)", "Briefing sessions (staffed / all)")) }
                    th { (tr(lang, "Buổi thiếu người", "Short sessions")) }
                    th { (tr(lang, "Giờ (đủ / theo lịch)", "Hours (staffed / all)")) }
                    th { (tr(lang, "Lượt GV chuyên trách", "By full-time lecturers")) }
                    th { (tr(lang, "Lượt GV kiêm chức", "By part-time lecturers")) }
                    th { (tr(lang, "Lượt báo cáo viên", "By rapporteurs")) }
                } }
                tbody {
                    @for (name, t) in c.districts.iter().map(|d| (d.district_name.as_str(), &d.total)).chain([(tr(lang, "Tổng", "Total"), &c.total)]) {
                        tr {
                            td { (name) }
                            td { (t.class_covered) " / " (t.class_sessions) }
                            td { (t.briefing_covered) " / " (t.briefing_sessions) }
                            td { (t.uncovered()) }
                            td { (decimal(lang, t.covered_hours)) " / " (decimal(lang, t.hours)) }
                            td { (t.by_full_time) }
                            td { (t.by_part_time) }
                            td { (t.by_rapporteurs) }
                        }
                    }
                }
            }
        }
        h2 { (tr(lang, "Tải theo người", "Load by person")) }
        @if loads.is_empty() {
            p.muted { (tr(lang, "Chưa có buổi nào được xếp.", "Nothing scheduled yet.")) }
        } @else {
            div #loads .scroll { (PreEscaped(chart)) }
        }
    };
    Ok(page(
        &p,
        &format!("{} {year}", tr(lang, "Bao phủ theo huyện", "Coverage by district")),
        body,
    ))
}

/// A district's sessions of a year: who takes each, and why the short ones are short.
pub async fn district(
    State(state): State<AppState>,
    p: Page,
    ApiPath(id): ApiPath<i64>,
    Query(q): Query<YearQuery>,
) -> Result<Markup> {
    let lang = p.lang;
    reported_district(&p.user, Some(id))?;
    let (year, chosen) = q.year(&state, &p.user).await?;
    let mut conn = state.db.acquire().await?;
    let (name, sessions) = reports::sessions::of_district(conn.conn(), year, id)
        .await?
        .ok_or_else(|| crate::error::ApiError::not_found("huyện", "District"))?;
    let covered = sessions.iter().filter(|s| s.short() == 0).count();
    let rate = (!sessions.is_empty()).then(|| covered as f64 / sessions.len() as f64);
    let mut months: Vec<u32> = sessions
        .iter()
        .map(|s| s.starts_at.with_timezone(&ZONE).month())
        .collect();
    months.dedup();
    let body = html! {
        (chosen_year(lang, year, chosen))
        (year_switch(lang, &format!("/coverage/district/{id}"), year))
        p {
            (tr(lang, "Buổi đủ người: ", "Staffed sessions: ")) strong { (covered) " / " (sessions.len()) }
            " (" (percent(lang, rate)) ")"
        }
        @if !months.is_empty() {
            p #print-months {
                (tr(lang, "Bản in lịch tháng (A4): ", "A month's schedule to print (A4): "))
                @for (i, m) in months.iter().enumerate() {
                    @if i > 0 { " · " }
                    a href={ "/print/district/" (id) "?month=" (year) "-" (format!("{m:02}")) } { (tr(lang, "tháng ", "month ")) (m) }
                }
            }
        }
        div.scroll tabindex="0" {
            table #sessions {
                thead { tr {
                    th { (tr(lang, "Ngày", "Date")) }
                    th { (tr(lang, "Giờ", "Time")) }
                    th { (tr(lang, "Nội dung", "Subject")) }
                    th { (tr(lang, "Địa điểm", "Venue")) }
                    th { (tr(lang, "Người phụ trách", "Taken by")) }
                    th { (tr(lang, "Tình trạng", "Status")) }
                } }
                tbody {
                    @for s in &sessions {
                        @let short = s.short();
                        tr.short[short > 0] {
                            td { (date(s.starts_at)) }
                            td { (clock(s.starts_at)) "–" (clock(s.ends_at)) }
                            td.text { (s.title) }
                            td.text { (s.venue) }
                            td.text { (s.holders.join(", ")) }
                            @if short > 0 {
                                td.text style=(shade(Some(0.0))) {
                                    (tr(lang, "Thiếu ", "Short of ")) (short) ": "
                                    (s.reason.as_deref().map_or("", |r| reason_label(r, lang)))
                                }
                            } @else {
                                td.text style=(shade(Some(1.0))) { (tr(lang, "Đủ người", "Staffed")) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&p, &name, body))
}

/// The yearly report, with its downloads.
pub async fn report(State(state): State<AppState>, p: Page, Query(q): Query<YearQuery>) -> Result<Markup> {
    let lang = p.lang;
    reported_district(&p.user, None)?;
    let (year, chosen) = q.year(&state, &p.user).await?;
    let report = state
        .db
        .read(async |c| reports::yearly(c, &p.user, year, None).await)
        .await?;
    let (header, rows) = yearly::summary(&report, lang);
    let body = html! {
        (chosen_year(lang, year, chosen))
        (year_switch(lang, "/report", year))
        (super::report_submissions::deadline_note(lang, year))
        p {
            @if p.user.is_admin() {
                a #follow href={ "/report/submissions?year=" (year) } { (tr(lang, "Theo dõi các đơn vị gửi báo cáo", "Follow the units' reports")) }
            } @else {
                a #send href={ "/report/submit?year=" (year) } { (tr(lang, "Xem xét, ghi ý kiến và gửi báo cáo về Tỉnh", "Review, add remarks and send the report to the province")) }
            }
        }
        p {
            a #csv href={ "/api/v1/reports/yearly?format=csv&year=" (year) } download { (tr(lang, "Tải CSV", "Download CSV")) }
            " · "
            a #xlsx href={ "/api/v1/reports/yearly?format=xlsx&year=" (year) } download { (tr(lang, "Tải Excel (XLSX)", "Download Excel (XLSX)")) }
            " · "
            a #print href={ "/print/report?year=" (year) } { (tr(lang, "Bản in (A4, thể thức văn bản của Đảng)", "Printable document (A4, Party layout)")) }
        }
        // The widest table: focusable so that a keyboard can scroll it.
        div.scroll tabindex="0" role="region" aria-label=(tr(lang, "Báo cáo năm", "Yearly report")) {
            table #report {
                thead { tr { @for h in &header { th { (h) } } } }
                tbody {
                    @for row in &rows {
                        tr { @for c in row {
                            @match c {
                                yearly::Cell::Text(t) => td { (t) },
                                yearly::Cell::Count(n) => td { (n) },
                                yearly::Cell::Hours(h) => td { (decimal(lang, *h)) },
                                yearly::Cell::Rate(r) => td { (percent(lang, Some(*r))) },
                            }
                        } }
                    }
                }
            }
        }
        h2 { (tr(lang, "Lớp theo chương trình", "Classes by program")) }
        div.scroll tabindex="0" {
            table #programs {
                thead { tr {
                    th { (tr(lang, "Đơn vị", "Unit")) } th { (tr(lang, "Chương trình", "Program")) }
                    th { (tr(lang, "Lớp theo kế hoạch", "Classes planned")) }
                    th { (tr(lang, "Học viên theo kế hoạch (nữ, DTTS)", "Trainees planned (women, ethnic minorities)")) }
                    th { (tr(lang, "Đã xếp đủ người, chưa học xong", "Staffed, still to come")) }
                    th { (tr(lang, "Lớp đã tổ chức", "Classes held")) }
                    th { (tr(lang, "Học viên đã học", "Trainees taught")) } th { (tr(lang, "Nữ", "Women")) }
                    th { (tr(lang, "Dân tộc thiểu số", "Ethnic minorities")) }
                } }
                tbody { @for d in report.districts.iter().chain([&report.total]) { @for x in &d.programs { tr {
                    td { (d.district_name) } td.text { (x.program_name) }
                    td { (x.classes_planned) }
                    td { (x.planned_trainees) " (" (x.planned_women) ", " (x.planned_ethnic_minority) ")" }
                    td { (x.classes_staffed) }
                    td { (x.classes_held) } td { (x.trainees) } td { (x.women) } td { (x.ethnic_minority) }
                } } } }
            }
        }
        h2 { (tr(lang, "Hội nghị theo nghị quyết", "Conferences by resolution")) }
        div.scroll tabindex="0" {
            table #resolutions {
                thead { tr {
                    th { (tr(lang, "Đơn vị", "Unit")) } th { (tr(lang, "Nghị quyết", "Resolution")) }
                    th { (tr(lang, "Hội nghị theo kế hoạch", "Planned")) }
                    th { (tr(lang, "Đã xếp đủ người, chưa diễn ra", "Staffed, still to come")) }
                    th { (tr(lang, "Đã tổ chức", "Held")) }
                    th { (tr(lang, "BCV cơ sở", "Grassroots rapporteurs")) } th { (tr(lang, "BCV cấp huyện", "District rapporteurs")) }
                    th { (tr(lang, "BCV cấp tỉnh", "Province rapporteurs")) }
                } }
                tbody { @for d in report.districts.iter().chain([&report.total]) { @for x in &d.resolutions { tr {
                    td { (d.district_name) } td.text { (x.topic_name) }
                    td { (x.conferences_planned) } td { (x.conferences_staffed) } td { (x.conferences_held) }
                    td { (x.rapporteurs_grassroots) }
                    td { (x.rapporteurs_district) } td { (x.rapporteurs_province) }
                } } } }
            }
        }
    };
    Ok(page(
        &p,
        &format!("{} {year}", tr(lang, "Báo cáo năm", "Yearly report")),
        body,
    ))
}
