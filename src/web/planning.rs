//! The province board's planning pages: start a solve run and watch it, review its draft
//! against the published schedule, change a session by hand or pin someone (with "who can take
//! this session?"), publish, and re-plan what illness or leave broke.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::Form;
use axum::extract::{Query, State};
use axum::response::Redirect;
use chrono::{Duration, NaiveDate, Utc};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

use super::Page;
use super::form::{DAY_PATTERN, DAY_PLACEHOLDER};
use super::layout::{clock, date, page, tr};
use crate::api::AppState;
use crate::db::Conn;
use crate::error::{ApiError, ApiPath, Lang, Result};
use crate::reports::yearly::reason_label;
use crate::scheduling::breaches::BrokenAssignment;
use crate::scheduling::labels::{SessionLabel, person_names, session_labels};
use crate::scheduling::problem::Scope as Period;
use crate::scheduling::runs::{DraftUncovered, SessionChange};
use crate::scheduling::{board, publish, runs};
use crate::time::ZONE;
use crate::vocab::RunStatus;

fn when(s: Option<&SessionLabel>) -> Markup {
    html! {
        @if let Some(s) = s {
            (date(s.starts_at)) " " (clock(s.starts_at)) "–" (clock(s.ends_at))
        }
    }
}

fn what(s: Option<&SessionLabel>) -> Markup {
    html! {
        @if let Some(s) = s { (s.title) br; span.muted { (s.district) } }
    }
}

/// Published assignments that break a rule today, each with the rules in words.
fn broken_table(
    id: &str,
    lang: Lang,
    list: &[BrokenAssignment],
    labels: &HashMap<i64, SessionLabel>,
    names: &HashMap<i64, String>,
) -> Markup {
    html! {
        div.scroll tabindex="0" { table id=(id) {
            thead { tr {
                th { (tr(lang, "Thời gian", "When")) } th { (tr(lang, "Buổi", "Session")) }
                th { (tr(lang, "Người", "Person")) } th { (tr(lang, "Vi phạm", "Rule broken")) }
            } }
            tbody { @for b in list { tr {
                td { (when(labels.get(&b.session_id))) }
                td.text { (what(labels.get(&b.session_id))) }
                td.text { (names.get(&b.person_id).map_or("", String::as_str)) }
                td.text { @for r in &b.rules {
                    (match lang { Lang::Vi => &r.detail, Lang::En => &r.detail_en }) br;
                } }
            } } }
        } }
    }
}

fn status_label(lang: Lang, status: RunStatus) -> &'static str {
    match (lang, status) {
        (Lang::Vi, _) => status.label(),
        (Lang::En, RunStatus::Queued) => "Waiting",
        (Lang::En, RunStatus::Running) => "Solving",
        (Lang::En, RunStatus::Finished) => "Finished",
        (Lang::En, RunStatus::Cancelled) => "Stopped",
        (Lang::En, RunStatus::Failed) => "Failed",
        (Lang::En, RunStatus::Published) => "Published",
    }
}

/// The words the page's script shows as a run goes on: every status's, and each phase's.
fn live_words(lang: Lang) -> serde_json::Value {
    let mut words: serde_json::Map<String, serde_json::Value> = RunStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), status_label(lang, *s).into()))
        .collect();
    for (key, vi, en) in [
        ("phase_queued", "đang chờ lượt", "waiting its turn"),
        ("phase_preparing", "đang chuẩn bị dữ liệu", "preparing the data"),
        (
            "phase_searching",
            "đang tìm lịch tốt hơn",
            "looking for a better schedule",
        ),
    ] {
        words.insert(key.to_string(), tr(lang, vi, en).into());
    }
    serde_json::Value::Object(words)
}

