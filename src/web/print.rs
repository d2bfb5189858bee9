//! Printed documents in the layout of a Party document (A4): the committee and its board at
//! the top left, "ĐẢNG CỘNG SẢN VIỆT NAM" with the place and date at the top right, the
//! title, the body, then "Nơi nhận" and the signature block, as the province board sets them
//! (`letterheads`). The yearly report, a unit's report as it sent it, a district's schedule of
//! a month and a class's schedule. The documents are Vietnamese whatever the reader's
//! language; only the notes on screen follow it.

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use chrono::{Datelike, NaiveDate, Utc};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

use super::Page;
use super::layout::{clock, date, decimal, tr};
use crate::api::AppState;
use crate::auth::Scope;
use crate::db::Conn;
use crate::error::{ApiError, ApiPath, Lang, Result};
use crate::registry::districts;
use crate::registry::letterheads::{self, Letterhead};
use crate::reports::sessions::{self, SessionLine};
use crate::reports::{self, reported_district, submissions, valid_year, yearly};
use crate::time::{ZONE, local_midnight};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/print/report", get(report))
        .route("/print/district/{id}", get(district_month))
        .route("/print/class/{id}", get(class))
        .route("/print/submission/{id}", get(submission))
}

/// A4 with the margins of Party documents (top and bottom 20 mm, left 30 mm, right 15 mm),
/// Times New Roman 13 pt; tables keep their rows whole and repeat their heads on each sheet.
const STYLE: &str = "
@page{size:A4;margin:20mm 15mm 20mm 30mm}
@page wide{size:A4 landscape;margin:20mm 15mm 20mm 20mm}
body{font-family:'Times New Roman','Liberation Serif','DejaVu Serif',serif;font-size:13pt;color:#000;background:#fff;margin:0}
.sheet{max-width:165mm;margin:1rem auto}
.sheet.wide{max-width:257mm;page:wide}
.heading,.closing{width:100%;border-collapse:collapse}
.heading td,.closing td{vertical-align:top;text-align:center;border:0;padding:0;width:50%}
.committee{text-transform:uppercase}
.board{font-weight:bold;text-transform:uppercase}
.party{font-weight:bold;text-decoration:underline}
.dated{font-style:italic;margin-top:.6em}
h1{font-size:14pt;text-align:center;margin:1.2em 0 .1em}
.subject{text-align:center;font-weight:bold;margin:0}
.rule{text-align:center;margin:.1em 0 1em}
h2.part{font-size:13pt;margin:1em 0 .3em}
p.remark{text-align:justify;text-indent:1.27cm;margin:.3em 0}
table.body{width:100%;border-collapse:collapse;font-size:11pt}
table.body th,table.body td{border:1px solid #000;padding:2pt 4pt;vertical-align:top;text-align:left}
table.body td.n{text-align:right}
table.body tr{break-inside:avoid}
table.body thead{display:table-header-group}
.closing{margin-top:1.5em;break-inside:avoid}
.closing td.to{text-align:left;font-size:11pt}
.closing .to strong{font-style:italic;text-decoration:underline}
.closing ul{list-style:none;margin:0;padding:0}
.signer{font-weight:bold}
.signature{height:5em}
.screen{font-family:system-ui,sans-serif;font-size:.95rem;background:#eef4fb;border:1px solid #b6cde8;padding:.5rem;max-width:165mm;margin:1rem auto}
.screen a{color:#1f5fa8}
@media print{.screen{display:none}.sheet{margin:0;max-width:none}}
";

/// "Sóc Trăng, ngày 07 tháng 12 năm 2026", or without the place when none is set.
fn dated(place: &str, day: NaiveDate) -> String {
    let words = format!("ngày {:02} tháng {:02} năm {}", day.day(), day.month(), day.year());
    if place.is_empty() {
        words
    } else {
        format!("{place}, {words}")
    }
}

/// What a document is, apart from its letterhead: its title and subject, whether it is a
/// report (numbered by hand), whether it is printed across the sheet, and the page it is
/// printed from.
struct Sheet<'a> {
    title: &'a str,
    subject: &'a str,
    numbered: bool,
    wide: bool,
    back: String,
}

/// A document: the notes on screen, then the sheet.
fn document(lang: Lang, head: &Letterhead, sheet: Sheet<'_>, body: Markup) -> Markup {
    let Sheet {
        title,
        subject,
        numbered,
        wide,
        back,
    } = sheet;
    let today = Utc::now().with_timezone(&ZONE).date_naive();
    html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                link rel="icon" href="/favicon.svg" type="image/svg+xml";
                title { (title) " – " (subject) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                div.screen role="note" lang=(lang.tag()) {
                    p { (tr(lang, "Bản để in (khổ A4). Dùng lệnh In của trình duyệt (Ctrl+P) để in hoặc lưu thành PDF.",
                        "A document to print (A4, in Vietnamese). Use the browser's Print command (Ctrl+P) to print it or save it as PDF.")) }
                    @if !head.configured {
                        p { strong { (tr(lang, "Chưa đặt tiêu đề văn bản và người ký của đơn vị: các chỗ trống để điền tay. Ban Tuyên giáo Tỉnh ủy đặt chúng ở trang Đơn vị lập kế hoạch.",
                            "The unit's letterhead and signer are not set: blanks are left to fill in by hand. The province board sets them on the units page.")) } }
                    }
                    p { a href=(back) { (tr(lang, "← Quay lại", "← Back")) } }
                }
                main.sheet.wide[wide] {
                    table.heading role="presentation" { tr {
                        td {
                            div.committee { (blank_if_empty(&head.committee)) }
                            div.board { (head.board) }
                            div { "*" }
                            @if numbered { div { "Số\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}-BC/" (issuer_initials(head)) } }
                        }
                        td {
                            div.party { "ĐẢNG CỘNG SẢN VIỆT NAM" }
                            div.dated { (dated(&head.place, today)) }
                        }
                    } }
                    h1 { (title) }
                    p.subject { (subject) }
                    p.rule { "-----" }
                    (body)
                    table.closing role="presentation" { tr {
                        td.to {
                            strong { "Nơi nhận:" }
                            ul { @for (i, r) in head.recipients.iter().enumerate() {
                                li { "- " (r) (if i + 1 == head.recipients.len() { "." } else { "," }) }
                            } }
                        }
                        td {
                            @if !head.signer_authority.is_empty() { div.signer { (head.signer_authority) } }
                            div.signer { (head.signer_title) }
                            div.signature {}
                            div.signer { (blank_if_empty(&head.signer_name)) }
                        }
                    } }
                }
            }
        }
    }
}

/// The issuer in a report's number, left blank to number by hand: the board's initials and
/// its committee's, as "BAN TUYÊN GIÁO" of "TỈNH ỦY SÓC TRĂNG" gives "BTGTU".
fn issuer_initials(head: &Letterhead) -> String {
    // The first letter without its tone or mark ("ỦY" gives "U"; "Đ" stays).
    let initials = |words: &str, n: usize| -> String {
        words
            .split_whitespace()
            .take(n)
            .filter_map(|w| w.nfd().next())
            .collect()
    };
    initials(&head.board, usize::MAX) + &initials(&head.committee, 2)
}

fn blank_if_empty(text: &str) -> &str {
    if text.is_empty() {
        "……………………"
    } else {
        text
    }
}

/// The letterhead of the reader's board: the province's, or their unit's (a center's is its
/// district's).
async fn reader_letterhead(c: Conn<'_>, scope: &Scope) -> Result<Letterhead> {
    let unit = match *scope {
        Scope::Province => None,
        Scope::District(d) | Scope::Center { district_id: d, .. } => Some(d),
        Scope::Person(_) => return Err(ApiError::forbidden()),
    };
    letterheads::get(c, unit).await
}

/// A number's cell of the printed tables.
fn count(n: i64) -> Markup {
    html! { td.n { (n) } }
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: i32,
}

/// The yearly report of the reader's scope (the province's, or a unit's), on A4 landscape.
async fn report(State(state): State<AppState>, p: Page, Query(q): Query<YearQuery>) -> Result<Markup> {
    reported_district(&p.user, None)?;
    let year = valid_year(q.year)?;
    let (report, head) = state
        .db
        .read(async |mut c| {
            let report = reports::yearly(c.reborrow(), &p.user, year, None).await?;
            Ok::<_, ApiError>((report, reader_letterhead(c, &p.user.scope).await?))
        })
        .await?;
    let rows: Vec<&yearly::DistrictYear> = report.districts.iter().chain([&report.total]).collect();
    let body = html! {
        p { "Kết quả đào tạo, bồi dưỡng lý luận chính trị và học tập, quán triệt nghị quyết năm " (year)
            ", theo kế hoạch đã được cấp ủy phê duyệt và lịch giảng đã công bố đến ngày "
            (date(Utc::now())) ":" }
        (figures_table(&rows))
    };
    let subject = format!("Kết quả thực hiện công tác đào tạo, bồi dưỡng lý luận chính trị năm {year}");
    let sheet = Sheet {
        title: "BÁO CÁO",
        subject: &subject,
        numbered: true,
        wide: true,
        back: format!("/report?year={year}"),
    };
    Ok(document(p.lang, &head, sheet, body))
}

/// The yearly figures of units as a printed table, a row each.
fn figures_table(rows: &[&yearly::DistrictYear]) -> Markup {
    let sum = |d: &yearly::DistrictYear, f: fn(&yearly::ProgramYear) -> i64| d.programs.iter().map(f).sum::<i64>();
    let conferences =
        |d: &yearly::DistrictYear, f: fn(&yearly::ResolutionYear) -> i64| d.resolutions.iter().map(f).sum::<i64>();
    html! {
        table.body #print-report {
            thead { tr {
                th { "Đơn vị" } th { "Lớp theo kế hoạch" } th { "Lớp đã xếp đủ người, chưa học xong" }
                th { "Lớp đã tổ chức" } th { "Học viên đã học" } th { "Trong đó nữ" } th { "Trong đó dân tộc thiểu số" }
                th { "Hội nghị theo kế hoạch" } th { "Hội nghị đã tổ chức" }
                th { "Buổi cần người" } th { "Buổi đủ người" } th { "Tỉ lệ" }
            } }
            tbody { @for d in rows { tr {
                td { (d.district_name) }
                (count(sum(d, |x| x.classes_planned))) (count(sum(d, |x| x.classes_staffed)))
                (count(sum(d, |x| x.classes_held))) (count(sum(d, |x| x.trainees)))
                (count(sum(d, |x| x.women))) (count(sum(d, |x| x.ethnic_minority)))
                (count(conferences(d, |x| x.conferences_planned))) (count(conferences(d, |x| x.conferences_held)))
                (count(d.sessions)) (count(d.covered_sessions))
                td.n { (decimal(Lang::Vi, d.coverage_rate * 100.0)) "\u{a0}%" }
            } } }
        }
    }
}

