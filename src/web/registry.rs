//! The registry's pages: people (list, search, filters, a person's page, create, edit,
//! deactivate, absences) and the reference data (districts with travel times, centers,
//! topics, programs).

use axum::Form;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Timelike};
use maud::{Markup, html};
use serde::Deserialize;

use super::Page;
use super::form::{
    DAY_PATTERN, DAY_PLACEHOLDER, Values, all_errors, described, error_id, field_errors, has_error, is_form_error,
    other_errors, parse_day, select_field, text_field,
};
use super::layout::{clock, date, page, tr};
use crate::api::AppState;
use crate::auth::Scope;
use crate::error::{ApiError, ApiPath, Lang, Result};
use crate::feeds::links;
use crate::registry::availability::{self, UnavailabilityInput, WeeklyPattern};
use crate::registry::centers::{self, Center};
use crate::registry::districts::{self, District};
use crate::registry::people::{self, HalfDaySlot, PersonFilter, PersonInput, PersonView};
use crate::registry::topics::{self, Topic};
use crate::scheduling::publish;
use crate::time::ZONE;
use crate::vocab::{Gender, HalfDay, LANGUAGES, RapporteurLevel, Role, TheoryLevel, TopicKind, Weekday};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/people", get(list))
        .route("/people/new", get(new_form).post(create))
        .route("/people/{id}", get(person))
        .route("/people/{id}/edit", get(edit_form).post(update))
        .route("/people/{id}/active", post(set_active))
        .route("/people/{id}/absences", post(add_absence))
        .route("/people/{id}/absences/{absence}/withdraw", post(withdraw_absence))
        .route("/people/{id}/weekly", post(set_weekly))
}

// Words for the closed vocabularies, in the reader's language.

fn role_name(lang: Lang, r: Role) -> &'static str {
    match (lang, r) {
        (Lang::Vi, _) => r.label(),
        (Lang::En, Role::LecturerFullTime) => "Full-time lecturer",
        (Lang::En, Role::LecturerPartTime) => "Part-time lecturer",
        (Lang::En, Role::Rapporteur) => "Rapporteur",
    }
}

fn level_name(lang: Lang, l: RapporteurLevel) -> &'static str {
    match (lang, l) {
        (Lang::Vi, _) => l.label(),
        (Lang::En, RapporteurLevel::Grassroots) => "Grassroots",
        (Lang::En, RapporteurLevel::District) => "District",
        (Lang::En, RapporteurLevel::Province) => "Province",
    }
}

pub(super) fn theory_name(lang: Lang, l: TheoryLevel) -> &'static str {
    match (lang, l) {
        (Lang::Vi, _) => l.label(),
        (Lang::En, TheoryLevel::Elementary) => "Elementary",
        (Lang::En, TheoryLevel::Intermediate) => "Intermediate",
        (Lang::En, TheoryLevel::Advanced) => "Advanced",
    }
}

fn gender_name(lang: Lang, g: Gender) -> &'static str {
    match (lang, g) {
        (Lang::Vi, _) => g.label(),
        (Lang::En, Gender::Female) => "Female",
        (Lang::En, Gender::Male) => "Male",
    }
}

fn weekday_name(lang: Lang, d: Weekday) -> &'static str {
    match (lang, d) {
        (Lang::Vi, _) => d.label(),
        (Lang::En, Weekday::Monday) => "Monday",
        (Lang::En, Weekday::Tuesday) => "Tuesday",
        (Lang::En, Weekday::Wednesday) => "Wednesday",
        (Lang::En, Weekday::Thursday) => "Thursday",
        (Lang::En, Weekday::Friday) => "Friday",
        (Lang::En, Weekday::Saturday) => "Saturday",
        (Lang::En, Weekday::Sunday) => "Sunday",
    }
}

fn half_name(lang: Lang, h: HalfDay) -> &'static str {
    match (lang, h) {
        (Lang::Vi, _) => h.label(),
        (Lang::En, HalfDay::Morning) => "Morning",
        (Lang::En, HalfDay::Afternoon) => "Afternoon",
    }
}

fn language_name(lang: Lang, code: &str) -> String {
    let english = [
        ("vi", "Vietnamese"),
        ("km", "Khmer"),
        ("zh", "Chinese (Hoa)"),
        ("hmn", "Hmong"),
        ("tyz", "Tày"),
        ("nut", "Nùng"),
        ("rad", "Ê Đê"),
        ("cjm", "Cham"),
        ("jra", "Jarai"),
        ("bdq", "Bahnar"),
        ("blt", "Thái"),
        ("en", "English"),
    ];
    let known = match lang {
        Lang::Vi => LANGUAGES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n),
        Lang::En => english.iter().find(|(c, _)| *c == code).map(|(_, n)| *n),
    };
    known.map_or_else(|| code.to_string(), str::to_string)
}

pub(super) fn topic_kind_name(lang: Lang, k: TopicKind) -> &'static str {
    match k {
        TopicKind::Module => tr(lang, "Chuyên đề", "Module"),
        TopicKind::Resolution => tr(lang, "Nghị quyết", "Resolution"),
    }
}

/// The names the pages show instead of ids.
pub(super) struct Names {
    pub(super) districts: Vec<District>,
    pub(super) centers: Vec<Center>,
    pub(super) topics: Vec<Topic>,
}

impl Names {
    pub(super) async fn load(state: &AppState) -> Result<Names> {
        state
            .db
            .read(async |c| {
                let mut c = c;
                Ok(Names {
                    districts: districts::list(c.reborrow()).await?,
                    centers: centers::list(c.reborrow()).await?,
                    topics: topics::list(c).await?,
                })
            })
            .await
    }