/// What the solver's answer means for the board, in words.
fn solution_words(lang: Lang, d: &runs::Draft) -> String {
    match d.solver_status {
        roster_solver::Status::Optimal => tr(
            lang,
            "Đây là lịch tốt nhất có thể: đã chứng minh không có lịch nào tốt hơn.",
            "This is the best schedule possible: proven that none is better.",
        )
        .to_string(),
        roster_solver::Status::Feasible => {
            let gap = if d.objective > 0 {
                100.0 * (d.objective - d.bound).max(0) as f64 / d.objective as f64
            } else {
                0.0
            };
            match lang {
                Lang::Vi => format!(
                    "Đây là lịch tốt nhất tìm được trong thời gian cho phép; không lịch nào có thể tốt hơn quá {}%.",
                    format!("{gap:.2}").replace('.', ",")
                ),
                Lang::En => format!(
                    "This is the best schedule found in the time allowed; no schedule can be more than {gap:.2}% better."
                ),
            }
        }
        roster_solver::Status::Error => tr(lang, "Không lập được lịch.", "No schedule could be made.").to_string(),
    }
}

/// The planning page: start a run, what needs re-planning, the runs so far.
pub async fn overview(State(state): State<AppState>, p: Page) -> Result<Markup> {
    let lang = p.lang;
    p.user.require_admin()?;
    let list = state.db.read(async |c| runs::list(c, &p.user).await).await?;
    let today = Utc::now().with_timezone(&ZONE).date_naive();
    let horizon = Period::checked(today, today + Duration::days(365), None)?;
    let mut conn = state.db.acquire().await?;
    let broken = publish::broken(conn.conn(), &horizon, None).await?;
    let ids: BTreeSet<i64> = broken.iter().map(|b| b.session_id).collect();
    let labels = session_labels(conn.conn(), &ids).await?;
    let names = person_names(conn.conn()).await?;
    let days: Vec<NaiveDate> = broken.iter().map(|b| b.starts_at.date_naive()).collect();
    let districts: BTreeSet<i64> = labels.values().map(|l| l.district_id).collect();
    let districts = districts.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let body = html! {
        h2 { (tr(lang, "Lập lịch", "Schedule")) }
        form #new-run method="post" action="/planning/runs" {
            label { (tr(lang, "Từ ngày", "From")) br; input type="text" inputmode="numeric" placeholder=(DAY_PLACEHOLDER) pattern=(DAY_PATTERN) name="from" required; }
            label { (tr(lang, "Đến hết ngày", "To (inclusive)")) br; input type="text" inputmode="numeric" placeholder=(DAY_PLACEHOLDER) pattern=(DAY_PATTERN) name="to" required; }
            label { (tr(lang, "Thời gian giải tối đa (giây)", "Time limit (seconds)")) br;
                input type="number" name="time_limit_seconds" value="60" min="1" max="3600"; }
            button type="submit" { (tr(lang, "Bắt đầu giải", "Start solving")) }
        }
        h2 { (tr(lang, "Cần xếp lại", "Needs re-planning")) }
        @if broken.is_empty() {
            p.muted { (tr(lang, "Không có buổi nào.", "Nothing.")) }
        } @else {
            (broken_table("replan", lang, &broken, &labels, &names))
            @if let (Some(first), Some(last)) = (days.iter().min(), days.iter().max()) {
                form #replan-form method="post" action="/planning/runs" {
                    input type="hidden" name="from" value=(first);
                    input type="hidden" name="to" value=(last);
                    input type="hidden" name="districts" value=(districts);
                    input type="hidden" name="time_limit_seconds" value="60";
                    button type="submit" {
                        (tr(lang, "Xếp lại từ ", "Re-plan from ")) (first.format("%d/%m/%Y"))
                        (tr(lang, " đến ", " to ")) (last.format("%d/%m/%Y"))
                    }
                }
            }
        }
        h2 { (tr(lang, "Các lượt giải", "Runs")) }
        div.scroll tabindex="0" { table #runs {
            thead { tr {
                th { "#" } th { (tr(lang, "Khoảng thời gian", "Period")) } th { (tr(lang, "Trạng thái", "Status")) }
                th { (tr(lang, "Mục tiêu", "Objective")) } th { (tr(lang, "Người tạo", "By")) }
            } }
            tbody { @for r in &list { tr {
                td { a href={ "/planning/runs/" (r.id) } { (r.id) } }
                td { (r.from.format("%d/%m/%Y")) " – " (r.to.format("%d/%m/%Y")) }
                td.text { (status_label(lang, r.status)) }
                td { @if let Some(x) = r.progress.incumbent { (x) } }
                td.text { (r.created_by) }
            } } }
        } }
    };
    Ok(page(&p, tr(lang, "Lập lịch", "Planning"), body))
}

