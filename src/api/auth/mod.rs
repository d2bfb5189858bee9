//! Sign-in, API tokens and accounts; and who is calling, from the request.

mod session;
mod tokens;
mod users;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use utoipa_axum::router::OpenApiRouter;

use super::AppState;
use crate::auth::{self, AuthUser, SESSION_COOKIE};
use crate::error::{ApiError, Result};

pub fn router() -> OpenApiRouter<AppState> {
    session::router().merge(tokens::router()).merge(users::router())
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let authorization = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '));
        let user = if let Some((scheme, credentials)) = authorization {
            if scheme.eq_ignore_ascii_case("bearer") {
                let mut conn = state.db.acquire().await?;
                auth::token_user(conn.conn(), credentials.trim()).await?
            } else {
                None
            }
        } else if let Some(cookie) = CookieJar::from_headers(&parts.headers).get(SESSION_COOKIE) {
            let hash = auth::secret_hash(cookie.value());
            match state.sessions.get(&hash) {
                Some(user) => Some(user),
                None => {
                    let mut conn = state.db.acquire().await?;
                    let user = auth::session_user(conn.conn(), cookie.value()).await?;
                    if let Some(user) = &user {
                        state.sessions.keep(hash, user.clone());
                    }
                    user
                }
            }
        } else {
            None
        };
        user.ok_or_else(ApiError::unauthorized)
    }
}
