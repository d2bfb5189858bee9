//! Objective weights, candidates for a session, and pins.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiJson, ApiPath, Problem, Result};
use crate::scheduling::board::{self, CandidateView, WeightsView};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_weights, set_weights))
        .routes(routes!(pin_person, unpin_person))
        .routes(routes!(session_candidates))
}

#[utoipa::path(get, path = "/api/v1/scheduler/weights", tag = "scheduling", responses((status = 200, body = WeightsView)))]
async fn get_weights(State(state): State<AppState>, _user: AuthUser) -> Result<Json<WeightsView>> {
    Ok(Json(state.db.read(async |c| board::weights(c).await).await?))
}

/// Set the weights the next runs use (province board only); each 0 to 1,000,000.
#[utoipa::path(put, path = "/api/v1/scheduler/weights", tag = "scheduling", request_body = WeightsView,
    responses((status = 200, body = WeightsView), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn set_weights(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<WeightsView>,
) -> Result<Json<WeightsView>> {
    Ok(Json(
        state
            .db
            .write(async |c| board::set_weights(c, &user, body).await)
            .await?,
    ))
}

/// Who can take this session: everyone who could join it in the published schedule without
/// breaking a rule, cheapest first, then least loaded (province board only).
#[utoipa::path(get, path = "/api/v1/sessions/{id}/candidates", tag = "scheduling", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<CandidateView>), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn session_candidates(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<CandidateView>>> {
    Ok(Json(
        state
            .db
            .read(async |c| board::candidates(c, &user, id, None).await)
            .await?,
    ))
}

/// Pin a person on a session: every later run keeps them there (province board only). A pin
/// that breaks a rule is refused, with the rule.
#[utoipa::path(put, path = "/api/v1/sessions/{id}/pins/{person_id}", tag = "scheduling",
    params(("id" = i64, Path), ("person_id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn pin_person(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((id, person)): ApiPath<(i64, i64)>,
) -> Result<StatusCode> {
    state.db.write(async |c| board::pin(c, &user, id, person).await).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/sessions/{id}/pins/{person_id}", tag = "scheduling",
    params(("id" = i64, Path), ("person_id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn unpin_person(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((id, person)): ApiPath<(i64, i64)>,
) -> Result<StatusCode> {
    state
        .db
        .write(async |c| board::unpin(c, &user, (id, person)).await)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
