//! API tokens.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::AppState;
use crate::auth::AuthUser;
use crate::auth::tokens::{self, CreatedToken, NewToken, TokenView};
use crate::error::{ApiJson, ApiPath, Problem, Result};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

/// The caller's own API tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "auth", responses((status = 200, body = Vec<TokenView>)))]
async fn list_tokens(State(state): State<AppState>, user: AuthUser) -> Result<Json<Vec<TokenView>>> {
    Ok(Json(state.db.read(async |c| tokens::list(c, &user).await).await?))
}

/// Create an API token acting as the caller.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "auth", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_token(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>)> {
    let created = state.db.write(async |c| tokens::create(c, &user, body).await).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Revoke one of the caller's tokens; it stops working at once.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "auth", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn revoke_token(State(state): State<AppState>, user: AuthUser, ApiPath(id): ApiPath<i64>) -> Result<StatusCode> {
    state.db.write(async |c| tokens::revoke(c, &user, id).await).await?;
    Ok(StatusCode::NO_CONTENT)
}
