//! People.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiJson, ApiPath, ApiQuery, Problem, Result};
use crate::paging::Page;
use crate::registry::people::{self, PeopleCounts, PersonFilter, PersonInput, PersonView};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_people, create_person))
        .routes(routes!(count_people))
        .routes(routes!(get_person, update_person, delete_person))
}

/// People in the caller's scope, in Vietnamese name order (given name first), filtered and
/// paginated.
#[utoipa::path(get, path = "/api/v1/people", tag = "registry", params(PersonFilter),
    responses((status = 200, body = Page<PersonView>), (status = 400, body = Problem, content_type = "application/problem+json")))]
async fn list_people(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(f): ApiQuery<PersonFilter>,
) -> Result<Json<Page<PersonView>>> {
    Ok(Json(state.db.read(async |c| people::list(c, &user, f).await).await?))
}

/// How many of the people `GET /people` gives for the same filters (all pages) hold each
/// role, are women, and are of an ethnic minority (an ethnicity recorded and not Kinh);
/// `page` and `per_page` are ignored.
#[utoipa::path(get, path = "/api/v1/people/counts", tag = "registry", params(PersonFilter),
    responses((status = 200, body = PeopleCounts), (status = 400, body = Problem, content_type = "application/problem+json")))]
async fn count_people(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(f): ApiQuery<PersonFilter>,
) -> Result<Json<PeopleCounts>> {
    Ok(Json(state.db.read(async |c| people::counts(c, &user, f).await).await?))
}

/// One person, if in the caller's scope.
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = PersonView), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_person(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PersonView>> {
    Ok(Json(state.db.read(async |c| people::get(c, &user, id).await).await?))
}

/// Add a person (province board only).
#[utoipa::path(post, path = "/api/v1/people", tag = "registry", request_body = PersonInput,
    responses((status = 201, body = PersonView), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_person(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<PersonInput>,
) -> Result<(StatusCode, Json<PersonView>)> {
    let created = state.db.write(async |c| people::create(c, &user, body).await).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Replace a person's record (province board only); `active: false` deactivates.
#[utoipa::path(put, path = "/api/v1/people/{id}", tag = "registry", params(("id" = i64, Path)), request_body = PersonInput,
    responses((status = 200, body = PersonView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn update_person(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<PersonInput>,
) -> Result<Json<PersonView>> {
    let updated = state
        .db
        .write(async |c| people::update(c, &user, id, body).await)
        .await?;
    // A deactivated person's feed link stops answering at once.
    Ok(Json(updated))
}

/// Delete a person without history (province board only). A person with history (an account,
/// assignments) is kept: the answer is 409, and the way out is to deactivate.
#[utoipa::path(delete, path = "/api/v1/people/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn delete_person(State(state): State<AppState>, user: AuthUser, ApiPath(id): ApiPath<i64>) -> Result<StatusCode> {
    state.db.write(async |c| people::delete(c, &user, id).await).await?;
    Ok(StatusCode::NO_CONTENT)
}
