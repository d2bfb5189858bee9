//! Import of people from the spreadsheets boards keep (XLSX or CSV, Vietnamese headers).
//!
//! Every row is checked first. Any error and nothing is written: the answer lists every bad
//! row with its row number, column and message. Otherwise all rows go in one transaction,
//! matched to existing people by code, so importing the same file again changes nothing.

mod columns;
mod sheet;
pub mod template;

use std::collections::{HashMap, HashSet};

use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::{self, Actor};
use crate::auth::AuthUser;
use crate::db::{Conn, Db};
use crate::error::{ApiError, Result};
use crate::on;
use crate::registry::people::{self, PersonInput, PersonView, ValidPerson};

pub use columns::Column;
pub use template::template;

/// Largest spreadsheet accepted.
pub const FILE_LIMIT: usize = 20 * 1024 * 1024;
/// Most people in one file.
pub const MAX_ROWS: usize = 50_000;

/// One problem in one cell of the file.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RowError {
    /// The row number as the spreadsheet shows it.
    pub row: usize,
    /// The column header, e.g. "Cấp báo cáo viên".
    pub column: String,
    /// What the cell holds (empty when blank).
    pub value: String,
    pub message: String,
    pub message_en: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Reads, checks and stores a file of people (province board only); used by the API and by
/// `roster import people`.
pub async fn import(db: &Db, user: &AuthUser, bytes: Vec<u8>) -> Result<ImportReport> {
    user.require_admin()?;
    let actor = &Actor::from(user);
    let sheet = tokio::task::spawn_blocking(move || sheet::read(&bytes))
        .await
        .map_err(anyhow::Error::from)?
        .map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unreadable_file",
                format!("Không đọc được tệp: {e}."),
                format!("Unreadable file: {e}."),
            )
        })?;
    let table = columns::locate(&sheet)?;
    if table.rows.len() > MAX_ROWS {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_many_rows",
            format!("Tệp có {} dòng; tối đa {MAX_ROWS}.", table.rows.len()),
            format!("The file has {} rows; at most {MAX_ROWS}.", table.rows.len()),
        ));
    }
    let mut tx = db.begin().await?;
    let lookup = columns::Lookup::load(tx.conn()).await?;
    let codes: Vec<String> = table.rows.iter().filter_map(|r| table.code(r)).collect();
    let existing = existing_by_code(tx.conn(), &codes).await?;

    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut plan: Vec<(Option<&PersonView>, ValidPerson)> = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let code = table.code(row).unwrap_or_default();
        let current = existing.get(&code);
        let base = current.map(PersonInput::from).unwrap_or_default();
        let (input, mut row_errors) = table.person(row, base, &lookup);
        if let Some(first) = seen.insert(code.clone(), row.number).filter(|_| !code.is_empty()) {
            row_errors.push(table.error(
                row,
                Column::Code,
                format!("Mã «{code}» trùng với dòng {first}."),
                format!("Code «{code}» repeats row {first}."),
            ));
        }
        match input.validate() {
            Ok(valid) if row_errors.is_empty() => {
                if let Some(p) = current
                    && people::loses_home_while_scheduled(tx.conn(), p.id, &valid).await?
                {
                    let (vi, en) = people::HOME_REQUIRED;
                    errors.push(table.error(row, Column::District, vi.to_string(), en.to_string()));
                } else {
                    plan.push((current, valid));
                }
            }
            Ok(_) => {}
            Err(field_errors) => row_errors.extend(field_errors.into_iter().map(|e| table.field_error(row, e))),
        }
        errors.extend(row_errors);
    }
    if !errors.is_empty() {
        let rows: HashSet<usize> = errors.iter().map(|e| e.row).collect();
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "import_invalid",
            format!("{} dòng có lỗi; chưa nhập dòng nào.", rows.len()),
            format!("{} rows have errors; nothing was imported.", rows.len()),
        )
        .with_errors(serde_json::to_value(&errors).map_err(anyhow::Error::from)?));
    }

    let mut report = ImportReport {
        created: 0,
        updated: 0,
        unchanged: 0,
    };
    let mut changed: Vec<(Option<&PersonView>, &ValidPerson)> = Vec::with_capacity(plan.len());
    for (current, valid) in &plan {
        if current.is_some_and(|p| PersonInput::from(p).validate().ok().as_ref() == Some(valid)) {
            report.unchanged += 1;
        } else {
            if current.is_some() {
                report.updated += 1
            } else {
                report.created += 1
            }
            changed.push((*current, valid));
        }
    }
    let writes: Vec<(Option<i64>, &ValidPerson)> = changed
        .iter()
        .map(|(current, valid)| (current.map(|p| p.id), *valid))
        .collect();
    let ids = people::store_many(tx.conn(), &writes).await?;
    let mut changes = Vec::with_capacity(ids.len());
    for (chunk_ids, chunk) in ids.chunks(500).zip(changed.chunks(500)) {
        let after = people::load(tx.conn(), chunk_ids).await?;
        for ((id, (before, _)), after) in chunk_ids.iter().zip(chunk).zip(&after) {
            changes.push(audit::Change::new(id, *before, Some(after))?);
        }
    }
    audit::record_many(tx.conn(), actor, "import", "person", changes).await?;
    tx.commit().await?;
    Ok(report)
}

/// The people already registered under any of these codes.
async fn existing_by_code(mut c: Conn<'_>, codes: &[String]) -> Result<HashMap<String, PersonView>> {
    let mut ids = Vec::new();
    for chunk in codes.chunks(500) {
        let found: Vec<i64> = on!(c.reborrow(), |c| {
            let mut qb = sqlx::QueryBuilder::<DB>::new("SELECT person_id FROM person WHERE code IN (");
            let mut list = qb.separated(", ");
            for code in chunk {
                list.push_bind(code.clone());
            }
            qb.push(")");
            qb.build_query_scalar().fetch_all(&mut *c).await?
        });
        ids.extend(found);
    }
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        for p in people::load(c.reborrow(), chunk).await? {
            out.insert(p.code.clone(), p);
        }
    }
    Ok(out)
}