#[derive(Deserialize)]
pub struct NewRun {
    #[serde(deserialize_with = "super::form::day")]
    from: NaiveDate,
    #[serde(deserialize_with = "super::form::day")]
    to: NaiveDate,
    /// District ids, comma-separated; all districts when absent.
    districts: Option<String>,
    time_limit_seconds: Option<f64>,
}

pub async fn start(State(state): State<AppState>, p: Page, Form(form): Form<NewRun>) -> Result<Redirect> {
    let district_ids = match form.districts.as_deref().filter(|d| !d.is_empty()) {
        None => None,
        Some(list) => Some(
            list.split(',')
                .map(|d| d.trim().parse::<i64>())
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|_| {
                    ApiError::invalid(
                        "districts",
                        "invalid_field",
                        "Danh sách huyện không hợp lệ.",
                        "Not a list of districts.",
                    )
                })?,
        ),
    };
    let input = runs::RunInput {
        from: form.from,
        to: form.to,
        district_ids,
        time_limit_seconds: form.time_limit_seconds,
    };
    let run = state.db.write(async |c| runs::create(c, &p.user, input).await).await?;
    state.runs_queued.notify_one();
    Ok(Redirect::to(&format!("/planning/runs/{}", run.id)))
}

#[derive(Deserialize)]
pub struct RunQuery {
    /// The version just published, to say so.
    published: Option<i64>,
    // The draft's review filters; blank means all.
    district: Option<String>,
    person: Option<String>,
    /// `YYYY-MM`.
    month: Option<String>,
    /// `changed` or `short`; both when blank.
    show: Option<String>,
}

impl RunQuery {
    fn id(v: &Option<String>) -> Option<i64> {
        v.as_deref().and_then(|v| v.trim().parse().ok())
    }

    fn month(&self) -> Option<&str> {
        self.month.as_deref().map(str::trim).filter(|m| !m.is_empty())
    }

    /// Whether a session of the draft passes the district and month filters.
    fn keeps(&self, label: Option<&SessionLabel>) -> bool {
        let district = Self::id(&self.district);
        label.is_some_and(|l| {
            district.is_none_or(|d| d == l.district_id) && self.month().is_none_or(|m| month_of(l) == m)
        })
    }

    fn shows(&self, part: &str) -> bool {
        matches!(self.show.as_deref(), None | Some("")) || self.show.as_deref() == Some(part)
    }
}

/// `YYYY-MM` of a session's local day.
fn month_of(l: &SessionLabel) -> String {
    l.starts_at.with_timezone(&ZONE).format("%Y-%m").to_string()
}

/// `MM/YYYY` for a reader, from `YYYY-MM`.
fn month_words(month: &str) -> String {
    month
        .split_once('-')
        .map_or(month.to_string(), |(y, m)| format!("{m}/{y}"))
}

/// Follows the run while it solves: each second the status, what the solver is doing and the
/// time since it started; the figures as the solver reports them; a reload at the end.
pub(super) const LIVE: &str = r#"
const box = document.getElementById('progress');
if (box && box.dataset.live === 'yes') {
  const words = JSON.parse(box.dataset.words);
  const show = (id, v) => { const e = document.getElementById(id); if (e) e.textContent = v ?? '–'; };
  const tick = async () => {
    const r = await fetch('/api/v1/runs/' + box.dataset.run, { credentials: 'same-origin' });
    if (r.ok) {
      const run = await r.json();
      const p = run.progress;
      if (run.status !== 'queued' && run.status !== 'running') { location.reload(); return; }
      show('status', words[run.status]);
      show('phase', run.status === 'queued' ? words.phase_queued
        : p.incumbent == null ? words.phase_preparing : words.phase_searching);
      const since = run.started_at ? (Date.now() - Date.parse(run.started_at)) / 1000 : null;
      show('elapsed', since == null ? null : Math.max(0, since).toFixed(0));
      show('incumbent', p.incumbent);
      show('bound', p.bound);
      show('gap', p.gap == null ? null : (100 * p.gap).toFixed(2) + '%');
    }
    setTimeout(tick, 1000);
  };
  tick();
}
"#;

