//! The registry's reference data: districts with their travel times, centers, topics (modules
//! and resolutions) and programs with their modules in order. Boards and centers read them;
//! the province board adds and edits them, each error shown beside its field.

use std::collections::HashMap;

use axum::Form;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;

use super::Page;
use super::form::{Values, all_errors, described, field_errors, is_form_error, other_errors, select_field, text_field};
use super::layout::{page, tr};
use super::registry::{Names, require_reader, theory_name, topic_kind_name};
use crate::api::AppState;
use crate::error::{ApiError, ApiPath, Lang, Result};
use crate::planning::programs::{self, Module, Program, ProgramInput};
use crate::registry::centers::{self, CenterInput};
use crate::registry::districts::{self, District, DistrictInput, TravelTime, TravelTimes};
use crate::registry::topics::{self, Topic, TopicInput};
use crate::vocab::{CenterKind, TheoryLevel, TopicKind};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/registry", get(overview))
        .route("/registry/travel-times", post(set_travel_time))
        .route("/registry/{kind}/new", get(new_form).post(create))
        .route("/registry/{kind}/{id}", get(edit_form).post(update))
}

/// The travel-time matrix as minutes by (from, to).
async fn travel_minutes(state: &AppState) -> Result<HashMap<(i64, i64), i32>> {
    let matrix = state.db.read(async |c| districts::travel_times(c).await).await?;
    Ok(matrix
        .entries
        .iter()
        .map(|e| ((e.from_district_id, e.to_district_id), e.minutes))
        .collect())
}

fn center_kind_name(lang: Lang, k: CenterKind) -> &'static str {
    match k {
        CenterKind::DistrictCenter => tr(lang, "Trung tâm chính trị cấp huyện", "District political center"),
        CenterKind::ProvincialSchool => tr(lang, "Trường chính trị tỉnh", "Provincial political school"),
    }
}

// ---------------------------------------------------------------------------------------
// The overview: every list, and the travel-time matrix with its editor.

#[derive(Deserialize)]
pub struct OverviewQuery {
    from: Option<i64>,
    to: Option<i64>,
    saved: Option<String>,
}

/// The travel-time editor's state: the pair chosen, what was typed and what was wrong.
struct TravelEdit {
    values: Values,
    errors: Vec<ApiError>,
}

pub async fn overview(State(state): State<AppState>, p: Page, Query(q): Query<OverviewQuery>) -> Result<Markup> {
    require_reader(&p)?;
    let names = Names::load(&state).await?;
    let programs = state.db.read(async |c| programs::list(c).await).await?;
    let minutes = travel_minutes(&state).await?;
    let mut values = Values::default();
    if let (Some(from), Some(to)) = (q.from, q.to) {
        values.set("from", from.to_string());
        values.set("to", to.to_string());
        values.set(
            "there",
            minutes.get(&(from, to)).map(i32::to_string).unwrap_or_default(),
        );
        values.set("back", minutes.get(&(to, from)).map(i32::to_string).unwrap_or_default());
    }
    let edit = TravelEdit {
        values,
        errors: Vec::new(),
    };
    Ok(render(&p, &names, &programs, &minutes, &edit, q.saved.as_deref()))
}

fn saved_message(lang: Lang, what: &str) -> Option<&'static str> {
    Some(match what {
        "travel" => tr(lang, "Đã lưu thời gian di chuyển.", "Travel times saved."),
        "districts" => tr(lang, "Đã lưu huyện.", "District saved."),
        "centers" => tr(lang, "Đã lưu trung tâm.", "Center saved."),
        "topics" => tr(lang, "Đã lưu chuyên đề / nghị quyết.", "Topic saved."),
        "programs" => tr(lang, "Đã lưu chương trình.", "Program saved."),
        _ => return None,
    })
}

