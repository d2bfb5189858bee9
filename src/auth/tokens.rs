//! Bearer API tokens for scripts: created (the secret is shown once), listed, revoked.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{AccountRow, AuthUser, new_secret, secret_hash};
use crate::audit::{self, Actor};
use crate::db::{Conn, now};
use crate::error::{ApiError, ApiJson, ApiPath, Problem, Result};
use crate::on;
use crate::state::AppState;

const TOKEN_PREFIX: &str = "rst_";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, e.g. "nightly export".
    name: String,
}

#[derive(Serialize, ToSchema, sqlx::FromRow)]
pub struct TokenView {
    #[sqlx(rename = "api_token_id")]
    id: i64,
    name: String,
    /// The first characters of the token, to recognise it.
    prefix: String,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    token: TokenView,
    /// The secret, shown this once: send it as `Authorization: Bearer <token>`.
    token_secret: String,
}

/// The caller's own API tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "auth", responses((status = 200, body = Vec<TokenView>)))]
async fn list_tokens(State(state): State<AppState>, user: AuthUser) -> Result<Json<Vec<TokenView>>> {
    let mut conn = state.db.acquire().await?;
    let rows = on!(conn.conn(), |c| {
        sqlx::query_as("SELECT api_token_id, name, prefix, created_at, last_used_at, revoked_at FROM api_token WHERE user_id = $1 ORDER BY api_token_id")
            .bind(user.user_id)
            .fetch_all(&mut *c)
            .await?
    });
    Ok(Json(rows))
}

/// Create an API token acting as the caller.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "auth", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_token(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>)> {
    let name = crate::collation::clean_text(&body.name);
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::invalid(
            "name",
            "invalid_name",
            "Tên mã truy cập cần từ 1 đến 100 ký tự.",
            "A token name needs 1 to 100 characters.",
        ));
    }
    let secret = format!("{TOKEN_PREFIX}{}", new_secret());
    let prefix: String = secret.chars().take(10).collect();
    let mut tx = state.db.begin().await?;
    let token: TokenView = on!(tx.conn(), |c| {
        sqlx::query_as(
            "INSERT INTO api_token (user_id, name, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING api_token_id, name, prefix, created_at, last_used_at, revoked_at",
        )
        .bind(user.user_id)
        .bind(&name)
        .bind(secret_hash(&secret))
        .bind(&prefix)
        .bind(now())
        .fetch_one(&mut *c)
        .await?
    });
    audit::record(
        tx.conn(),
        &Actor::from(&user),
        "create",
        "api_token",
        token.id,
        None::<&()>,
        Some(&token),
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token,
            token_secret: secret,
        }),
    ))
}

/// Revoke one of the caller's tokens; it stops working at once.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "auth", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn revoke_token(State(state): State<AppState>, user: AuthUser, ApiPath(id): ApiPath<i64>) -> Result<StatusCode> {
    let mut tx = state.db.begin().await?;
    let revoked: Option<TokenView> = on!(tx.conn(), |c| {
        sqlx::query_as(
            "UPDATE api_token SET revoked_at = $1 WHERE api_token_id = $2 AND user_id = $3 AND revoked_at IS NULL \
             RETURNING api_token_id, name, prefix, created_at, last_used_at, revoked_at",
        )
        .bind(now())
        .bind(id)
        .bind(user.user_id)
        .fetch_optional(&mut *c)
        .await?
    });
    let revoked = revoked.ok_or_else(|| ApiError::not_found("mã truy cập", "Token"))?;
    audit::record(
        tx.conn(),
        &Actor::from(&user),
        "revoke",
        "api_token",
        id,
        None::<&()>,
        Some(&revoked),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(sqlx::FromRow)]
struct TokenAccount {
    #[sqlx(flatten)]
    account: AccountRow,
    last_used_at: Option<DateTime<Utc>>,
}

pub(super) async fn authenticate(mut c: Conn<'_>, token: &str) -> Result<Option<AuthUser>> {
    let hash = secret_hash(token);
    let found: Option<TokenAccount> = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "SELECT u.user_id, u.username, u.role, u.district_id, u.center_id, u.person_id, \
             c.district_id AS center_district_id, t.last_used_at \
             FROM api_token t JOIN app_user u ON u.user_id = t.user_id \
             LEFT JOIN center c ON c.center_id = u.center_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active = TRUE \
             AND (u.person_id IS NULL OR EXISTS (SELECT 1 FROM person p WHERE p.person_id = u.person_id AND p.active = TRUE))",
        )
        .bind(&hash)
        .fetch_optional(&mut *c)
        .await?
    });
    let Some(found) = found else { return Ok(None) };
    let current = now();
    // Kept to the minute, so that reads do not each turn into a write.
    if found.last_used_at.is_none_or(|t| current - t >= Duration::minutes(1)) {
        on!(c, |c| {
            sqlx::query("UPDATE api_token SET last_used_at = $1 WHERE token_hash = $2")
                .bind(current)
                .bind(&hash)
                .execute(&mut *c)
                .await?;
        });
    }
    Ok(found.account.into_user())
}