    pub(super) fn district(&self, id: Option<i64>) -> &str {
        id.and_then(|id| self.districts.iter().find(|d| d.id == id))
            .map_or("", |d| d.name.as_str())
    }

    fn center(&self, id: Option<i64>) -> &str {
        id.and_then(|id| self.centers.iter().find(|c| c.id == id))
            .map_or("", |c| c.name.as_str())
    }

    pub(super) fn topic(&self, id: i64) -> Option<&Topic> {
        self.topics.iter().find(|t| t.id == id)
    }
}

/// Lecturers have their own page (`/my`); the registry is for the boards and the centers.
pub(super) fn require_reader(p: &Page) -> Result<()> {
    match p.user.scope {
        Scope::Person(_) => Err(ApiError::forbidden()),
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------
// The list of people.

/// The list's filters as the GET form sends them; blanks mean "any".
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    district_id: Option<String>,
    center_id: Option<String>,
    role: Option<String>,
    qualification_id: Option<String>,
    language: Option<String>,
    active: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<String>,
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn bad_filter(field: &str, vi: &str, en: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", vi.to_string(), en.to_string()).with_field(field)
}

fn id_of(v: &Option<String>, field: &str) -> Result<Option<i64>> {
    blank(v)
        .map(|v| {
            v.parse().map_err(|_| {
                bad_filter(
                    field,
                    "Bộ lọc không hợp lệ; hãy chọn lại trong danh sách.",
                    "Not a valid filter; choose again from the list.",
                )
            })
        })
        .transpose()
}

/// Midnight at the start of a local day.
fn start_of(day: NaiveDate, field: &str) -> Result<DateTime<FixedOffset>> {
    ZONE.from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map(|t| t.fixed_offset())
        .ok_or_else(|| {
            ApiError::invalid(
                field,
                "invalid_date",
                "Ngày không hợp lệ; hãy chọn một ngày khác.",
                "Not a valid date; choose another day.",
            )
        })
}

fn day_of(v: &Option<String>, field: &str) -> Result<Option<NaiveDate>> {
    blank(v)
        .map(|v| {
            parse_day(v).ok_or_else(|| {
                bad_filter(
                    field,
                    "Ngày không hợp lệ; hãy chọn ngày theo dạng dd/mm/yyyy.",
                    "Not a valid date; pick a day as dd/mm/yyyy.",
                )
            })
        })
        .transpose()
}

impl ListQuery {
    /// The domain's filter for these fields (the available days are whole local days, the
    /// last one included).
    fn filter(&self) -> Result<PersonFilter> {
        let role = match blank(&self.role) {
            None => None,
            Some(r) => Some(Role::parse(r).ok_or_else(|| {
                bad_filter(
                    "role",
                    "Loại không hợp lệ; hãy chọn lại.",
                    "Not a valid role; choose again.",
                )
            })?),
        };
        let active = match blank(&self.active) {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(_) => return Err(bad_filter("active", "Trạng thái không hợp lệ.", "Not a valid status.")),
        };
        let (from, to) = (day_of(&self.from, "from")?, day_of(&self.to, "to")?);
        let (available_from, available_to) = match (from, to) {
            (None, None) => (None, None),
            (Some(from), Some(to)) => {
                let end = to
                    .succ_opt()
                    .ok_or_else(|| bad_filter("to", "Ngày không hợp lệ.", "Not a valid date."))?;
                (Some(start_of(from, "from")?), Some(start_of(end, "to")?))
            }
            _ => {
                return Err(bad_filter(
                    if from.is_none() { "from" } else { "to" },
                    "Để lọc người rảnh, hãy chọn cả ngày bắt đầu và ngày kết thúc.",
                    "To find who is free, choose both the first and the last day.",
                ));
            }
        };
        let page = match blank(&self.page) {
            None => None,
            Some(p) => Some(
                p.parse::<u32>()
                    .map_err(|_| bad_filter("page", "Trang không hợp lệ.", "Not a valid page."))?,
            ),
        };
        Ok(PersonFilter {
            q: blank(&self.q).map(str::to_string),
            district_id: id_of(&self.district_id, "district_id")?,
            center_id: id_of(&self.center_id, "center_id")?,
            role,
            qualification_id: id_of(&self.qualification_id, "qualification_id")?,
            language: blank(&self.language).map(str::to_string),
            active,
            available_from,
            available_to,
            page,
            per_page: Some(50),
        })
    }

    /// This list's address on another page.
    fn link(&self, page: u32) -> String {
        let mut url = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", &self.q),
            ("district_id", &self.district_id),
            ("center_id", &self.center_id),
            ("role", &self.role),
            ("qualification_id", &self.qualification_id),
            ("language", &self.language),
            ("active", &self.active),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if let Some(v) = blank(v) {
                url.append_pair(k, v);
            }
        }
        url.append_pair("page", &page.to_string());
        format!("/people?{}", url.finish())
    }
}

fn selected(v: &Option<String>, value: &str) -> bool {
    blank(v) == Some(value)
}

pub async fn list(State(state): State<AppState>, p: Page, Query(q): Query<ListQuery>) -> Result<Markup> {
    let lang = p.lang;
    require_reader(&p)?;
    let filter = q.filter()?;
    let (found, counts) = state
        .db
        .read(async |c| people::list_with_counts(c, &p.user, filter).await)
        .await?;
    let names = Names::load(&state).await?;
    let pages = ((found.total + i64::from(found.per_page) - 1) / i64::from(found.per_page)).max(1);
    let mut language_codes: Vec<&str> = LANGUAGES.iter().map(|(c, _)| *c).collect();
    language_codes.sort_by_key(|c| language_name(lang, c));
    let body = html! {
        @if p.user.is_admin() {
            p { a href="/people/new" { (tr(lang, "+ Thêm người", "+ Add a person")) } " · "
                a href="/import" { (tr(lang, "Nhập từ bảng tính", "Import a spreadsheet")) } }
        }
        form #filters method="get" action="/people" {
            label { (tr(lang, "Tìm theo tên hoặc mã (có dấu hoặc không dấu)", "Search by name or code (with or without diacritics)")) br;
                input type="search" name="q" value=(blank(&q.q).unwrap_or("")); }
            label { (tr(lang, "Huyện", "District")) br;
                select name="district_id" {
                    option value="" { (tr(lang, "Tất cả", "All")) }
                    @for d in &names.districts { option value=(d.id) selected[selected(&q.district_id, &d.id.to_string())] { (d.name) } }
                } }
            label { (tr(lang, "Trung tâm", "Center")) br;
                select name="center_id" {
                    option value="" { (tr(lang, "Tất cả", "All")) }
                    @for c in &names.centers { option value=(c.id) selected[selected(&q.center_id, &c.id.to_string())] { (c.name) } }
                } }
            label { (tr(lang, "Loại", "Role")) br;
                select name="role" {
                    option value="" { (tr(lang, "Tất cả", "All")) }
                    @for r in Role::ALL { option value=(r.as_str()) selected[selected(&q.role, r.as_str())] { (role_name(lang, *r)) } }
                } }
            label { (tr(lang, "Chuyên đề / nghị quyết", "Module / resolution")) br;
                select name="qualification_id" {
                    option value="" { (tr(lang, "Tất cả", "All")) }
                    @for t in &names.topics { option value=(t.id) selected[selected(&q.qualification_id, &t.id.to_string())] { (t.name) " (" (t.code) ")" } }
                } }
            label { (tr(lang, "Ngôn ngữ", "Language")) br;
                select name="language" {
                    option value="" { (tr(lang, "Tất cả", "All")) }
                    @for c in &language_codes { option value=(c) selected[selected(&q.language, c)] { (language_name(lang, c)) } }
                } }
            label { (tr(lang, "Trạng thái", "Status")) br;
                select name="active" {
                    option value="" { (tr(lang, "Tất cả", "All")) }
                    option value="true" selected[selected(&q.active, "true")] { (tr(lang, "Đang hoạt động", "Active")) }
                    option value="false" selected[selected(&q.active, "false")] { (tr(lang, "Ngừng hoạt động", "Inactive")) }
                } }
            fieldset {
                legend { (tr(lang, "Rảnh trong khoảng (không có lịch vắng)", "Free between (no absence)")) }
                label { (tr(lang, "Từ ngày", "From")) br; input type="text" inputmode="numeric" placeholder=(DAY_PLACEHOLDER) pattern=(DAY_PATTERN) name="from" value=(blank(&q.from).unwrap_or("")); }
                label { (tr(lang, "Đến hết ngày", "To (inclusive)")) br; input type="text" inputmode="numeric" placeholder=(DAY_PLACEHOLDER) pattern=(DAY_PATTERN) name="to" value=(blank(&q.to).unwrap_or("")); }
            }
            button type="submit" { (tr(lang, "Lọc", "Filter")) }
            " " a href="/people" { (tr(lang, "Bỏ lọc", "Clear filters")) }
        }
        h2 { (tr(lang, "Số lượng", "Counts")) }
        div.scroll tabindex="0" { table #counts {
            thead { tr {
                th scope="col" { (tr(lang, "Tổng số", "In all")) }
                @for r in Role::ALL { th scope="col" { (role_name(lang, *r)) } }
                th scope="col" { (tr(lang, "Nữ", "Women")) }
                th scope="col" { (tr(lang, "Dân tộc thiểu số", "Ethnic minority")) }
            } }
            tbody { tr {
                td data-count="total" { (counts.total) }
                td data-count="lecturer_full_time" { (counts.lecturer_full_time) }
                td data-count="lecturer_part_time" { (counts.lecturer_part_time) }
                td data-count="rapporteur" { (counts.rapporteur) }
                td data-count="women" { (counts.women) }
                td data-count="ethnic_minority" { (counts.ethnic_minority) }
            } }
        } }
        h2 { (tr(lang, "Danh sách", "List")) }
        @if found.items.is_empty() {
            p { (tr(lang, "Không có ai khớp các bộ lọc; hãy bỏ bớt bộ lọc.", "Nobody matches these filters; remove some of them.")) }
        } @else {
            div.scroll tabindex="0" { table #people {
                thead { tr {
                    th scope="col" { (tr(lang, "Họ và tên", "Full name")) }
                    th scope="col" { (tr(lang, "Mã", "Code")) }
                    th scope="col" { (tr(lang, "Loại", "Role")) }
                    th scope="col" { (tr(lang, "Huyện", "District")) }
                    th scope="col" { (tr(lang, "Trung tâm", "Center")) }
                    th scope="col" { (tr(lang, "Trạng thái", "Status")) }
                } }
                tbody { @for person in &found.items { tr data-person=(person.id) {
                    td { a href={ "/people/" (person.id) } { (person.full_name) } }
                    td.text { (person.code) }
                    td.text { (person.roles.iter().map(|r| role_name(lang, *r)).collect::<Vec<_>>().join(", ")) }
                    td.text { (names.district(person.home_district_id)) }
                    td.text { (names.center(person.center_id)) }
                    td.text { @if person.active { (tr(lang, "Đang hoạt động", "Active")) } @else { (tr(lang, "Ngừng hoạt động", "Inactive")) } }
                } } }
            } }
            nav aria-label=(tr(lang, "Các trang của danh sách", "Pages of the list")) {
                p {
                    (tr(lang, "Trang ", "Page ")) (found.page) "/" (pages) " · " (found.total) (tr(lang, " người", " people")) " "
                    @if found.page > 1 { a rel="prev" href=(q.link(found.page - 1)) { (tr(lang, "← Trang trước", "← Previous")) } " " }
                    @if i64::from(found.page) < pages { a rel="next" href=(q.link(found.page + 1)) { (tr(lang, "Trang sau →", "Next →")) } }
                }
            }
        }
    };
    Ok(page(
        &p,
        tr(lang, "Giảng viên, báo cáo viên", "Lecturers and rapporteurs"),
        body,
    ))
}

