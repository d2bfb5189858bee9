//! Districts and the travel-time matrix between them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{delete_unreferenced, duplicate_code, in_use, require_ref, valid_code, valid_name};
use crate::audit::{self, Actor};
use crate::auth::AuthUser;
use crate::db::{Conn, now};
use crate::error::{ApiError, ApiJson, ApiPath, Problem, Result};
use crate::on;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_districts, create_district))
        .routes(routes!(get_district, update_district, delete_district))
        .routes(routes!(get_travel_times, set_travel_times))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DistrictInput {
    /// The board's short code, e.g. `D01`.
    code: String,
    /// e.g. "Thành phố Sóc Trăng", "Huyện Trần Đề".
    name: String,
}

#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct District {
    #[sqlx(rename = "district_id")]
    id: i64,
    code: String,
    name: String,
}

/// All districts, by code.
#[utoipa::path(get, path = "/api/v1/districts", tag = "registry", responses((status = 200, body = Vec<District>)))]
async fn list_districts(State(state): State<AppState>, _user: AuthUser) -> Result<Json<Vec<District>>> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(on!(conn.conn(), |c| {
        sqlx::query_as("SELECT district_id, code, name FROM district ORDER BY code")
            .fetch_all(&mut *c)
            .await?
    })))
}

#[utoipa::path(get, path = "/api/v1/districts/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = District), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_district(
    State(state): State<AppState>,
    _user: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<District>> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(find(conn.conn(), id).await?))
}

async fn find(c: Conn<'_>, id: i64) -> Result<District> {
    let row: Option<District> = on!(c, |c| {
        sqlx::query_as("SELECT district_id, code, name FROM district WHERE district_id = $1")
            .bind(id)
            .fetch_optional(&mut *c)
            .await?
    });
    row.ok_or_else(|| ApiError::not_found("huyện", "District"))
}

async fn code_taken(c: Conn<'_>, code: &str, except: i64) -> Result<bool> {
    Ok(on!(c, |c| {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM district WHERE code = $1 AND district_id <> $2)")
            .bind(code)
            .bind(except)
            .fetch_one(&mut *c)
            .await?
    }))
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
    user.require_admin()?;
    let (code, name) = (valid_code("code", &body.code)?, valid_name("name", &body.name)?);
    let mut tx = state.db.begin().await?;
    if code_taken(tx.conn(), &code, 0).await? {
        return Err(duplicate_code(&code));
    }
    let t = now();
    let created: District = on!(tx.conn(), |c| {
        let d: District = sqlx::query_as("INSERT INTO district (code, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING district_id, code, name")
            .bind(&code)
            .bind(&name)
            .bind(t)
            .fetch_one(&mut *c)
            .await?;
        // Staying inside a district takes no travel.
        sqlx::query("INSERT INTO travel_time (from_district_id, to_district_id, minutes) VALUES ($1, $1, 0)")
            .bind(d.id)
            .execute(&mut *c)
            .await?;
        d
    });
    audit::record(
        tx.conn(),
        &Actor::from(&user),
        "create",
        "district",
        created.id,
        None::<&()>,
        Some(&created),
    )
    .await?;
    tx.commit().await?;
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
    user.require_admin()?;
    let (code, name) = (valid_code("code", &body.code)?, valid_name("name", &body.name)?);
    let mut tx = state.db.begin().await?;
    let before = find(tx.conn(), id).await?;
    if code_taken(tx.conn(), &code, id).await? {
        return Err(duplicate_code(&code));
    }
    let after: District = on!(tx.conn(), |c| {
        sqlx::query_as("UPDATE district SET code = $1, name = $2, updated_at = $3 WHERE district_id = $4 RETURNING district_id, code, name")
            .bind(&code)
            .bind(&name)
            .bind(now())
            .bind(id)
            .fetch_one(&mut *c)
            .await?
    });
    audit::record(
        tx.conn(),
        &Actor::from(&user),
        "update",
        "district",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(after))
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
    user.require_admin()?;
    let mut tx = state.db.begin().await?;
    let before = find(tx.conn(), id).await?;
    delete_unreferenced(
        tx.conn(),
        &Actor::from(&user),
        "district",
        id,
        &before,
        &[
            ("person", "home_district_id", "người"),
            ("center", "district_id", "trung tâm"),
            ("app_user", "district_id", "tài khoản"),
            ("plan", "district_id", "kế hoạch"),
            ("class_request", "district_id", "yêu cầu mở lớp"),
            ("briefing", "district_id", "hội nghị"),
            ("session", "district_id", "buổi"),
        ],
        |refs| in_use("huyện", "district", refs),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Minutes to travel from one district to another.
#[derive(Debug, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct TravelTime {
    from_district_id: i64,
    to_district_id: i64,
    /// 0 to 1440; 0 from a district to itself.
    minutes: i32,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TravelTimes {
    entries: Vec<TravelTime>,
}

/// The travel-time matrix; each direction is an entry of its own.
#[utoipa::path(get, path = "/api/v1/travel-times", tag = "registry", responses((status = 200, body = TravelTimes)))]
async fn get_travel_times(State(state): State<AppState>, _user: AuthUser) -> Result<Json<TravelTimes>> {
    let mut conn = state.db.acquire().await?;
    let entries = on!(conn.conn(), |c| {
        sqlx::query_as("SELECT from_district_id, to_district_id, minutes FROM travel_time ORDER BY from_district_id, to_district_id")
            .fetch_all(&mut *c)
            .await?
    });
    Ok(Json(TravelTimes { entries }))
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
    user.require_admin()?;
    let mut tx = state.db.begin().await?;
    for (i, e) in body.entries.iter().enumerate() {
        require_ref(
            tx.conn(),
            &format!("entries[{i}].from_district_id"),
            "district",
            e.from_district_id,
        )
        .await?;
        require_ref(
            tx.conn(),
            &format!("entries[{i}].to_district_id"),
            "district",
            e.to_district_id,
        )
        .await?;
        let diagonal = e.from_district_id == e.to_district_id;
        if !(0..=1440).contains(&e.minutes) || (diagonal && e.minutes != 0) {
            return Err(ApiError::invalid(
                format!("entries[{i}].minutes"),
                "invalid_minutes",
                "Thời gian di chuyển từ 0 đến 1440 phút; trong cùng một huyện là 0.",
                "Travel time is 0 to 1440 minutes, and 0 within one district.",
            ));
        }
    }
    let before: Vec<TravelTime> = on!(tx.conn(), |c| {
        let mut found = Vec::new();
        for e in &body.entries {
            let old: Option<TravelTime> = sqlx::query_as(
                "SELECT from_district_id, to_district_id, minutes FROM travel_time WHERE from_district_id = $1 AND to_district_id = $2",
            )
            .bind(e.from_district_id)
            .bind(e.to_district_id)
            .fetch_optional(&mut *c)
            .await?;
            found.extend(old);
        }
        found
    });
    on!(tx.conn(), |c| {
        for e in &body.entries {
            sqlx::query(
                "INSERT INTO travel_time (from_district_id, to_district_id, minutes) VALUES ($1, $2, $3) \
                 ON CONFLICT (from_district_id, to_district_id) DO UPDATE SET minutes = excluded.minutes",
            )
            .bind(e.from_district_id)
            .bind(e.to_district_id)
            .bind(e.minutes)
            .execute(&mut *c)
            .await?;
        }
    });
    audit::record(
        tx.conn(),
        &Actor::from(&user),
        "update",
        "travel_time",
        "matrix",
        Some(&before),
        Some(&body.entries),
    )
    .await?;
    tx.commit().await?;
    get_travel_times(State(state), user).await
}