/// A unit's yearly report as it sent it: the figures frozen then and the board's remarks,
/// under the unit's own letterhead (it is the unit's document, whoever prints it).
async fn submission(State(state): State<AppState>, p: Page, ApiPath(id): ApiPath<i64>) -> Result<Markup> {
    let (s, head) = state
        .db
        .read(async |mut c| {
            let s = submissions::get(c.reborrow(), &p.user, id).await?;
            let head = letterheads::get(c, Some(s.district_id)).await?;
            Ok::<_, ApiError>((s, head))
        })
        .await?;
    let remarks = [
        ("I. KẾT QUẢ ĐẠT ĐƯỢC", &s.achievements),
        ("II. KHÓ KHĂN, HẠN CHẾ", &s.difficulties),
        ("III. ĐỀ XUẤT, KIẾN NGHỊ", &s.proposals),
    ];
    let body = html! {
        p { "Số liệu đến ngày " (date(s.submitted_at)) ":" }
        (figures_table(&[&s.figures]))
        @for (heading, text) in remarks {
            h2.part { (heading) }
            @for paragraph in text.lines().filter(|l| !l.trim().is_empty()) { p.remark { (paragraph) } }
        }
    };
    let subject = format!(
        "Kết quả thực hiện công tác đào tạo, bồi dưỡng lý luận chính trị năm {}",
        s.year
    );
    let sheet = Sheet {
        title: "BÁO CÁO",
        subject: &subject,
        numbered: true,
        wide: true,
        back: format!("/report/submissions/{id}"),
    };
    Ok(document(p.lang, &head, sheet, body))
}

