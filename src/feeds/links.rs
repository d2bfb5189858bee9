//! A person's secret feed link: issued (again) by the person or the province board, shown
//! once with a QR code, revoked. Only the secret's hash is kept; a person has one link at a
//! time, and issuing a new one revokes the old.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::{self, Actor};
use crate::auth::{AuthUser, Scope, new_secret, secret_hash};
use crate::db::{Conn, now};
use crate::error::{ApiError, Result};
use crate::on;

/// Whether a person has a feed link (the secret itself is shown only when it is issued).
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct LinkStatus {
    /// When the current link was issued; none when there is no link.
    pub issued_at: Option<DateTime<Utc>>,
    /// The first characters of the current link's secret, to recognise it.
    pub prefix: Option<String>,
}

/// A new feed link, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedLink {
    /// For calendar apps that take a web address.
    pub https: String,
    /// Opens the phone's calendar app and subscribes.
    pub webcal: String,
    /// The `https` link as a QR code (SVG), to scan with a phone.
    pub qr_svg: String,
    pub issued_at: DateTime<Utc>,
}

#[derive(Serialize)]
struct LinkAudit<'a> {
    prefix: &'a str,
}

/// The person themself and the province board manage a person's link.
async fn require_manager(c: Conn<'_>, user: &AuthUser, person: i64) -> Result<()> {
    let exists: bool = on!(c, |c| {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM person WHERE person_id = $1)")
            .bind(person)
            .fetch_one(&mut *c)
            .await?
    });
    if !exists {
        return Err(ApiError::not_found("người", "Person"));
    }
    match user.scope {
        Scope::Province => Ok(()),
        Scope::Person(id) if id == person => Ok(()),
        _ => Err(ApiError::forbidden()),
    }
}

/// Whether the person has a feed link, for the person or the province board.
pub async fn status(mut c: Conn<'_>, user: &AuthUser, id: i64) -> Result<LinkStatus> {
    require_manager(c.reborrow(), user, id).await?;
    let status: Option<LinkStatus> = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "SELECT created_at AS issued_at, prefix FROM feed_token WHERE person_id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
    });
    Ok(status.unwrap_or(LinkStatus {
        issued_at: None,
        prefix: None,
    }))
}

/// Issues the person's feed link, revoking the one before, for the person or the province
/// board (the API, and a lecturer's own page).
pub async fn issue(mut c: Conn<'_>, user: &AuthUser, id: i64, base_url: &str) -> Result<IssuedLink> {
    let secret = new_secret();
    let prefix: String = secret.chars().take(6).collect();
    let issued_at = now();
    require_manager(c.reborrow(), user, id).await?;
    // The links before any change: the request's host may make one too long for a QR code,
    // which must be refused before the link before is revoked.
    let https = format!("{base_url}/feeds/person/{secret}.ics");
    let webcal = format!(
        "webcal://{}",
        https.split_once("://").map_or(https.as_str(), |(_, rest)| rest)
    );
    let qr_svg = qrcode::QrCode::new(https.as_bytes())
        .map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "link_too_long",
                "Địa chỉ của liên kết quá dài để làm mã QR.",
                "The link's address is too long for a QR code.",
            )
        })?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .build();
    on!(c.reborrow(), |c| {
        sqlx::query("UPDATE feed_token SET revoked_at = $1 WHERE person_id = $2 AND revoked_at IS NULL")
            .bind(issued_at)
            .bind(id)
            .execute(&mut *c)
            .await?;
        sqlx::query(
            "INSERT INTO feed_token (person_id, token_hash, prefix, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(secret_hash(&secret))
        .bind(&prefix)
        .bind(&user.username)
        .bind(issued_at)
        .execute(&mut *c)
        .await?;
    });
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "issue",
        "feed_link",
        id,
        None::<&()>,
        Some(&LinkAudit { prefix: &prefix }),
    )
    .await?;
    Ok(IssuedLink {
        https,
        webcal,
        qr_svg,
        issued_at,
    })
}

/// Revoke the person's feed link: it answers 404 from now on.
pub async fn revoke(mut c: Conn<'_>, user: &AuthUser, id: i64) -> Result<()> {
    require_manager(c.reborrow(), user, id).await?;
    let revoked: Option<String> = on!(c.reborrow(), |c| {
        sqlx::query_scalar(
            "UPDATE feed_token SET revoked_at = $1 WHERE person_id = $2 AND revoked_at IS NULL RETURNING prefix",
        )
        .bind(now())
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
    });
    let prefix = revoked.ok_or_else(|| ApiError::not_found("đường dẫn lịch", "Feed link"))?;
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "revoke",
        "feed_link",
        id,
        Some(&LinkAudit { prefix: &prefix }),
        None::<&()>,
    )
    .await?;
    Ok(())
}
