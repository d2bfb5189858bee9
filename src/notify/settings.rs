//! Who chooses what: each person, center and unit board its channels (and a person the
//! reminders the day before), centers and boards their address; the province the webhook, and
//! test messages. Every change is in the audit log (the webhook's secret never is).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::outbox::{self, RecipientKind};
use crate::audit::{self, Actor};
use crate::auth::{AuthUser, Scope};
use crate::db::{Conn, now};
use crate::error::{ApiError, Result};
use crate::on;

/// The caller's own notification settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct Preferences {
    /// `person`, `center` or `unit`.
    pub recipient_kind: String,
    pub name: String,
    pub email: Option<String>,
    /// A center and a board set their address here; a person's is kept in the registry.
    pub email_editable: bool,
    pub by_email: bool,
    pub by_webhook: bool,
    /// Reminders the day before each session (lecturers and rapporteurs).
    pub day_before: bool,
    /// Whether the province has set a webhook to reach people by.
    pub webhook_available: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesInput {
    pub by_email: bool,
    pub by_webhook: bool,
    /// Lecturers and rapporteurs only; kept when absent.
    pub day_before: Option<bool>,
    /// A center's or a board's address (empty: none); kept when absent. Refused for a person.
    pub email: Option<String>,
}

/// The recipient the caller speaks for: its person, center or unit board. The province board
/// is told nothing (it reads the outbox).
fn recipient(user: &AuthUser) -> Result<(RecipientKind, i64)> {
    match user.scope {
        Scope::Person(p) => Ok((RecipientKind::Person, p)),
        Scope::Center { center_id, .. } => Ok((RecipientKind::Center, center_id)),
        Scope::District(d) => Ok((RecipientKind::Unit, d)),
        Scope::Province => Err(ApiError::forbidden()),
    }
}

pub async fn preferences(mut c: Conn<'_>, user: &AuthUser) -> Result<Preferences> {
    let (kind, id) = recipient(user)?;
    let mut all = outbox::reach_all(c.reborrow(), kind).await?;
    let reach = all
        .remove(&id)
        .ok_or_else(|| ApiError::not_found("người nhận", "recipient"))?;
    Ok(Preferences {
        recipient_kind: kind.as_str().to_string(),
        name: reach.name,
        email: reach.email,
        email_editable: kind != RecipientKind::Person,
        by_email: reach.by_email,
        by_webhook: reach.by_webhook,
        day_before: reach.day_before,
        webhook_available: outbox::webhook_set(c).await?,
    })
}

/// An e-mail address as given: trimmed, empty meaning none, or a valid address.
pub fn valid_email(field: &str, text: &str) -> Result<Option<String>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<lettre::Address>().map_err(|_| {
        ApiError::invalid(
            field,
            "invalid_email",
            format!("«{text}» không phải địa chỉ thư điện tử; hãy nhập dạng ten@donvi.gov.vn."),
            format!("{text:?} is not an e-mail address; write it as name@unit.gov.vn."),
        )
    })?;
    Ok(Some(text.to_string()))
}