/// The sessions as a printed table: day, time, subject, venue, people.
fn session_table(id: &str, lines: &[SessionLine]) -> Markup {
    html! {
        table.body id=(id) {
            thead { tr {
                th { "Ngày" } th { "Giờ" } th { "Nội dung" } th { "Địa điểm" } th { "Giảng viên, báo cáo viên" }
            } }
            tbody { @for s in lines { tr {
                td { (date(s.starts_at)) }
                td { (clock(s.starts_at)) "–" (clock(s.ends_at)) }
                td { (s.title) }
                td { (s.venue) }
                td { @if s.holders.is_empty() { em { "Chưa có người" } } @else { (s.holders.join(", ")) } }
            } } }
        }
    }
}

#[derive(Deserialize)]
pub struct MonthQuery {
    /// `YYYY-MM`.
    month: String,
}

/// A district's (or unit's) published schedule of one month.
async fn district_month(
    State(state): State<AppState>,
    p: Page,
    ApiPath(id): ApiPath<i64>,
    Query(q): Query<MonthQuery>,
) -> Result<Markup> {
    reported_district(&p.user, Some(id))?;
    let (first, next) = crate::time::month_range(&q.month)?;
    let year = valid_year(first.year())?;
    let (from, to) = (local_midnight(first)?, local_midnight(next)?);
    let (name, month, head) = state
        .db
        .read(async |mut c| {
            let name = districts::get(c.reborrow(), id).await?.name;
            let month = sessions::of_district_between(c.reborrow(), id, from, to).await?;
            Ok::<_, ApiError>((name, month, reader_letterhead(c, &p.user.scope).await?))
        })
        .await?;
    let body = html! {
        @if month.is_empty() { p { "Trong tháng không có buổi giảng, hội nghị nào." } }
        @else { (session_table("print-month", &month)) }
    };
    let subject = format!("{name}, tháng {:02}/{}", first.month(), first.year());
    let sheet = Sheet {
        title: "LỊCH GIẢNG DẠY, BÁO CÁO",
        subject: &subject,
        numbered: false,
        wide: false,
        back: format!("/coverage/district/{id}?year={year}"),
    };
    Ok(document(p.lang, &head, sheet, body))
}

