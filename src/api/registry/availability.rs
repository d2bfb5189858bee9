//! Availability: absences and weekly half-days.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiJson, ApiPath, Problem, Result};
use crate::registry::PersonView;
use crate::registry::availability::{self, Unavailability, UnavailabilityInput, WeeklyPattern};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_unavailability, add_unavailability))
        .routes(routes!(remove_unavailability))
        .routes(routes!(set_weekly_pattern))
}

/// A person's unavailable periods, in time order.
#[utoipa::path(get, path = "/api/v1/people/{id}/unavailability", tag = "availability", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Unavailability>), (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn list_unavailability(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<Unavailability>>> {
    Ok(Json(
        state.db.read(async |c| availability::list(c, &user, id).await).await?,
    ))
}

/// Add an unavailable period. A reversed or empty period is refused, and so is one that
/// overlaps a period already recorded (remove that one first).
#[utoipa::path(post, path = "/api/v1/people/{id}/unavailability", tag = "availability", params(("id" = i64, Path)),
    request_body = UnavailabilityInput,
    responses((status = 201, body = Unavailability), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn add_unavailability(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<UnavailabilityInput>,
) -> Result<(StatusCode, Json<Unavailability>)> {
    let created = state
        .db
        .write(async |c| availability::add(c, &user, id, body).await)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Remove an unavailable period.
#[utoipa::path(delete, path = "/api/v1/people/{id}/unavailability/{period_id}", tag = "availability",
    params(("id" = i64, Path), ("period_id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn remove_unavailability(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((id, period_id)): ApiPath<(i64, i64)>,
) -> Result<StatusCode> {
    state
        .db
        .write(async |c| availability::remove(c, &user, id, period_id).await)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replace the weekly half-days a person can come.
#[utoipa::path(put, path = "/api/v1/people/{id}/weekly-pattern", tag = "availability", params(("id" = i64, Path)),
    request_body = WeeklyPattern,
    responses((status = 200, body = PersonView), (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn set_weekly_pattern(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<WeeklyPattern>,
) -> Result<Json<PersonView>> {
    Ok(Json(
        state
            .db
            .write(async |c| availability::set_weekly_pattern(c, &user, id, body).await)
            .await?,
    ))
}
