//! Notifications: the province's outbox (what was sent, to whom, what failed; sending a failed
//! one again), its webhook and test messages; every account's own choices.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiJson, ApiPath, ApiQuery, Problem, Result};
use crate::notify::outbox::{self, Sent, SentFilter};
use crate::notify::settings::{self, Preferences, PreferencesInput, TestInput, Webhook, WebhookInput};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_sent))
        .routes(routes!(retry_sent))
        .routes(routes!(get_webhook, set_webhook))
        .routes(routes!(send_test))
        .routes(routes!(get_preferences, set_preferences))
}

/// The latest 500 messages, newest first (the province board).
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(SentFilter),
    responses((status = 200, body = Vec<Sent>), (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn list_sent(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(filter): ApiQuery<SentFilter>,
) -> Result<Json<Vec<Sent>>> {
    Ok(Json(
        state.db.read(async |c| outbox::list(c, &user, &filter).await).await?,
    ))
}

/// Send a failed message again (the province board).
#[utoipa::path(post, path = "/api/v1/notifications/{id}/retry", tag = "notifications", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn retry_sent(State(state): State<AppState>, user: AuthUser, ApiPath(id): ApiPath<i64>) -> Result<StatusCode> {
    state.db.write(async |c| outbox::retry(c, &user, id).await).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The webhook every message is also posted to, without its secret (the province board).
#[utoipa::path(get, path = "/api/v1/notifications/webhook", tag = "notifications",
    responses((status = 200, body = Webhook), (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn get_webhook(State(state): State<AppState>, user: AuthUser) -> Result<Json<Webhook>> {
    Ok(Json(state.db.read(async |c| settings::webhook(c, &user).await).await?))
}

/// Set the webhook's address and signing key, or turn it off with an empty address (the
/// province board).
#[utoipa::path(put, path = "/api/v1/notifications/webhook", tag = "notifications", request_body = WebhookInput,
    responses((status = 200, body = Webhook), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn set_webhook(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<WebhookInput>,
) -> Result<Json<Webhook>> {
    Ok(Json(
        state
            .db
            .write(async |c| settings::set_webhook(c, &user, body).await)
            .await?,
    ))
}

/// Send a test message to an e-mail address, or to the webhook (the province board).
#[utoipa::path(post, path = "/api/v1/notifications/test", tag = "notifications", request_body = TestInput,
    responses((status = 202), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn send_test(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<TestInput>,
) -> Result<StatusCode> {
    state
        .db
        .write(async |c| settings::send_test(c, &user, body).await)
        .await?;
    Ok(StatusCode::ACCEPTED)
}

/// The caller's own choices: by e-mail, by the webhook, reminders the day before; a center's
/// and a board's address.
#[utoipa::path(get, path = "/api/v1/notifications/preferences", tag = "notifications",
    responses((status = 200, body = Preferences), (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn get_preferences(State(state): State<AppState>, user: AuthUser) -> Result<Json<Preferences>> {
    Ok(Json(
        state.db.read(async |c| settings::preferences(c, &user).await).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/notifications/preferences", tag = "notifications", request_body = PreferencesInput,
    responses((status = 200, body = Preferences), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn set_preferences(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<PreferencesInput>,
) -> Result<Json<Preferences>> {
    Ok(Json(
        state
            .db
            .write(async |c| settings::set_preferences(c, &user, body).await)
            .await?,
    ))
}
