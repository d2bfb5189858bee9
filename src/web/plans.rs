//! Annual plans: a district board drafts, edits and approves its year's plan; the province
//! sees every district's plan for a year at a glance.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, extract::Path};
use chrono::{Datelike, Utc};
use maud::{Markup, html};
use serde::Deserialize;

use super::Page;
use super::form::{error_id, field_errors, has_error, other_errors};
use super::layout::{date, page, tr};
use crate::api::AppState;
use crate::error::{ApiError, Lang, Result};
use crate::planning::choices::{self, Choices};
use crate::planning::plans::{self, Plan, PlanInput, PlannedClassInput};
use crate::time::ZONE;
use crate::vocab::PlanStatus;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/plans", get(overview).post(create))
        .route("/plans/{id}", get(show))
        .route("/plans/{id}/classes", post(add_class))
        .route("/plans/{id}/classes/{class}", get(edit_class).post(save_class))
        .route("/plans/{id}/classes/{class}/remove", post(remove_class))
        .route("/plans/{id}/approve", post(approve))
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
    done: Option<String>,
}

fn this_year() -> i32 {
    Utc::now().with_timezone(&ZONE).year()
}

fn status_text(lang: Lang, status: Option<&str>) -> &'static str {
    match status.and_then(PlanStatus::parse) {
        None => tr(lang, "Chưa lập", "None yet"),
        Some(PlanStatus::Draft) => tr(lang, "Dự thảo", "Draft"),
        Some(_) => tr(lang, "Đã phê duyệt", "Approved"),
    }
}

fn done_note(lang: Lang, done: Option<&str>) -> Markup {
    let text = match done {
        Some("created") => tr(lang, "Đã lập dự thảo kế hoạch.", "The draft plan is made."),
        Some("added") => tr(lang, "Đã thêm lớp vào kế hoạch.", "The class is added."),
        Some("saved") => tr(lang, "Đã lưu lớp.", "The class is saved."),
        Some("removed") => tr(lang, "Đã bỏ lớp khỏi kế hoạch.", "The class is removed."),
        Some("approved") => tr(lang, "Đã phê duyệt kế hoạch.", "The plan is approved."),
        Some("moved") => tr(lang, "Đã dời tháng của lớp.", "The class's months are moved."),
        _ => return html! {},
    };
    html! { p.ok role="status" { (text) } }
}

/// The districts' plans for a year (the province: every district; a board: its own).
pub async fn overview(State(state): State<AppState>, p: Page, Query(q): Query<YearQuery>) -> Result<Markup> {
    let lang = p.lang;
    let year = q.year.unwrap_or_else(this_year);
    let rows = state.db.read(async |c| plans::overview(c, &p.user, year).await).await?;
    let body = html! {
        (done_note(lang, q.done.as_deref()))
        form method="get" action="/plans" {
            label { (tr(lang, "Năm", "Year")) " "
                input type="number" name="year" value=(year) min="2000" max="2200"; }
            button type="submit" { (tr(lang, "Xem", "Show")) }
        }
        div.scroll tabindex="0" { table {
            caption { (tr(lang, "Kế hoạch các huyện năm ", "The districts' plans for ")) (year) }
            thead { tr {
                th scope="col" { (tr(lang, "Đơn vị", "Unit")) }
                th scope="col" { (tr(lang, "Trạng thái", "Status")) }
                th scope="col" { (tr(lang, "Số lớp", "Classes")) }
                th scope="col" { (tr(lang, "Học viên", "Trainees")) }
                th scope="col" { (tr(lang, "Nữ", "Women")) }
                th scope="col" { (tr(lang, "Dân tộc thiểu số", "Ethnic minority")) }
                th scope="col" { (tr(lang, "Phê duyệt", "Approved")) }
                th scope="col" { (tr(lang, "Thao tác", "Action")) }
            } }
            tbody { @for r in &rows { tr data-district=(r.district_id) {
                th scope="row" { (r.district_name) }
                td.text { (status_text(lang, r.status.as_deref())) }
                td { (r.classes) } td { (r.trainees) } td { (r.women) } td { (r.ethnic_minority) }
                td.text { @if let (Some(by), Some(at)) = (&r.approved_by, r.approved_at) { (by) ", " (date(at)) } @else { "–" } }
                td.text {
                    @if let Some(id) = r.plan_id {
                        a href={ "/plans/" (id) } { (tr(lang, "Mở kế hoạch", "Open the plan")) }
                    } @else if plans::may_plan(&p.user, r.district_id) {
                        form.inline method="post" action="/plans" {
                            input type="hidden" name="district_id" value=(r.district_id);
                            input type="hidden" name="year" value=(year);
                            button type="submit" { (tr(lang, "Lập dự thảo", "Draft a plan")) }
                        }
                    } @else { "–" }
                }
            } } }
        } }
    };
    Ok(page(&p, tr(lang, "Kế hoạch năm", "Annual plans"), body))
}