fn render(
    p: &Page,
    r: &Names,
    programs: &[Program],
    minutes: &HashMap<(i64, i64), i32>,
    edit: &TravelEdit,
    saved: Option<&str>,
) -> Markup {
    let lang = p.lang;
    let admin = p.user.is_admin();
    let cell = |a: i64, b: i64| minutes.get(&(a, b)).map(|m| m.to_string());
    let edit_link = |href: String, name: &str| {
        html! { " " a href=(href) aria-label={ (tr(lang, "Sửa ", "Edit ")) (name) } { (tr(lang, "Sửa", "Edit")) } }
    };
    // Units seated in a district travel as it does: the matrix has the places only.
    let places: Vec<&District> = r.districts.iter().filter(|d| d.seat_district_id.is_none()).collect();
    let districts: Vec<(String, String)> = places.iter().map(|d| (d.id.to_string(), d.name.clone())).collect();
    let v = &edit.values;
    let (there_invalid, there_by) = described(&edit.errors, "there");
    let (back_invalid, back_by) = described(&edit.errors, "back");
    let body = html! {
        @if let Some(message) = saved.and_then(|s| saved_message(lang, s)) { p.ok role="status" { (message) } }
        h2 #districts { (tr(lang, "Huyện và thời gian di chuyển (phút)", "Districts and travel times (minutes)")) }
        @if admin { p { a href="/registry/districts/new" { (tr(lang, "+ Thêm huyện", "+ Add a district")) } } }
        p { a href="/registry/units" { (tr(lang, "Đơn vị lập kế hoạch và loại đơn vị (huyện ủy, thành ủy, đảng ủy trực thuộc Tỉnh ủy…)",
            "Units that draft plans and their kinds (district and city committees, Party committees under the province, …)")) } }
        p.muted { (tr(lang, "Hàng: đi từ; cột: đến. Ô trống: chưa có thời gian di chuyển.", "Rows: from; columns: to. A blank cell: no travel time yet.")) }
        div.scroll tabindex="0" role="region" aria-label=(tr(lang, "Thời gian di chuyển", "Travel times")) { table #travel {
            thead { tr {
                th scope="col" { (tr(lang, "Từ \\ Đến", "From \\ To")) }
                @for d in &places { th scope="col" { (d.name) } }
            } }
            tbody { @for a in &places { tr {
                th scope="row" { (a.name) " " span.muted { (a.code) }
                    @if admin { (edit_link(format!("/registry/districts/{}", a.id), &a.name)) } }
                @for b in &places { td data-from=(a.id) data-to=(b.id) {
                    @if admin && a.id != b.id {
                        a href={ "/registry?from=" (a.id) "&to=" (b.id) "#travel-edit" } aria-label={ (a.name) " → " (b.name) } {
                            (cell(a.id, b.id).unwrap_or_else(|| tr(lang, "thêm", "add").to_string()))
                        }
                    } @else { (cell(a.id, b.id).unwrap_or_default()) }
                } }
            } } }
        } }
        @if admin {
            form #travel-edit method="post" action="/registry/travel-times" novalidate {
                h3 { (tr(lang, "Sửa một ô (cả hai chiều)", "Edit one cell (both directions)")) }
                (other_errors(lang, &edit.errors, &["from", "to", "there", "back"]))
                (select_field(lang, v, &edit.errors, "from", tr(lang, "Huyện A", "District A"), &districts))
                (select_field(lang, v, &edit.errors, "to", tr(lang, "Huyện B", "District B"), &districts))
                label { (tr(lang, "Từ A đến B (phút)", "From A to B (minutes)")) br;
                    input type="number" name="there" min="0" max="1440" required value=(v.get("there"))
                        aria-invalid=[there_invalid] aria-describedby=[there_by]; }
                (field_errors(lang, &edit.errors, "there"))
                label { (tr(lang, "Từ B về A (phút; để trống: giữ nguyên)", "From B to A (minutes; blank: unchanged)")) br;
                    input type="number" name="back" min="0" max="1440" value=(v.get("back"))
                        aria-invalid=[back_invalid] aria-describedby=[back_by]; }
                (field_errors(lang, &edit.errors, "back"))
                button type="submit" { (tr(lang, "Lưu", "Save")) }
            }
        }
        h2 #centers { (tr(lang, "Trung tâm", "Centers")) }
        @if admin { p { a href="/registry/centers/new" { (tr(lang, "+ Thêm trung tâm", "+ Add a center")) } } }
        div.scroll tabindex="0" { table {
            thead { tr {
                th scope="col" { (tr(lang, "Tên", "Name")) } th scope="col" { (tr(lang, "Loại", "Kind")) }
                th scope="col" { (tr(lang, "Huyện", "District")) } th scope="col" { (tr(lang, "Liên hệ", "Contact")) }
            } }
            tbody { @for c in &r.centers { tr {
                td { (c.name) " " span.muted { (c.code) }
                    @if admin { (edit_link(format!("/registry/centers/{}", c.id), &c.name)) } }
                td.text { (center_kind_name(lang, c.kind)) }
                td.text { (r.district(Some(c.district_id))) }
                td.text { (c.contact.as_deref().unwrap_or("—"))
                    @if !c.active { br; strong { (tr(lang, "Ngừng hoạt động", "Closed")) } } }
            } } }
        } }
        h2 #topics { (tr(lang, "Chuyên đề và nghị quyết", "Modules and resolutions")) }
        @if admin { p { a href="/registry/topics/new" { (tr(lang, "+ Thêm chuyên đề hoặc nghị quyết", "+ Add a module or resolution")) } } }
        @for kind in TopicKind::ALL {
            h3 { @match kind {
                TopicKind::Module => (tr(lang, "Chuyên đề", "Modules")),
                TopicKind::Resolution => (tr(lang, "Nghị quyết", "Resolutions")),
            } }
            div.scroll tabindex="0" { table {
                thead { tr { th scope="col" { (tr(lang, "Mã", "Code")) } th scope="col" { (tr(lang, "Tên", "Name")) } } }
                tbody { @for t in r.topics.iter().filter(|t| t.kind == *kind) { tr {
                    td { (t.code) } td.text { (t.name) @if admin { (edit_link(format!("/registry/topics/{}", t.id), &t.name)) } }
                } } }
            } }
        }
        h2 #programs { (tr(lang, "Chương trình", "Programs")) }
        @if admin { p { a href="/registry/programs/new" { (tr(lang, "+ Thêm chương trình", "+ Add a program")) } } }
        @for prog in programs {
            h3 { (prog.name) " " span.muted { (prog.code) } }
            div.scroll tabindex="0" { table {
                thead { tr {
                    th scope="col" { "#" } th scope="col" { (tr(lang, "Chuyên đề", "Module")) }
                    th scope="col" { (tr(lang, "Số buổi", "Half-days")) } th scope="col" { (tr(lang, "Trình độ tối thiểu", "Minimum level")) }
                } }
                tbody { @for (i, m) in prog.modules.iter().enumerate() { tr {
                    td { (i + 1) }
                    td.text { (r.topic(m.topic_id).map_or("", |t| t.name.as_str())) }
                    td { (m.half_days) }
                    td.text { @if let Some(l) = m.min_theory_level { (theory_name(lang, l)) } @else { "—" } }
                } } }
            } }
        }
    };
    page(p, tr(lang, "Danh mục", "Reference data"), body)
}

