//! Browser sign-in: a password exchanged for a session cookie.

use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use chrono::Duration;
use serde::Deserialize;
use utoipa::ToSchema;

use std::net::IpAddr;

use super::throttle::{self, SignInLimits};
use super::users::{self, UserView};
use super::{AccountRow, AuthUser, new_secret, secret_hash};
use crate::audit::{self, Actor};
use crate::db::{Conn, Db, now};
use crate::error::{ApiError, Result};
use crate::on;

pub const SESSION_COOKIE: &str = "roster_session";
const SESSION_HOURS: i64 = 12;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub username: String,
    pub password: String,
}

/// Checks a password and opens a session: the account and its cookie. The API's login and the
/// web sign-in page both come here, with the client's address for throttling (see
/// [`SignInLimits`]); repeated failures of an account are recorded in the audit log.
pub async fn sign_in(
    db: &Db,
    limits: &SignInLimits,
    address: Option<IpAddr>,
    username: &str,
    password: String,
) -> Result<(UserView, Cookie<'static>)> {
    limits.check(username, address)?;
    let found = {
        let mut conn = db.acquire().await?;
        users::find_for_login(conn.conn(), username).await?
    };
    // Hashing is slow on purpose: it runs off the async workers, holding no connection. An
    // unknown user costs the same time as a real check, so timing reveals no usernames.
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (None, DUMMY_HASH.clone()),
    };
    let matches = {
        let _slot = limits.hashing_slot().await?;
        tokio::task::spawn_blocking(move || super::password::verify(&password, &hash))
            .await
            .map_err(anyhow::Error::from)?
    };
    let account = user.as_ref().map(|u| u.id);
    let Some(user) = user.filter(|_| matches) else {
        let failures = limits.failed(username, address);
        if let Some(id) = account
            && failures >= throttle::ACCOUNT_FREE_FAILURES
        {
            record_failures(db, id, failures, address).await?;
        }
        return Err(bad_credentials());
    };
    limits.succeeded(username);
    let mut tx = db.begin().await?;
    let secret = new_secret();
    let created = now();
    on!(tx.conn(), |c| {
        sqlx::query("INSERT INTO user_session (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(secret_hash(&secret))
            .bind(user.id)
            .bind(created)
            .bind(created + Duration::hours(SESSION_HOURS))
            .execute(&mut *c)
            .await?;
        // Expired sessions are swept at each sign-in.
        sqlx::query("DELETE FROM user_session WHERE expires_at <= $1")
            .bind(created)
            .execute(&mut *c)
            .await?;
    });
    tx.commit().await?;
    let cookie = Cookie::build((SESSION_COOKIE, secret))
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Lax)
        .path("/")
        .build();
    Ok((user, cookie))
}

/// A run of failed sign-ins on an account, past the free ones: one entry per failure, which
/// the backoff makes at most one every few seconds.
async fn record_failures(db: &Db, user_id: i64, failures: u32, address: Option<IpAddr>) -> Result<()> {
    let actor = Actor {
        user_id: None,
        name: "sign-in".to_string(),
    };
    let after = serde_json::json!({"failures": failures, "address": address.map(|a| a.to_string())});
    db.write(async |c| audit::record(c, &actor, "sign_in_failed", "user", user_id, None::<&()>, Some(&after)).await)
        .await
}

/// A hash to verify against when the user does not exist.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| super::password::hash("no such user").unwrap_or_default());

fn bad_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "bad_credentials",
        "Sai tên đăng nhập hoặc mật khẩu.",
        "Wrong username or password.",
    )
}

/// Ends the session behind the cookie, if any; gives the jar without it.
pub async fn sign_out(db: &Db, jar: CookieJar) -> Result<CookieJar> {
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        let hash = secret_hash(cookie.value());
        let mut tx = db.begin().await?;
        on!(tx.conn(), |c| {
            sqlx::query("DELETE FROM user_session WHERE token_hash = $1")
                .bind(hash)
                .execute(&mut *c)
                .await?;
        });
        tx.commit().await?;
    }
    Ok(jar.remove(Cookie::build((SESSION_COOKIE, "")).path("/").build()))
}

/// The signed-in account.
pub async fn me(c: Conn<'_>, user: &AuthUser) -> Result<UserView> {
    users::get(c, user.account_id()?).await
}

pub(super) async fn authenticate(c: Conn<'_>, secret: &str) -> Result<Option<AuthUser>> {
    let row: Option<AccountRow> = on!(c, |c| {
        sqlx::query_as(
            "SELECT u.user_id, u.username, u.role, u.district_id, u.center_id, u.person_id, \
             c.district_id AS center_district_id \
             FROM user_session s JOIN app_user u ON u.user_id = s.user_id \
             LEFT JOIN center c ON c.center_id = u.center_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = TRUE \
             AND (u.person_id IS NULL OR EXISTS (SELECT 1 FROM person p WHERE p.person_id = u.person_id AND p.active = TRUE))",
        )
        .bind(secret_hash(secret))
        .bind(now())
        .fetch_optional(&mut *c)
        .await?
    });
    Ok(row.and_then(AccountRow::into_user))
}