// ---------------------------------------------------------------------------------------
// A person's page.

/// What the absence form sent, and what was wrong with it.
#[derive(Default)]
struct AbsenceForm {
    from: String,
    to: String,
    reason: String,
    errors: Vec<ApiError>,
}

async fn render_person(state: &AppState, p: &Page, id: i64, absence: AbsenceForm) -> Result<Markup> {
    let lang = p.lang;
    let person = state.db.read(async |c| people::get(c, &p.user, id).await).await?;
    let absences = state
        .db
        .read(async |c| availability::list(c, &p.user, id).await)
        .await?;
    let sessions = state.db.read(async |c| publish::upcoming(c, id).await).await?;
    let link = match p.user.scope {
        Scope::Province => Some(state.db.read(async |c| links::status(c, &p.user, id).await).await?),
        Scope::Person(me) if me == id => Some(state.db.read(async |c| links::status(c, &p.user, id).await).await?),
        _ => None,
    };
    let names = Names::load(state).await?;
    let keeps_availability = p.user.can_edit_availability(person.scope());
    let cap = |c: Option<u32>| c.map_or_else(|| tr(lang, "không giới hạn", "no limit").to_string(), |c| c.to_string());
    let quals: Vec<&Topic> = person
        .qualification_ids
        .iter()
        .filter_map(|t| names.topic(*t))
        .collect();
    let body = html! {
        @if p.user.is_admin() {
            p {
                a href={ "/people/" (id) "/edit" } { (tr(lang, "Sửa thông tin", "Edit")) }
                " "
                form.inline method="post" action={ "/people/" (id) "/active" } {
                    @if person.active {
                        input type="hidden" name="active" value="false";
                        button type="submit" { (tr(lang, "Ngừng hoạt động", "Deactivate")) }
                    } @else {
                        input type="hidden" name="active" value="true";
                        button type="submit" { (tr(lang, "Cho hoạt động lại", "Reactivate")) }
                    }
                }
            }
        }
        div.scroll tabindex="0" { table #record { tbody {
            tr { th scope="row" { (tr(lang, "Mã", "Code")) } td.text { (person.code) } }
            tr { th scope="row" { (tr(lang, "Trạng thái", "Status")) } td.text #status {
                @if person.active { (tr(lang, "Đang hoạt động", "Active")) } @else { (tr(lang, "Ngừng hoạt động", "Inactive")) } } }
            tr { th scope="row" { (tr(lang, "Loại", "Roles")) } td.text { (person.roles.iter().map(|r| role_name(lang, *r)).collect::<Vec<_>>().join(", ")) } }
            tr { th scope="row" { (tr(lang, "Cấp báo cáo viên", "Rapporteur level")) } td.text { @if let Some(l) = person.rapporteur_level { (level_name(lang, l)) } @else { "—" } } }
            tr { th scope="row" { (tr(lang, "Trình độ lý luận chính trị", "Political-theory level")) } td.text { @if let Some(l) = person.theory_level { (theory_name(lang, l)) } @else { "—" } } }
            tr { th scope="row" { (tr(lang, "Huyện nơi ở", "Home district")) } td.text { (names.district(person.home_district_id)) } }
            tr { th scope="row" { (tr(lang, "Trung tâm", "Center")) } td.text { (names.center(person.center_id)) } }
            tr { th scope="row" { (tr(lang, "Giới tính", "Gender")) } td.text { @if let Some(g) = person.gender { (gender_name(lang, g)) } @else { "—" } } }
            tr { th scope="row" { (tr(lang, "Dân tộc", "Ethnicity")) } td.text { (person.ethnicity.as_deref().unwrap_or("—")) } }
            tr { th scope="row" { (tr(lang, "Ngôn ngữ", "Languages")) } td.text { (person.languages.iter().map(|l| language_name(lang, l)).collect::<Vec<_>>().join(", ")) } }
            tr { th scope="row" { (tr(lang, "Điện thoại", "Phone")) } td.text { (person.phone.as_deref().unwrap_or("—")) } }
            tr { th scope="row" { "Email" } td.text { (person.email.as_deref().unwrap_or("—")) } }
            tr { th scope="row" { (tr(lang, "Tối đa mỗi ngày / tuần / tháng", "At most a day / week / month")) }
                td.text { (cap(person.max_per_day)) " / " (cap(person.max_per_week)) " / " (cap(person.max_per_month)) } }
        } } }
        h2 { (tr(lang, "Chuyên đề và nghị quyết", "Modules and resolutions")) }
        @if quals.is_empty() { p { (tr(lang, "Chưa có.", "None yet.")) } }
        ul #qualifications { @for t in &quals { li { (t.name) " (" (topic_kind_name(lang, t.kind)) ")" } } }
        h2 { (tr(lang, "Các buổi trong tuần có thể đến", "Weekly half-days they can come")) }
        (weekly(lang, id, &person, keeps_availability))
        h2 { (tr(lang, "Thời gian vắng", "Absences")) }
        @if absences.is_empty() { p { (tr(lang, "Không có.", "None.")) } } @else {
            div.scroll tabindex="0" { table #absences {
                thead { tr {
                    th scope="col" { (tr(lang, "Từ", "From")) } th scope="col" { (tr(lang, "Đến", "To")) }
                    th scope="col" { (tr(lang, "Lý do", "Reason")) }
                    @if keeps_availability { th scope="col" { (tr(lang, "Rút lại", "Withdraw")) } }
                } }
                tbody { @for a in &absences { tr {
                    td { (date(a.start.to_utc())) " " (clock(a.start.to_utc())) }
                    td { (date(a.end.to_utc())) " " (clock(a.end.to_utc())) }
                    td.text { (a.reason.as_deref().unwrap_or("")) }
                    @if keeps_availability { td {
                        form.inline method="post" action={ "/people/" (id) "/absences/" (a.id) "/withdraw" } {
                            button type="submit" { (tr(lang, "Rút lại", "Withdraw")) }
                        }
                    } }
                } } }
            } }
        }
        @if keeps_availability {
            form #absence method="post" action={ "/people/" (id) "/absences" } {
                (other_errors(lang, &absence.errors, &["start", "end", "reason"]))
                label { (tr(lang, "Vắng từ ngày", "Away from")) br;
                    input type="text" inputmode="numeric" placeholder=(DAY_PLACEHOLDER) pattern=(DAY_PATTERN) name="from" required value=(absence.from) aria-invalid=[has_error(&absence.errors, "start").then_some("true")]
                        aria-describedby=[has_error(&absence.errors, "start").then(|| error_id("start"))]; }
                (field_errors(lang, &absence.errors, "start"))
                label { (tr(lang, "Đến hết ngày", "To (inclusive)")) br;
                    input type="text" inputmode="numeric" placeholder=(DAY_PLACEHOLDER) pattern=(DAY_PATTERN) name="to" required value=(absence.to) aria-invalid=[has_error(&absence.errors, "end").then_some("true")]
                        aria-describedby=[has_error(&absence.errors, "end").then(|| error_id("end"))]; }
                (field_errors(lang, &absence.errors, "end"))
                label { (tr(lang, "Lý do", "Reason")) br; input name="reason" maxlength="200" value=(absence.reason); }
                (field_errors(lang, &absence.errors, "reason"))
                button type="submit" { (tr(lang, "Ghi thời gian vắng", "Record the absence")) }
            }
        }
        h2 { (tr(lang, "Các buổi sắp tới đã công bố", "Coming published sessions")) }
        @if sessions.is_empty() { p { (tr(lang, "Chưa có buổi nào.", "None yet.")) } } @else {
            div.scroll tabindex="0" { table #sessions {
                thead { tr {
                    th scope="col" { (tr(lang, "Ngày", "Date")) } th scope="col" { (tr(lang, "Buổi", "Half-day")) }
                    th scope="col" { (tr(lang, "Lớp / hội nghị", "Class / briefing")) } th scope="col" { (tr(lang, "Nơi", "Where")) }
                } }
                tbody { @for s in &sessions { tr {
                    td { (date(s.starts_at)) }
                    td.text { (half_name(lang, if s.starts_at.with_timezone(&ZONE).hour() < 12 { HalfDay::Morning } else { HalfDay::Afternoon })) " " (clock(s.starts_at)) "–" (clock(s.ends_at)) }
                    td.text { @if let Some(part) = &s.part_of { (part) br; } span.muted { (s.topic_name) } }
                    td.text { (s.venue) ", " (s.district_name) }
                } } }
            } }
        }
        @if let Some(link) = &link {
            h2 { (tr(lang, "Đường dẫn lịch", "Calendar link")) }
            p #feed { @if let Some(t) = link.issued_at {
                (tr(lang, "Đã có đường dẫn lịch, tạo ngày ", "Has a calendar link, made on ")) (date(t)) "."
            } @else {
                (tr(lang, "Chưa có đường dẫn lịch.", "No calendar link yet."))
            } }
        }
        p { a href="/people" { (tr(lang, "← Về danh sách", "← Back to the list")) } }
    };
    Ok(page(p, &person.full_name, body))
}

