//! Programs (chương trình): ordered modules, each some half-day sessions needing a lecturer
//! who holds the module's topic, optionally of a minimum political-theory level.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{self, Actor};
use crate::auth::AuthUser;
use crate::db::{Conn, now};
use crate::error::{ApiError, Result};
use crate::on;
use crate::registry::{valid_code, valid_name};
use crate::vocab::{TheoryLevel, TopicKind};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Module {
    /// A topic of kind `module`.
    pub topic_id: i64,
    /// Half-day sessions the module takes (1-40).
    pub half_days: u32,
    pub min_theory_level: Option<TheoryLevel>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramInput {
    /// e.g. `SCLLCT`.
    pub code: String,
    /// e.g. `Sơ cấp lý luận chính trị`.
    pub name: String,
    /// In teaching order.
    pub modules: Vec<Module>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Program {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub modules: Vec<Module>,
    /// Half-day sessions in all: how many half-days a class request must ask for.
    pub half_days: u32,
}

/// All programs, by code.
pub async fn list(mut c: Conn<'_>) -> Result<Vec<Program>> {
    let ids: Vec<i64> = on!(c.reborrow(), |c| {
        sqlx::query_scalar("SELECT program_id FROM program ORDER BY code")
            .fetch_all(&mut *c)
            .await?
    });
    let mut programs = Vec::with_capacity(ids.len());
    for id in ids {
        programs.push(find(c.reborrow(), id).await?);
    }
    Ok(programs)
}

pub async fn get(c: Conn<'_>, id: i64) -> Result<Program> {
    find(c, id).await
}

pub async fn find(mut c: Conn<'_>, id: i64) -> Result<Program> {
    let head: Option<(String, String)> = on!(c.reborrow(), |c| {
        sqlx::query_as("SELECT code, name FROM program WHERE program_id = $1")
            .bind(id)
            .fetch_optional(&mut *c)
            .await?
    });
    let (code, name) = head.ok_or_else(|| ApiError::not_found("chương trình", "Program"))?;
    let rows: Vec<(i64, i64, Option<String>)> = on!(c, |c| {
        sqlx::query_as(
            "SELECT topic_id, half_days, min_theory_level FROM program_module WHERE program_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&mut *c)
        .await?
    });
    let modules: Vec<Module> = rows
        .into_iter()
        .map(|(topic_id, half_days, level)| Module {
            topic_id,
            half_days: half_days as u32,
            min_theory_level: level.as_deref().and_then(TheoryLevel::parse),
        })
        .collect();
    Ok(Program {
        id,
        code,
        name,
        half_days: modules.iter().map(|m| m.half_days).sum(),
        modules,
    })
}

/// Stores a checked program and its modules.
pub async fn insert(mut c: Conn<'_>, code: &str, name: &str, modules: &[Module]) -> Result<i64> {
    let t = now();
    let id: i64 = on!(c.reborrow(), |c| {
        sqlx::query_scalar(
            "INSERT INTO program (code, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING program_id",
        )
        .bind(code)
        .bind(name)
        .bind(t)
        .fetch_one(&mut *c)
        .await?
    });
    for (i, m) in modules.iter().enumerate() {
        on!(c.reborrow(), |c| {
            sqlx::query(
                "INSERT INTO program_module (program_id, position, topic_id, half_days, min_theory_level) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(i as i64 + 1)
            .bind(m.topic_id)
            .bind(i64::from(m.half_days))
            .bind(m.min_theory_level.map(TheoryLevel::as_str))
            .execute(&mut *c)
            .await?;
        });
    }
    Ok(id)
}

/// Add a program with its modules (province board only).
pub async fn create(mut c: Conn<'_>, user: &AuthUser, body: ProgramInput) -> Result<Program> {
    user.require_admin()?;
    let (code, name) = (valid_code("code", &body.code)?, valid_name("name", &body.name)?);
    if body.modules.is_empty() || body.modules.len() > 50 {
        return Err(ApiError::invalid(
            "modules",
            "invalid_modules",
            "Chương trình cần từ 1 đến 50 chuyên đề.",
            "A program needs 1 to 50 modules.",
        ));
    }
    for (i, m) in body.modules.iter().enumerate() {
        if !(1..=40).contains(&m.half_days) {
            return Err(ApiError::invalid(
                format!("modules[{i}].half_days"),
                "invalid_half_days",
                "Mỗi chuyên đề có từ 1 đến 40 buổi.",
                "A module takes 1 to 40 half-days.",
            ));
        }
        let kind: Option<String> = on!(c.reborrow(), |c| {
            sqlx::query_scalar("SELECT kind FROM topic WHERE topic_id = $1")
                .bind(m.topic_id)
                .fetch_optional(&mut *c)
                .await?
        });
        if kind.as_deref() != Some(TopicKind::Module.as_str()) {
            return Err(ApiError::invalid(
                format!("modules[{i}].topic_id"),
                "unknown_reference",
                format!("Không có chuyên đề với mã số {}.", m.topic_id),
                format!("No module topic with id {}.", m.topic_id),
            ));
        }
    }
    let id = insert(c.reborrow(), &code, &name, &body.modules).await?;
    let created = find(c.reborrow(), id).await?;
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "create",
        "program",
        id,
        None::<&()>,
        Some(&created),
    )
    .await?;
    Ok(created)
}
