//! The outbox: every message is a row written in the transaction of the change that causes it
//! (so a rolled-back change sends nothing and a crash loses nothing), one row per recipient
//! and channel. Senders claim due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so instances
//! sharing a database never hold the same one), fold in the recipient's other waiting rows of
//! the same kind, deliver, and mark the outcome.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::message::{self, Kind, Line};
use crate::db::{Conn, now};
use crate::error::{ApiError, Result};
use crate::on;

/// Who a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecipientKind {
    /// A lecturer or rapporteur.
    Person,
    Center,
    /// A unit's board (a district's, or a Party committee's under the province).
    Unit,
    /// The province's test message, to an address it gives.
    Test,
}

impl RecipientKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecipientKind::Person => "person",
            RecipientKind::Center => "center",
            RecipientKind::Unit => "unit",
            RecipientKind::Test => "test",
        }
    }

    fn parse(text: &str) -> RecipientKind {
        match text {
            "person" => RecipientKind::Person,
            "center" => RecipientKind::Center,
            "unit" => RecipientKind::Unit,
            _ => RecipientKind::Test,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Webhook,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Webhook => "webhook",
        }
    }
}

/// How a recipient is reached now.
pub struct Reach {
    pub name: String,
    pub email: Option<String>,
    pub by_email: bool,
    pub by_webhook: bool,
    pub day_before: bool,
}

