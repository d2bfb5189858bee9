//! Briefing conferences: create, list by district and month, cancel one not yet held.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Utc;
use maud::{Markup, html};
use serde::Deserialize;

use super::Page;
use super::form::{DAY_PATTERN, DAY_PLACEHOLDER, error_id, field_errors, has_error, other_errors, parse_day};
use super::layout::{clock, date, page, tr};
use crate::api::AppState;
use crate::auth::Scope;
use crate::error::{ApiError, Lang, Result};
use crate::planning::briefings::{self, Briefing, BriefingFilter, BriefingInput};
use crate::planning::choices::{self, Choices};
use crate::planning::sessions::Slot;
use crate::vocab::{HalfDay, RapporteurLevel};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/briefings", get(list).post(create))
        .route("/briefings/{id}/cancel", post(cancel))
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    district_id: Option<String>,
    month: Option<String>,
    created: Option<i64>,
    cancelled: Option<i64>,
}

/// The briefing form as sent.
#[derive(Deserialize, Default)]
pub struct BriefingForm {
    #[serde(default)]
    topic_id: String,
    #[serde(default)]
    district_id: String,
    #[serde(default)]
    venue: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    half_day: String,
    #[serde(default)]
    audience_level: String,
    #[serde(default)]
    language: String,
    /// `required` or `preferred`.
    #[serde(default)]
    language_rule: String,
    #[serde(default)]
    rapporteurs: String,
    #[serde(default)]
    deadline: String,
}

const FIELDS: [&str; 10] = [
    "topic_id",
    "district_id",
    "venue",
    "title",
    "slots",
    "audience_level",
    "language",
    "rapporteurs",
    "deadline",
    "month",
];

impl BriefingForm {
    fn input(&self) -> std::result::Result<BriefingInput, Vec<ApiError>> {
        let mut errors = Vec::new();
        let mut bad = |field: &'static str, vi: &'static str, en: &'static str| {
            errors.push(ApiError::invalid(field, "invalid_field", vi, en));
        };
        let topic_id = self.topic_id.parse::<i64>().ok();
        if topic_id.is_none() {
            bad(
                "topic_id",
                "Chọn nghị quyết cần quán triệt.",
                "Choose the resolution to present.",
            );
        }
        let district_id = self.district_id.parse::<i64>().ok();
        if district_id.is_none() {
            bad(
                "district_id",
                "Chọn huyện tổ chức hội nghị.",
                "Choose the district that holds it.",
            );
        }
        let date = parse_day(&self.date);
        let half_day = HalfDay::parse(&self.half_day);
        if date.is_none() || half_day.is_none() {
            bad(
                "slots",
                "Chọn ngày và buổi (sáng hoặc chiều).",
                "Choose the date and the half-day (morning or afternoon).",
            );
        }
        let audience_level = RapporteurLevel::parse(&self.audience_level);
        if audience_level.is_none() {
            bad(
                "audience_level",
                "Chọn cấp của người dự.",
                "Choose the audience's level.",
            );
        }
        let rapporteurs = self.rapporteurs.trim().parse::<u32>().ok();
        if rapporteurs.is_none() {
            bad(
                "rapporteurs",
                "Nhập số báo cáo viên cần, từ 1 đến 20.",
                "Enter how many rapporteurs are needed, 1 to 20.",
            );
        }
        let deadline = match self.deadline.trim() {
            "" => Some(None),
            d => parse_day(d).map(Some),
        };
        if deadline.is_none() {
            bad(
                "deadline",
                "Chọn ngày hạn chót, hoặc để trống.",
                "Choose the deadline, or leave it empty.",
            );
        }
        match (
            topic_id,
            district_id,
            date,
            half_day,
            audience_level,
            rapporteurs,
            deadline,
        ) {
            (
                Some(topic_id),
                Some(district_id),
                Some(date),
                Some(half_day),
                Some(audience_level),
                Some(rapporteurs),
                Some(deadline),
            ) if errors.is_empty() => {
                let language = Some(self.language.trim().to_string()).filter(|l| !l.is_empty());
                Ok(BriefingInput {
                    topic_id,
                    district_id,
                    venue: self.venue.clone(),
                    title: self.title.clone(),
                    audience_level,
                    language,
                    language_required: self.language_rule == "required",
                    rapporteurs,
                    slots: vec![Slot { date, half_day }],
                    deadline,
                })
            }
            _ => Err(errors),
        }
    }
}