fn weekly(lang: Lang, id: i64, person: &PersonView, editable: bool) -> Markup {
    let has = |d: Weekday, h: HalfDay| {
        person.weekly_pattern.contains(&HalfDaySlot {
            weekday: d,
            half_day: h,
        })
    };
    html! {
        @if person.weekly_pattern.is_empty() {
            p { (tr(lang, "Mọi buổi trong tuần (không giới hạn).", "Every half-day of the week (no restriction).")) }
        }
        form #weekly method="post" action={ "/people/" (id) "/weekly" } {
            div.scroll tabindex="0" { table {
                thead { tr { th scope="col" { (tr(lang, "Thứ", "Day")) }
                    @for h in HalfDay::ALL { th scope="col" { (half_name(lang, *h)) } } } }
                tbody { @for d in Weekday::ALL { tr {
                    th scope="row" { (weekday_name(lang, *d)) }
                    @for h in HalfDay::ALL { td {
                        @if editable {
                            label { input type="checkbox" name="slot" value={ (d.as_str()) ":" (h.as_str()) } checked[has(*d, *h)];
                                span.muted { " " (weekday_name(lang, *d)) ", " (half_name(lang, *h)) } }
                        } @else if has(*d, *h) { "✓" } @else { "—" }
                    } }
                } } }
            } }
            @if editable {
                p.muted { (tr(lang, "Không đánh dấu ô nào nghĩa là đến được mọi buổi.", "No box ticked means every half-day.")) }
                button type="submit" { (tr(lang, "Lưu các buổi trong tuần", "Save the weekly half-days")) }
            }
        }
    }
}

