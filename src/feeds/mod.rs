//! Calendar feeds (iCalendar) of the published schedule: per person at a secret link that
//! needs no login (calendar servers fetch without credentials), and per district, center and
//! class for the accounts that may read them.
//!
//! A feed is rendered once per published version and kept in memory, for at most
//! [`RENDERED_FOR`] so that registry edits (a renamed venue, a new contact) and expiring
//! cancellations show up too. Rendering is deterministic, so every instance serves the same
//! bytes and the same ETag. Whose a person link is, whether a reader may read a district,
//! center or class feed, and the latest version, are remembered for [`LOOKUP_FOR`], so that
//! calendars polling cost no database query: this instance forgets them at once after any
//! change made through it (see `api`); other instances within that second.

mod events;
pub mod ical;
pub mod links;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::HeaderValue;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::auth::{AuthUser, Scope};
use crate::db::Conn;
use crate::error::{ApiError, Result};
use crate::on;

pub use events::CANCELLED_GRACE;
pub use ical::CANCELLED_PREFIX;

/// The longest a rendered feed is served before it is rendered again.
const RENDERED_FOR: Duration = Duration::from_secs(300);
/// The longest a person link's owner and the latest version are trusted without the database.
const LOOKUP_FOR: Duration = Duration::from_secs(1);
/// Remembered link lookups at most; more, and they are all forgotten.
const MAX_LOOKUPS: usize = 100_000;

/// Which feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedKey {
    Person(i64),
    District(i64),
    Center(i64),
    Class(i64),
}

impl FeedKey {
    pub fn id(self) -> i64 {
        match self {
            FeedKey::Person(id) | FeedKey::District(id) | FeedKey::Center(id) | FeedKey::Class(id) => id,
        }
    }
}

/// Rendered feeds, by feed, and recent person link lookups.
#[derive(Default)]
pub struct FeedCache {
    entries: Mutex<HashMap<FeedKey, Arc<Rendered>>>,
    /// By the hash of a link's secret.
    links: Mutex<HashMap<String, Lookup>>,
    /// Readers' rights to district, center and class feeds: by the hash of the credentials
    /// they sent and the feed.
    reads: Mutex<HashMap<(String, FeedKey), Lookup>>,
}

/// What a lookup found: the person a link is for (or the feed a reader may read), and the
/// latest schedule version then.
struct Lookup {
    person: i64,
    version: i64,
    at: Instant,
}

/// A feed as rendered for one schedule version.
pub struct Rendered {
    /// The schedule version it shows.
    pub version: i64,
    pub rendered_at: Instant,
    pub body: Bytes,
    pub etag: HeaderValue,
    pub last_modified: Option<DateTime<Utc>>,
}

