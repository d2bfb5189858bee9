//! Bearer API tokens for scripts: created (the secret is shown once), listed, revoked.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{AccountRow, AuthUser, new_secret, secret_hash};
use crate::audit::{self, Actor};
use crate::db::{Conn, now};
use crate::error::{ApiError, Result};
use crate::on;

const TOKEN_PREFIX: &str = "rst_";

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, e.g. "nightly export".
    pub name: String,
}

#[derive(Serialize, ToSchema, sqlx::FromRow)]
pub struct TokenView {
    #[sqlx(rename = "api_token_id")]
    pub id: i64,
    pub name: String,
    /// The first characters of the token, to recognise it.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub token: TokenView,
    /// The secret, shown this once: send it as `Authorization: Bearer <token>`.
    pub token_secret: String,
}

/// The caller's own API tokens.
pub async fn list(c: Conn<'_>, user: &AuthUser) -> Result<Vec<TokenView>> {
    let rows = on!(c, |c| {
        sqlx::query_as("SELECT api_token_id, name, prefix, created_at, last_used_at, revoked_at FROM api_token WHERE user_id = $1 ORDER BY api_token_id")
            .bind(user.account_id()?)
            .fetch_all(&mut *c)
            .await?
    });
    Ok(rows)
}

/// Create an API token acting as the caller.
pub async fn create(mut c: Conn<'_>, user: &AuthUser, body: NewToken) -> Result<CreatedToken> {
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
    let token: TokenView = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "INSERT INTO api_token (user_id, name, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING api_token_id, name, prefix, created_at, last_used_at, revoked_at",
        )
        .bind(user.account_id()?)
        .bind(&name)
        .bind(secret_hash(&secret))
        .bind(&prefix)
        .bind(now())
        .fetch_one(&mut *c)
        .await?
    });
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "create",
        "api_token",
        token.id,
        None::<&()>,
        Some(&token),
    )
    .await?;
    Ok(CreatedToken {
        token,
        token_secret: secret,
    })
}

/// Revoke one of the caller's tokens; it stops working at once.
pub async fn revoke(mut c: Conn<'_>, user: &AuthUser, id: i64) -> Result<()> {
    let revoked: Option<TokenView> = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "UPDATE api_token SET revoked_at = $1 WHERE api_token_id = $2 AND user_id = $3 AND revoked_at IS NULL \
             RETURNING api_token_id, name, prefix, created_at, last_used_at, revoked_at",
        )
        .bind(now())
        .bind(id)
        .bind(user.account_id()?)
        .fetch_optional(&mut *c)
        .await?
    });
    let revoked = revoked.ok_or_else(|| ApiError::not_found("mã truy cập", "Token"))?;
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "revoke",
        "api_token",
        id,
        None::<&()>,
        Some(&revoked),
    )
    .await?;
    Ok(())
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