#[derive(Deserialize)]
pub struct NewPlan {
    district_id: i64,
    year: i32,
}

pub async fn create(State(state): State<AppState>, p: Page, Form(f): Form<NewPlan>) -> Result<Redirect> {
    let input = PlanInput {
        district_id: f.district_id,
        year: f.year,
        classes: Vec::new(),
    };
    let plan = state.db.write(async |c| plans::create(c, &p.user, input).await).await?;
    Ok(Redirect::to(&format!("/plans/{}?done=created", plan.id)))
}

/// The values of a class form as sent, to show again beside their errors.
#[derive(Default, Clone)]
pub struct ClassForm {
    program_id: String,
    center_id: String,
    name: String,
    months: Vec<u32>,
    trainees: String,
    women: String,
    ethnic_minority: String,
}

const CLASS_FIELDS: [&str; 7] = [
    "program_id",
    "center_id",
    "name",
    "months",
    "trainees",
    "women",
    "ethnic_minority",
];

impl ClassForm {
    fn from_fields(fields: &[(String, String)]) -> ClassForm {
        let one = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        ClassForm {
            program_id: one("program_id"),
            center_id: one("center_id"),
            name: one("name"),
            months: fields
                .iter()
                .filter(|(k, _)| k == "months")
                .filter_map(|(_, v)| v.parse().ok())
                .collect(),
            trainees: one("trainees"),
            women: one("women"),
            ethnic_minority: one("ethnic_minority"),
        }
    }

    fn of(k: &plans::PlannedClass) -> ClassForm {
        ClassForm {
            program_id: k.program_id.to_string(),
            center_id: k.center_id.to_string(),
            name: k.name.clone(),
            months: k.months.clone(),
            trainees: k.trainees.to_string(),
            women: k.women.to_string(),
            ethnic_minority: k.ethnic_minority.to_string(),
        }
    }

    /// The input, or every field that is not a number where one is needed.
    fn input(&self) -> std::result::Result<PlannedClassInput, Vec<ApiError>> {
        let mut errors = Vec::new();
        let mut number = |field: &'static str, value: &str, vi: &'static str, en: &'static str| -> i64 {
            match value.parse::<i64>() {
                Ok(n) if n >= 0 => n,
                _ => {
                    errors.push(ApiError::invalid(field, "invalid_field", vi, en));
                    0
                }
            }
        };
        let program_id = number(
            "program_id",
            &self.program_id,
            "Chọn một chương trình.",
            "Choose a program.",
        );
        let center_id = number("center_id", &self.center_id, "Chọn một trung tâm.", "Choose a center.");
        let count = "Nhập một số nguyên không âm, ví dụ 60.";
        let count_en = "Enter a whole number, 0 or more, e.g. 60.";
        let trainees = number("trainees", &self.trainees, count, count_en);
        let women = number("women", &self.women, count, count_en);
        let ethnic_minority = number("ethnic_minority", &self.ethnic_minority, count, count_en);
        if !errors.is_empty() {
            return Err(errors);
        }
        let small = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(PlannedClassInput {
            program_id,
            center_id,
            name: self.name.clone(),
            months: self.months.clone(),
            trainees: small(trainees),
            women: small(women),
            ethnic_minority: small(ethnic_minority),
        })
    }
}