/// Sets one pair's travel time, and the way back when given. A mistake comes back on the
/// page, beside its field, with what was typed.
pub async fn set_travel_time(
    State(state): State<AppState>,
    p: Page,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    p.user.require_admin()?;
    let values = Values::from_pairs(&fields);
    let mut errors = Vec::new();
    let id = |field: &str, errors: &mut Vec<ApiError>| -> i64 {
        values.get(field).parse().unwrap_or_else(|_| {
            errors.push(choose_again(field));
            0
        })
    };
    let (from, to) = (id("from", &mut errors), id("to", &mut errors));
    let minutes = |field: &str, errors: &mut Vec<ApiError>| -> Option<i32> {
        let text = values.get(field);
        if text.is_empty() && field == "back" {
            return None;
        }
        text.parse()
            .map_err(|_| {
                errors.push(ApiError::invalid(
                    field,
                    "invalid_minutes",
                    "Nhập số phút từ 0 đến 1440.",
                    "Enter the minutes, 0 to 1440.",
                ))
            })
            .ok()
    };
    let there = minutes("there", &mut errors);
    let back = minutes("back", &mut errors);
    if errors.is_empty() {
        let mut entries = Vec::new();
        entries.extend(there.map(|minutes| TravelTime {
            from_district_id: from,
            to_district_id: to,
            minutes,
        }));
        entries.extend(back.map(|minutes| TravelTime {
            from_district_id: to,
            to_district_id: from,
            minutes,
        }));
        let result = state
            .db
            .write(async |c| districts::set_travel_times(c, &p.user, TravelTimes { entries }).await)
            .await;
        match result {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/registry?from={from}&to={to}&saved=travel#travel-edit")).into_response(),
                );
            }
            Err(e) if is_form_error(&e) => errors = all_errors(e).into_iter().map(travel_field).collect(),
            Err(e) => return Err(e),
        }
    }
    let names = Names::load(&state).await?;
    let programs = state.db.read(async |c| programs::list(c).await).await?;
    let minutes = travel_minutes(&state).await?;
    let edit = TravelEdit { values, errors };
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        render(&p, &names, &programs, &minutes, &edit, None),
    )
        .into_response())
}

