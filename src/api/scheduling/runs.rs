//! Solve runs and their drafts.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiJson, ApiPath, Problem, Result};
use crate::scheduling::runs::{self, DraftChange, Run, RunDetail, RunInput};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_runs, create_run))
        .routes(routes!(get_run))
        .routes(routes!(get_run_problem))
        .routes(routes!(cancel_run))
        .routes(routes!(change_draft))
}

/// Start a solve run (province board only). The problem is built now from the database; a
/// worker solves it in the background. One run at a time per period.
#[utoipa::path(post, path = "/api/v1/runs", tag = "scheduling", request_body = RunInput,
    responses((status = 202, body = Run), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_run(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<RunInput>,
) -> Result<(StatusCode, Json<Run>)> {
    let run = state.db.write(async |c| runs::create(c, &user, body).await).await?;
    state.runs_queued.notify_one();
    Ok((StatusCode::ACCEPTED, Json(run)))
}

/// Runs, newest first (the board; district boards and centers see them too, and their own
/// district's part of each draft).
#[utoipa::path(get, path = "/api/v1/runs", tag = "scheduling", responses((status = 200, body = Vec<Run>)))]
async fn list_runs(State(state): State<AppState>, user: AuthUser) -> Result<Json<Vec<Run>>> {
    Ok(Json(state.db.read(async |c| runs::list(c, &user).await).await?))
}

#[utoipa::path(get, path = "/api/v1/runs/{id}", tag = "scheduling", params(("id" = i64, Path)),
    responses((status = 200, body = RunDetail), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_run(State(state): State<AppState>, user: AuthUser, ApiPath(id): ApiPath<i64>) -> Result<Json<RunDetail>> {
    Ok(Json(state.db.read(async |c| runs::get(c, &user, id).await).await?))
}

/// The run's `roster-problem/1` file, to solve or check elsewhere (province board only).
#[utoipa::path(get, path = "/api/v1/runs/{id}/problem", tag = "scheduling", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_run_problem(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<impl IntoResponse> {
    let text = state.db.read(async |c| runs::problem_file(c, &user, id).await).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"run-{id}-problem.json\""),
            ),
        ],
        text,
    ))
}

/// Stop a queued or running run; a running one keeps its best solution so far as its draft.
#[utoipa::path(post, path = "/api/v1/runs/{id}/cancel", tag = "scheduling", params(("id" = i64, Path)),
    responses((status = 200, body = Run), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn cancel_run(State(state): State<AppState>, user: AuthUser, ApiPath(id): ApiPath<i64>) -> Result<Json<Run>> {
    Ok(Json(state.db.write(async |c| runs::cancel(c, &user, id).await).await?))
}

/// Set who takes one session in a finished draft (province board only). A change that breaks
/// a hard rule is refused, with every rule it breaks.
#[utoipa::path(put, path = "/api/v1/runs/{id}/sessions/{session_id}", tag = "scheduling",
    params(("id" = i64, Path), ("session_id" = i64, Path)), request_body = DraftChange,
    responses((status = 200, body = RunDetail), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn change_draft(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((id, session)): ApiPath<(i64, i64)>,
    ApiJson(body): ApiJson<DraftChange>,
) -> Result<Json<RunDetail>> {
    Ok(Json(
        state
            .db
            .write(async |c| runs::change(c, &user, id, session, &body.person_ids).await)
            .await?,
    ))
}
