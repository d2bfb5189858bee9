//! Browser sign-in and the signed-in account.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::CookieJar;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::{AppState, ClientAddress};
use crate::auth::AuthUser;
use crate::auth::session::{self, Login, sign_in, sign_out};
use crate::auth::users::UserView;
use crate::error::{ApiJson, Problem, Result};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
}

/// Sign in; sets an HttpOnly, Secure, SameSite=Lax session cookie. The session ends after
/// 12 hours, at sign-out, or when the browser closes. Failures are throttled by account and by
/// client address (429 with `Retry-After`); too many sign-ins at once get 503 `busy`.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = Login,
    responses((status = 200, body = UserView), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
        (status = 503, body = Problem, content_type = "application/problem+json")))]
async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    jar: CookieJar,
    ApiJson(body): ApiJson<Login>,
) -> Result<impl IntoResponse> {
    let (user, cookie) = sign_in(&state.db, &state.sign_in, address, &body.username, body.password).await?;
    Ok((jar.add(cookie), axum::Json(user)))
}

/// Sign out: ends the session behind the cookie.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)))]
async fn logout(State(state): State<AppState>, jar: CookieJar) -> Result<impl IntoResponse> {
    Ok((StatusCode::NO_CONTENT, sign_out(&state.db, jar).await?))
}

/// The signed-in account.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, body = UserView), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn me(State(state): State<AppState>, user: AuthUser) -> Result<Json<UserView>> {
    Ok(Json(state.db.read(async |c| session::me(c, &user).await).await?))
}