/// A run: its progress, live while it solves; then its draft against the published schedule.
pub async fn run(
    State(state): State<AppState>,
    p: Page,
    ApiPath(id): ApiPath<i64>,
    Query(q): Query<RunQuery>,
) -> Result<Markup> {
    let lang = p.lang;
    p.user.require_admin()?;
    let mut conn = state.db.acquire().await?;
    let detail = runs::detail(conn.conn(), id, None).await?;
    let run = &detail.run;
    let live = matches!(run.status, RunStatus::Queued | RunStatus::Running);
    let mut ids: BTreeSet<i64> = BTreeSet::new();
    if let Some(d) = &detail.draft {
        ids.extend(d.changes.iter().map(|c| c.session_id));
        ids.extend(d.uncovered.iter().map(|u| u.session_id));
    }
    ids.extend(detail.set_aside.iter().map(|b| b.session_id));
    let labels = session_labels(conn.conn(), &ids).await?;
    let names = person_names(conn.conn()).await?;
    let people = |list: &[i64]| {
        list.iter()
            .map(|q| names.get(q).map_or("?", String::as_str))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // The draft under review, as the filters narrow it: its changes by month; its short
    // sessions (none when looking at one person, whose view is what changes for them).
    let person = RunQuery::id(&q.person);
    let mut changes: Vec<&SessionChange> = detail
        .draft
        .iter()
        .flat_map(|d| &d.changes)
        .filter(|c| q.keeps(labels.get(&c.session_id)))
        .filter(|c| person.is_none_or(|who| c.before.contains(&who) || c.after.contains(&who)))
        .collect();
    changes.sort_by_key(|c| labels.get(&c.session_id).map(|l| l.starts_at));
    let mut changes_by_month: BTreeMap<String, Vec<&SessionChange>> = BTreeMap::new();
    for c in &changes {
        let month = labels.get(&c.session_id).map(month_of).unwrap_or_default();
        changes_by_month.entry(month).or_default().push(c);
    }
    let short: Vec<&DraftUncovered> = detail
        .draft
        .iter()
        .flat_map(|d| &d.uncovered)
        .filter(|u| person.is_none() && q.keeps(labels.get(&u.session_id)))
        .collect();
    let g = &run.progress;
    let words = live_words(lang);
    let body = html! {
        @if let Some(v) = q.published {
            p.ok role="status" { (tr(lang, "Đã công bố phiên bản ", "Published as version ")) (v) "." }
        }
        p {
            (run.from.format("%d/%m/%Y")) " – " (run.to.format("%d/%m/%Y")) " · "
            strong #status { (status_label(lang, run.status)) }
            @if let Some(f) = &run.failure { " · " span.error { (f) } }
        }
        @if live {
            p { (tr(lang, "Đang làm: ", "Now: ")) span #phase aria-live="polite" { "…" } }
            form #cancel method="post" action={ "/planning/runs/" (id) "/cancel" } {
                button type="submit" { (tr(lang, "Dừng lượt giải", "Stop the run")) }
                " " span.muted { (tr(lang, "(giữ lịch tốt nhất đã tìm được, nếu có)", "(keeps the best schedule found so far, if any)")) }
            }
        }
        p.muted { (tr(lang,
            "Chi phí của một lịch cộng các buổi còn thiếu người, thời gian đi lại và độ chênh lệch số buổi giữa mọi người: càng thấp càng tốt.",
            "A schedule's cost adds up sessions left short, travel time and how unevenly sessions are shared: the lower the better.")) }
        table #progress data-run=(run.id) data-live=(if live { "yes" } else { "no" }) data-words=(words.to_string()) {
            tbody {
                tr { th scope="row" { (tr(lang, "Thời gian đã chạy (giây)", "Time so far (seconds)")) } td #elapsed { @if let Some(x) = g.elapsed_seconds { (format!("{x:.0}")) } } }
                tr { th scope="row" { (tr(lang, "Chi phí của lịch tốt nhất đến giờ", "Cost of the best schedule so far")) } td #incumbent { @if let Some(x) = g.incumbent { (x) } } }
                tr { th scope="row" { (tr(lang, "Không lịch nào có chi phí thấp hơn", "No schedule can cost less than")) } td #bound { @if let Some(x) = g.bound { (x) } } }
                tr { th scope="row" { (tr(lang, "Lịch tốt nhất đến giờ có thể đắt hơn lịch tối ưu nhiều nhất", "The best schedule so far costs at most this much more than the best possible")) }
                    td #gap { @if let Some(x) = g.gap { (format!("{:.2}%", 100.0 * x)) } } }
            }
        }
        @if !detail.set_aside.is_empty() {
            h2 { (tr(lang, "Buổi đã công bố không giữ nguyên", "Published sessions not held in place")) }
            p.muted { (tr(lang,
                "Các phân công đã công bố dưới đây nằm ngoài lượt giải nhưng nay vi phạm quy tắc: lượt giải không giữ chúng (thời gian của người đó vẫn được để trống) và để lại cần xếp lại.",
                "These published assignments lie outside the run but now break a rule: the run did not hold them (their people's time stays blocked) and left them to be re-planned.")) }
            (broken_table("set-aside", lang, &detail.set_aside, &labels, &names))
        }
        @if let (false, Some(d)) = (live, &detail.draft) {
            p #solution { strong { (solution_words(lang, d)) } }
            (review_filters(lang, id, &q, d, &labels, &names))
            @if q.shows("changed") {
                h2 { (tr(lang, "Thay đổi so với lịch đã công bố", "Changes from the published schedule")) }
                p.muted #shown { (tr(lang, "Đang hiện ", "Showing ")) (changes.len()) " / " (d.changes.len()) }
                @for (month, list) in &changes_by_month {
                    h3 { (tr(lang, "Tháng ", "Month ")) (month_words(month)) }
                    div.scroll tabindex="0" { table.changes data-month=(month) {
                        thead { tr {
                            th { (tr(lang, "Thời gian", "When")) } th { (tr(lang, "Buổi", "Session")) }
                            th { (tr(lang, "Trước", "Before")) } th { (tr(lang, "Sau", "After")) } th { (tr(lang, "Thao tác", "Action")) }
                        } }
                        tbody { @for c in list { tr data-session=(c.session_id) {
                            td { (when(labels.get(&c.session_id))) }
                            td.text { (what(labels.get(&c.session_id))) }
                            td.text { (people(&c.before)) }
                            td.text { (people(&c.after)) }
                            td { a href={ "/planning/runs/" (id) "/sessions/" (c.session_id) } { (tr(lang, "Ai nhận được?", "Who can take it?")) } }
                        } } }
                    } }
                }
            }
            @if q.shows("short") && !short.is_empty() {
                h2 { (tr(lang, "Buổi thiếu người", "Short sessions")) }
                div.scroll tabindex="0" { table #uncovered {
                    tbody { @for u in &short { tr {
                        td { (when(labels.get(&u.session_id))) }
                        td.text { (what(labels.get(&u.session_id))) }
                        td.text {
                            (tr(lang, "Thiếu ", "Short of ")) (u.missing) ": "
                            (reason_label(serde_json::to_value(u.reason).ok().as_ref().and_then(|v| v.as_str()).unwrap_or(""), lang))
                            br; span.muted { (reason_hint(serde_json::to_value(u.reason).ok().as_ref().and_then(|v| v.as_str()).unwrap_or(""), lang)) }
                        }
                        td { a href={ "/planning/runs/" (id) "/sessions/" (u.session_id) } { (tr(lang, "Ai nhận được?", "Who can take it?")) } }
                    } } }
                } }
            }
            @if matches!(run.status, RunStatus::Finished | RunStatus::Cancelled) {
                form #publish method="get" action={ "/planning/runs/" (id) "/publish" } {
                    button type="submit" { (tr(lang, "Công bố lịch này…", "Publish this schedule…")) }
                }
            }
        }
        script { (PreEscaped(LIVE)) }
    };
    Ok(page(&p, &format!("{} #{id}", tr(lang, "Lượt giải", "Run")), body))
}

/// The draft's filters: district, person, month, and which part to show.
fn review_filters(
    lang: Lang,
    id: i64,
    q: &RunQuery,
    d: &runs::Draft,
    labels: &HashMap<i64, SessionLabel>,
    names: &HashMap<i64, String>,
) -> Markup {
    let sessions = d
        .changes
        .iter()
        .map(|c| c.session_id)
        .chain(d.uncovered.iter().map(|u| u.session_id));
    let mut districts: BTreeMap<i64, &str> = BTreeMap::new();
    let mut months: BTreeSet<String> = BTreeSet::new();
    for l in sessions.filter_map(|s| labels.get(&s)) {
        districts.insert(l.district_id, &l.district);
        months.insert(month_of(l));
    }
    let mut people: Vec<(i64, &str)> = d
        .changes
        .iter()
        .flat_map(|c| c.before.iter().chain(&c.after))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|p| (*p, names.get(p).map_or("?", String::as_str)))
        .collect();
    people.sort_by_key(|(_, n)| crate::collation::sort_key(n));
    let chosen = |v: &Option<String>, value: String| v.as_deref() == Some(value.as_str());
    html! {
        form #review method="get" action={ "/planning/runs/" (id) } {
            label { (tr(lang, "Đơn vị", "Unit")) br;
                select name="district" {
                    option value="" { (tr(lang, "Tất cả", "All")) }
                    @for (d, name) in &districts { option value=(d) selected[chosen(&q.district, d.to_string())] { (name) } }
                } }
            label { (tr(lang, "Người (những gì thay đổi với họ)", "Person (what changes for them)")) br;
                select name="person" {
                    option value="" { (tr(lang, "Tất cả", "All")) }
                    @for (p, name) in &people { option value=(p) selected[chosen(&q.person, p.to_string())] { (name) } }
                } }
            label { (tr(lang, "Tháng", "Month")) br;
                select name="month" {
                    option value="" { (tr(lang, "Tất cả", "All")) }
                    @for m in &months { option value=(m) selected[chosen(&q.month, m.clone())] { (month_words(m)) } }
                } }
            label { (tr(lang, "Hiện", "Show")) br;
                select name="show" {
                    option value="" { (tr(lang, "Thay đổi và buổi thiếu người", "Changes and short sessions")) }
                    option value="changed" selected[chosen(&q.show, "changed".into())] { (tr(lang, "Chỉ các thay đổi", "Only changes")) }
                    option value="short" selected[chosen(&q.show, "short".into())] { (tr(lang, "Chỉ buổi thiếu người", "Only short sessions")) }
                } }
            button type="submit" { (tr(lang, "Lọc", "Filter")) }
        }
    }
}