/// The travel editor's field for an error the domain gave about its entries: the first
/// entry is A → B ("there"), the second B → A ("back").
fn travel_field(mut e: ApiError) -> ApiError {
    let field = match e.field.as_deref() {
        Some("entries[0].minutes") => Some("there"),
        Some("entries[1].minutes") => Some("back"),
        Some(f) if f.ends_with("from_district_id") => Some("from"),
        Some(f) if f.ends_with("to_district_id") => Some("to"),
        _ => None,
    };
    if let Some(field) = field {
        e.field = Some(field.to_string());
    }
    e
}

fn choose_again(field: &str) -> ApiError {
    ApiError::invalid(
        field,
        "invalid_field",
        "Giá trị không hợp lệ; hãy chọn lại trong danh sách.",
        "Not a valid value; choose again from the list.",
    )
}

// ---------------------------------------------------------------------------------------
// Adding and editing a district, a center, a topic or a program.

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    District,
    Center,
    Topic,
    Program,
}

impl Kind {
    fn parse(path: &str) -> Result<Kind> {
        Ok(match path {
            "districts" => Kind::District,
            "centers" => Kind::Center,
            "topics" => Kind::Topic,
            "programs" => Kind::Program,
            _ => return Err(ApiError::not_found("trang", "page")),
        })
    }

    fn path(self) -> &'static str {
        match self {
            Kind::District => "districts",
            Kind::Center => "centers",
            Kind::Topic => "topics",
            Kind::Program => "programs",
        }
    }

    fn title(self, lang: Lang, new: bool) -> &'static str {
        match (self, new) {
            (Kind::District, true) => tr(lang, "Thêm huyện", "Add a district"),
            (Kind::District, false) => tr(lang, "Sửa huyện", "Edit a district"),
            (Kind::Center, true) => tr(lang, "Thêm trung tâm", "Add a center"),
            (Kind::Center, false) => tr(lang, "Sửa trung tâm", "Edit a center"),
            (Kind::Topic, true) => tr(lang, "Thêm chuyên đề hoặc nghị quyết", "Add a module or resolution"),
            (Kind::Topic, false) => tr(lang, "Sửa chuyên đề hoặc nghị quyết", "Edit a module or resolution"),
            (Kind::Program, _) => tr(lang, "Thêm chương trình", "Add a program"),
        }
    }
}

/// The form's values for a record.
async fn on_record(state: &AppState, kind: Kind, id: i64) -> Result<Values> {
    let mut v = Values::default();
    match kind {
        Kind::District => {
            let d = state.db.read(async |c| districts::get(c, id).await).await?;
            v.set("code", d.code);
            v.set("name", d.name);
        }
        Kind::Center => {
            let c = state.db.read(async |c| centers::get(c, id).await).await?;
            v.set("code", c.code);
            v.set("name", c.name);
            v.set("kind", c.kind.as_str().to_string());
            v.set("district_id", c.district_id.to_string());
            v.set("contact", c.contact.unwrap_or_default());
            v.set("active", if c.active { "yes" } else { "no" }.to_string());
        }
        Kind::Topic => {
            let t = state.db.read(async |c| topics::get(c, id).await).await?;
            v.set("code", t.code);
            v.set("name", t.name);
            v.set("kind", t.kind.as_str().to_string());
        }
        // Programs are added, not edited: classes already planned follow their modules.
        Kind::Program => return Err(ApiError::not_found("trang", "page")),
    }
    Ok(v)
}