fn invalid_attrs(errors: &[ApiError], field: &str) -> (Option<&'static str>, Option<String>) {
    if has_error(errors, field) {
        (Some("true"), Some(error_id(field)))
    } else {
        (None, None)
    }
}

/// The fields of a planned class.
fn class_fields(lang: Lang, choices: &Choices, district_id: i64, f: &ClassForm, errors: &[ApiError]) -> Markup {
    let (pi, pd) = invalid_attrs(errors, "program_id");
    let (ci, cd) = invalid_attrs(errors, "center_id");
    let (ni, nd) = invalid_attrs(errors, "name");
    let (ti, td) = invalid_attrs(errors, "trainees");
    let (wi, wd) = invalid_attrs(errors, "women");
    let (ei, ed) = invalid_attrs(errors, "ethnic_minority");
    html! {
        (other_errors(lang, errors, &CLASS_FIELDS))
        label { (tr(lang, "Chương trình", "Program")) br;
            select name="program_id" required aria-invalid=[pi] aria-describedby=[pd] {
                option value="" { (tr(lang, "— chọn —", "— choose —")) }
                @for x in &choices.programs {
                    option value=(x.id) selected[f.program_id == x.id.to_string()] { (x.name) }
                }
            }
            (field_errors(lang, errors, "program_id"))
        }
        label { (tr(lang, "Trung tâm", "Center")) br;
            select name="center_id" required aria-invalid=[ci] aria-describedby=[cd] {
                option value="" { (tr(lang, "— chọn —", "— choose —")) }
                @for x in choices.centers_for(district_id) {
                    option value=(x.id) selected[f.center_id == x.id.to_string()] { (x.name) }
                }
            }
            (field_errors(lang, errors, "center_id"))
        }
        label { (tr(lang, "Tên lớp", "Class name")) br;
            input name="name" value=(f.name) maxlength="200" required aria-invalid=[ni] aria-describedby=[nd]
                placeholder=(tr(lang, "Lớp Sơ cấp LLCT khóa 1", "Lớp Sơ cấp LLCT khóa 1"));
            (field_errors(lang, errors, "name"))
        }
        (months_fieldset(lang, &f.months, errors))
        label { (tr(lang, "Số học viên", "Trainees")) br;
            input type="number" name="trainees" min="0" value=(f.trainees) required aria-invalid=[ti] aria-describedby=[td];
            (field_errors(lang, errors, "trainees"))
        }
        label { (tr(lang, "Trong đó nữ", "Of whom women")) br;
            input type="number" name="women" min="0" value=(f.women) required aria-invalid=[wi] aria-describedby=[wd];
            (field_errors(lang, errors, "women"))
        }
        label { (tr(lang, "Trong đó dân tộc thiểu số", "Of whom ethnic minority")) br;
            input type="number" name="ethnic_minority" min="0" value=(f.ethnic_minority) required aria-invalid=[ei] aria-describedby=[ed];
            (field_errors(lang, errors, "ethnic_minority"))
        }
    }
}

/// The twelve months to tick, with the errors about them.
pub fn months_fieldset(lang: Lang, months: &[u32], errors: &[ApiError]) -> Markup {
    html! {
        fieldset aria-describedby=[has_error(errors, "months").then(|| error_id("months"))] {
            legend { (tr(lang, "Tháng dự kiến", "Intended months")) }
            @for m in 1..=12u32 {
                label style="display:inline-block;margin-right:.6rem" {
                    input type="checkbox" name="months" value=(m) checked[months.contains(&m)];
                    " " (tr(lang, "Tháng ", "Month ")) (m)
                }
            }
            (field_errors(lang, errors, "months"))
        }
    }
}

pub fn months_text(lang: Lang, months: &[u32]) -> String {
    let list: Vec<String> = months.iter().map(u32::to_string).collect();
    format!("{}{}", tr(lang, "tháng ", "months "), list.join(", "))
}

