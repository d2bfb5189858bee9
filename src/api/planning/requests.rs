//! Class requests.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiJson, ApiPath, ApiQuery, Problem, Result};
use crate::planning::requests::{self, ClassRequest, RejectInput, RequestFilter, RequestInput};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_requests, create_request))
        .routes(routes!(get_request))
        .routes(routes!(accept_request))
        .routes(routes!(reject_request))
}

/// The requests the caller may read, newest first.
#[utoipa::path(get, path = "/api/v1/requests", tag = "planning", params(RequestFilter),
    responses((status = 200, body = Vec<ClassRequest>)))]
async fn list_requests(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(filter): ApiQuery<RequestFilter>,
) -> Result<Json<Vec<ClassRequest>>> {
    Ok(Json(
        state.db.read(async |c| requests::list(c, &user, filter).await).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/requests/{id}", tag = "planning", params(("id" = i64, Path)),
    responses((status = 200, body = ClassRequest), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_request(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ClassRequest>> {
    Ok(Json(state.db.read(async |c| requests::get(c, &user, id).await).await?))
}

/// Request lecturers for a planned class (the class's center, or the province). A class not
/// in an approved plan is refused with the reason.
#[utoipa::path(post, path = "/api/v1/requests", tag = "planning", request_body = RequestInput,
    responses((status = 201, body = ClassRequest), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_request(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<RequestInput>,
) -> Result<(StatusCode, Json<ClassRequest>)> {
    let created = state.db.write(async |c| requests::create(c, &user, body).await).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Accept a request: it becomes a class with its sessions, ready for the scheduler.
#[utoipa::path(post, path = "/api/v1/requests/{id}/accept", tag = "planning", params(("id" = i64, Path)),
    responses((status = 200, body = ClassRequest), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn accept_request(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ClassRequest>> {
    Ok(Json(
        state.db.write(async |c| requests::accept(c, &user, id).await).await?,
    ))
}

/// Reject a request, with the reason the center will see.
#[utoipa::path(post, path = "/api/v1/requests/{id}/reject", tag = "planning", params(("id" = i64, Path)),
    request_body = RejectInput,
    responses((status = 200, body = ClassRequest), (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn reject_request(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<RejectInput>,
) -> Result<Json<ClassRequest>> {
    Ok(Json(
        state
            .db
            .write(async |c| requests::reject(c, &user, id, body).await)
            .await?,
    ))
}