/// Blank module rows a program form offers beyond those filled in.
const SPARE_MODULE_ROWS: usize = 4;

fn form(lang: Lang, kind: Kind, action: &str, v: &Values, errors: &[ApiError], r: &Names) -> Markup {
    let text = |field: &str, label: &str, required: bool| text_field(lang, v, errors, field, label, "text", required);
    let code_label = tr(
        lang,
        "Mã (chữ không dấu, số, . _ - /)",
        "Code (ASCII letters, digits, . _ - /)",
    );
    let fields = match kind {
        Kind::District => vec!["code", "name"],
        Kind::Center => vec!["code", "name", "kind", "district_id", "contact", "active"],
        Kind::Topic => vec!["code", "name", "kind"],
        Kind::Program => vec!["code", "name", "modules"],
    };
    html! {
        form #reference method="post" action=(action) novalidate {
            (other_errors(lang, errors, &fields))
            (text("name", tr(lang, "Tên", "Name"), true))
            (text("code", code_label, true))
            @match kind {
                Kind::District => {},
                Kind::Center => {
                    (select_field(lang, v, errors, "kind", tr(lang, "Loại", "Kind"),
                        &CenterKind::ALL.iter().map(|k| (k.as_str().to_string(), center_kind_name(lang, *k).to_string())).collect::<Vec<_>>()))
                    (select_field(lang, v, errors, "district_id", tr(lang, "Huyện", "District"),
                        &r.districts.iter().map(|d| (d.id.to_string(), d.name.clone())).collect::<Vec<_>>()))
                    (text("contact", tr(lang, "Liên hệ (người và số điện thoại; hiện trong lịch)", "Contact (whom to call; shown in calendars)"), false))
                    (select_field(lang, v, errors, "active", tr(lang, "Tình trạng", "Status"), &[
                        ("yes".to_string(), tr(lang, "Đang hoạt động", "Operating").to_string()),
                        ("no".to_string(), tr(lang, "Ngừng hoạt động (không nhận đề nghị mới; các buổi đã công bố được đưa ra để xếp lại)", "Closed (no new requests; its published sessions are listed for re-planning)").to_string()),
                    ]))
                },
                Kind::Topic => {
                    (select_field(lang, v, errors, "kind", tr(lang, "Loại", "Kind"),
                        &TopicKind::ALL.iter().map(|k| (k.as_str().to_string(), topic_kind_name(lang, *k).to_string())).collect::<Vec<_>>()))
                },
                Kind::Program => { (module_rows(lang, v, errors, r)) },
            }
            button type="submit" { (tr(lang, "Lưu", "Save")) }
        }
    }
}

/// The program's modules in teaching order: a row each, and spare rows for more.
fn module_rows(lang: Lang, v: &Values, errors: &[ApiError], r: &Names) -> Markup {
    let filled = v.all("topic_id").len();
    let at = |field: &str, i: usize| v.all(field).get(i).map_or("", |x| x.trim());
    let modules: Vec<&Topic> = r.topics.iter().filter(|t| t.kind == TopicKind::Module).collect();
    html! {
        fieldset {
            legend { (tr(lang, "Các chuyên đề, theo thứ tự giảng (để trống các dòng không dùng)", "Modules in teaching order (leave unused rows blank)")) }
            (field_errors(lang, errors, "modules"))
            @for i in 0..filled + SPARE_MODULE_ROWS {
                @let (topic, days, level) = (format!("modules[{i}].topic_id"), format!("modules[{i}].half_days"), format!("modules[{i}].min_theory_level"));
                @let (ti, td) = described(errors, &topic);
                @let (di, dd) = described(errors, &days);
                div.module-row {
                    label { (tr(lang, "Chuyên đề", "Module")) " " (i + 1) br;
                        select name="topic_id" aria-invalid=[ti] aria-describedby=[td] {
                            option value="" { "—" }
                            @for t in &modules { option value=(t.id) selected[at("topic_id", i) == t.id.to_string()] { (t.name) " (" (t.code) ")" } }
                        } }
                    (field_errors(lang, errors, &topic))
                    label { (tr(lang, "Số buổi", "Half-days")) br;
                        input type="number" name="half_days" min="1" max="40" value=(at("half_days", i)) aria-invalid=[di] aria-describedby=[dd]; }
                    (field_errors(lang, errors, &days))
                    label { (tr(lang, "Trình độ lý luận tối thiểu của giảng viên", "Lecturer's minimum theory level")) br;
                        select name="min_theory_level" {
                            option value="" { (tr(lang, "Không yêu cầu", "None")) }
                            @for l in TheoryLevel::ALL { option value=(l.as_str()) selected[at("min_theory_level", i) == l.as_str()] { (theory_name(lang, *l)) } }
                        } }
                    (field_errors(lang, errors, &level))
                }
            }
        }
    }
}