/// A plan's page: its classes, and while a draft (for those who plan it) the forms to add,
/// change or remove a class and to approve.
fn plan_page(
    p: &Page,
    plan: &Plan,
    choices: &Choices,
    form: &ClassForm,
    errors: &[ApiError],
    done: Option<&str>,
) -> Markup {
    let lang = p.lang;
    let editable = plan.status == PlanStatus::Draft && plans::may_plan(&p.user, plan.district_id);
    // An approved plan's classes can still move to other months.
    let movable = plan.status == PlanStatus::Approved && plans::may_plan(&p.user, plan.district_id);
    let title = format!(
        "{} {} – {}",
        tr(lang, "Kế hoạch năm", "Annual plan"),
        plan.year,
        choices.district(plan.district_id)
    );
    let body = html! {
        (done_note(lang, done))
        p {
            strong { (status_text(lang, Some(plan.status.as_str()))) }
            @if let (Some(by), Some(at)) = (&plan.approved_by, plan.approved_at) {
                " · " (tr(lang, "phê duyệt bởi ", "approved by ")) (by) (tr(lang, " ngày ", " on ")) (date(at))
            }
        }
        p { a href={ "/plans?year=" (plan.year) } { (tr(lang, "← Kế hoạch các huyện", "← The districts' plans")) } }
        @if plan.classes.is_empty() {
            p { (tr(lang, "Kế hoạch chưa có lớp nào.", "The plan has no classes yet.")) }
        } @else {
            div.scroll tabindex="0" { table {
                caption { (tr(lang, "Các lớp trong kế hoạch", "The plan's classes")) }
                thead { tr {
                    th scope="col" { (tr(lang, "Lớp", "Class")) }
                    th scope="col" { (tr(lang, "Chương trình", "Program")) }
                    th scope="col" { (tr(lang, "Trung tâm", "Center")) }
                    th scope="col" { (tr(lang, "Tháng", "Months")) }
                    th scope="col" { (tr(lang, "Học viên", "Trainees")) }
                    th scope="col" { (tr(lang, "Nữ", "Women")) }
                    th scope="col" { (tr(lang, "Dân tộc thiểu số", "Ethnic minority")) }
                    @if editable || movable { th scope="col" { (tr(lang, "Thao tác", "Action")) } }
                } }
                tbody { @for k in &plan.classes { tr data-planned-class=(k.id) {
                    th scope="row" { (k.name) }
                    td.text { (choices.program(k.program_id)) }
                    td.text { (choices.center(k.center_id)) }
                    td.text { (months_text(lang, &k.months)) }
                    td { (k.trainees) } td { (k.women) } td { (k.ethnic_minority) }
                    @if editable { td.text {
                        a href={ "/plans/" (plan.id) "/classes/" (k.id) } { (tr(lang, "Sửa", "Edit")) }
                        " "
                        form.inline method="post" action={ "/plans/" (plan.id) "/classes/" (k.id) "/remove" } {
                            button type="submit" { (tr(lang, "Bỏ lớp", "Remove")) }
                        }
                    } }
                    @if movable { td.text {
                        a href={ "/plans/" (plan.id) "/classes/" (k.id) "/months" } { (tr(lang, "Dời tháng", "Move the months")) }
                    } }
                } } }
            } }
        }
        @if editable {
            h2 { (tr(lang, "Thêm lớp", "Add a class")) }
            form.add-class method="post" action={ "/plans/" (plan.id) "/classes" } {
                (class_fields(lang, choices, plan.district_id, form, errors))
                button type="submit" { (tr(lang, "Thêm lớp", "Add the class")) }
            }
            h2 { (tr(lang, "Phê duyệt", "Approval")) }
            p.muted { (tr(lang, "Sau khi phê duyệt, kế hoạch không sửa được nữa; các trung tâm đề nghị giảng viên cho các lớp trong kế hoạch.",
                "Once approved the plan no longer changes; the centers request lecturers for its classes.")) }
            form method="post" action={ "/plans/" (plan.id) "/approve" } {
                button type="submit" { (tr(lang, "Phê duyệt kế hoạch", "Approve the plan")) }
            }
        }
    };
    page(p, &title, body)
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

pub async fn load(state: &AppState, p: &Page, id: i64) -> Result<(Plan, Choices)> {
    state
        .db
        .read(async |mut c| {
            let plan = plans::get(c.reborrow(), &p.user, id).await?;
            let choices = choices::load(c).await?;
            Ok((plan, choices))
        })
        .await
}

pub async fn show(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
) -> Result<Markup> {
    let (plan, choices) = load(&state, &p, id).await?;
    Ok(plan_page(
        &p,
        &plan,
        &choices,
        &ClassForm::default(),
        &[],
        q.done.as_deref(),
    ))
}

/// Errors of a form sent back: the form again with the values sent (422), or the error page
/// for anything else (refused, not found, no longer a draft).
fn field_errors_only(errors: &[ApiError]) -> bool {
    errors.iter().all(|e| e.status == StatusCode::UNPROCESSABLE_ENTITY)
}

pub async fn add_class(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let form = ClassForm::from_fields(&fields);
    let result = match form.input() {
        Ok(input) => state
            .db
            .write(async |c| plans::add_class(c, &p.user, id, input).await)
            .await
            .map_err(|e| vec![e]),
        Err(errors) => Err(errors),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/plans/{id}?done=added")).into_response()),
        Err(errors) if field_errors_only(&errors) => {
            let (plan, choices) = load(&state, &p, id).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                plan_page(&p, &plan, &choices, &form, &errors, None),
            )
                .into_response())
        }
        Err(mut errors) => Err(errors.remove(0)),
    }
}

