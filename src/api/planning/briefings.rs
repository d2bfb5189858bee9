//! Briefing conferences.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiJson, Problem, Result};
use crate::planning::briefings::{self, Briefing, BriefingInput};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_briefings, create_briefing))
}

/// Briefings the caller may read: the province all, a district board and a center their
/// district's.
#[utoipa::path(get, path = "/api/v1/briefings", tag = "planning", responses((status = 200, body = Vec<Briefing>)))]
async fn list_briefings(State(state): State<AppState>, user: AuthUser) -> Result<Json<Vec<Briefing>>> {
    Ok(Json(state.db.read(async |c| briefings::list(c, &user).await).await?))
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