/// A program's modules from its rows; rows without a module are skipped, and the rest are
/// renumbered so that the domain's `modules[i]` names the i-th row shown again.
fn modules_of(v: &Values, errors: &mut Vec<ApiError>) -> (Values, Vec<Module>) {
    let mut kept = Values::default();
    let mut modules = Vec::new();
    let rows = v.all("topic_id").len().max(v.all("half_days").len());
    let at = |field: &str, i: usize| v.all(field).get(i).map_or("", |x| x.trim()).to_string();
    for i in 0..rows {
        let (topic, days, level) = (at("topic_id", i), at("half_days", i), at("min_theory_level", i));
        if topic.is_empty() && days.is_empty() {
            continue;
        }
        let n = modules.len();
        kept.add("topic_id", &topic);
        kept.add("half_days", &days);
        kept.add("min_theory_level", &level);
        let topic_id = topic.parse().unwrap_or_else(|_| {
            errors.push(choose_again(&format!("modules[{n}].topic_id")));
            0
        });
        let half_days = days.parse().unwrap_or_else(|_| {
            errors.push(ApiError::invalid(
                format!("modules[{n}].half_days"),
                "invalid_half_days",
                "Nhập số buổi, từ 1 đến 40.",
                "Enter the half-days, 1 to 40.",
            ));
            0
        });
        let min_theory_level = if level.is_empty() {
            None
        } else {
            let parsed = TheoryLevel::parse(&level);
            if parsed.is_none() {
                errors.push(choose_again(&format!("modules[{n}].min_theory_level")));
            }
            parsed
        };
        modules.push(Module {
            topic_id,
            half_days,
            min_theory_level,
        });
    }
    (kept, modules)
}

pub async fn new_form(State(state): State<AppState>, p: Page, ApiPath(kind): ApiPath<String>) -> Result<Markup> {
    p.user.require_admin()?;
    let kind = Kind::parse(&kind)?;
    let names = Names::load(&state).await?;
    let action = format!("/registry/{}/new", kind.path());
    let mut values = Values::default();
    values.set("active", "yes".to_string());
    let body = form(p.lang, kind, &action, &values, &[], &names);
    Ok(page(&p, kind.title(p.lang, true), body))
}

pub async fn edit_form(
    State(state): State<AppState>,
    p: Page,
    ApiPath((kind, id)): ApiPath<(String, i64)>,
) -> Result<Markup> {
    p.user.require_admin()?;
    let kind = Kind::parse(&kind)?;
    let values = on_record(&state, kind, id).await?;
    let names = Names::load(&state).await?;
    let action = format!("/registry/{}/{id}", kind.path());
    let body = form(p.lang, kind, &action, &values, &[], &names);
    Ok(page(&p, kind.title(p.lang, false), body))
}

pub async fn create(
    State(state): State<AppState>,
    p: Page,
    ApiPath(kind): ApiPath<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    save(&state, &p, Kind::parse(&kind)?, None, fields).await
}