/// Before publishing: what it changes (sessions and people), and the button that does it.
pub async fn confirm_publish(State(state): State<AppState>, p: Page, ApiPath(id): ApiPath<i64>) -> Result<Markup> {
    let lang = p.lang;
    p.user.require_admin()?;
    let mut conn = state.db.acquire().await?;
    let detail = runs::detail(conn.conn(), id, None).await?;
    let Some(draft) = &detail.draft else {
        return Err(ApiError::conflict(
            "no_draft",
            "Lượt giải này chưa có lịch để công bố; hãy chờ nó giải xong.",
            "This run has no schedule to publish yet; wait until it has finished.",
        ));
    };
    let affected: BTreeSet<i64> = draft
        .changes
        .iter()
        .flat_map(|c| {
            let (before, after): (BTreeSet<i64>, BTreeSet<i64>) =
                (c.before.iter().copied().collect(), c.after.iter().copied().collect());
            before.symmetric_difference(&after).copied().collect::<Vec<_>>()
        })
        .collect();
    let names = person_names(conn.conn()).await?;
    let mut people: Vec<&str> = affected
        .iter()
        .map(|q| names.get(q).map_or("?", String::as_str))
        .collect();
    people.sort_by_key(|n| crate::collation::sort_key(n));
    let body = html! {
        p #summary {
            (tr(lang, "Công bố sẽ thay đổi ", "Publishing changes ")) strong data-count="sessions" { (draft.changes.len()) }
            (tr(lang, " buổi và ảnh hưởng đến ", " sessions and affects ")) strong data-count="people" { (people.len()) }
            (tr(lang, " người; lịch của họ trên điện thoại sẽ cập nhật.", " people; their calendars will update."))
        }
        @if !people.is_empty() { p #affected { (people.join(", ")) } }
        @if !draft.uncovered.is_empty() {
            p.note { (tr(lang, "Vẫn còn ", "Still ")) (draft.uncovered.len()) (tr(lang, " buổi thiếu người sau khi công bố.", " sessions are short after publishing.")) }
        }
        form #confirm-publish method="post" action={ "/planning/runs/" (id) "/publish" } {
            button type="submit" { (tr(lang, "Công bố", "Publish")) }
        }
        p { a href={ "/planning/runs/" (id) } { (tr(lang, "← Xem lại các thay đổi", "← Review the changes")) } }
    };
    Ok(page(&p, tr(lang, "Công bố lịch?", "Publish the schedule?"), body))
}

