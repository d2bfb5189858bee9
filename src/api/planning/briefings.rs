//! Briefing conferences.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiJson, ApiPath, ApiQuery, Problem, Result};
use crate::planning::briefings::{self, Briefing, BriefingFilter, BriefingInput};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_briefings, create_briefing))
        .routes(routes!(cancel_briefing))
}

/// Briefings the caller may read: the province all, a district board and a center their
/// district's.
/// With `district_id`, that district's only; with `month` (`YYYY-MM`), those with a session in
/// that month.
#[utoipa::path(get, path = "/api/v1/briefings", tag = "planning", params(BriefingFilter),
    responses((status = 200, body = Vec<Briefing>), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn list_briefings(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(filter): ApiQuery<BriefingFilter>,
) -> Result<Json<Vec<Briefing>>> {
    Ok(Json(
        state.db.read(async |c| briefings::list(c, &user, filter).await).await?,
    ))
}

/// Cancel a briefing not yet held (the province, or the district's board): it goes with its
/// sessions. A briefing already held, or with rapporteurs in a published schedule, stays.
#[utoipa::path(delete, path = "/api/v1/briefings/{id}", tag = "planning", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn cancel_briefing(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode> {
    state.db.write(async |c| briefings::cancel(c, &user, id).await).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add a briefing conference with its sessions (the province, or the district's board).
#[utoipa::path(post, path = "/api/v1/briefings", tag = "planning", request_body = BriefingInput,
    responses((status = 201, body = Briefing), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_briefing(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<BriefingInput>,
) -> Result<(StatusCode, Json<Briefing>)> {
    let created = state
        .db
        .write(async |c| briefings::create(c, &user, body).await)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}
