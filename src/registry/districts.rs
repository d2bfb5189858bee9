//! Districts and the travel-time matrix between them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{valid_code, valid_name};
use crate::audit::{self, Actor};
use crate::auth::AuthUser;
use crate::db::{Conn, now};
use crate::error::{ApiError, Result};
use crate::on;
use crate::references::{delete_unreferenced, in_use, require_ref};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DistrictInput {
    /// The board's short code, e.g. `D01`.
    pub code: String,
    /// e.g. "Thành phố Sóc Trăng", "Huyện Trần Đề".
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct District {
    #[sqlx(rename = "district_id")]
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// All districts, by code.
pub async fn list(c: Conn<'_>) -> Result<Vec<District>> {
    Ok(on!(c, |c| {
        sqlx::query_as("SELECT district_id, code, name FROM district ORDER BY code")
            .fetch_all(&mut *c)
            .await?
    }))
}

pub async fn get(c: Conn<'_>, id: i64) -> Result<District> {
    let row: Option<District> = on!(c, |c| {
        sqlx::query_as("SELECT district_id, code, name FROM district WHERE district_id = $1")
            .bind(id)
            .fetch_optional(&mut *c)
            .await?
    });
    row.ok_or_else(|| ApiError::not_found("huyện", "District"))
}

/// Add a district (province board only).
pub async fn create(mut c: Conn<'_>, user: &AuthUser, body: DistrictInput) -> Result<District> {
    user.require_admin()?;
    let (code, name) = (valid_code("code", &body.code)?, valid_name("name", &body.name)?);
    let t = now();
    let created: District = on!(c.reborrow(), |c| {
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
        c.reborrow(),
        &Actor::from(user),
        "create",
        "district",
        created.id,
        None::<&()>,
        Some(&created),
    )
    .await?;
    Ok(created)
}

/// Rename or recode a district (province board only).
pub async fn update(mut c: Conn<'_>, user: &AuthUser, id: i64, body: DistrictInput) -> Result<District> {
    user.require_admin()?;
    let (code, name) = (valid_code("code", &body.code)?, valid_name("name", &body.name)?);
    let before = get(c.reborrow(), id).await?;
    let after: District = on!(c.reborrow(), |c| {
        sqlx::query_as("UPDATE district SET code = $1, name = $2, updated_at = $3 WHERE district_id = $4 RETURNING district_id, code, name")
            .bind(&code)
            .bind(&name)
            .bind(now())
            .bind(id)
            .fetch_one(&mut *c)
            .await?
    });
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "update",
        "district",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Delete a district nothing refers to (province board only); otherwise 409 with the reason.
pub async fn delete(mut c: Conn<'_>, user: &AuthUser, id: i64) -> Result<()> {
    user.require_admin()?;
    let before = get(c.reborrow(), id).await?;
    delete_unreferenced(
        c.reborrow(),
        &Actor::from(user),
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
    Ok(())
}

/// Minutes to travel from one district to another.
#[derive(Debug, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct TravelTime {
    pub from_district_id: i64,
    pub to_district_id: i64,
    /// 0 to 1440; 0 from a district to itself.
    pub minutes: i32,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TravelTimes {
    pub entries: Vec<TravelTime>,
}

/// The travel-time matrix; each direction is an entry of its own.
pub async fn travel_times(c: Conn<'_>) -> Result<TravelTimes> {
    let entries = on!(c, |c| {
        sqlx::query_as("SELECT from_district_id, to_district_id, minutes FROM travel_time ORDER BY from_district_id, to_district_id")
            .fetch_all(&mut *c)
            .await?
    });
    Ok(TravelTimes { entries })
}

/// Set travel times (province board only). Entries not sent are kept; all entries are
/// checked before any is written.
pub async fn set_travel_times(mut c: Conn<'_>, user: &AuthUser, body: TravelTimes) -> Result<TravelTimes> {
    user.require_admin()?;
    for (i, e) in body.entries.iter().enumerate() {
        require_ref(
            c.reborrow(),
            &format!("entries[{i}].from_district_id"),
            "district",
            e.from_district_id,
        )
        .await?;
        require_ref(
            c.reborrow(),
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
    let before: Vec<TravelTime> = on!(c.reborrow(), |c| {
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
    on!(c.reborrow(), |c| {
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
        c.reborrow(),
        &Actor::from(user),
        "update",
        "travel_time",
        "matrix",
        Some(&before),
        Some(&body.entries),
    )
    .await?;
    travel_times(c).await
}
