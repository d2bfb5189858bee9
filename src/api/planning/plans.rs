//! Annual plans.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiJson, ApiPath, ApiQuery, Problem, Result};
use crate::planning::months::{self, MonthsInput};
use crate::planning::plans::{self, Plan, PlanFilter, PlanInput, PlanSummary, PlannedClassInput};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_plans, create_plan))
        .routes(routes!(get_plan))
        .routes(routes!(add_class))
        .routes(routes!(update_class, remove_class))
        .routes(routes!(plan_overview))
        .routes(routes!(approve_plan))
        .routes(routes!(move_months))
}

/// Move the months of a plan's class, approved or not (the board of the plan's district, or
/// the province); recorded in the audit log. A request under way or accepted must still fall
/// inside the new months.
#[utoipa::path(put, path = "/api/v1/plans/{id}/classes/{class_id}/months", tag = "planning",
    params(("id" = i64, Path), ("class_id" = i64, Path)), request_body = MonthsInput,
    responses((status = 200, body = Plan), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn move_months(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((id, class_id)): ApiPath<(i64, i64)>,
    ApiJson(body): ApiJson<MonthsInput>,
) -> Result<Json<Plan>> {
    Ok(Json(
        state
            .db
            .write(async |c| months::move_class(c, &user, id, class_id, body).await)
            .await?,
    ))
}

/// Plans the caller may read: the province sees all, a district board and a center their
/// district's.
#[utoipa::path(get, path = "/api/v1/plans", tag = "planning", params(PlanFilter), responses((status = 200, body = Vec<Plan>)))]
async fn list_plans(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(filter): ApiQuery<PlanFilter>,
) -> Result<Json<Vec<Plan>>> {
    Ok(Json(
        state.db.read(async |c| plans::list(c, &user, filter).await).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "planning", params(("id" = i64, Path)),
    responses((status = 200, body = Plan), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_plan(State(state): State<AppState>, user: AuthUser, ApiPath(id): ApiPath<i64>) -> Result<Json<Plan>> {
    Ok(Json(state.db.read(async |c| plans::get(c, &user, id).await).await?))
}

/// Draft a district's plan for a year, with its classes (the province, or the district's
/// board).
#[utoipa::path(post, path = "/api/v1/plans", tag = "planning", request_body = PlanInput,
    responses((status = 201, body = Plan), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_plan(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<PlanInput>,
) -> Result<(StatusCode, Json<Plan>)> {
    let created = state.db.write(async |c| plans::create(c, &user, body).await).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Add a class to a draft plan.
#[utoipa::path(post, path = "/api/v1/plans/{id}/classes", tag = "planning", params(("id" = i64, Path)),
    request_body = PlannedClassInput,
    responses((status = 201, body = Plan), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn add_class(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<PlannedClassInput>,
) -> Result<(StatusCode, Json<Plan>)> {
    let created = state
        .db
        .write(async |c| plans::add_class(c, &user, id, body).await)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Approve a draft plan (the district's board, or the province); who and when are recorded.
#[utoipa::path(post, path = "/api/v1/plans/{id}/approve", tag = "planning", params(("id" = i64, Path)),
    responses((status = 200, body = Plan), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn approve_plan(State(state): State<AppState>, user: AuthUser, ApiPath(id): ApiPath<i64>) -> Result<Json<Plan>> {
    Ok(Json(
        state.db.write(async |c| plans::approve(c, &user, id).await).await?,
    ))
}

/// Change a class of a draft plan (program, center, name, months, trainees).
#[utoipa::path(put, path = "/api/v1/plans/{id}/classes/{class_id}", tag = "planning",
    params(("id" = i64, Path), ("class_id" = i64, Path)), request_body = PlannedClassInput,
    responses((status = 200, body = Plan), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn update_class(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((id, class_id)): ApiPath<(i64, i64)>,
    ApiJson(body): ApiJson<PlannedClassInput>,
) -> Result<Json<Plan>> {
    Ok(Json(
        state
            .db
            .write(async |c| plans::update_class(c, &user, id, class_id, body).await)
            .await?,
    ))
}

/// Remove a class from a draft plan.
#[utoipa::path(delete, path = "/api/v1/plans/{id}/classes/{class_id}", tag = "planning",
    params(("id" = i64, Path), ("class_id" = i64, Path)),
    responses((status = 200, body = Plan), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn remove_class(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((id, class_id)): ApiPath<(i64, i64)>,
) -> Result<Json<Plan>> {
    Ok(Json(
        state
            .db
            .write(async |c| plans::remove_class(c, &user, id, class_id).await)
            .await?,
    ))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct OverviewQuery {
    year: i32,
}

/// Every district the caller may read with its plan for a year: status, classes, trainees,
/// who approved it and when.
#[utoipa::path(get, path = "/api/v1/plans/overview", tag = "planning", params(OverviewQuery),
    responses((status = 200, body = Vec<PlanSummary>)))]
async fn plan_overview(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(q): ApiQuery<OverviewQuery>,
) -> Result<Json<Vec<PlanSummary>>> {
    Ok(Json(
        state.db.read(async |c| plans::overview(c, &user, q.year).await).await?,
    ))
}
