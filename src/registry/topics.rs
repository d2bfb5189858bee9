//! Topics: curriculum modules (chuyên đề) and resolutions (nghị quyết); holding one is a
//! qualification.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{valid_code, valid_name};
use crate::audit::{self, Actor};
use crate::auth::AuthUser;
use crate::db::{Conn, now};
use crate::error::{ApiError, Result};
use crate::on;
use crate::references::{delete_unreferenced, in_use};
use crate::vocab::TopicKind;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicInput {
    /// e.g. `SC-03`, `NQ-TW8-XIII`.
    pub code: String,
    pub name: String,
    pub kind: TopicKind,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Topic {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: TopicKind,
}

#[derive(sqlx::FromRow)]
struct TopicRow {
    topic_id: i64,
    code: String,
    name: String,
    kind: String,
}

impl TopicRow {
    fn view(self) -> Result<Topic> {
        let kind = TopicKind::parse(&self.kind).ok_or_else(|| anyhow::anyhow!("topic kind {:?}", self.kind))?;
        Ok(Topic {
            id: self.topic_id,
            code: self.code,
            name: self.name,
            kind,
        })
    }
}

const COLUMNS: &str = "topic_id, code, name, kind";

/// All topics, by code.
pub async fn list(c: Conn<'_>) -> Result<Vec<Topic>> {
    let rows: Vec<TopicRow> = on!(c, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM topic ORDER BY code"
        )))
        .fetch_all(&mut *c)
        .await?
    });
    rows.into_iter().map(TopicRow::view).collect::<Result<_>>()
}

pub async fn get(c: Conn<'_>, id: i64) -> Result<Topic> {
    let row: Option<TopicRow> = on!(c, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM topic WHERE topic_id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
    });
    row.ok_or_else(|| ApiError::not_found("chuyên đề / nghị quyết", "Topic"))?
        .view()
}

/// The input's code and name, checked and cleaned (a code already in use is refused by the
/// unique index).
fn validate(body: &TopicInput) -> Result<(String, String)> {
    Ok((valid_code("code", &body.code)?, valid_name("name", &body.name)?))
}

/// Add a topic (province board only).
pub async fn create(mut c: Conn<'_>, user: &AuthUser, body: TopicInput) -> Result<Topic> {
    user.require_admin()?;
    let (code, name) = validate(&body)?;
    let t = now();
    let row: TopicRow = on!(c.reborrow(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO topic (code, name, kind, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING {COLUMNS}"
        )))
        .bind(&code)
        .bind(&name)
        .bind(body.kind.as_str())
        .bind(t)
        .fetch_one(&mut *c)
        .await?
    });
    let created = row.view()?;
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "create",
        "topic",
        created.id,
        None::<&()>,
        Some(&created),
    )
    .await?;
    Ok(created)
}

/// Change a topic (province board only).
pub async fn update(mut c: Conn<'_>, user: &AuthUser, id: i64, body: TopicInput) -> Result<Topic> {
    user.require_admin()?;
    let before = get(c.reborrow(), id).await?;
    let (code, name) = validate(&body)?;
    let row: TopicRow = on!(c.reborrow(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE topic SET code = $1, name = $2, kind = $3, updated_at = $4 WHERE topic_id = $5 RETURNING {COLUMNS}"
        )))
        .bind(&code)
        .bind(&name)
        .bind(body.kind.as_str())
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
        "topic",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Delete a topic nobody holds (province board only); otherwise 409 with the reason.
pub async fn delete(mut c: Conn<'_>, user: &AuthUser, id: i64) -> Result<()> {
    user.require_admin()?;
    let before = get(c.reborrow(), id).await?;
    delete_unreferenced(
        c.reborrow(),
        &Actor::from(user),
        "topic",
        id,
        &before,
        &[
            ("qualification", "topic_id", "người có chuyên môn này"),
            ("program_module", "topic_id", "học phần của chương trình"),
            ("briefing", "topic_id", "hội nghị"),
            ("session", "topic_id", "buổi"),
        ],
        |refs| in_use("chuyên đề / nghị quyết", "topic", refs),
    )
    .await?;
    Ok(())
}
