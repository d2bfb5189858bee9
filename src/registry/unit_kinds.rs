//! The kinds of unit that own yearly plans (Huyện ủy, Thành ủy, Đảng ủy trực thuộc Tỉnh ủy, …):
//! which exist and what they are called is data the province board keeps.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{valid_code, valid_name};
use crate::audit::{self, Actor};
use crate::auth::AuthUser;
use crate::db::{Conn, now};
use crate::error::{ApiError, Result};
use crate::on;
use crate::references::{delete_unreferenced, in_use};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitKindInput {
    /// e.g. `DUTT`.
    pub code: String,
    /// e.g. "Đảng ủy trực thuộc Tỉnh ủy".
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct UnitKind {
    #[sqlx(rename = "unit_kind_id")]
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// Every kind, by code.
pub async fn list(c: Conn<'_>) -> Result<Vec<UnitKind>> {
    Ok(on!(c, |c| {
        sqlx::query_as("SELECT unit_kind_id, code, name FROM unit_kind ORDER BY code")
            .fetch_all(&mut *c)
            .await?
    }))
}

async fn get(c: Conn<'_>, id: i64) -> Result<UnitKind> {
    let row: Option<UnitKind> = on!(c, |c| {
        sqlx::query_as("SELECT unit_kind_id, code, name FROM unit_kind WHERE unit_kind_id = $1")
            .bind(id)
            .fetch_optional(&mut *c)
            .await?
    });
    row.ok_or_else(|| ApiError::not_found("loại đơn vị", "Unit kind"))
}

/// Add a kind of unit (province board only).
pub async fn create(mut c: Conn<'_>, user: &AuthUser, body: UnitKindInput) -> Result<UnitKind> {
    user.require_admin()?;
    let (code, name) = (valid_code("code", &body.code)?, valid_name("name", &body.name)?);
    let created: UnitKind = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "INSERT INTO unit_kind (code, name, created_at, updated_at) VALUES ($1, $2, $3, $3) \
             RETURNING unit_kind_id, code, name",
        )
        .bind(&code)
        .bind(&name)
        .bind(now())
        .fetch_one(&mut *c)
        .await?
    });
    audit::record(
        c,
        &Actor::from(user),
        "create",
        "unit_kind",
        created.id,
        None::<&()>,
        Some(&created),
    )
    .await?;
    Ok(created)
}

/// Rename or recode a kind (province board only).
pub async fn update(mut c: Conn<'_>, user: &AuthUser, id: i64, body: UnitKindInput) -> Result<UnitKind> {
    user.require_admin()?;
    let (code, name) = (valid_code("code", &body.code)?, valid_name("name", &body.name)?);
    let before = get(c.reborrow(), id).await?;
    let after: UnitKind = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "UPDATE unit_kind SET code = $1, name = $2, updated_at = $3 WHERE unit_kind_id = $4 \
             RETURNING unit_kind_id, code, name",
        )
        .bind(&code)
        .bind(&name)
        .bind(now())
        .bind(id)
        .fetch_one(&mut *c)
        .await?
    });
    audit::record(
        c,
        &Actor::from(user),
        "update",
        "unit_kind",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Delete a kind no unit has (province board only); otherwise 409 naming them.
pub async fn delete(mut c: Conn<'_>, user: &AuthUser, id: i64) -> Result<()> {
    user.require_admin()?;
    let before = get(c.reborrow(), id).await?;
    delete_unreferenced(
        c,
        &Actor::from(user),
        "unit_kind",
        id,
        &before,
        &[("district", "unit_kind_id", "đơn vị")],
        |refs| in_use("loại đơn vị", "unit kind", refs),
    )
    .await
}