pub async fn person(State(state): State<AppState>, p: Page, ApiPath(id): ApiPath<i64>) -> Result<Markup> {
    require_reader_or_self(&p, id)?;
    render_person(&state, &p, id, AbsenceForm::default()).await
}

/// A lecturer may read their own record, as the API lets them.
fn require_reader_or_self(p: &Page, id: i64) -> Result<()> {
    match p.user.scope {
        Scope::Person(me) if me != id => Err(ApiError::forbidden()),
        _ => Ok(()),
    }
}

#[derive(Deserialize)]
pub struct AbsenceFields {
    from: Option<String>,
    to: Option<String>,
    reason: Option<String>,
}

pub async fn add_absence(
    State(state): State<AppState>,
    p: Page,
    ApiPath(id): ApiPath<i64>,
    Form(f): Form<AbsenceFields>,
) -> Result<Response> {
    let sent = AbsenceForm {
        from: f.from.clone().unwrap_or_default(),
        to: f.to.clone().unwrap_or_default(),
        reason: f.reason.clone().unwrap_or_default(),
        errors: Vec::new(),
    };
    let not_a_day = |field: &str| ApiError::invalid(field, "invalid_date", "Hãy chọn một ngày.", "Choose a day.");
    let mut errors = Vec::new();
    let from = parse_day(&sent.from);
    errors.extend(from.is_none().then(|| not_a_day("start")));
    let to = parse_day(&sent.to);
    errors.extend(to.is_none().then(|| not_a_day("end")));
    let input = match (from, to) {
        (Some(from), Some(to)) => match to.succ_opt().map(|end| (start_of(from, "start"), start_of(end, "end"))) {
            Some((Ok(start), Ok(end))) => Some(UnavailabilityInput {
                start,
                end,
                reason: f.reason,
            }),
            Some((s, e)) => {
                errors.extend(s.err());
                errors.extend(e.err());
                None
            }
            None => {
                errors.push(not_a_day("end"));
                None
            }
        },
        _ => None,
    };
    let result = match input {
        Some(input) => state
            .db
            .write(async |c| availability::add(c, &p.user, id, input).await)
            .await
            .map(|_| ()),
        None => {
            // Refused as the domain would refuse it, before saying what is wrong with the form.
            let person = state.db.read(async |c| people::get(c, &p.user, id).await).await?;
            if !p.user.can_edit_availability(person.scope()) {
                return Err(ApiError::forbidden());
            }
            Err(errors.remove(0))
        }
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/people/{id}")).into_response()),
        Err(e) if is_form_error(&e) => {
            let status = e.status;
            let mut all = vec![e];
            all.extend(errors);
            let markup = render_person(&state, &p, id, AbsenceForm { errors: all, ..sent }).await?;
            Ok((status, markup).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn withdraw_absence(
    State(state): State<AppState>,
    p: Page,
    ApiPath((id, absence)): ApiPath<(i64, i64)>,
) -> Result<Redirect> {
    state
        .db
        .write(async |c| availability::remove(c, &p.user, id, absence).await)
        .await?;
    Ok(Redirect::to(&format!("/people/{id}")))
}

pub async fn set_weekly(
    State(state): State<AppState>,
    p: Page,
    ApiPath(id): ApiPath<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Redirect> {
    let mut half_days = Vec::new();
    for (k, v) in &fields {
        if k != "slot" {
            continue;
        }
        let slot = v
            .split_once(':')
            .and_then(|(d, h)| {
                Some(HalfDaySlot {
                    weekday: Weekday::parse(d)?,
                    half_day: HalfDay::parse(h)?,
                })
            })
            .ok_or_else(|| {
                ApiError::invalid(
                    "slot",
                    "invalid_field",
                    "Buổi không hợp lệ; hãy chọn lại.",
                    "Not a valid half-day; choose again.",
                )
            })?;
        half_days.push(slot);
    }
    state
        .db
        .write(async |c| availability::set_weekly_pattern(c, &p.user, id, WeeklyPattern { half_days }).await)
        .await?;
    Ok(Redirect::to(&format!("/people/{id}")))
}

// ---------------------------------------------------------------------------------------
// Creating and editing a person.

/// The form's values for a person on record.
fn person_values(p: &PersonView) -> Values {
    let mut v = Values::default();
    let opt = |x: Option<String>| x.unwrap_or_default();
    v.set("code", p.code.clone());
    v.set("full_name", p.full_name.clone());
    for r in &p.roles {
        v.add("roles", r.as_str());
    }
    v.set(
        "rapporteur_level",
        opt(p.rapporteur_level.map(|l| l.as_str().to_string())),
    );
    v.set("theory_level", opt(p.theory_level.map(|l| l.as_str().to_string())));
    v.set("home_district_id", opt(p.home_district_id.map(|d| d.to_string())));
    v.set("center_id", opt(p.center_id.map(|d| d.to_string())));
    v.set("gender", opt(p.gender.map(|g| g.as_str().to_string())));
    v.set("ethnicity", opt(p.ethnicity.clone()));
    let known: Vec<&str> = LANGUAGES.iter().map(|(c, _)| *c).collect();
    for l in &p.languages {
        if known.contains(&l.as_str()) {
            v.add("languages", l);
        }
    }
    v.set(
        "languages_other",
        p.languages
            .iter()
            .filter(|l| !known.contains(&l.as_str()))
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
    );
    v.set("phone", opt(p.phone.clone()));
    v.set("email", opt(p.email.clone()));
    for q in &p.qualification_ids {
        v.add("qualification_ids", &q.to_string());
    }
    v.set("max_per_day", opt(p.max_per_day.map(|c| c.to_string())));
    v.set("max_per_week", opt(p.max_per_week.map(|c| c.to_string())));
    v.set("max_per_month", opt(p.max_per_month.map(|c| c.to_string())));
    v
}

/// The person these values describe, with what could not be read, each naming its field.
fn person_input(v: &Values, active: bool) -> (PersonInput, Vec<ApiError>) {
    let mut errors = Vec::new();
    let choose = |field: &str| {
        ApiError::invalid(
            field,
            "invalid_field",
            "Giá trị không hợp lệ; hãy chọn lại trong danh sách.",
            "Not a valid value; choose again from the list.",
        )
    };
    let pick = |field: &str, errors: &mut Vec<ApiError>| -> Option<i64> {
        let v = v.get(field);
        if v.is_empty() {
            return None;
        }
        v.parse().map_err(|_| errors.push(choose(field))).ok()
    };
    let home_district_id = pick("home_district_id", &mut errors);
    let center_id = pick("center_id", &mut errors);
    fn vocab<T>(v: &str, parse: fn(&str) -> Option<T>, field: &str, errors: &mut Vec<ApiError>) -> Option<T> {
        if v.is_empty() {
            return None;
        }
        let found = parse(v);
        if found.is_none() {
            errors.push(ApiError::invalid(
                field,
                "invalid_field",
                "Giá trị không hợp lệ; hãy chọn lại trong danh sách.",
                "Not a valid value; choose again from the list.",
            ));
        }
        found
    }
    let mut roles = Vec::new();
    for r in v.all("roles") {
        roles.extend(vocab(r, Role::parse, "roles", &mut errors));
    }
    let rapporteur_level = vocab(
        v.get("rapporteur_level"),
        RapporteurLevel::parse,
        "rapporteur_level",
        &mut errors,
    );
    let theory_level = vocab(v.get("theory_level"), TheoryLevel::parse, "theory_level", &mut errors);
    let gender = vocab(v.get("gender"), Gender::parse, "gender", &mut errors);
    let mut languages: Vec<String> = v.all("languages").to_vec();
    languages.extend(
        v.get("languages_other")
            .split([',', ';', ' '])
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string),
    );
    let mut qualification_ids = Vec::new();
    for q in v.all("qualification_ids") {
        match q.parse() {
            Ok(id) => qualification_ids.push(id),
            Err(_) => errors.push(choose("qualification_ids")),
        }
    }
    let mut cap = |field: &str| -> Option<u32> {
        let v = v.get(field);
        if v.is_empty() {
            return None;
        }
        v.parse()
            .map_err(|_| {
                errors.push(ApiError::invalid(
                    field,
                    "invalid_cap",
                    "Nhập một số nguyên từ 1 đến 200, hoặc để trống nếu không giới hạn.",
                    "Enter a whole number from 1 to 200, or leave it blank for no limit.",
                ))
            })
            .ok()
    };
    let (max_per_day, max_per_week, max_per_month) = (cap("max_per_day"), cap("max_per_week"), cap("max_per_month"));
    let text = |k: &str| Some(v.get(k).to_string());
    let input = PersonInput {
        code: v.get("code").to_string(),
        full_name: v.get("full_name").to_string(),
        roles,
        rapporteur_level,
        theory_level,
        home_district_id,
        center_id,
        gender,
        ethnicity: text("ethnicity"),
        languages,
        phone: text("phone"),
        email: text("email"),
        active,
        qualification_ids,
        max_per_day,
        max_per_week,
        max_per_month,
    };
    (input, errors)
}

const FIELDS: &[&str] = &[
    "code",
    "full_name",
    "roles",
    "rapporteur_level",
    "theory_level",
    "home_district_id",
    "center_id",
    "gender",
    "ethnicity",
    "languages",
    "phone",
    "email",
    "qualification_ids",
    "max_per_day",
    "max_per_week",
    "max_per_month",
];

fn person_form(lang: Lang, action: &str, v: &Values, errors: &[ApiError], names: &Names) -> Markup {
    let text_field = |field: &str, label: &str, kind: &str, required: bool| {
        text_field(lang, v, errors, field, label, kind, required)
    };
    let select_field = |field: &str, label: &str, options: Vec<(String, String)>| {
        select_field(lang, v, errors, field, label, &options)
    };
    let group = |field: &str, legend: &str, options: Vec<(String, String)>| {
        let (invalid, by) = described(errors, field);
        html! {
            fieldset aria-invalid=[invalid] aria-describedby=[by] {
                legend { (legend) }
                @for (value, text) in &options {
                    label { input type="checkbox" name=(field) value=(value) checked[v.has(field, value)]; " " (text) }
                }
                (field_errors(lang, errors, field))
            }
        }
    };
    let mut modules: Vec<(String, String)> = Vec::new();
    let mut resolutions: Vec<(String, String)> = Vec::new();
    for t in &names.topics {
        let entry = (t.id.to_string(), format!("{} ({})", t.name, t.code));
        match t.kind {
            TopicKind::Module => modules.push(entry),
            TopicKind::Resolution => resolutions.push(entry),
        }
    }
    html! {
        form #person method="post" action=(action) novalidate {
            (other_errors(lang, errors, FIELDS))
            (text_field("full_name", tr(lang, "Họ và tên", "Full name"), "text", true))
            (text_field("code", tr(lang, "Mã (chữ không dấu, số, . _ - /)", "Code (ASCII letters, digits, . _ - /)"), "text", true))
            (group("roles", tr(lang, "Loại", "Roles"), Role::ALL.iter().map(|r| (r.as_str().to_string(), role_name(lang, *r).to_string())).collect()))
            (select_field("rapporteur_level", tr(lang, "Cấp báo cáo viên (chỉ báo cáo viên)", "Rapporteur level (rapporteurs only)"),
                RapporteurLevel::ALL.iter().map(|l| (l.as_str().to_string(), level_name(lang, *l).to_string())).collect()))
            (select_field("theory_level", tr(lang, "Trình độ lý luận chính trị", "Political-theory level"),
                TheoryLevel::ALL.iter().map(|l| (l.as_str().to_string(), theory_name(lang, *l).to_string())).collect()))
            (select_field("home_district_id", tr(lang, "Huyện nơi ở", "Home district"),
                names.districts.iter().map(|d| (d.id.to_string(), d.name.clone())).collect()))
            (select_field("center_id", tr(lang, "Trung tâm", "Center"),
                names.centers.iter().map(|c| (c.id.to_string(), c.name.clone())).collect()))
            (select_field("gender", tr(lang, "Giới tính", "Gender"),
                Gender::ALL.iter().map(|g| (g.as_str().to_string(), gender_name(lang, *g).to_string())).collect()))
            (text_field("ethnicity", tr(lang, "Dân tộc", "Ethnicity"), "text", false))
            (group("languages", tr(lang, "Ngôn ngữ", "Languages"), LANGUAGES.iter().map(|(c, _)| (c.to_string(), language_name(lang, c))).collect()))
            (text_field("languages_other", tr(lang, "Ngôn ngữ khác (mã ISO 639, cách nhau bởi dấu phẩy)", "Other languages (ISO 639 codes, separated by commas)"), "text", false))
            (text_field("phone", tr(lang, "Điện thoại", "Phone"), "tel", false))
            (text_field("email", "Email", "email", false))
            (group("qualification_ids", tr(lang, "Chuyên đề được giảng", "Modules they may teach"), modules))
            fieldset {
                legend { (tr(lang, "Nghị quyết được báo cáo", "Resolutions they may brief")) }
                @for (value, text) in &resolutions {
                    label { input type="checkbox" name="qualification_ids" value=(value) checked[v.has("qualification_ids", value)]; " " (text) }
                }
            }
            (text_field("max_per_day", tr(lang, "Tối đa số buổi mỗi ngày (để trống: không giới hạn)", "Most sessions a day (blank: no limit)"), "number", false))
            (text_field("max_per_week", tr(lang, "Tối đa số buổi mỗi tuần", "Most sessions a week"), "number", false))
            (text_field("max_per_month", tr(lang, "Tối đa số buổi mỗi tháng", "Most sessions a month"), "number", false))
            button type="submit" { (tr(lang, "Lưu", "Save")) }
        }
    }
}

pub async fn new_form(State(state): State<AppState>, p: Page) -> Result<Markup> {
    p.user.require_admin()?;
    let names = Names::load(&state).await?;
    let lang = p.lang;
    Ok(page(
        &p,
        tr(lang, "Thêm giảng viên, báo cáo viên", "Add a lecturer or rapporteur"),
        person_form(lang, "/people/new", &Values::default(), &[], &names),
    ))
}

pub async fn edit_form(State(state): State<AppState>, p: Page, ApiPath(id): ApiPath<i64>) -> Result<Markup> {
    p.user.require_admin()?;
    let person = state.db.read(async |c| people::get(c, &p.user, id).await).await?;
    let names = Names::load(&state).await?;
    let lang = p.lang;
    Ok(page(
        &p,
        &format!("{}: {}", tr(lang, "Sửa", "Edit"), person.full_name),
        person_form(
            lang,
            &format!("/people/{id}/edit"),
            &person_values(&person),
            &[],
            &names,
        ),
    ))
}

/// Stores the form's person: the form again with every error beside its field, or the
/// person's page.
async fn save(state: &AppState, p: &Page, id: Option<i64>, fields: Vec<(String, String)>) -> Result<Response> {
    p.user.require_admin()?;
    let values = Values::from_pairs(&fields);
    let active = match id {
        Some(id) => state.db.read(async |c| people::get(c, &p.user, id).await).await?.active,
        None => true,
    };
    let (input, mut errors) = person_input(&values, active);
    if errors.is_empty() {
        let result = match id {
            None => state.db.write(async |c| people::create(c, &p.user, input).await).await,
            Some(id) => {
                state
                    .db
                    .write(async |c| people::update(c, &p.user, id, input).await)
                    .await
            }
        };
        match result {
            Ok(saved) => {
                return Ok(Redirect::to(&format!("/people/{}", saved.id)).into_response());
            }
            Err(e) if is_form_error(&e) => errors = all_errors(e),
            Err(e) => return Err(e),
        }
    } else if let Err(more) = input.validate() {
        errors.extend(more);
    }
    let names = Names::load(state).await?;
    let lang = p.lang;
    let (title, action) = match id {
        None => (
            tr(lang, "Thêm giảng viên, báo cáo viên", "Add a lecturer or rapporteur").to_string(),
            "/people/new".to_string(),
        ),
        Some(id) => (
            tr(lang, "Sửa thông tin", "Edit").to_string(),
            format!("/people/{id}/edit"),
        ),
    };
    let body = html! {
        p.error role="alert" { (tr(lang, "Chưa lưu: hãy sửa các ô được đánh dấu bên dưới rồi lưu lại.", "Not saved: correct the marked fields below, then save again.")) }
        (person_form(lang, &action, &values, &errors, &names))
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(p, &title, body)).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    p: Page,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    save(&state, &p, None, fields).await
}

pub async fn update(
    State(state): State<AppState>,
    p: Page,
    ApiPath(id): ApiPath<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    save(&state, &p, Some(id), fields).await
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: bool,
}

/// Deactivates (or reactivates) a person as the API does: their record with `active` changed.
pub async fn set_active(
    State(state): State<AppState>,
    p: Page,
    ApiPath(id): ApiPath<i64>,
    Form(f): Form<ActiveForm>,
) -> Result<Redirect> {
    state
        .db
        .write(async |c| {
            let mut c = c;
            let person = people::get(c.reborrow(), &p.user, id).await?;
            let input = PersonInput {
                active: f.active,
                ..PersonInput::from(&person)
            };
            people::update(c, &p.user, id, input).await
        })
        .await?;
    Ok(Redirect::to(&format!("/people/{id}")))
}
