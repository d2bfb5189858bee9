//! Districts and the travel-time matrix between them. The units that own yearly plans are
//! districts of a kind (see `unit_kinds`); a unit without a place of its own (a Party committee
//! directly under the province) is seated in a district and travels as it does.

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
    /// e.g. "Thành phố Sóc Trăng", "Huyện Trần Đề", "Đảng ủy Khối Cơ quan tỉnh".
    pub name: String,
    /// The kind of unit that owns its plans (`unit-kinds`).
    #[serde(default)]
    pub unit_kind_id: Option<i64>,
    /// For a unit without a place of its own: the district it is seated in, whose travel times
    /// it takes.
    #[serde(default)]
    pub seat_district_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct District {
    #[sqlx(rename = "district_id")]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub unit_kind_id: Option<i64>,
    pub seat_district_id: Option<i64>,
}

const COLUMNS: &str = "district_id, code, name, unit_kind_id, seat_district_id";

/// All districts, by code.
pub async fn list(c: Conn<'_>) -> Result<Vec<District>> {
    Ok(on!(c, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM district ORDER BY code"
        )))
        .fetch_all(&mut *c)
        .await?
    }))
}

/// Checks a unit's kind and seat: the seat is another district with a place of its own, and a
/// district others are seated in keeps its place.
async fn check_unit(mut c: Conn<'_>, id: Option<i64>, body: &DistrictInput) -> Result<()> {
    if let Some(kind) = body.unit_kind_id {
        require_ref(c.reborrow(), "unit_kind_id", "unit_kind", kind).await?;
    }
    let Some(seat) = body.seat_district_id else {
        return Ok(());
    };
    require_ref(c.reborrow(), "seat_district_id", "district", seat).await?;
    let seat_of_seat: Option<i64> = on!(c.reborrow(), |c| {
        sqlx::query_scalar("SELECT seat_district_id FROM district WHERE district_id = $1")
            .bind(seat)
            .fetch_one(&mut *c)
            .await?
    });
    let seated_here: bool = match id {
        Some(id) => on!(c, |c| {
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM district WHERE seat_district_id = $1)")
                .bind(id)
                .fetch_one(&mut *c)
                .await?
        }),
        None => false,
    };
    let refused = |vi: &str, en: &str| Err(ApiError::invalid("seat_district_id", "invalid_seat", vi, en));
    if Some(seat) == id {
        refused(
            "Đơn vị không thể đặt trụ sở tại chính nó.",
            "A unit cannot be seated in itself.",
        )
    } else if seat_of_seat.is_some() {
        refused(
            "Nơi đặt trụ sở phải là huyện có vị trí riêng trong bảng thời gian di chuyển.",
            "The seat must be a district with its own place in the travel matrix.",
        )
    } else if seated_here {
        refused(
            "Đã có đơn vị đặt trụ sở tại đây; nơi này phải giữ vị trí riêng.",
            "Other units are seated here; it keeps its own place.",
        )
    } else {
        Ok(())
    }
}

pub async fn get(c: Conn<'_>, id: i64) -> Result<District> {
    let row: Option<District> = on!(c, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM district WHERE district_id = $1"
        )))
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
    check_unit(c.reborrow(), None, &body).await?;
    let t = now();
    let created: District = on!(c.reborrow(), |c| {
        let d: District = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO district (code, name, unit_kind_id, seat_district_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING {COLUMNS}"
        )))
        .bind(&code)
        .bind(&name)
        .bind(body.unit_kind_id)
        .bind(body.seat_district_id)
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
    check_unit(c.reborrow(), Some(id), &body).await?;
    let after: District = on!(c.reborrow(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE district SET code = $1, name = $2, unit_kind_id = $3, seat_district_id = $4, updated_at = $5 \
             WHERE district_id = $6 RETURNING {COLUMNS}"
        )))
        .bind(&code)
        .bind(&name)
        .bind(body.unit_kind_id)
        .bind(body.seat_district_id)
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
            ("district", "seat_district_id", "đơn vị đặt trụ sở tại đây"),
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
        let seated: bool = on!(c.reborrow(), |c| {
            sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM district WHERE district_id IN ($1, $2) AND seat_district_id IS NOT NULL)",
            )
            .bind(e.from_district_id)
            .bind(e.to_district_id)
            .fetch_one(&mut *c)
            .await?
        });
        if seated && !diagonal {
            return Err(ApiError::invalid(
                format!("entries[{i}]"),
                "seated_unit",
                "Đơn vị đặt trụ sở tại một huyện đi lại như huyện đó; hãy nhập thời gian cho huyện đó.",
                "A unit seated in a district travels as that district does; enter the district's times.",
            ));
        }
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