fn level_text(lang: Lang, l: RapporteurLevel) -> &'static str {
    match lang {
        Lang::Vi => l.label(),
        Lang::En => l.as_str(),
    }
}

fn attrs(errors: &[ApiError], field: &str) -> (Option<&'static str>, Option<String>) {
    if has_error(errors, field) {
        (Some("true"), Some(error_id(field)))
    } else {
        (None, None)
    }
}

fn create_form(p: &Page, choices: &Choices, f: &BriefingForm, errors: &[ApiError]) -> Markup {
    let lang = p.lang;
    let own = match p.user.scope {
        Scope::District(d) => Some(d),
        _ => None,
    };
    let (ti, td) = attrs(errors, "topic_id");
    let (di, dd) = attrs(errors, "district_id");
    let (vi, vd) = attrs(errors, "venue");
    let (tti, ttd) = attrs(errors, "title");
    let (si, sd) = attrs(errors, "slots");
    let (ai, ad) = attrs(errors, "audience_level");
    let (li, ld) = attrs(errors, "language");
    let (ri, rd) = attrs(errors, "rapporteurs");
    let (ei, ed) = attrs(errors, "deadline");
    html! {
        h2 { (tr(lang, "Tạo hội nghị", "New briefing")) }
        form.create method="post" action="/briefings" {
            (other_errors(lang, errors, &FIELDS))
            label { (tr(lang, "Nghị quyết", "Resolution")) br;
                select name="topic_id" required aria-invalid=[ti] aria-describedby=[td] {
                    option value="" { (tr(lang, "— chọn —", "— choose —")) }
                    @for x in &choices.resolutions { option value=(x.id) selected[f.topic_id == x.id.to_string()] { (x.name) } }
                }
                (field_errors(lang, errors, "topic_id"))
            }
            label { (tr(lang, "Tên hội nghị", "Title")) br;
                input name="title" value=(f.title) required maxlength="200" aria-invalid=[tti] aria-describedby=[ttd];
                (field_errors(lang, errors, "title"))
            }
            label { (tr(lang, "Đơn vị", "Unit")) br;
                select name="district_id" required aria-invalid=[di] aria-describedby=[dd] {
                    @for x in choices.districts.iter().filter(|d| own.is_none_or(|o| o == d.id)) {
                        option value=(x.id) selected[f.district_id == x.id.to_string()] { (x.name) }
                    }
                }
                (field_errors(lang, errors, "district_id"))
            }
            label { (tr(lang, "Địa điểm", "Venue")) br;
                input name="venue" value=(f.venue) required maxlength="200" aria-invalid=[vi] aria-describedby=[vd];
                (field_errors(lang, errors, "venue"))
            }
            label { (tr(lang, "Ngày", "Date")) br;
                input type="text" inputmode="numeric" placeholder=(DAY_PLACEHOLDER) pattern=(DAY_PATTERN) name="date" value=(f.date) required aria-invalid=[si] aria-describedby=[sd];
            }
            label { (tr(lang, "Buổi", "Half-day")) br;
                select name="half_day" {
                    @for h in HalfDay::ALL {
                        option value=(h.as_str()) selected[f.half_day == h.as_str()] { @if lang == Lang::Vi { (h.label()) } @else { (h.as_str()) } }
                    }
                }
                (field_errors(lang, errors, "slots"))
            }
            label { (tr(lang, "Cấp của người dự", "Audience level")) br;
                select name="audience_level" aria-invalid=[ai] aria-describedby=[ad] {
                    @for l in RapporteurLevel::ALL {
                        option value=(l.as_str()) selected[f.audience_level == l.as_str()] { (level_text(lang, *l)) }
                    }
                }
                (field_errors(lang, errors, "audience_level"))
            }
            label { (tr(lang, "Ngôn ngữ của người dự (mã ISO 639, ví dụ km; để trống nếu tiếng Việt)", "Audience's language (ISO 639 code, e.g. km; empty for Vietnamese)")) br;
                input name="language" value=(f.language) maxlength="8" aria-invalid=[li] aria-describedby=[ld];
                (field_errors(lang, errors, "language"))
            }
            label { (tr(lang, "Ngôn ngữ là", "The language is")) br;
                select name="language_rule" {
                    option value="preferred" selected[f.language_rule != "required"] { (tr(lang, "Ưu tiên", "Preferred")) }
                    option value="required" selected[f.language_rule == "required"] { (tr(lang, "Bắt buộc", "Required")) }
                }
            }
            label { (tr(lang, "Số báo cáo viên cần", "Rapporteurs needed")) br;
                input type="number" name="rapporteurs" min="1" max="20" value=(if f.rapporteurs.is_empty() { "1" } else { &f.rapporteurs }) required aria-invalid=[ri] aria-describedby=[rd];
                (field_errors(lang, errors, "rapporteurs"))
            }
            label { (tr(lang, "Hạn chót (không bắt buộc)", "Deadline (optional)")) br;
                input type="text" inputmode="numeric" placeholder=(DAY_PLACEHOLDER) pattern=(DAY_PATTERN) name="deadline" value=(f.deadline) aria-invalid=[ei] aria-describedby=[ed];
                (field_errors(lang, errors, "deadline"))
            }
            button type="submit" { (tr(lang, "Tạo hội nghị", "Create the briefing")) }
        }
    }
}

