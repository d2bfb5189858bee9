//! Reading the audit log: the province board's view of who changed what.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use sqlx::types::Json as SqlJson;
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::db::Conn;
use crate::error::{ApiError, Result};
use crate::on;
use crate::paging::{Page, PageParams};

#[derive(Serialize, ToSchema, sqlx::FromRow)]
pub struct AuditEntry {
    #[sqlx(rename = "audit_log_id")]
    pub id: i64,
    pub user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub before: Option<SqlJson<serde_json::Value>>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<SqlJson<serde_json::Value>>,
    pub at: DateTime<Utc>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditFilter {
    /// e.g. `person`, `district`, `user`.
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub user_id: Option<i64>,
    /// The first day (local time) of the entries, e.g. `2027-03-01`.
    pub from: Option<NaiveDate>,
    /// The last day (local time, included) of the entries.
    pub to: Option<NaiveDate>,
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Items per page, 1 to 500 (default 50).
    pub per_page: Option<u32>,
}

/// The audit log, newest first (province board only).
pub async fn list(c: Conn<'_>, user: &AuthUser, f: AuditFilter) -> Result<Page<AuditEntry>> {
    user.require_admin()?;
    let paging = PageParams::new(f.page, f.per_page);
    let (limit, offset) = paging.limit_offset();
    let from = f.from.map(|d| start_of_day(d, "from")).transpose()?;
    let to =
        f.to.map(|d| {
            d.succ_opt()
                .ok_or_else(|| invalid_day("to"))
                .and_then(|next| start_of_day(next, "to"))
        })
        .transpose()?;
    if let (Some(from), Some(to)) = (from, to)
        && from >= to
    {
        // A mistake in a query string: 400, as the query extractor answers.
        return Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "reversed_period",
            "Ngày cuối phải từ ngày đầu trở đi.",
            "The last day must not come before the first.",
        )
        .with_field("to"));
    }
    let (items, total) = on!(c, |c| {
        let filter = |qb: &mut sqlx::QueryBuilder<DB>| {
            qb.push(" FROM audit_log WHERE 1 = 1");
            if let Some(e) = &f.entity {
                qb.push(" AND entity = ").push_bind(e.clone());
            }
            if let Some(e) = &f.entity_id {
                qb.push(" AND entity_id = ").push_bind(e.clone());
            }
            if let Some(u) = f.user_id {
                qb.push(" AND user_id = ").push_bind(u);
            }
            if let Some(t) = from {
                qb.push(" AND at >= ").push_bind(t);
            }
            if let Some(t) = to {
                qb.push(" AND at < ").push_bind(t);
            }
        };
        let mut count = sqlx::QueryBuilder::<DB>::new("SELECT COUNT(*)");
        filter(&mut count);
        let total: i64 = count.build_query_scalar().fetch_one(&mut *c).await?;
        let mut q = sqlx::QueryBuilder::<DB>::new(
            "SELECT audit_log_id, user_id, actor, action, entity, entity_id, before, after, at",
        );
        filter(&mut q);
        q.push(" ORDER BY audit_log_id DESC LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        let items: Vec<AuditEntry> = q.build_query_as().fetch_all(&mut *c).await?;
        (items, total)
    });
    Ok(paging.page(items, total))
}

fn invalid_day(field: &str) -> ApiError {
    ApiError::invalid(field, "invalid_date", "Ngày không hợp lệ.", "Not a valid date.")
}

/// Midnight of a local day, as an instant.
fn start_of_day(day: NaiveDate, field: &str) -> Result<DateTime<Utc>> {
    crate::time::ZONE
        .from_local_datetime(&day.and_time(NaiveTime::MIN))
        .earliest()
        .map(|t| t.to_utc())
        .ok_or_else(|| invalid_day(field))
}

/// The kinds of entity the log holds, by name (province board only): what the audit page
/// filters by.
pub async fn entities(c: Conn<'_>, user: &AuthUser) -> Result<Vec<String>> {
    user.require_admin()?;
    Ok(on!(c, |c| {
        sqlx::query_scalar("SELECT DISTINCT entity FROM audit_log ORDER BY entity")
            .fetch_all(&mut *c)
            .await?
    }))
}
