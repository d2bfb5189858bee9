//! The sender: claims due messages from the outbox and delivers them by e-mail (SMTP) or to the
//! province's webhook (a signed JSON document), retrying with exponential backoff; and, once a
//! minute, writes the reminders that have come due.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{Timelike, Utc};
use hmac::{Hmac, Mac};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde_json::json;
use sha2::Sha256;

use super::message::{self, Greeting, Links};
use super::outbox::{self, Channel, ClaimRules, Claimed, Outcome, RecipientKind};
use super::settings;
use crate::db::Db;
use crate::time::ZONE;

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SmtpSecurity {
    /// STARTTLS on the submission port (587), required.
    Starttls,
    /// TLS from the first byte (465).
    Tls,
    /// No encryption: only for a relay on this machine or a test server.
    None,
}

/// The mail server messages are sent through.
#[derive(Debug, Clone)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// User name and password, when the server asks for them.
    pub credentials: Option<(String, String)>,
    /// The sender, e.g. `Ban Tuyên giáo Tỉnh ủy <lichgiang@tuyengiao.example.vn>`.
    pub from: String,
}

/// How messages are delivered: the mail server (none: e-mail is not sent and says so), the
/// combining window, retries.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub smtp: Option<Smtp>,
    /// A message waits this long after it is written, so that what follows soon goes with it.
    pub window: Duration,
    /// The first retry's wait; each next one waits twice as long, up to an hour.
    pub retry_base: Duration,
    /// After this many attempts a message is marked failed.
    pub max_attempts: i64,
    /// Messages one instance claims together and delivers at once.
    pub senders: usize,
    /// Whether this instance writes the reminders (the day before a session, the report's
    /// deadline) as they come due, from 07:00 local time.
    pub reminders: bool,
}

impl Default for Delivery {
    fn default() -> Delivery {
        Delivery {
            smtp: None,
            window: Duration::from_secs(120),
            retry_base: Duration::from_secs(30),
            max_attempts: 8,
            senders: 8,
            reminders: true,
        }
    }
}

/// How long a claim on a message lasts: longer than any delivery's timeouts.
const LEASE: Duration = Duration::from_secs(120);
/// How long one delivery may take.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(30);
/// How often reminders are looked for.
const REMINDERS_EVERY: Duration = Duration::from_secs(60);
/// Reminders go from this hour of the local day on, not in the night.
const REMINDERS_FROM_HOUR: u32 = 7;

/// The wait before attempt `attempts + 1`.
fn backoff(base: Duration, attempts: i64) -> Duration {
    let doubled = base.saturating_mul(1u32 << (attempts.clamp(1, 20) - 1) as u32);
    doubled.min(Duration::from_secs(3600))
}

/// What senders share.
struct Sender {
    db: Db,
    delivery: Delivery,
    mail: Option<Mail>,
    http: reqwest::Client,
    public_url: Option<Arc<str>>,
    worker: String,
}

