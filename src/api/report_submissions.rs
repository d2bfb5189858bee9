//! The yearly report sent to the province: a district board submits (figures frozen with its
//! remarks); the province follows who has submitted and returns a report with a reason.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiJson, ApiPath, ApiQuery, Problem, Result};
use crate::reports::submissions::{self, Follow, ReturnInput, Submission, SubmissionInput};
use crate::time::ZONE;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(follow, submit))
        .routes(routes!(get_submission))
        .routes(routes!(send_back))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct FollowQuery {
    /// The year reported on.
    year: i32,
}

/// A year's submissions: the deadline (before 22 February of the next year) and the days left,
/// every district with its status (`not_submitted`, `submitted`, `returned`), whether it is
/// late and its submissions, and the sum of the standing ones. The province sees every
/// district, a district board its own.
#[utoipa::path(get, path = "/api/v1/reports/yearly/submissions", tag = "reports", params(FollowQuery),
    responses((status = 200, body = Follow), (status = 400, body = Problem, content_type = "application/problem+json"),
              (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn follow(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(q): ApiQuery<FollowQuery>,
) -> Result<Json<Follow>> {
    let today = Utc::now().with_timezone(&ZONE).date_naive();
    Ok(Json(
        state
            .db
            .read(async |c| submissions::follow(c, &user, q.year, today).await)
            .await?,
    ))
}

/// Submit the caller's district's report for a year (a district board): its figures as they
/// stand are frozen with the remarks. Submitting again is a correction; earlier ones stay.
#[utoipa::path(post, path = "/api/v1/reports/yearly/submissions", tag = "reports", request_body = SubmissionInput,
    responses((status = 201, body = Submission), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn submit(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<SubmissionInput>,
) -> Result<(StatusCode, Json<Submission>)> {
    let created = state
        .db
        .write(async |c| submissions::submit(c, &user, body).await)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One submitted report as it was sent (the province, or its own district's board).
#[utoipa::path(get, path = "/api/v1/reports/yearly/submissions/{id}", tag = "reports", params(("id" = i64, Path)),
    responses((status = 200, body = Submission), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_submission(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Submission>> {
    Ok(Json(
        state.db.read(async |c| submissions::get(c, &user, id).await).await?,
    ))
}

/// Return a district's latest submission with a reason (the province board).
#[utoipa::path(post, path = "/api/v1/reports/yearly/submissions/{id}/return", tag = "reports",
    params(("id" = i64, Path)), request_body = ReturnInput,
    responses((status = 200, body = Submission), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn send_back(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReturnInput>,
) -> Result<Json<Submission>> {
    Ok(Json(
        state
            .db
            .write(async |c| submissions::send_back(c, &user, id, body).await)
            .await?,
    ))
}
