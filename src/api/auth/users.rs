//! Accounts.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::AppState;
use crate::auth::AuthUser;
use crate::auth::users::{self, NewUser, UserChange, UserView};
use crate::error::{ApiJson, ApiPath, Problem, Result};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(update_user))
}

/// All accounts (province board only).
#[utoipa::path(get, path = "/api/v1/users", tag = "auth",
    responses((status = 200, body = Vec<UserView>), (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn list_users(State(state): State<AppState>, user: AuthUser) -> Result<Json<Vec<UserView>>> {
    Ok(Json(state.db.read(async |c| users::list(c, &user).await).await?))
}

/// Create an account (province board only).
#[utoipa::path(post, path = "/api/v1/users", tag = "auth", request_body = NewUser,
    responses((status = 201, body = UserView), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_user(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<UserView>)> {
    let created = state.db.write(async |c| users::create(c, &user, body).await).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Change an account's name, password or whether it is active (province board only).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "auth", params(("id" = i64, Path)), request_body = UserChange,
    responses((status = 200, body = UserView), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn update_user(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<UserChange>,
) -> Result<Json<UserView>> {
    Ok(Json(
        state
            .db
            .write(async |c| users::update(c, &user, id, body).await)
            .await?,
    ))
}
