//! Topics: programs modules and resolutions.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiJson, ApiPath, Problem, Result};
use crate::registry::topics::{self, Topic, TopicInput};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_topics, create_topic))
        .routes(routes!(get_topic, update_topic, delete_topic))
}

/// All topics, by code.
#[utoipa::path(get, path = "/api/v1/topics", tag = "registry", responses((status = 200, body = Vec<Topic>)))]
async fn list_topics(State(state): State<AppState>, _user: AuthUser) -> Result<Json<Vec<Topic>>> {
    Ok(Json(state.db.read(async |c| topics::list(c).await).await?))
}

#[utoipa::path(get, path = "/api/v1/topics/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = Topic), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_topic(State(state): State<AppState>, _user: AuthUser, ApiPath(id): ApiPath<i64>) -> Result<Json<Topic>> {
    Ok(Json(state.db.read(async |c| topics::get(c, id).await).await?))
}

/// Add a topic (province board only).
#[utoipa::path(post, path = "/api/v1/topics", tag = "registry", request_body = TopicInput,
    responses((status = 201, body = Topic), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_topic(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<TopicInput>,
) -> Result<(StatusCode, Json<Topic>)> {
    let created = state.db.write(async |c| topics::create(c, &user, body).await).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Change a topic (province board only).
#[utoipa::path(put, path = "/api/v1/topics/{id}", tag = "registry", params(("id" = i64, Path)), request_body = TopicInput,
    responses((status = 200, body = Topic), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn update_topic(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<TopicInput>,
) -> Result<Json<Topic>> {
    Ok(Json(
        state
            .db
            .write(async |c| topics::update(c, &user, id, body).await)
            .await?,
    ))
}

/// Delete a topic nobody holds (province board only); otherwise 409 with the reason.
#[utoipa::path(delete, path = "/api/v1/topics/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn delete_topic(State(state): State<AppState>, user: AuthUser, ApiPath(id): ApiPath<i64>) -> Result<StatusCode> {
    state.db.write(async |c| topics::delete(c, &user, id).await).await?;
    Ok(StatusCode::NO_CONTENT)
}
