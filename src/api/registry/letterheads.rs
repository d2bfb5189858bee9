//! Letterheads of printed documents: kept by the province board, read by every account.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiJson, ApiQuery, Problem, Result};
use crate::registry::letterheads::{self, Letterhead, LetterheadInput};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_letterhead, set_letterhead))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct LetterheadQuery {
    /// The unit whose board signs; left out for the province board.
    district_id: Option<i64>,
}

/// The letterhead of the province board, or of a unit's board (`configured` is false while
/// the province board has not set it).
#[utoipa::path(get, path = "/api/v1/letterheads", tag = "registry", params(LetterheadQuery),
    responses((status = 200, body = Letterhead), (status = 400, body = Problem, content_type = "application/problem+json")))]
async fn get_letterhead(
    State(state): State<AppState>,
    _user: AuthUser,
    ApiQuery(query): ApiQuery<LetterheadQuery>,
) -> Result<Json<Letterhead>> {
    Ok(Json(
        state
            .db
            .read(async |c| letterheads::get(c, query.district_id).await)
            .await?,
    ))
}

/// Set a letterhead (province board only).
#[utoipa::path(put, path = "/api/v1/letterheads", tag = "registry", request_body = LetterheadInput,
    responses((status = 200, body = Letterhead), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn set_letterhead(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<LetterheadInput>,
) -> Result<Json<Letterhead>> {
    Ok(Json(
        state.db.write(async |c| letterheads::set(c, &user, body).await).await?,
    ))
}