pub async fn set_preferences(mut c: Conn<'_>, user: &AuthUser, input: PreferencesInput) -> Result<Preferences> {
    let (kind, id) = recipient(user)?;
    let before = preferences(c.reborrow(), user).await?;
    if let Some(email) = &input.email {
        let table = match kind {
            RecipientKind::Center => "UPDATE center SET email = $1 WHERE center_id = $2",
            RecipientKind::Unit => "UPDATE district SET email = $1 WHERE district_id = $2",
            _ => {
                return Err(ApiError::invalid(
                    "email",
                    "email_in_registry",
                    "Địa chỉ thư của đồng chí do Ban Tuyên giáo giữ trong danh bạ; hãy đề nghị Ban sửa.",
                    "A person's address is kept in the registry by the province board; ask it to change it.",
                ));
            }
        };
        let email = valid_email("email", email)?;
        on!(c.reborrow(), |c| {
            sqlx::query(table).bind(email).bind(id).execute(&mut *c).await?;
        });
    }
    on!(c.reborrow(), |c| {
        sqlx::query(
            "INSERT INTO notification_preference (recipient_kind, recipient_id, by_email, by_webhook, day_before, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (recipient_kind, recipient_id) DO UPDATE SET \
             by_email = $3, by_webhook = $4, day_before = $5, updated_at = $6",
        )
        .bind(kind.as_str())
        .bind(id)
        .bind(input.by_email)
        .bind(input.by_webhook)
        .bind(input.day_before.unwrap_or(before.day_before))
        .bind(now())
        .execute(&mut *c)
        .await?;
    });
    let after = preferences(c.reborrow(), user).await?;
    audit::record(
        c,
        &Actor::from(user),
        "update",
        "notification_preference",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// The province's webhook, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct Webhook {
    /// None until the province sets one.
    pub url: Option<String>,
    pub secret_set: bool,
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// An https address (http only on this machine); empty turns the webhook off.
    pub url: String,
    /// The key messages are signed with, 16 characters or more; kept when absent.
    pub secret: Option<String>,
}

pub async fn webhook(c: Conn<'_>, user: &AuthUser) -> Result<Webhook> {
    user.require_admin()?;
    let row: Option<(String, String, DateTime<Utc>)> = on!(c, |c| {
        sqlx::query_as("SELECT url, updated_by, updated_at FROM webhook_setting")
            .fetch_optional(&mut *c)
            .await?
    });
    Ok(match row {
        Some((url, by, at)) => Webhook {
            url: Some(url),
            secret_set: true,
            updated_by: Some(by),
            updated_at: Some(at),
        },
        None => Webhook {
            url: None,
            secret_set: false,
            updated_by: None,
            updated_at: None,
        },
    })
}

/// Where the sender posts, and the key it signs with.
pub async fn webhook_secret(c: Conn<'_>) -> Result<Option<(String, String)>> {
    Ok(on!(c, |c| {
        sqlx::query_as("SELECT url, secret FROM webhook_setting")
            .fetch_optional(&mut *c)
            .await?
    }))
}

fn valid_url(text: &str) -> Result<String> {
    let text = text.trim();
    let local = ["http://localhost", "http://127.0.0.1", "http://[::1]"]
        .iter()
        .any(|p| {
            text.strip_prefix(p)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
        });
    let parsed = reqwest::Url::parse(text).ok().filter(|u| u.host_str().is_some());
    if parsed.is_none() || !(text.starts_with("https://") || local) {
        return Err(ApiError::invalid(
            "url",
            "invalid_webhook_url",
            "Địa chỉ webhook phải là một địa chỉ https:// đầy đủ (http:// chỉ dùng được trên chính máy này).",
            "The webhook's address must be a full https:// address (http:// only on this machine).",
        ));
    }
    Ok(text.to_string())
}

/// Sets the webhook (the province board), or turns it off with an empty address.
pub async fn set_webhook(mut c: Conn<'_>, user: &AuthUser, input: WebhookInput) -> Result<Webhook> {
    let before = webhook(c.reborrow(), user).await?;
    if input.url.trim().is_empty() {
        on!(c.reborrow(), |c| {
            sqlx::query("DELETE FROM webhook_setting").execute(&mut *c).await?;
        });
    } else {
        let url = valid_url(&input.url)?;
        let secret = match (input.secret.as_deref().map(str::trim), before.secret_set) {
            (Some(s), _) if s.chars().count() >= 16 => s.to_string(),
            (None, true) => webhook_secret(c.reborrow()).await?.map(|(_, s)| s).unwrap_or_default(),
            _ => {
                return Err(ApiError::invalid(
                    "secret",
                    "weak_webhook_secret",
                    "Khóa ký cần ít nhất 16 ký tự; hãy dùng cùng khóa ở nơi nhận webhook.",
                    "The signing key needs 16 characters or more; use the same key at the receiver.",
                ));
            }
        };
        on!(c.reborrow(), |c| {
            sqlx::query(
                "INSERT INTO webhook_setting (webhook_setting_id, url, secret, updated_by, updated_at) VALUES (1, $1, $2, $3, $4) \
                 ON CONFLICT (webhook_setting_id) DO UPDATE SET url = $1, secret = $2, updated_by = $3, updated_at = $4",
            )
            .bind(&url)
            .bind(&secret)
            .bind(&user.username)
            .bind(now())
            .execute(&mut *c)
            .await?;
        });
    }
    let after = webhook(c.reborrow(), user).await?;
    #[derive(Serialize)]
    struct Logged<'a> {
        url: &'a Option<String>,
        secret_changed: bool,
    }
    audit::record(
        c,
        &Actor::from(user),
        "update",
        "webhook_setting",
        1,
        Some(&Logged {
            url: &before.url,
            secret_changed: false,
        }),
        Some(&Logged {
            url: &after.url,
            secret_changed: input.secret.is_some(),
        }),
    )
    .await?;
    Ok(after)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestInput {
    /// An address to send a test e-mail to; absent: a test message to the webhook.
    pub email: Option<String>,
}

/// Queues a test message (the province board), sent at once.
pub async fn send_test(mut c: Conn<'_>, user: &AuthUser, input: TestInput) -> Result<()> {
    user.require_admin()?;
    let email = match &input.email {
        Some(e) => Some(valid_email("email", e)?.ok_or_else(|| {
            ApiError::invalid(
                "email",
                "invalid_email",
                "Hãy nhập địa chỉ thư điện tử để gửi thư thử.",
                "Give an e-mail address to send the test message to.",
            )
        })?),
        None if !outbox::webhook_set(c.reborrow()).await? => {
            return Err(ApiError::invalid(
                "url",
                "no_webhook",
                "Chưa đặt webhook: hãy lưu địa chỉ webhook trước khi gửi thử.",
                "No webhook is set: save its address before sending a test.",
            ));
        }
        None => None,
    };
    outbox::enqueue_test(c.reborrow(), &user.username, email.as_deref()).await?;
    #[derive(Serialize)]
    struct Logged<'a> {
        email: &'a Option<String>,
    }
    audit::record(
        c,
        &Actor::from(user),
        "send_test",
        "notification",
        0,
        None::<&()>,
        Some(&Logged { email: &email }),
    )
    .await
}