/// Every recipient of a kind with how it is reached (people, centers or units).
pub async fn reach_all(mut c: Conn<'_>, kind: RecipientKind) -> Result<HashMap<i64, Reach>> {
    let (id, name, table) = match kind {
        RecipientKind::Person => ("person_id", "full_name", "person"),
        RecipientKind::Center => ("center_id", "name", "center"),
        RecipientKind::Unit => ("district_id", "name", "district"),
        // A test message's address is given with it.
        RecipientKind::Test => return Ok(HashMap::new()),
    };
    let sql = format!(
        "SELECT r.{id} AS id, r.{name} AS name, r.email, np.by_email, np.by_webhook, np.day_before FROM {table} r \
         LEFT JOIN notification_preference np ON np.recipient_kind = $1 AND np.recipient_id = r.{id}"
    );
    let rows: Vec<ReachRow> = on!(c.reborrow(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(kind.as_str())
            .fetch_all(&mut *c)
            .await?
    });
    Ok(rows
        .into_iter()
        .map(|r| {
            let reach = Reach {
                name: r.name,
                email: r.email.filter(|e| !e.trim().is_empty()),
                by_email: r.by_email.unwrap_or(true),
                by_webhook: r.by_webhook.unwrap_or(true),
                day_before: r.day_before.unwrap_or(true),
            };
            (r.id, reach)
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct ReachRow {
    id: i64,
    name: String,
    email: Option<String>,
    by_email: Option<bool>,
    by_webhook: Option<bool>,
    day_before: Option<bool>,
}

/// Whether the province has set a webhook.
pub async fn webhook_set(c: Conn<'_>) -> Result<bool> {
    Ok(on!(c, |c| {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM webhook_setting")
            .fetch_one(&mut *c)
            .await?
            > 0
    }))
}

/// A message to write: to one recipient, by every channel it can be reached on.
pub struct Outgoing {
    pub to: RecipientKind,
    pub id: i64,
    pub kind: Kind,
    pub lines: Vec<Line>,
    /// Writes the message only once ever (a reminder).
    pub dedupe_key: Option<String>,
}

/// One row to insert.
struct Row<'a> {
    to: RecipientKind,
    id: Option<i64>,
    name: &'a str,
    channel: Channel,
    email: Option<&'a str>,
    kind: Kind,
    body: String,
    dedupe_key: Option<String>,
}

fn idempotency_key() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// Writes messages to the outbox, one row per channel each recipient is reached on (none for a
/// recipient reached on no channel). Returns how many rows were written.
pub async fn enqueue(
    mut c: Conn<'_>,
    messages: Vec<Outgoing>,
    reach: &HashMap<(RecipientKind, i64), Reach>,
) -> Result<usize> {
    let webhook = webhook_set(c.reborrow()).await?;
    let mut rows = Vec::new();
    for m in &messages {
        let Some(r) = reach.get(&(m.to, m.id)) else { continue };
        if m.lines.is_empty() {
            continue;
        }
        let body = serde_json::to_string(&m.lines).map_err(anyhow::Error::from)?;
        let mut add = |channel, email| {
            rows.push(Row {
                to: m.to,
                id: Some(m.id),
                name: &r.name,
                channel,
                email,
                kind: m.kind,
                body: body.clone(),
                dedupe_key: m.dedupe_key.as_ref().map(|k| format!("{k}:{}", channel.as_str())),
            })
        };
        if let (true, Some(email)) = (r.by_email, r.email.as_deref()) {
            add(Channel::Email, Some(email));
        }
        // The webhook's document names the recipient's address too, for the bridge to match.
        if r.by_webhook && webhook {
            add(Channel::Webhook, r.email.as_deref());
        }
    }
    insert(c, rows).await
}

/// Writes the province's test message to an e-mail address, or to the webhook.
pub async fn enqueue_test(c: Conn<'_>, by: &str, email: Option<&str>) -> Result<()> {
    let body = serde_json::to_string(&[Line::Test { by: by.to_string() }]).map_err(anyhow::Error::from)?;
    let row = Row {
        to: RecipientKind::Test,
        id: None,
        name: email.unwrap_or("Webhook"),
        channel: if email.is_some() {
            Channel::Email
        } else {
            Channel::Webhook
        },
        email,
        kind: Kind::Test,
        body,
        dedupe_key: None,
    };
    insert(c, vec![row]).await.map(|_| ())
}

async fn insert(mut c: Conn<'_>, rows: Vec<Row<'_>>) -> Result<usize> {
    let t = now();
    let mut written = 0;
    for chunk in rows.chunks(200) {
        written += on!(c.reborrow(), |c| {
            let mut q = sqlx::QueryBuilder::<DB>::new(
                "INSERT INTO notification (recipient_kind, recipient_id, recipient_name, channel, email, kind, body, \
                 dedupe_key, idempotency_key, status, created_at, due_at) ",
            );
            q.push_values(chunk, |mut b, r| {
                b.push_bind(r.to.as_str())
                    .push_bind(r.id)
                    .push_bind(r.name)
                    .push_bind(r.channel.as_str())
                    .push_bind(r.email)
                    .push_bind(r.kind.as_str())
                    .push_bind(&r.body)
                    .push_bind(&r.dedupe_key)
                    .push_bind(idempotency_key())
                    .push_bind("pending")
                    .push_bind(t)
                    .push_bind(t);
            });
            // A reminder already written is not written again.
            q.push(" ON CONFLICT (dedupe_key) DO NOTHING");
            q.build().execute(&mut *c).await?.rows_affected() as usize
        });
    }
    Ok(written)
}

/// A message a sender holds: the lead row with the lines of every row folded into it.
#[derive(Debug)]
pub struct Claimed {
    pub id: i64,
    pub to: RecipientKind,
    pub recipient_id: Option<i64>,
    pub recipient_name: String,
    pub channel: Channel,
    pub email: Option<String>,
    pub kind: Kind,
    pub lines: Vec<Line>,
    pub idempotency_key: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
}

type ClaimRow = (
    i64,
    String,
    Option<i64>,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    i64,
    DateTime<Utc>,
);

/// What the sender is told to claim by.
pub struct ClaimRules {
    /// Messages wait this long after they are written, so that what follows soon (a quick
    /// correction) goes in the same message. Test messages do not wait.
    pub window: chrono::Duration,
    /// A claim lasts this long; a message still `sending` after it lost its sender.
    pub lease: chrono::Duration,
    pub skip_locked: bool,
}

/// The condition of a message a sender may claim now: `$1` now, `$2` the window's start.
const DUE: &str = "(status = 'pending' AND due_at <= $1 AND (created_at <= $2 OR kind = 'test')) \
                   OR (status = 'sending' AND claimed_until < $1)";

/// Whether any message is due (a read, before a claim takes the write lock).
pub async fn any_due(c: Conn<'_>, rules: &ClaimRules) -> Result<bool> {
    let t = now();
    let sql = format!("SELECT notification_id FROM notification WHERE {DUE} LIMIT 1");
    let found: Option<i64> = on!(c, |c| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(t)
            .bind(t - rules.window)
            .fetch_optional(&mut *c)
            .await?
    });
    Ok(found.is_some())
}

/// Claims the message due first for `worker`, folding in its recipient's other waiting rows
/// of the same kind and channel (in one transaction, `c`). None when nothing is due.
pub async fn claim(mut c: Conn<'_>, worker: &str, rules: &ClaimRules) -> Result<Option<Claimed>> {
    let t = now();
    let skip_locked = if rules.skip_locked {
        "FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "SELECT notification_id, recipient_kind, recipient_id, recipient_name, channel, email, kind, body, idempotency_key, \
         attempts, created_at FROM notification WHERE {DUE} ORDER BY due_at, notification_id LIMIT 1 {skip_locked}"
    );
    let lead: Option<ClaimRow> = on!(c.reborrow(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(t)
            .bind(t - rules.window)
            .fetch_optional(&mut *c)
            .await?
    });
    let Some((id, to, recipient_id, name, channel, email, kind, body, key, attempts, created_at)) = lead else {
        return Ok(None);
    };
    let sql = format!(
        "UPDATE notification SET status = 'combined', combined_into = $1 WHERE notification_id IN \
         (SELECT notification_id FROM notification WHERE status = 'pending' AND recipient_kind = $2 AND recipient_id = $3 \
          AND channel = $4 AND kind = $5 AND notification_id <> $1 {skip_locked}) \
         RETURNING notification_id, body"
    );
    let mut folded: Vec<(i64, String)> = on!(c.reborrow(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(&to)
            .bind(recipient_id)
            .bind(&channel)
            .bind(&kind)
            .fetch_all(&mut *c)
            .await?
    });
    folded.sort();
    let mut lines: Vec<Line> = parse(&body)?;
    for (_, b) in &folded {
        lines.extend(parse(b)?);
    }
    let lines = message::combine(lines);
    let body = serde_json::to_string(&lines).map_err(anyhow::Error::from)?;
    on!(c.reborrow(), |c| {
        sqlx::query(
            "UPDATE notification SET status = 'sending', claimed_by = $2, claimed_until = $3, attempts = attempts + 1, body = $4 \
             WHERE notification_id = $1",
        )
        .bind(id)
        .bind(worker)
        .bind(t + rules.lease)
        .bind(&body)
        .execute(&mut *c)
        .await?;
    });
    Ok(Some(Claimed {
        id,
        to: RecipientKind::parse(&to),
        recipient_id,
        recipient_name: name,
        channel: if channel == "email" {
            Channel::Email
        } else {
            Channel::Webhook
        },
        email,
        kind: Kind::parse(&kind).unwrap_or(Kind::Test),
        lines,
        idempotency_key: key,
        attempts: attempts + 1,
        created_at,
    }))
}

fn parse(body: &str) -> Result<Vec<Line>> {
    Ok(serde_json::from_str(body).map_err(anyhow::Error::from)?)
}

/// What became of a delivery.
pub enum Outcome {
    Sent,
    /// Nothing was left to tell once the combined lines netted out.
    Dropped,
    /// Try again at `at`.
    Retry {
        error: String,
        at: DateTime<Utc>,
    },
    Failed {
        error: String,
    },
}

/// Records a delivery's outcome, if `worker` still holds the message (a sender whose claim
/// ran out and was taken over records nothing).
pub async fn finish(c: Conn<'_>, id: i64, worker: &str, outcome: Outcome) -> Result<()> {
    let t = now();
    let (status, error, due, sent) = match outcome {
        Outcome::Sent => ("sent", None, t, Some(t)),
        Outcome::Dropped => ("dropped", None, t, None),
        Outcome::Retry { error, at } => ("pending", Some(error), at, None),
        Outcome::Failed { error } => ("failed", Some(error), t, None),
    };
    on!(c, |c| {
        sqlx::query(
            "UPDATE notification SET status = $3, last_error = $4, due_at = $5, sent_at = $6, claimed_by = NULL, \
             claimed_until = NULL WHERE notification_id = $1 AND claimed_by = $2 AND status = 'sending'",
        )
        .bind(id)
        .bind(worker)
        .bind(status)
        .bind(error)
        .bind(due)
        .bind(sent)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// A message as the province's page lists it.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Sent {
    pub id: i64,
    /// `person`, `center`, `unit` or `test`.
    pub recipient_kind: String,
    pub recipient_name: String,
    /// `email` or `webhook`.
    pub channel: String,
    pub email: Option<String>,
    /// `schedule_changed`, `request_decided`, `request_waiting`, `session_tomorrow`,
    /// `report_due` or `test`.
    pub kind: String,
    /// `pending`, `sending`, `sent`, `failed`, `combined` (into `combined_into`) or `dropped`.
    pub status: String,
    pub combined_into: Option<i64>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SentFilter {
    /// Only messages in this status.
    pub status: Option<String>,
}

const STATUSES: [&str; 6] = ["pending", "sending", "sent", "failed", "combined", "dropped"];

/// The latest 500 messages, newest first (the province board).
pub async fn list(c: Conn<'_>, user: &crate::auth::AuthUser, filter: &SentFilter) -> Result<Vec<Sent>> {
    user.require_admin()?;
    if let Some(s) = &filter.status
        && !STATUSES.contains(&s.as_str())
    {
        return Err(ApiError::invalid(
            "status",
            "invalid_status",
            format!("Trạng thái phải là một trong: {}.", STATUSES.join(", ")),
            format!("status must be one of {}.", STATUSES.join(", ")),
        ));
    }
    Ok(on!(c, |c| {
        sqlx::query_as(
            "SELECT notification_id AS id, recipient_kind, recipient_name, channel, email, kind, status, combined_into, \
             attempts, last_error, created_at, sent_at FROM notification WHERE ($1 IS NULL OR status = $1) \
             ORDER BY notification_id DESC LIMIT 500",
        )
        .bind(&filter.status)
        .fetch_all(&mut *c)
        .await?
    }))
}

/// How many messages are in each status.
pub async fn counts(c: Conn<'_>) -> Result<Vec<(String, i64)>> {
    Ok(on!(c, |c| {
        sqlx::query_as("SELECT status, COUNT(*) FROM notification GROUP BY status ORDER BY status")
            .fetch_all(&mut *c)
            .await?
    }))
}

/// Sends a failed message again (the province board): it is due at once, with fresh attempts.
pub async fn retry(mut c: Conn<'_>, user: &crate::auth::AuthUser, id: i64) -> Result<()> {
    user.require_admin()?;
    let status: Option<String> = on!(c.reborrow(), |c| {
        sqlx::query_scalar("SELECT status FROM notification WHERE notification_id = $1")
            .bind(id)
            .fetch_optional(&mut *c)
            .await?
    });
    match status.as_deref() {
        None => return Err(ApiError::not_found("thông báo", "message")),
        Some("failed") => {}
        Some(_) => {
            return Err(ApiError::conflict(
                "not_failed",
                "Chỉ gửi lại được thông báo đã gửi không thành công.",
                "Only a message that failed can be sent again.",
            ));
        }
    }
    on!(c.reborrow(), |c| {
        sqlx::query("UPDATE notification SET status = 'pending', attempts = 0, due_at = $2 WHERE notification_id = $1")
            .bind(id)
            .bind(now())
            .execute(&mut *c)
            .await?;
    });
    crate::audit::record(
        c,
        &crate::audit::Actor::from(user),
        "retry",
        "notification",
        id,
        None::<&()>,
        None::<&()>,
    )
    .await
}
