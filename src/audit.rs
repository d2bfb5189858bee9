//! The audit log: every write, with who, what, when, and the record before and after.
//! Entries are written in the same transaction as the change they describe.

use serde::Serialize;
use sqlx::types::Json as SqlJson;

use crate::db::{Conn, now};
use crate::error::Result;
use crate::on;

/// Who made a change: an account, or the command line (`cli`) and the demo (`demo`).
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
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
