//! Rows that refer to others: whether a referenced row exists, and deleting only what nothing
//! refers to.

use crate::audit::{self, Actor};
use crate::db::Conn;
use crate::error::{ApiError, Result};
use crate::on;

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
        "unit_kind" => ("loại đơn vị", "unit kind"),
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

/// The id of the row of `table` with this code. `table` is always a name from this code.
pub async fn id_by_code(c: Conn<'_>, table: &'static str, code: &str) -> Result<Option<i64>> {
    let sql = format!("SELECT {table}_id FROM {table} WHERE code = $1");
    Ok(on!(c, |c| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(code)
            .fetch_optional(&mut *c)
            .await?
    }))
}
