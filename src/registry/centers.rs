//! Centers: each district's political center and the provincial political school.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{valid_code, valid_name};
use crate::audit::{self, Actor};
use crate::auth::AuthUser;
use crate::db::{Conn, now};
use crate::error::{ApiError, Result};
use crate::on;
use crate::references::{delete_unreferenced, in_use, require_ref};
use crate::vocab::CenterKind;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CenterInput {
    pub code: String,
    pub name: String,
    pub kind: CenterKind,
    pub district_id: i64,
    /// Whom to call about the center's classes, e.g. "Đ/c Lan, 0912 345 678"; shown in
    /// calendar feeds.
    #[serde(default)]
    pub contact: Option<String>,
    /// False once the center no longer operates: it takes no new requests, and the published
    /// sessions of its classes are listed for re-planning. True when left out.
    #[serde(default = "operating")]
    pub active: bool,
}

fn operating() -> bool {
    true
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Center {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: CenterKind,
    pub district_id: i64,
    pub contact: Option<String>,
    pub active: bool,
}

#[derive(sqlx::FromRow)]
struct CenterRow {
    center_id: i64,
    code: String,
    name: String,
    kind: String,
    district_id: i64,
    contact: Option<String>,
    active: bool,
}

impl CenterRow {
    fn view(self) -> Result<Center> {
        let kind = CenterKind::parse(&self.kind).ok_or_else(|| anyhow::anyhow!("center kind {:?}", self.kind))?;
        Ok(Center {
            id: self.center_id,
            code: self.code,
            name: self.name,
            kind,
            district_id: self.district_id,
            contact: self.contact,
            active: self.active,
        })
    }
}

const COLUMNS: &str = "center_id, code, name, kind, district_id, contact, active";

/// All centers, by code.
pub async fn list(c: Conn<'_>) -> Result<Vec<Center>> {
    let rows: Vec<CenterRow> = on!(c, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM center ORDER BY code"
        )))
        .fetch_all(&mut *c)
        .await?
    });
    rows.into_iter().map(CenterRow::view).collect::<Result<_>>()
}

pub async fn get(c: Conn<'_>, id: i64) -> Result<Center> {
    let row: Option<CenterRow> = on!(c, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM center WHERE center_id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
    });
    row.ok_or_else(|| ApiError::not_found("trung tâm", "Center"))?.view()
}

/// The contact line, cleaned; blank is none.
fn valid_contact(contact: Option<&str>) -> Result<Option<String>> {
    let contact = contact.map(crate::collation::clean_text).filter(|c| !c.is_empty());
    if contact.as_ref().is_some_and(|c| c.chars().count() > 200) {
        return Err(ApiError::invalid(
            "contact",
            "invalid_contact",
            "Thông tin liên hệ dài tối đa 200 ký tự.",
            "A contact line has at most 200 characters.",
        ));
    }
    Ok(contact)
}

/// Checks the input and its district (a code already in use is refused by the unique index);
/// gives the cleaned code, name and contact.
async fn validate(c: Conn<'_>, body: &CenterInput) -> Result<(String, String, Option<String>)> {
    let (code, name) = (valid_code("code", &body.code)?, valid_name("name", &body.name)?);
    let contact = valid_contact(body.contact.as_deref())?;
    require_ref(c, "district_id", "district", body.district_id).await?;
    Ok((code, name, contact))
}

/// A district center's people live in its district and its planned classes are in its
/// district's plans: a center moved, or made a district center, must keep them there (the
/// provincial school serves every district).
async fn require_members_in(mut c: Conn<'_>, id: i64, body: &CenterInput) -> Result<()> {
    if body.kind == CenterKind::ProvincialSchool {
        return Ok(());
    }
    let (people, classes): (Vec<String>, i64) = on!(c.reborrow(), |c| {
        (
            sqlx::query_scalar(
                "SELECT code FROM person WHERE center_id = $1 AND home_district_id <> $2 ORDER BY code LIMIT 5",
            )
            .bind(id)
            .bind(body.district_id)
            .fetch_all(&mut *c)
            .await?,
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM planned_class k JOIN plan p ON p.plan_id = k.plan_id \
                 WHERE k.center_id = $1 AND p.district_id <> $2",
            )
            .bind(id)
            .bind(body.district_id)
            .fetch_one(&mut *c)
            .await?,
        )
    });
    if people.is_empty() && classes == 0 {
        return Ok(());
    }
    Err(ApiError::invalid(
        "district_id",
        "center_district_mismatch",
        format!(
            "Trung tâm còn người ở huyện khác ({}) hoặc {classes} lớp trong kế hoạch của huyện khác; chuyển họ trước.",
            people.join(", ")
        ),
        format!(
            "The center still has people living in another district ({}) or {classes} classes in another district's plans; move them first.",
            people.join(", ")
        ),
    ))
}

/// Add a center (province board only).
pub async fn create(mut c: Conn<'_>, user: &AuthUser, body: CenterInput) -> Result<Center> {
    user.require_admin()?;
    let (code, name, contact) = validate(c.reborrow(), &body).await?;
    let t = now();
    let row: CenterRow = on!(c.reborrow(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO center (code, name, kind, district_id, contact, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {COLUMNS}"
        )))
        .bind(&code)
        .bind(&name)
        .bind(body.kind.as_str())
        .bind(body.district_id)
        .bind(&contact)
        .bind(body.active)
        .bind(t)
        .fetch_one(&mut *c)
        .await?
    });
    let created = row.view()?;
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "create",
        "center",
        created.id,
        None::<&()>,
        Some(&created),
    )
    .await?;
    Ok(created)
}

/// Change a center (province board only).
pub async fn update(mut c: Conn<'_>, user: &AuthUser, id: i64, body: CenterInput) -> Result<Center> {
    user.require_admin()?;
    let before = get(c.reborrow(), id).await?;
    let (code, name, contact) = validate(c.reborrow(), &body).await?;
    require_members_in(c.reborrow(), id, &body).await?;
    let row: CenterRow = on!(c.reborrow(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE center SET code = $1, name = $2, kind = $3, district_id = $4, contact = $5, active = $6, updated_at = $7 WHERE center_id = $8 RETURNING {COLUMNS}"
        )))
        .bind(&code)
        .bind(&name)
        .bind(body.kind.as_str())
        .bind(body.district_id)
        .bind(&contact)
        .bind(body.active)
        .bind(now())
        .bind(id)
        .fetch_one(&mut *c)
        .await?
    });
    let after = row.view()?;
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "update",
        "center",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Delete a center nothing refers to (province board only); otherwise 409 with the reason.
pub async fn delete(mut c: Conn<'_>, user: &AuthUser, id: i64) -> Result<()> {
    user.require_admin()?;
    let before = get(c.reborrow(), id).await?;
    delete_unreferenced(
        c.reborrow(),
        &Actor::from(user),
        "center",
        id,
        &before,
        &[
            ("person", "center_id", "người"),
            ("app_user", "center_id", "tài khoản"),
            ("planned_class", "center_id", "lớp trong kế hoạch"),
        ],
        |refs| in_use("trung tâm", "center", refs),
    )
    .await?;
    Ok(())
}
