//! Moving the months of an approved plan's class: the board of the plan's district (or the
//! province) ticks the new months; a refusal is shown on the form, and nothing changes.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, http::StatusCode};
use maud::{Markup, html};

use super::Page;
use super::form::other_errors;
use super::layout::{page, tr};
use super::plans::{load, months_fieldset, months_text, planned};
use crate::api::AppState;
use crate::error::{ApiError, Result};
use crate::planning::months::{self, MonthsInput};
use crate::planning::plans::{self, Plan};

pub fn routes() -> Router<AppState> {
    Router::new().route("/plans/{id}/classes/{class}/months", get(show).post(save))
}

fn months_page(p: &Page, plan: &Plan, class_id: i64, chosen: &[u32], error: Option<&ApiError>) -> Result<Markup> {
    let lang = p.lang;
    let k = planned(plan, class_id)?;
    let errors: Vec<ApiError> = error.cloned().into_iter().collect();
    let body = html! {
        p { a href={ "/plans/" (plan.id) } { (tr(lang, "← Về kế hoạch", "← Back to the plan")) } }
        p { strong { (k.name) } " · " (tr(lang, "hiện nay ", "now ")) (months_text(lang, &k.months)) }
        form method="post" action={ "/plans/" (plan.id) "/classes/" (class_id) "/months" } {
            (other_errors(lang, &errors, &["months"]))
            (months_fieldset(lang, chosen, &errors))
            p.muted { (tr(lang, "Việc dời tháng được ghi vào nhật ký thay đổi. Các buổi của đề nghị giảng viên đang chờ hoặc đã chấp nhận phải nằm trong các tháng mới.",
                "Moving the months is recorded in the audit log. The half-days of a request waiting or accepted must fall in the new months.")) }
            button type="submit" { (tr(lang, "Dời sang các tháng đã chọn", "Move to the months ticked")) }
        }
    };
    Ok(page(p, tr(lang, "Dời tháng của lớp", "Move a class's months"), body))
}

async fn show(State(state): State<AppState>, p: Page, Path((id, class_id)): Path<(i64, i64)>) -> Result<Markup> {
    let (plan, _) = load(&state, &p, id).await?;
    plans::require_planner(&p.user, plan.district_id)?;
    let current = planned(&plan, class_id)?.months.clone();
    months_page(&p, &plan, class_id, &current, None)
}

async fn save(
    State(state): State<AppState>,
    p: Page,
    Path((id, class_id)): Path<(i64, i64)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let chosen: Vec<u32> = fields
        .iter()
        .filter(|(k, _)| k == "months")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let input = MonthsInput { months: chosen.clone() };
    match state
        .db
        .write(async |c| months::move_class(c, &p.user, id, class_id, input).await)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/plans/{id}?done=moved")).into_response()),
        Err(e) if matches!(e.status, StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY) => {
            let (plan, _) = load(&state, &p, id).await?;
            Ok((e.status, months_page(&p, &plan, class_id, &chosen, Some(&e))?).into_response())
        }
        Err(e) => Err(e),
    }
}