fn edit_page(p: &Page, plan: &Plan, class_id: i64, choices: &Choices, form: &ClassForm, errors: &[ApiError]) -> Markup {
    let lang = p.lang;
    let body = html! {
        p { a href={ "/plans/" (plan.id) } { (tr(lang, "← Về kế hoạch", "← Back to the plan")) } }
        form method="post" action={ "/plans/" (plan.id) "/classes/" (class_id) } {
            (class_fields(lang, choices, plan.district_id, form, errors))
            button type="submit" { (tr(lang, "Lưu lớp", "Save the class")) }
        }
    };
    page(p, tr(lang, "Sửa lớp trong kế hoạch", "Edit a planned class"), body)
}

pub fn planned(plan: &Plan, class_id: i64) -> Result<&plans::PlannedClass> {
    plan.classes
        .iter()
        .find(|k| k.id == class_id)
        .ok_or_else(|| ApiError::not_found("lớp trong kế hoạch", "Planned class"))
}

pub async fn edit_class(
    State(state): State<AppState>,
    p: Page,
    Path((id, class_id)): Path<(i64, i64)>,
) -> Result<Markup> {
    let (plan, choices) = load(&state, &p, id).await?;
    if !plans::may_plan(&p.user, plan.district_id) {
        return Err(ApiError::forbidden());
    }
    let k = planned(&plan, class_id)?;
    Ok(edit_page(&p, &plan, class_id, &choices, &ClassForm::of(k), &[]))
}

pub async fn save_class(
    State(state): State<AppState>,
    p: Page,
    Path((id, class_id)): Path<(i64, i64)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let form = ClassForm::from_fields(&fields);
    let result = match form.input() {
        Ok(input) => state
            .db
            .write(async |c| plans::update_class(c, &p.user, id, class_id, input).await)
            .await
            .map_err(|e| vec![e]),
        Err(errors) => Err(errors),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/plans/{id}?done=saved")).into_response()),
        Err(errors) if field_errors_only(&errors) => {
            let (plan, choices) = load(&state, &p, id).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                edit_page(&p, &plan, class_id, &choices, &form, &errors),
            )
                .into_response())
        }
        Err(mut errors) => Err(errors.remove(0)),
    }
}

pub async fn remove_class(
    State(state): State<AppState>,
    p: Page,
    Path((id, class_id)): Path<(i64, i64)>,
) -> Result<Redirect> {
    state
        .db
        .write(async |c| plans::remove_class(c, &p.user, id, class_id).await)
        .await?;
    Ok(Redirect::to(&format!("/plans/{id}?done=removed")))
}

pub async fn approve(State(state): State<AppState>, p: Page, Path(id): Path<i64>) -> Result<Redirect> {
    state.db.write(async |c| plans::approve(c, &p.user, id).await).await?;
    Ok(Redirect::to(&format!("/plans/{id}?done=approved")))
}
