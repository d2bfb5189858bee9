//! Kinds of unit that own yearly plans: kept by the province board, read by every account.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiJson, ApiPath, Problem, Result};
use crate::registry::unit_kinds::{self, UnitKind, UnitKindInput};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_unit_kinds, create_unit_kind))
        .routes(routes!(update_unit_kind, delete_unit_kind))
}

/// Every kind of unit that owns plans (e.g. "Huyện ủy", "Đảng ủy trực thuộc Tỉnh ủy"), by code.
#[utoipa::path(get, path = "/api/v1/unit-kinds", tag = "registry", responses((status = 200, body = Vec<UnitKind>)))]
async fn list_unit_kinds(State(state): State<AppState>, _user: AuthUser) -> Result<Json<Vec<UnitKind>>> {
    Ok(Json(state.db.read(async |c| unit_kinds::list(c).await).await?))
}

/// Add a kind of unit (province board only).
#[utoipa::path(post, path = "/api/v1/unit-kinds", tag = "registry", request_body = UnitKindInput,
    responses((status = 201, body = UnitKind), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_unit_kind(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<UnitKindInput>,
) -> Result<(StatusCode, Json<UnitKind>)> {
    let created = state
        .db
        .write(async |c| unit_kinds::create(c, &user, body).await)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Rename or recode a kind of unit (province board only).
#[utoipa::path(put, path = "/api/v1/unit-kinds/{id}", tag = "registry", params(("id" = i64, Path)), request_body = UnitKindInput,
    responses((status = 200, body = UnitKind), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn update_unit_kind(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<UnitKindInput>,
) -> Result<Json<UnitKind>> {
    Ok(Json(
        state
            .db
            .write(async |c| unit_kinds::update(c, &user, id, body).await)
            .await?,
    ))
}

/// Delete a kind no unit has (province board only); otherwise 409 naming them.
#[utoipa::path(delete, path = "/api/v1/unit-kinds/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn delete_unit_kind(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode> {
    state.db.write(async |c| unit_kinds::delete(c, &user, id).await).await?;
    Ok(StatusCode::NO_CONTENT)
}