pub async fn update(
    State(state): State<AppState>,
    p: Page,
    ApiPath((kind, id)): ApiPath<(String, i64)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let kind = Kind::parse(&kind)?;
    if kind == Kind::Program {
        return Err(ApiError::not_found("trang", "page"));
    }
    save(&state, &p, kind, Some(id), fields).await
}

/// Stores the form's record: back to the overview, or the form again with every error beside
/// its field.
async fn save(
    state: &AppState,
    p: &Page,
    kind: Kind,
    id: Option<i64>,
    fields: Vec<(String, String)>,
) -> Result<Response> {
    p.user.require_admin()?;
    let mut values = Values::from_pairs(&fields);
    let mut errors = Vec::new();
    let (code, name) = (values.get("code").to_string(), values.get("name").to_string());
    let user = &p.user;
    let result: Result<()> = match kind {
        Kind::District => {
            state
                .db
                .write(async |c| {
                    let mut c = c;
                    match id {
                        None => {
                            let input = DistrictInput {
                                code,
                                name,
                                unit_kind_id: None,
                                seat_district_id: None,
                            };
                            districts::create(c, user, input).await.map(drop)
                        }
                        // A unit's kind and seat are kept here and changed on its own page.
                        Some(id) => {
                            let before = districts::get(c.reborrow(), id).await?;
                            let input = DistrictInput {
                                code,
                                name,
                                unit_kind_id: before.unit_kind_id,
                                seat_district_id: before.seat_district_id,
                            };
                            districts::update(c, user, id, input).await.map(drop)
                        }
                    }
                })
                .await
        }
        Kind::Center => {
            let kind = CenterKind::parse(values.get("kind"));
            let district_id = values.get("district_id").parse().ok();
            match (kind, district_id) {
                (Some(kind), Some(district_id)) => {
                    let contact = Some(values.get("contact").to_string()).filter(|c| !c.is_empty());
                    let input = CenterInput {
                        code,
                        name,
                        kind,
                        district_id,
                        contact,
                        active: values.get("active") != "no",
                    };
                    state
                        .db
                        .write(async |c| match id {
                            None => centers::create(c, user, input).await.map(drop),
                            Some(id) => centers::update(c, user, id, input).await.map(drop),
                        })
                        .await
                }
                (kind, district_id) => {
                    errors.extend(kind.is_none().then(|| choose_again("kind")));
                    errors.extend(district_id.is_none().then(|| choose_again("district_id")));
                    Ok(())
                }
            }
        }
        Kind::Topic => match TopicKind::parse(values.get("kind")) {
            Some(kind) => {
                let input = TopicInput { code, name, kind };
                state
                    .db
                    .write(async |c| match id {
                        None => topics::create(c, user, input).await.map(drop),
                        Some(id) => topics::update(c, user, id, input).await.map(drop),
                    })
                    .await
            }
            None => {
                errors.push(choose_again("kind"));
                Ok(())
            }
        },
        Kind::Program => {
            let (rows, modules) = modules_of(&values, &mut errors);
            for field in ["topic_id", "half_days", "min_theory_level"] {
                values.set_all(field, rows.all(field));
            }
            if errors.is_empty() {
                let input = ProgramInput { code, name, modules };
                state
                    .db
                    .write(async |c| programs::create(c, user, input).await.map(drop))
                    .await
            } else {
                Ok(())
            }
        }
    };
    match result {
        Ok(()) if errors.is_empty() => {
            return Ok(Redirect::to(&format!("/registry?saved={}#{}", kind.path(), kind.path())).into_response());
        }
        Ok(()) => {}
        Err(e) if is_form_error(&e) => errors = all_errors(e),
        Err(e) => return Err(e),
    }
    let names = Names::load(state).await?;
    let lang = p.lang;
    let action = match id {
        None => format!("/registry/{}/new", kind.path()),
        Some(id) => format!("/registry/{}/{id}", kind.path()),
    };
    let body = html! {
        p.error role="alert" { (tr(lang, "Chưa lưu: hãy sửa các ô được đánh dấu bên dưới rồi lưu lại.", "Not saved: correct the marked fields below, then save again.")) }
        (form(lang, kind, &action, &values, &errors, &names))
    };
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        page(p, kind.title(lang, id.is_none()), body),
    )
        .into_response())
}