pub async fn cancel_run(State(state): State<AppState>, p: Page, ApiPath(id): ApiPath<i64>) -> Result<Redirect> {
    state.db.write(async |c| runs::cancel(c, &p.user, id).await).await?;
    Ok(Redirect::to(&format!("/planning/runs/{id}")))
}

pub async fn publish_run(State(state): State<AppState>, p: Page, ApiPath(id): ApiPath<i64>) -> Result<Redirect> {
    let published = state.db.write(async |c| publish::publish(c, &p.user, id).await).await?;
    Ok(Redirect::to(&format!(
        "/planning/runs/{id}?published={}",
        published.version.id
    )))
}

/// Who can take a session, to change the draft or pin them.
/// Who takes a session in a run's draft now.
async fn draft_holders(c: Conn<'_>, run: i64, session: i64) -> Result<Vec<i64>> {
    let detail = runs::detail(c, run, None).await?;
    Ok(detail
        .draft
        .map(|d| {
            d.assignments
                .iter()
                .filter(|a| a.session_id == session)
                .map(|a| a.person_id)
                .collect()
        })
        .unwrap_or_default())
}

/// Who can take a session: give it to them in the draft, in place of someone on it or beside
/// them when it needs more people, or pin them.
pub async fn session(
    State(state): State<AppState>,
    p: Page,
    ApiPath((id, session)): ApiPath<(i64, i64)>,
) -> Result<Markup> {
    let lang = p.lang;
    let candidates = state
        .db
        .read(async |c| board::candidates(c, &p.user, session, Some(id)).await)
        .await?;
    let mut conn = state.db.acquire().await?;
    let labels = session_labels(conn.conn(), &BTreeSet::from([session])).await?;
    let label = labels.get(&session);
    let holders = draft_holders(conn.conn(), id, session).await?;
    let names = person_names(conn.conn()).await?;
    let name = |q: &i64| names.get(q).map_or("?", String::as_str);
    let room = label.is_some_and(|l| (holders.len() as i64) < l.needs);
    let body = html! {
        p { (when(label)) " · " (what(label)) }
        p {
            (tr(lang, "Trong bản nháp: ", "In the draft: "))
            @if holders.is_empty() { (tr(lang, "chưa có ai", "nobody")) }
            @else { (holders.iter().map(name).collect::<Vec<_>>().join(", ")) }
        }
        p.muted { (tr(lang, "Những người nhận được buổi này bên cạnh bản nháp đang xem, tốt nhất trước.",
                       "Who could take this session next to the draft under review, best first.")) }
        div.scroll tabindex="0" { table #candidates {
            thead { tr {
                th { (tr(lang, "Người", "Person")) } th { (tr(lang, "Đi lại (phút)", "Travel (min)")) }
                th { (tr(lang, "Số buổi trong tháng", "Sessions this month")) } th { (tr(lang, "Chi phí", "Cost")) } th { (tr(lang, "Giao cho người này", "Give to this person")) }
            } }
            tbody { @for c in &candidates { tr {
                td.text { (c.name) " " span.muted { (c.code) } }
                td { (c.travel_minutes) }
                td { (c.load) }
                td { (c.cost) }
                td.text {
                    @for h in &holders {
                        form.inline method="post" action={ "/planning/runs/" (id) "/sessions/" (session) } {
                            input type="hidden" name="person_id" value=(c.person_id);
                            input type="hidden" name="replace" value=(h);
                            button type="submit" { (tr(lang, "Thay ", "Instead of ")) (name(h)) }
                        }
                        " "
                    }
                    @if room {
                        form.inline method="post" action={ "/planning/runs/" (id) "/sessions/" (session) } {
                            input type="hidden" name="person_id" value=(c.person_id);
                            button type="submit" { (tr(lang, "Thêm vào bản nháp", "Add in the draft")) }
                        }
                        " "
                    }
                    form.inline method="post" action={ "/planning/runs/" (id) "/sessions/" (session) "/pin" } {
                        input type="hidden" name="person_id" value=(c.person_id);
                        button type="submit" { (tr(lang, "Ghim", "Pin")) }
                    }
                }
            } } }
        } }
        p { a href={ "/planning/runs/" (id) } { (tr(lang, "← Về lượt giải", "← Back to the run")) } }
    };
    Ok(page(
        &p,
        tr(lang, "Ai nhận được buổi này?", "Who can take this session?"),
        body,
    ))
}

