//! Districts and the travel-time matrix.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiJson, ApiPath, Problem, Result};
use crate::registry::districts::{self, District, DistrictInput, TravelTimes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_districts, create_district))
        .routes(routes!(get_district, update_district, delete_district))
        .routes(routes!(get_travel_times, set_travel_times))
}

/// All districts, by code.
#[utoipa::path(get, path = "/api/v1/districts", tag = "registry", responses((status = 200, body = Vec<District>)))]
async fn list_districts(State(state): State<AppState>, _user: AuthUser) -> Result<Json<Vec<District>>> {
    Ok(Json(state.db.read(async |c| districts::list(c).await).await?))
}

#[utoipa::path(get, path = "/api/v1/districts/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = District), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_district(
    State(state): State<AppState>,
    _user: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<District>> {
    Ok(Json(state.db.read(async |c| districts::get(c, id).await).await?))
}

/// Add a district (province board only).
#[utoipa::path(post, path = "/api/v1/districts", tag = "registry", request_body = DistrictInput,
    responses((status = 201, body = District), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_district(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<DistrictInput>,
) -> Result<(StatusCode, Json<District>)> {
    let created = state
        .db
        .write(async |c| districts::create(c, &user, body).await)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Rename or recode a district (province board only).
#[utoipa::path(put, path = "/api/v1/districts/{id}", tag = "registry", params(("id" = i64, Path)), request_body = DistrictInput,
    responses((status = 200, body = District), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn update_district(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DistrictInput>,
) -> Result<Json<District>> {
    Ok(Json(
        state
            .db
            .write(async |c| districts::update(c, &user, id, body).await)
            .await?,
    ))
}

/// Delete a district nothing refers to (province board only); otherwise 409 with the reason.
#[utoipa::path(delete, path = "/api/v1/districts/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn delete_district(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode> {
    state.db.write(async |c| districts::delete(c, &user, id).await).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The travel-time matrix; each direction is an entry of its own.
#[utoipa::path(get, path = "/api/v1/travel-times", tag = "registry", responses((status = 200, body = TravelTimes)))]
async fn get_travel_times(State(state): State<AppState>, _user: AuthUser) -> Result<Json<TravelTimes>> {
    Ok(Json(state.db.read(async |c| districts::travel_times(c).await).await?))
}

/// Set travel times (province board only). Entries not sent are kept; all entries are
/// checked before any is written.
#[utoipa::path(put, path = "/api/v1/travel-times", tag = "registry", request_body = TravelTimes,
    responses((status = 200, body = TravelTimes), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn set_travel_times(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<TravelTimes>,
) -> Result<Json<TravelTimes>> {
    Ok(Json(
        state
            .db
            .write(async |c| districts::set_travel_times(c, &user, body).await)
            .await?,
    ))
}