fn list_page(
    p: &Page,
    choices: &Choices,
    q: &ListQuery,
    list: &[Briefing],
    form: &BriefingForm,
    errors: &[ApiError],
) -> Markup {
    let lang = p.lang;
    let may_create = matches!(p.user.scope, Scope::Province | Scope::District(_));
    let now = Utc::now();
    let body = html! {
        @if let Some(id) = q.created {
            p.ok role="status" { (tr(lang, "Đã tạo hội nghị số ", "Created briefing no. ")) (id) "." }
        }
        @if let Some(id) = q.cancelled {
            p.ok role="status" { (tr(lang, "Đã hủy hội nghị số ", "Cancelled briefing no. ")) (id) "." }
        }
        form.filters method="get" action="/briefings" {
            label { (tr(lang, "Đơn vị", "Unit")) " "
                select name="district_id" {
                    option value="" { (tr(lang, "Tất cả", "All")) }
                    @for d in &choices.districts {
                        option value=(d.id) selected[q.district_id.as_deref() == Some(&d.id.to_string())] { (d.name) }
                    }
                }
            }
            label { (tr(lang, "Tháng", "Month")) " "
                input type="month" name="month" value=(q.month.as_deref().unwrap_or("")) placeholder="2027-03";
            }
            button type="submit" { (tr(lang, "Lọc", "Filter")) }
        }
        @if list.is_empty() {
            p { (tr(lang, "Không có hội nghị nào.", "No briefings.")) }
        } @else {
            div.scroll tabindex="0" { table.briefings {
                thead { tr {
                    th scope="col" { (tr(lang, "Hội nghị", "Briefing")) }
                    th scope="col" { (tr(lang, "Nghị quyết", "Resolution")) }
                    th scope="col" { (tr(lang, "Đơn vị", "Unit")) }
                    th scope="col" { (tr(lang, "Địa điểm", "Venue")) }
                    th scope="col" { (tr(lang, "Thời gian", "When")) }
                    th scope="col" { (tr(lang, "Cấp người dự", "Audience")) }
                    th scope="col" { (tr(lang, "Ngôn ngữ", "Language")) }
                    th scope="col" { (tr(lang, "Báo cáo viên", "Rapporteurs")) }
                    th scope="col" { (tr(lang, "Hạn chót", "Deadline")) }
                    th scope="col" { (tr(lang, "Thao tác", "Action")) }
                } }
                tbody { @for b in list { tr data-briefing=(b.id) {
                    th scope="row" { (b.title) }
                    td.text { (choices.resolution(b.topic_id)) }
                    td.text { (choices.district(b.district_id)) }
                    td.text { (b.venue) }
                    td.text { @for t in &b.starts { (date(*t)) " " (clock(*t)) br; } }
                    td.text { (level_text(lang, b.audience_level)) }
                    td.text { @match &b.language {
                        Some(l) => { (l) " (" (if b.language_required { tr(lang, "bắt buộc", "required") } else { tr(lang, "ưu tiên", "preferred") }) ")" }
                        None => { (tr(lang, "Tiếng Việt", "Vietnamese")) }
                    } }
                    td { (b.rapporteurs) }
                    td.text { @if let Some(d) = b.deadline { (d.format("%d/%m/%Y")) } @else { "–" } }
                    td.text {
                        @if b.starts.first().is_some_and(|t| *t <= now) {
                            (tr(lang, "Đã diễn ra", "Held"))
                        } @else if may_create {
                            form.inline method="post" action={ "/briefings/" (b.id) "/cancel" } {
                                button type="submit" { (tr(lang, "Hủy hội nghị", "Cancel")) }
                            }
                        } @else { (tr(lang, "Sắp diễn ra", "Upcoming")) }
                    }
                } } }
            } }
        }
        @if may_create { (create_form(p, choices, form, errors)) }
    };
    page(p, tr(lang, "Hội nghị báo cáo", "Briefings"), body)
}

