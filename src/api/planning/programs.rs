//! Programs.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiJson, ApiPath, Problem, Result};
use crate::planning::programs::{self, Program, ProgramInput};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_programs, create_program))
        .routes(routes!(get_program))
}

/// All programs, by code.
#[utoipa::path(get, path = "/api/v1/programs", tag = "planning", responses((status = 200, body = Vec<Program>)))]
async fn list_programs(State(state): State<AppState>, _user: AuthUser) -> Result<Json<Vec<Program>>> {
    Ok(Json(state.db.read(async |c| programs::list(c).await).await?))
}

#[utoipa::path(get, path = "/api/v1/programs/{id}", tag = "planning", params(("id" = i64, Path)),
    responses((status = 200, body = Program), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_program(
    State(state): State<AppState>,
    _user: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Program>> {
    Ok(Json(state.db.read(async |c| programs::get(c, id).await).await?))
}

/// Add a program with its modules (province board only).
#[utoipa::path(post, path = "/api/v1/programs", tag = "planning", request_body = ProgramInput,
    responses((status = 201, body = Program), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_program(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<ProgramInput>,
) -> Result<(StatusCode, Json<Program>)> {
    let created = state.db.write(async |c| programs::create(c, &user, body).await).await?;
    Ok((StatusCode::CREATED, Json(created)))
}