#[derive(Deserialize)]
pub struct Chosen {
    person_id: i64,
    /// Who the chosen person replaces; none to add them beside the others.
    replace: Option<i64>,
}

pub async fn give(
    State(state): State<AppState>,
    p: Page,
    ApiPath((id, session)): ApiPath<(i64, i64)>,
    Form(form): Form<Chosen>,
) -> Result<Redirect> {
    p.user.require_admin()?;
    let mut conn = state.db.acquire().await?;
    let mut people = draft_holders(conn.conn(), id, session).await?;
    drop(conn);
    people.retain(|q| Some(*q) != form.replace && *q != form.person_id);
    people.push(form.person_id);
    state
        .db
        .write(async |c| runs::change(c, &p.user, id, session, &people).await)
        .await?;
    Ok(Redirect::to(&format!("/planning/runs/{id}")))
}

pub async fn pin(
    State(state): State<AppState>,
    p: Page,
    ApiPath((id, session)): ApiPath<(i64, i64)>,
    Form(form): Form<Chosen>,
) -> Result<Redirect> {
    state
        .db
        .write(async |c| board::pin(c, &p.user, session, form.person_id).await)
        .await?;
    Ok(Redirect::to(&format!("/planning/runs/{id}")))
}

/// What a short session's reason means for the board, and what it can do about it.
fn reason_hint(code: &str, lang: Lang) -> &'static str {
    match code {
        "no_qualified_person" => tr(
            lang,
            "Không ai có đủ vai trò, chuyên đề, trình độ và ngôn ngữ buổi này cần. Hãy giao chuyên đề cho thêm người ở trang Giảng viên, báo cáo viên.",
            "Nobody has the role, module, level and language this session needs. Give the module to more people on the lecturers' page.",
        ),
        "no_available_person" => tr(
            lang,
            "Những người đủ chuẩn đều vắng hoặc không đến được vào buổi đó. Có thể đổi ngày của buổi, hoặc hỏi lại lịch của họ.",
            "Everyone qualified is away or cannot come then. Move the session to another day, or check their availability again.",
        ),
        "all_busy" => tr(
            lang,
            "Những người đủ chuẩn đều dạy hoặc báo cáo ở buổi khác cùng giờ (tính cả thời gian đi lại).",
            "Everyone qualified teaches or briefs elsewhere at that time (travel time included).",
        ),
        "caps_reached" => tr(
            lang,
            "Những người đủ chuẩn còn rảnh đều đã đủ số buổi tối đa trong ngày, tuần hoặc tháng.",
            "Everyone qualified and free is at their most sessions for the day, week or month.",
        ),
        "not_chosen" => tr(
            lang,
            "Có người nhận được, nhưng lịch tốt nhất không chọn (vì đường xa hoặc số buổi). Bấm “Ai nhận được?” để giao tay.",
            "Someone could take it, but the best schedule did not choose them (distance or load). Use “Who can take it?” to give it by hand.",
        ),
        _ => tr(
            lang,
            "Chưa xếp lịch cho buổi này.",
            "This session has not been scheduled yet.",
        ),
    }
}
