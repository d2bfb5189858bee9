//! Centers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiJson, ApiPath, Problem, Result};
use crate::registry::centers::{self, Center, CenterInput};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_centers, create_center))
        .routes(routes!(get_center, update_center, delete_center))
}

/// All centers, by code.
#[utoipa::path(get, path = "/api/v1/centers", tag = "registry", responses((status = 200, body = Vec<Center>)))]
async fn list_centers(State(state): State<AppState>, _user: AuthUser) -> Result<Json<Vec<Center>>> {
    Ok(Json(state.db.read(async |c| centers::list(c).await).await?))
}

#[utoipa::path(get, path = "/api/v1/centers/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = Center), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_center(State(state): State<AppState>, _user: AuthUser, ApiPath(id): ApiPath<i64>) -> Result<Json<Center>> {
    Ok(Json(state.db.read(async |c| centers::get(c, id).await).await?))
}

/// Add a center (province board only).
#[utoipa::path(post, path = "/api/v1/centers", tag = "registry", request_body = CenterInput,
    responses((status = 201, body = Center), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_center(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<CenterInput>,
) -> Result<(StatusCode, Json<Center>)> {
    let created = state.db.write(async |c| centers::create(c, &user, body).await).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Change a center (province board only).
#[utoipa::path(put, path = "/api/v1/centers/{id}", tag = "registry", params(("id" = i64, Path)), request_body = CenterInput,
    responses((status = 200, body = Center), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn update_center(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<CenterInput>,
) -> Result<Json<Center>> {
    Ok(Json(
        state
            .db
            .write(async |c| centers::update(c, &user, id, body).await)
            .await?,
    ))
}

/// Delete a center nothing refers to (province board only); otherwise 409 with the reason.
#[utoipa::path(delete, path = "/api/v1/centers/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn delete_center(State(state): State<AppState>, user: AuthUser, ApiPath(id): ApiPath<i64>) -> Result<StatusCode> {
    state.db.write(async |c| centers::delete(c, &user, id).await).await?;
    Ok(StatusCode::NO_CONTENT)
}
