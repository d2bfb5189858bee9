//! Reading the audit log: the province board's view of who changed what.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::types::Json as SqlJson;
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::db::Conn;
use crate::error::Result;
use crate::on;
use crate::paging::{Page, PageParams};

#[derive(Serialize, ToSchema, sqlx::FromRow)]
pub struct AuditEntry {
    #[sqlx(rename = "audit_log_id")]
    id: i64,
    user_id: Option<i64>,
    actor: String,
    action: String,
    entity: String,
    entity_id: Option<String>,
    #[schema(value_type = Option<Object>)]
    before: Option<SqlJson<serde_json::Value>>,
    #[schema(value_type = Option<Object>)]
    after: Option<SqlJson<serde_json::Value>>,
    at: DateTime<Utc>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditFilter {
    /// e.g. `person`, `district`, `user`.
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub user_id: Option<i64>,
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