/// A planned class's published schedule: for the province, the board of its plan's unit, and
/// its center.
async fn class(State(state): State<AppState>, p: Page, ApiPath(id): ApiPath<i64>) -> Result<Markup> {
    let (class, lines, head) = state
        .db
        .read(async |mut c| {
            let class = sessions::class(c.reborrow(), id)
                .await?
                .ok_or_else(|| ApiError::not_found("lớp", "Class"))?;
            let allowed = match p.user.scope {
                Scope::Province => true,
                Scope::District(d) => d == class.district_id,
                Scope::Center { center_id, .. } => center_id == class.center_id,
                Scope::Person(_) => false,
            };
            if !allowed {
                return Err(ApiError::forbidden());
            }
            let lines = sessions::of_class(c.reborrow(), id).await?;
            let head = reader_letterhead(c, &p.user.scope).await?;
            Ok((class, lines, head))
        })
        .await?;
    let body = html! {
        p { "Chương trình: " (class.program_name) ". Nơi tổ chức: " (class.center_name) ". Số học viên: " (class.trainees) "." }
        @if lines.is_empty() { p { "Lớp chưa có lịch học." } }
        @else { (session_table("print-class", &lines)) }
    };
    let back = match p.user.scope {
        Scope::Center { .. } => "/center".to_string(),
        _ => "/plans".to_string(),
    };
    let sheet = Sheet {
        title: "LỊCH HỌC",
        subject: &class.name,
        numbered: false,
        wide: false,
        back,
    };
    Ok(document(p.lang, &head, sheet, body))
}