impl FeedCache {
    pub fn fresh(&self, key: FeedKey, version: i64) -> Option<Arc<Rendered>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(&key)
            .filter(|r| r.version == version && r.rendered_at.elapsed() < RENDERED_FOR)
            .cloned()
    }

    pub fn store(&self, key: FeedKey, rendered: Rendered) -> Arc<Rendered> {
        let rendered = Arc::new(rendered);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.insert(key, rendered.clone());
        rendered
    }

    /// The person and latest version a link led to within the last [`LOOKUP_FOR`].
    pub fn recent_link(&self, hash: &str) -> Option<(i64, i64)> {
        let links = self.links.lock().unwrap_or_else(|e| e.into_inner());
        links
            .get(hash)
            .filter(|l| l.at.elapsed() < LOOKUP_FOR)
            .map(|l| (l.person, l.version))
    }

    pub fn remember_link(&self, hash: String, person: i64, version: i64) {
        remember(&self.links, hash, person, version);
    }

    /// The latest version, when the reader with these credentials was allowed `key` within
    /// the last [`LOOKUP_FOR`].
    pub fn recent_read(&self, credentials: &str, key: FeedKey) -> Option<i64> {
        let reads = self.reads.lock().unwrap_or_else(|e| e.into_inner());
        reads
            .get(&(credentials.to_string(), key))
            .filter(|l| l.at.elapsed() < LOOKUP_FOR)
            .map(|l| l.version)
    }

    pub fn remember_read(&self, credentials: String, key: FeedKey, version: i64) {
        remember(&self.reads, (credentials, key), key.id(), version);
    }

    /// Forgets every lookup: after any change (a link issued or revoked, a version published,
    /// an account or token changed).
    pub fn forget_lookups(&self) {
        self.links.lock().unwrap_or_else(|e| e.into_inner()).clear();
        self.reads.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

fn remember<K: std::hash::Hash + Eq>(lookups: &Mutex<HashMap<K, Lookup>>, key: K, person: i64, version: i64) {
    let mut lookups = lookups.lock().unwrap_or_else(|e| e.into_inner());
    if lookups.len() >= MAX_LOOKUPS {
        lookups.clear();
    }
    let at = Instant::now();
    lookups.insert(key, Lookup { person, version, at });
}

/// Renders the feed `key` as it stands for the schedule `version`.
pub async fn render(c: Conn<'_>, key: FeedKey, version: i64) -> Result<Rendered> {
    let content = events::load(c, key, Utc::now()).await?;
    let body = Bytes::from(ical::render(&content.calendar));
    let digest = Sha256::digest(&body);
    let etag = digest[..16].iter().map(|b| format!("{b:02x}")).collect::<String>();
    Ok(Rendered {
        version,
        rendered_at: Instant::now(),
        etag: HeaderValue::try_from(format!("\"{etag}\"")).expect("hex is a valid header"),
        body,
        last_modified: content.last_modified,
    })
}

/// The person whose feed link has the secret hashed `hash`, and the latest schedule version:
/// a 404 that tells nothing more for an unknown or revoked link, or a deactivated person.
pub async fn link_owner(c: Conn<'_>, hash: &str) -> Result<(i64, i64)> {
    let found: Option<(i64, i64)> = on!(c, |c| {
        sqlx::query_as(
            "SELECT t.person_id, (SELECT COALESCE(MAX(version_id), 0) FROM schedule_version) \
             FROM feed_token t JOIN person p ON p.person_id = t.person_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND p.active = TRUE",
        )
        .bind(hash)
        .fetch_optional(&mut *c)
        .await?
    });
    found.ok_or_else(|| ApiError::not_found("lịch", "Calendar"))
}

/// The latest schedule version, for a reader of the district `id`'s feed (the province, the
/// district's board, and its centers).
pub async fn district_version(c: Conn<'_>, user: &AuthUser, id: i64) -> Result<i64> {
    if user.readable_district()?.is_some_and(|d| d != id) {
        return Err(ApiError::forbidden());
    }
    crate::scheduling::runs::latest_version(c).await
}

/// Whether the caller may read the feeds of a center in `district` (the center `center`).
fn can_read_center(user: &AuthUser, center: i64, district: i64) -> bool {
    match user.scope {
        Scope::Province => true,
        Scope::District(d) => d == district,
        Scope::Center { center_id, .. } => center_id == center,
        Scope::Person(_) => false,
    }
}

/// The latest schedule version, for a reader of a center's or a class's feed (whoever may
/// read that center's feeds).
pub async fn center_scoped_version(c: Conn<'_>, user: &AuthUser, key: FeedKey) -> Result<i64> {
    let (sql, vi, en) = match key {
        FeedKey::Center(_) => (
            "SELECT center_id, district_id, (SELECT COALESCE(MAX(version_id), 0) FROM schedule_version) \
             FROM center WHERE center_id = $1",
            "trung tâm",
            "Center",
        ),
        _ => (
            "SELECT ce.center_id, ce.district_id, (SELECT COALESCE(MAX(version_id), 0) FROM schedule_version) \
             FROM course_class cc JOIN planned_class pc ON pc.planned_class_id = cc.planned_class_id \
             JOIN center ce ON ce.center_id = pc.center_id WHERE cc.class_id = $1",
            "lớp",
            "Class",
        ),
    };
    let found: Option<(i64, i64, i64)> = on!(c, |c| {
        sqlx::query_as(sql).bind(key.id()).fetch_optional(&mut *c).await?
    });
    // A feed the caller may not read is as missing as one that does not exist, so that ids
    // cannot be enumerated.
    match found {
        Some((center, district, version)) if can_read_center(user, center, district) => Ok(version),
        _ => Err(ApiError::not_found(vi, en)),
    }
}
