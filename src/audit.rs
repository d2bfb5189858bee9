//! The audit log: every write, with who, what, when, and the record before and after.
//! Entries are written in the same transaction as the change they describe.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::types::Json as SqlJson;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::AuthUser;
use crate::db::{Conn, now};
use crate::error::{ApiQuery, Problem, Result};
use crate::on;
use crate::paging::{Page, PageParams};
use crate::state::AppState;

/// Who made a change: an account, or the command line.
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
}

impl Actor {
    pub fn command_line() -> Actor {
        Actor {
            user_id: None,
            name: "cli".to_string(),
        }
    }
}

impl From<&AuthUser> for Actor {
    fn from(u: &AuthUser) -> Actor {
        Actor {
            user_id: Some(u.user_id),
            name: u.username.clone(),
        }
    }
}

/// One change to record: the entity's id and its state before and after (absent when it did
/// not exist).
pub struct Change {
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl Change {
    pub fn new<B: Serialize, A: Serialize>(
        entity_id: impl ToString,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Result<Change> {
        Ok(Change {
            entity_id: entity_id.to_string(),
            before: (before
                .map(serde_json::to_value)
                .transpose()
                .map_err(anyhow::Error::from)?),
            after: (after
                .map(serde_json::to_value)
                .transpose()
                .map_err(anyhow::Error::from)?),
        })
    }
}

pub async fn record<B: Serialize, A: Serialize>(
    c: Conn<'_>,
    actor: &Actor,
    action: &str,
    entity: &str,
    entity_id: impl ToString,
    before: Option<&B>,
    after: Option<&A>,
) -> Result<()> {
    record_many(c, actor, action, entity, vec![Change::new(entity_id, before, after)?]).await
}

/// Records many changes of one kind at once (an import).
pub async fn record_many(c: Conn<'_>, actor: &Actor, action: &str, entity: &str, changes: Vec<Change>) -> Result<()> {
    let at = now();
    on!(c, |c| {
        for chunk in changes.chunks(500) {
            let mut q = sqlx::QueryBuilder::<DB>::new(
                "INSERT INTO audit_log (user_id, actor, action, entity, entity_id, before, after, at) ",
            );
            q.push_values(chunk, |mut row, change| {
                row.push_bind(actor.user_id)
                    .push_bind(actor.name.clone())
                    .push_bind(action.to_string())
                    .push_bind(entity.to_string())
                    .push_bind(change.entity_id.clone())
                    .push_bind(change.before.clone().map(SqlJson))
                    .push_bind(change.after.clone().map(SqlJson))
                    .push_bind(at);
            });
            q.build().execute(&mut *c).await?;
        }
    });
    Ok(())
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

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
struct AuditFilter {
    /// e.g. `person`, `district`, `user`.
    entity: Option<String>,
    entity_id: Option<String>,
    user_id: Option<i64>,
    /// 1-based page number (default 1).
    page: Option<u32>,
    /// Items per page, 1 to 500 (default 50).
    per_page: Option<u32>,
}

/// The audit log, newest first (province board only).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditFilter),
    responses((status = 200, body = Page<AuditEntry>), (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn list_audit(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(f): ApiQuery<AuditFilter>,
) -> Result<Json<Page<AuditEntry>>> {
    user.require_admin()?;
    let mut conn = state.db.acquire().await?;
    let paging = PageParams::new(f.page, f.per_page);
    let (limit, offset) = paging.limit_offset();
    let (items, total) = on!(conn.conn(), |c| {
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
    Ok(Json(paging.page(items, total)))
}
