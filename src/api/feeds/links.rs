//! Person feed links.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::{AppState, base_url};
use crate::auth::AuthUser;
use crate::error::{ApiPath, Problem, Result};
use crate::feeds::links::{self, IssuedLink, LinkStatus};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(link_status, issue_link, revoke_link))
}

/// Whether the person has a feed link, and since when.
#[utoipa::path(get, path = "/api/v1/people/{id}/feed", tag = "feeds", params(("id" = i64, Path)),
    responses((status = 200, body = LinkStatus), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn link_status(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<LinkStatus>> {
    Ok(Json(state.db.read(async |c| links::status(c, &user, id).await).await?))
}

/// Issue the person's feed link, revoking the one before: the links and a QR code, shown once.
#[utoipa::path(post, path = "/api/v1/people/{id}/feed", tag = "feeds", params(("id" = i64, Path)),
    responses((status = 201, body = IssuedLink), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 421, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn issue_link(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<IssuedLink>)> {
    let base_url = base_url(&state, &headers)?;
    let issued = state
        .db
        .write(async |c| links::issue(c, &user, id, &base_url).await)
        .await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// Revoke the person's feed link: it answers 404 from now on.
#[utoipa::path(delete, path = "/api/v1/people/{id}/feed", tag = "feeds", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn revoke_link(State(state): State<AppState>, user: AuthUser, ApiPath(id): ApiPath<i64>) -> Result<StatusCode> {
    state.db.write(async |c| links::revoke(c, &user, id).await).await?;
    Ok(StatusCode::NO_CONTENT)
}