fn filter(q: &ListQuery) -> BriefingFilter {
    BriefingFilter {
        district_id: q.district_id.as_deref().and_then(|d| d.parse().ok()),
        month: q.month.clone().filter(|m| !m.is_empty()),
    }
}

async fn load(state: &AppState, p: &Page, q: &ListQuery) -> Result<(Choices, Vec<Briefing>)> {
    let f = filter(q);
    state
        .db
        .read(async |mut c| {
            let list = briefings::list(c.reborrow(), &p.user, f).await?;
            Ok((choices::load(c).await?, list))
        })
        .await
}

pub async fn list(State(state): State<AppState>, p: Page, Query(q): Query<ListQuery>) -> Result<Response> {
    match load(&state, &p, &q).await {
        Ok((choices, list)) => Ok(list_page(&p, &choices, &q, &list, &BriefingForm::default(), &[]).into_response()),
        // A month that is not one: the list unfiltered by month, the error above it.
        Err(e) if e.field.as_deref() == Some("month") => {
            let unfiltered = ListQuery {
                district_id: q.district_id.clone(),
                ..ListQuery::default()
            };
            let (choices, list) = load(&state, &p, &unfiltered).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                list_page(&p, &choices, &q, &list, &BriefingForm::default(), &[e]),
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn create(State(state): State<AppState>, p: Page, Form(f): Form<BriefingForm>) -> Result<Response> {
    let result = match f.input() {
        Ok(input) => state
            .db
            .write(async |c| briefings::create(c, &p.user, input).await)
            .await
            .map_err(|e| vec![e]),
        Err(errors) => Err(errors),
    };
    match result {
        Ok(created) => Ok(Redirect::to(&format!("/briefings?created={}", created.id)).into_response()),
        Err(errors) if errors.iter().all(|e| e.status != StatusCode::FORBIDDEN) => {
            let q = ListQuery::default();
            let (choices, list) = load(&state, &p, &q).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                list_page(&p, &choices, &q, &list, &f, &errors),
            )
                .into_response())
        }
        Err(mut errors) => Err(errors.remove(0)),
    }
}

pub async fn cancel(State(state): State<AppState>, p: Page, Path(id): Path<i64>) -> Result<Redirect> {
    state
        .db
        .write(async |c| briefings::cancel(c, &p.user, id).await)
        .await?;
    Ok(Redirect::to(&format!("/briefings?cancelled={id}")))
}