/// Runs until `stop` is set: claims due messages (up to `delivery.senders` at a time) and
/// delivers them at once, looking again every second while none is due; writes due reminders
/// every minute (if asked).
pub async fn run(db: Db, delivery: Delivery, public_url: Option<Arc<str>>, stop: Arc<AtomicBool>) {
    let mail = match delivery.smtp.as_ref().map(mail).transpose() {
        Ok(m) => m,
        Err(e) => {
            tracing::error!("the mail server's settings are not usable: {e}");
            None
        }
    };
    let sender = Arc::new(Sender {
        db,
        mail,
        http: reqwest::Client::builder()
            .timeout(DELIVERY_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client with rustls builds"),
        public_url,
        worker: format!("{}-{:016x}", std::process::id(), rand::random::<u64>()),
        delivery,
    });
    deliver_loop(&sender, &stop).await;
}

async fn deliver_loop(sender: &Arc<Sender>, stop: &AtomicBool) {
    let mut reminded_at: Option<tokio::time::Instant> = None;
    while !stop.load(Ordering::Relaxed) {
        let local = Utc::now().with_timezone(&ZONE);
        if sender.delivery.reminders
            && local.hour() >= REMINDERS_FROM_HOUR
            && reminded_at.is_none_or(|t| t.elapsed() >= REMINDERS_EVERY)
        {
            reminded_at = Some(tokio::time::Instant::now());
            let today = local.date_naive();
            match sender
                .db
                .write(async |c| super::causes::reminders(c, today).await)
                .await
            {
                Ok(n) if n > 0 => tracing::info!("{n} reminders queued"),
                Ok(_) => {}
                Err(e) => tracing::warn!("queueing reminders: {}", e.en),
            }
        }
        match next(sender).await {
            Ok(true) => {}
            Ok(false) => tokio::time::sleep(Duration::from_secs(1)).await,
            Err(e) => {
                tracing::warn!("sending notifications: {e:#}");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Claims, delivers and records one message; false when none is due.
async fn next(sender: &Arc<Sender>) -> anyhow::Result<bool> {
    let rules = ClaimRules {
        window: chrono::Duration::from_std(sender.delivery.window)?,
        lease: chrono::Duration::from_std(LEASE)?,
        skip_locked: matches!(sender.db, Db::Postgres(_)),
    };
    // A read first: an idle sender takes no write lock.
    let due = sender
        .db
        .read(async |c| outbox::any_due(c, &rules).await)
        .await
        .map_err(|e| anyhow::anyhow!(e.en))?;
    if !due {
        return Ok(false);
    }
    // Up to `senders` messages are claimed in one transaction and delivered at once.
    let most = sender.delivery.senders.max(1);
    let claimed = sender
        .db
        .write(async |mut c| {
            let mut claimed = Vec::new();
            while claimed.len() < most {
                match outbox::claim(c.reborrow(), &sender.worker, &rules).await? {
                    Some(m) => claimed.push(m),
                    None => break,
                }
            }
            Ok::<_, crate::error::ApiError>(claimed)
        })
        .await
        .map_err(|e| anyhow::anyhow!(e.en))?;
    if claimed.is_empty() {
        return Ok(false);
    }
    // The webhook's address and key, read once for the whole batch.
    let hook: Arc<Hook> = Arc::new(if claimed.iter().any(|m| m.channel == Channel::Webhook) {
        sender
            .db
            .read(async |c| settings::webhook_secret(c).await)
            .await
            .map_err(|e| e.en)
    } else {
        Ok(None)
    });
    let mut deliveries = tokio::task::JoinSet::new();
    for m in claimed {
        let (sender, hook) = (sender.clone(), hook.clone());
        deliveries.spawn(async move {
            let outcome = attempt(&sender, &hook, &m).await;
            (m.id, outcome)
        });
    }
    let outcomes = deliveries.join_all().await;
    sender
        .db
        .write(async |mut c| {
            for (id, outcome) in outcomes {
                outbox::finish(c.reborrow(), id, &sender.worker, outcome).await?;
            }
            Ok::<_, crate::error::ApiError>(())
        })
        .await
        .map_err(|e| anyhow::anyhow!(e.en))?;
    Ok(true)
}

/// Delivers one claimed message; what became of it.
async fn attempt(sender: &Sender, hook: &Hook, m: &Claimed) -> Outcome {
    if m.lines.is_empty() {
        return Outcome::Dropped;
    }
    match tokio::time::timeout(DELIVERY_TIMEOUT, deliver(sender, hook, m)).await {
        Ok(Ok(())) => Outcome::Sent,
        Ok(Err(e)) => failure(sender, m, e),
        Err(_) => failure(sender, m, Failure::Again("hết thời gian chờ / timed out".into())),
    }
}

/// Why a delivery did not happen.
enum Failure {
    /// Worth trying again (the server was away, refused for now).
    Again(String),
    /// Trying again will not help until someone changes a setting.
    Never(String),
}

fn failure(sender: &Sender, m: &Claimed, failure: Failure) -> Outcome {
    match failure {
        Failure::Again(error) if m.attempts < sender.delivery.max_attempts => {
            let wait = backoff(sender.delivery.retry_base, m.attempts);
            Outcome::Retry {
                error,
                at: Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default(),
            }
        }
        Failure::Again(error) | Failure::Never(error) => Outcome::Failed { error },
    }
}

fn greeting(m: &Claimed) -> Greeting {
    match m.to {
        RecipientKind::Person => Greeting::Comrade,
        _ => Greeting::Body,
    }
}

async fn deliver(sender: &Sender, hook: &Hook, m: &Claimed) -> Result<(), Failure> {
    let links = Links {
        base: sender.public_url.as_deref(),
    };
    let rendered = message::render(m.kind, greeting(m), &m.recipient_name, &m.lines, &links);
    match m.channel {
        Channel::Email => send_email(sender, m, &rendered).await,
        Channel::Webhook => send_webhook(sender, hook, m, &rendered).await,
    }
}

/// The mail server's transport and the sender's address, made once.
struct Mail {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// The webhook's address and signing key as read for a batch (none set, or the read's error).
type Hook = Result<Option<(String, String)>, String>;

fn mail(smtp: &Smtp) -> anyhow::Result<Mail> {
    let builder = match smtp.security {
        SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)?,
        SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)?,
        SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
    };
    let builder = builder.port(smtp.port).timeout(Some(DELIVERY_TIMEOUT));
    let builder = match &smtp.credentials {
        Some((user, password)) => builder.credentials(Credentials::new(user.clone(), password.clone())),
        None => builder,
    };
    Ok(Mail {
        transport: builder.build(),
        from: smtp.from.parse()?,
    })
}

async fn send_email(sender: &Sender, m: &Claimed, rendered: &message::Rendered) -> Result<(), Failure> {
    let Some(mail) = &sender.mail else {
        return Err(Failure::Never(
            "Chưa cấu hình máy chủ thư (--smtp-host) / no mail server is configured".into(),
        ));
    };
    let address = m.email.as_deref().unwrap_or_default();
    let to = address
        .parse()
        .map(|email| Mailbox::new(Some(m.recipient_name.clone()), email))
        .map_err(|e| Failure::Never(format!("Địa chỉ thư không hợp lệ / bad address {address:?}: {e}")))?;
    let email = lettre::Message::builder()
        .from(mail.from.clone())
        .to(to)
        .subject(&rendered.subject)
        .message_id(Some(format!("<{}@{}>", m.idempotency_key, mail.from.email.domain())))
        .multipart(MultiPart::alternative_plain_html(
            rendered.text.clone(),
            rendered.html.clone(),
        ))
        .map_err(|e| Failure::Never(format!("{e}")))?;
    match mail.transport.send(email).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(Failure::Never(format!("{e}"))),
        Err(e) => Err(Failure::Again(format!("{e}"))),
    }
}

/// The signature of a webhook delivery: HMAC-SHA256 with the province's secret over the
/// timestamp, a dot and the body, in hex (a receiver recomputes it, and refuses an old
/// timestamp to stop a replay).
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

async fn send_webhook(sender: &Sender, hook: &Hook, m: &Claimed, rendered: &message::Rendered) -> Result<(), Failure> {
    let Some((url, secret)) = hook.as_ref().map_err(|e| Failure::Again(e.clone()))? else {
        return Err(Failure::Never("Chưa đặt địa chỉ webhook / no webhook is set".into()));
    };
    let document = json!({
        "id": m.idempotency_key,
        "kind": m.kind.as_str(),
        "created_at": m.created_at,
        "recipient": {
            "kind": m.to.as_str(),
            "id": m.recipient_id,
            "name": m.recipient_name,
            "email": m.email,
        },
        "subject": rendered.subject,
        "text": rendered.text,
        "lines": m.lines,
    });
    let body = serde_json::to_vec(&document).map_err(|e| Failure::Never(e.to_string()))?;
    let timestamp = Utc::now().timestamp();
    let reply = sender
        .http
        .post(url)
        .header("content-type", "application/json")
        .header("idempotency-key", &m.idempotency_key)
        .header("x-roster-timestamp", timestamp.to_string())
        .header(
            "x-roster-signature",
            format!("sha256={}", signature(secret, timestamp, &body)),
        )
        .body(body)
        .send()
        .await
        .map_err(|e| Failure::Again(format!("{e}")))?;
    let status = reply.status();
    if status.is_success() {
        Ok(())
    } else if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
        Err(Failure::Again(format!("HTTP {status}")))
    } else {
        Err(Failure::Never(format!("HTTP {status}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_an_hour() {
        let base = Duration::from_secs(30);
        assert_eq!(backoff(base, 1), Duration::from_secs(30));
        assert_eq!(backoff(base, 2), Duration::from_secs(60));
        assert_eq!(backoff(base, 4), Duration::from_secs(240));
        assert_eq!(backoff(base, 12), Duration::from_secs(3600));
    }

    #[test]
    fn the_signature_is_hmac_sha256_over_the_timestamp_a_dot_and_the_body() {
        // Python: hmac.new(b"Jefe", b"1700000000.what do ya want for nothing?", hashlib.sha256).hexdigest()
        assert_eq!(
            signature("Jefe", 1_700_000_000, b"what do ya want for nothing?"),
            "1cdd0650c8be1cb0974b1788d458b1e781206cfef59b85faafc582d2e182c57e"
        );
    }
}
