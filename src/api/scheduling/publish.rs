//! Publishing, versions, and the published schedule.

use axum::Json;
use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiPath, ApiQuery, Problem, Result};
use crate::scheduling::breaches::BrokenAssignment;
use crate::scheduling::publish::{self, Published, ScheduleQuery, ScheduledSession, Version};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(publish_run))
        .routes(routes!(list_versions))
        .routes(routes!(get_schedule))
        .routes(routes!(needs_replanning))
}

/// Publish a run's draft as the current schedule (province board only): a new version, in one
/// transaction. A draft made before another publication is stale and refused.
#[utoipa::path(post, path = "/api/v1/runs/{id}/publish", tag = "scheduling", params(("id" = i64, Path)),
    responses((status = 200, body = Published), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn publish_run(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Published>> {
    let published = state.db.write(async |c| publish::publish(c, &user, id).await).await?;
    // Person feeds on this instance show the new version at once.
    Ok(Json(published))
}

/// Every published version, newest first.
#[utoipa::path(get, path = "/api/v1/schedule/versions", tag = "scheduling", responses((status = 200, body = Vec<Version>)))]
async fn list_versions(State(state): State<AppState>, user: AuthUser) -> Result<Json<Vec<Version>>> {
    Ok(Json(state.db.read(async |c| publish::versions(c, &user).await).await?))
}

/// The published schedule over some days: every session with its people (empty when
/// uncovered). The province sees all districts, a district board and a center their own, a
/// lecturer their own sessions.
#[utoipa::path(get, path = "/api/v1/schedule", tag = "scheduling", params(ScheduleQuery),
    responses((status = 200, body = Vec<ScheduledSession>), (status = 400, body = Problem, content_type = "application/problem+json")))]
async fn get_schedule(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(q): ApiQuery<ScheduleQuery>,
) -> Result<Json<Vec<ScheduledSession>>> {
    Ok(Json(
        state.db.read(async |c| publish::schedule(c, &user, q).await).await?,
    ))
}

/// Published assignments that break a rule today (leave, a weekly half-day, a lost
/// qualification, level or language, a lowered cap, a longer travel time, deactivation), by the
/// scheduler's own checker against today's registry, each with the rules in words: the
/// sessions to re-plan. The province sees all districts, a district board and a center their
/// own.
#[utoipa::path(get, path = "/api/v1/schedule/needs-replanning", tag = "scheduling", params(ScheduleQuery),
    responses((status = 200, body = Vec<BrokenAssignment>), (status = 400, body = Problem, content_type = "application/problem+json")))]
async fn needs_replanning(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(q): ApiQuery<ScheduleQuery>,
) -> Result<Json<Vec<BrokenAssignment>>> {
    Ok(Json(
        state
            .db
            .read(async |c| publish::needing_replanning(c, &user, q).await)
            .await?,
    ))
}
