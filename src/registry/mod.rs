//! The registry: districts and travel times, centers, topics, and people with their
//! qualifications and availability.

pub mod availability;
mod centers;
mod districts;
pub mod people;
mod topics;

use utoipa_axum::router::OpenApiRouter;

use crate::audit::{self, Actor};
use crate::db::Conn;
use crate::error::{ApiError, Result};
use crate::on;
use crate::state::AppState;

pub use people::{PersonInput, PersonView};

pub fn router() -> OpenApiRouter<AppState> {
    districts::router()
        .merge(centers::router())
        .merge(topics::router())
        .merge(people::router())
        .merge(availability::router())
}

/// Whether the row `<table>_id = id` exists. `table` is always a name from this code.
pub async fn exists(c: Conn<'_>, table: &'static str, id: i64) -> Result<bool> {
    let sql = format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE {table}_id = $1)");
    Ok(on!(c, |c| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_one(&mut *c)
            .await?
    }))
}

/// A reference that must exist, as a 422 naming the field when it does not.
pub async fn require_ref(c: Conn<'_>, field: &str, table: &'static str, id: i64) -> Result<()> {
    if exists(c, table, id).await? {
        return Ok(());
    }
    let (vi, en) = match table {
        "district" => ("huyện", "district"),
        "center" => ("trung tâm", "center"),
        "topic" => ("chuyên đề / nghị quyết", "topic"),
        _ => ("người", "person"),
    };
    Err(ApiError::invalid(
        field,
        "unknown_reference",
        format!("Không có {vi} với mã số {id}."),
        format!("No {en} with id {id}."),
    ))
}

/// Deletes row `id` of `table` (keyed `<table>_id`) when no row of `referrers` (table, column,
/// Vietnamese label) points at it, recording `before` in the audit log; otherwise the error
/// `refused` makes from the list of what refers to it.
pub async fn delete_unreferenced<B: serde::Serialize>(
    mut c: Conn<'_>,
    actor: &Actor,
    table: &'static str,
    id: i64,
    before: &B,
    referrers: &[(&'static str, &'static str, &'static str)],
    refused: impl FnOnce(&[String]) -> ApiError,
) -> Result<()> {
    let refs = references(c.reborrow(), id, referrers).await?;
    if !refs.is_empty() {
        return Err(refused(&refs));
    }
    let sql = format!("DELETE FROM {table} WHERE {table}_id = $1");
    on!(c.reborrow(), |c| {
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).execute(&mut *c).await?;
    });
    audit::record(c, actor, "delete", table, id, Some(before), None::<&()>).await
}

/// How many rows of each referring table point at a record; for 409 answers on delete.
async fn references(
    mut c: Conn<'_>,
    id: i64,
    referrers: &[(&'static str, &'static str, &'static str)],
) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for (table, column, label) in referrers {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1");
        let n: i64 = on!(c.reborrow(), |c| {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .fetch_one(&mut *c)
                .await?
        });
        if n > 0 {
            found.push(format!("{n} {label}"));
        }
    }
    Ok(found)
}

/// The 409 for deleting something others refer to, listing what refers to it.
pub fn in_use(what_vi: &str, what_en: &str, refs: &[String]) -> ApiError {
    ApiError::conflict(
        "in_use",
        format!("Không thể xóa {what_vi} vì đang được dùng: {}.", refs.join(", ")),
        format!(
            "Cannot delete this {what_en}: it is referred to by {}.",
            refs.join(", ")
        ),
    )
}

/// Checks a short code (the board's own identifiers): 1-50 characters of letters, digits,
/// `.`, `_`, `-` or `/`.
pub fn valid_code(field: &str, code: &str) -> Result<String, ApiError> {
    let code = code.trim();
    if code.is_empty() || code.len() > 50 || !code.chars().all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c)) {
        return Err(ApiError::invalid(
            field,
            "invalid_code",
            "Mã cần 1-50 ký tự: chữ không dấu, số, '.', '_', '-' hoặc '/'.",
            "A code needs 1-50 characters: ASCII letters, digits, '.', '_', '-' or '/'.",
        ));
    }
    Ok(code.to_string())
}

/// Checks a name: 1-200 characters once spaces are tidied; kept in composed form (NFC).
pub fn valid_name(field: &str, name: &str) -> Result<String, ApiError> {
    let name = crate::collation::clean_text(name);
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::invalid(
            field,
            "invalid_name",
            "Tên cần từ 1 đến 200 ký tự.",
            "A name needs 1 to 200 characters.",
        ));
    }
    Ok(name)
}

/// The 409 for a code that another record already has.
pub fn duplicate_code(code: &str) -> ApiError {
    ApiError::conflict(
        "duplicate_code",
        format!("Mã «{code}» đã được dùng."),
        format!("Code «{code}» is already in use."),
    )
    .with_field("code")
}
