//! Calendar feeds (iCalendar) of the published schedule: per person at a secret link that
//! needs no login (calendar servers fetch without credentials), and per district, center and
//! class for the accounts that may read them.
//!
//! A feed is rendered once per published version and kept in memory, for at most
//! [`RENDERED_FOR`] so that registry edits (a renamed venue, a new contact) and expiring
//! cancellations show up too. Rendering is deterministic, so every instance serves the same
//! bytes and the same ETag. Whose a person link is, and the latest version, are remembered for
//! [`LOOKUP_FOR`], so that phones polling cost no database query: this instance forgets them
//! at once when it issues, revokes or publishes; other instances within that second.

mod events;
mod ical;
pub mod links;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::{AuthUser, Scope, basic_user, secret_hash};
use crate::error::{ApiError, ApiPath, Result};
use crate::on;
use crate::state::AppState;

pub use events::CANCELLED_GRACE;
pub use ical::CANCELLED_PREFIX;

/// The longest a rendered feed is served before it is rendered again.
const RENDERED_FOR: Duration = Duration::from_secs(300);
/// The longest a person link's owner and the latest version are trusted without the database.
const LOOKUP_FOR: Duration = Duration::from_secs(1);
/// Remembered link lookups at most; more, and they are all forgotten.
const MAX_LOOKUPS: usize = 100_000;
const CONTENT_TYPE: &str = "text/calendar; charset=utf-8";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(person_feed))
        .routes(routes!(district_feed))
        .routes(routes!(center_feed))
        .routes(routes!(class_feed))
        .merge(links::router())
}

/// Which feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedKey {
    Person(i64),
    District(i64),
    Center(i64),
    Class(i64),
}

impl FeedKey {
    fn id(self) -> i64 {
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
    links: Mutex<HashMap<String, LinkLookup>>,
}

struct LinkLookup {
    person: i64,
    /// The latest schedule version when it was looked up.
    version: i64,
    at: Instant,
}

struct Rendered {
    /// The schedule version it shows.
    version: i64,
    rendered_at: Instant,
    body: Bytes,
    etag: HeaderValue,
    last_modified: Option<DateTime<Utc>>,
}

impl FeedCache {
    fn fresh(&self, key: FeedKey, version: i64) -> Option<Arc<Rendered>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(&key)
            .filter(|r| r.version == version && r.rendered_at.elapsed() < RENDERED_FOR)
            .cloned()
    }

    fn store(&self, key: FeedKey, rendered: Rendered) -> Arc<Rendered> {
        let rendered = Arc::new(rendered);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.insert(key, rendered.clone());
        rendered
    }

    /// The person and latest version a link led to within the last [`LOOKUP_FOR`].
    fn recent_link(&self, hash: &str) -> Option<(i64, i64)> {
        let links = self.links.lock().unwrap_or_else(|e| e.into_inner());
        links
            .get(hash)
            .filter(|l| l.at.elapsed() < LOOKUP_FOR)
            .map(|l| (l.person, l.version))
    }

    fn remember_link(&self, hash: String, person: i64, version: i64) {
        let mut links = self.links.lock().unwrap_or_else(|e| e.into_inner());
        if links.len() >= MAX_LOOKUPS {
            links.clear();
        }
        links.insert(
            hash,
            LinkLookup {
                person,
                version,
                at: Instant::now(),
            },
        );
    }

    /// Forgets every link lookup: after a link is issued or revoked, or a version published.
    pub fn forget_links(&self) {
        self.links.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// The feed as a response: from the cache when it shows `version`, otherwise rendered now.
async fn serve(state: &AppState, key: FeedKey, version: i64, request: &HeaderMap) -> Result<Response> {
    let rendered = match state.feeds.fresh(key, version) {
        Some(r) => r,
        None => {
            let mut conn = state.db.acquire().await?;
            let content = events::load(conn.conn(), key, Utc::now()).await?;
            let body = Bytes::from(ical::render(&content.calendar));
            let digest = Sha256::digest(&body);
            let etag = digest[..16].iter().map(|b| format!("{b:02x}")).collect::<String>();
            state.feeds.store(
                key,
                Rendered {
                    version,
                    rendered_at: Instant::now(),
                    etag: HeaderValue::try_from(format!("\"{etag}\"")).expect("hex is a valid header"),
                    body,
                    last_modified: content.last_modified,
                },
            )
        }
    };
    Ok(respond(&rendered, request))
}

/// 200 with the feed, or 304 when the client's copy is current (RFC 9110 §13.1: If-None-Match
/// decides when present; If-Modified-Since only without it).
fn respond(r: &Rendered, request: &HeaderMap) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    headers.insert(header::ETAG, r.etag.clone());
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::try_from(format!("private, max-age={}", ical::REFRESH_SECONDS)).expect("a valid header"),
    );
    if let Some(t) = r.last_modified {
        headers.insert(
            header::LAST_MODIFIED,
            HeaderValue::try_from(http_date(t)).expect("a valid header"),
        );
    }
    let not_modified = match request.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        Some(tags) => tags.split(',').any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.strip_prefix("W/").unwrap_or(tag).as_bytes() == r.etag.as_bytes()
        }),
        None => request
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
            .zip(r.last_modified)
            .is_some_and(|(since, modified)| modified.timestamp() <= since.timestamp()),
    };
    if not_modified {
        (StatusCode::NOT_MODIFIED, headers).into_response()
    } else {
        (StatusCode::OK, headers, r.body.clone()).into_response()
    }
}

/// An HTTP date (RFC 9110 §5.6.7), e.g. `Tue, 01 Dec 2026 02:03:04 GMT`.
fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// The id in a feed's file name, `{id}.ics`.
fn ics_name(file: &str) -> Result<&str> {
    file.strip_suffix(".ics")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::from_status(StatusCode::NOT_FOUND))
}

fn ics_id(file: &str) -> Result<i64> {
    ics_name(file)?
        .parse()
        .map_err(|_| ApiError::from_status(StatusCode::NOT_FOUND))
}

/// A person's feed, at the secret link from `POST /api/v1/people/{id}/feed`. No login: an
/// unknown or revoked link, or one of a deactivated person, is a 404 that tells nothing more.
#[utoipa::path(get, path = "/feeds/person/{token}", tag = "feeds", security(()),
    params(("token" = String, Path, description = "The link's secret, then `.ics`")),
    responses((status = 200, content_type = "text/calendar"), (status = 304),
              (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
async fn person_feed(
    State(state): State<AppState>,
    ApiPath(file): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let hash = secret_hash(ics_name(&file)?);
    let (person, version) = match state.feeds.recent_link(&hash) {
        Some(found) => found,
        None => {
            let mut conn = state.db.acquire().await?;
            let found: Option<(i64, i64)> = on!(conn.conn(), |c| {
                sqlx::query_as(
                    "SELECT t.person_id, (SELECT COALESCE(MAX(version_id), 0) FROM schedule_version) \
                     FROM feed_token t JOIN person p ON p.person_id = t.person_id \
                     WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND p.active = TRUE",
                )
                .bind(&hash)
                .fetch_optional(&mut *c)
                .await?
            });
            let (person, version) = found.ok_or_else(|| ApiError::not_found("lịch", "Calendar"))?;
            state.feeds.remember_link(hash, person, version);
            (person, version)
        }
    };
    serve(&state, FeedKey::Person(person), version, &headers).await
}

/// The signed-in reader of a district, center or class feed. Calendar apps send an API token
/// as the Basic password; a 401 says so (`WWW-Authenticate`), so that they ask for it.
struct FeedReader(AuthUser);

impl FromRequestParts<AppState> for FeedReader {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> std::result::Result<Self, Response> {
        match basic_user(state, &parts.headers).await {
            Ok(Some(user)) => return Ok(FeedReader(user)),
            Ok(None) => {}
            Err(e) => return Err(e.into_response()),
        }
        AuthUser::from_request_parts(parts, state)
            .await
            .map(FeedReader)
            .map_err(|e| {
                let mut response = e.into_response();
                if response.status() == StatusCode::UNAUTHORIZED {
                    response.headers_mut().insert(
                        header::WWW_AUTHENTICATE,
                        HeaderValue::from_static("Basic realm=\"Roster\", charset=\"UTF-8\""),
                    );
                }
                response
            })
    }
}

/// A district's feed: every published session held in the district. For the province, the
/// district's board, and its centers.
#[utoipa::path(get, path = "/feeds/district/{id}", tag = "feeds",
    params(("id" = String, Path, description = "The district's id, then `.ics`")),
    responses((status = 200, content_type = "text/calendar"), (status = 304),
              (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
              (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
async fn district_feed(
    State(state): State<AppState>,
    FeedReader(user): FeedReader,
    ApiPath(file): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let id = ics_id(&file)?;
    if user.readable_district()?.is_some_and(|d| d != id) {
        return Err(ApiError::forbidden());
    }
    let mut conn = state.db.acquire().await?;
    let version = crate::scheduling::runs::latest_version(conn.conn()).await?;
    drop(conn);
    serve(&state, FeedKey::District(id), version, &headers).await
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

/// A center's feed: the published sessions of its classes. For the province, the board of
/// the center's district, and the center.
#[utoipa::path(get, path = "/feeds/center/{id}", tag = "feeds",
    params(("id" = String, Path, description = "The center's id, then `.ics`")),
    responses((status = 200, content_type = "text/calendar"), (status = 304),
              (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
              (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
async fn center_feed(
    State(state): State<AppState>,
    FeedReader(user): FeedReader,
    ApiPath(file): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response> {
    center_scoped_feed(&state, &user, FeedKey::Center(ics_id(&file)?), &headers).await
}

/// A class's feed: its published sessions. For whoever may read its center's feed.
#[utoipa::path(get, path = "/feeds/class/{id}", tag = "feeds",
    params(("id" = String, Path, description = "The class's id, then `.ics`")),
    responses((status = 200, content_type = "text/calendar"), (status = 304),
              (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
              (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
async fn class_feed(
    State(state): State<AppState>,
    FeedReader(user): FeedReader,
    ApiPath(file): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response> {
    center_scoped_feed(&state, &user, FeedKey::Class(ics_id(&file)?), &headers).await
}

/// A center's or a class's feed, for whoever may read that center's feeds.
async fn center_scoped_feed(state: &AppState, user: &AuthUser, key: FeedKey, headers: &HeaderMap) -> Result<Response> {
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
    let mut conn = state.db.acquire().await?;
    let found: Option<(i64, i64, i64)> = on!(conn.conn(), |c| {
        sqlx::query_as(sql).bind(key.id()).fetch_optional(&mut *c).await?
    });
    drop(conn);
    let (center, district, version) = found.ok_or_else(|| ApiError::not_found(vi, en))?;
    if !can_read_center(user, center, district) {
        return Err(ApiError::forbidden());
    }
    serve(state, key, version, headers).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered() -> Rendered {
        Rendered {
            version: 1,
            rendered_at: Instant::now(),
            body: Bytes::from_static(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
            etag: HeaderValue::from_static("\"abc\""),
            last_modified: Some(DateTime::parse_from_rfc3339("2026-12-01T02:03:04Z").unwrap().to_utc()),
        }
    }

    fn status(headers: &[(header::HeaderName, &str)]) -> StatusCode {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(k.clone(), HeaderValue::from_str(v).unwrap());
        }
        respond(&rendered(), &map).status()
    }

    #[test]
    fn conditional_requests() {
        use header::{IF_MODIFIED_SINCE as IMS, IF_NONE_MATCH as INM};
        assert_eq!(status(&[]), StatusCode::OK);
        assert_eq!(status(&[(INM, "\"abc\"")]), StatusCode::NOT_MODIFIED);
        assert_eq!(status(&[(INM, "\"x\", W/\"abc\"")]), StatusCode::NOT_MODIFIED);
        assert_eq!(status(&[(INM, "*")]), StatusCode::NOT_MODIFIED);
        assert_eq!(status(&[(INM, "\"abd\"")]), StatusCode::OK);
        assert_eq!(
            status(&[(IMS, "Tue, 01 Dec 2026 02:03:04 GMT")]),
            StatusCode::NOT_MODIFIED
        );
        assert_eq!(
            status(&[(IMS, "Wed, 02 Dec 2026 00:00:00 GMT")]),
            StatusCode::NOT_MODIFIED
        );
        assert_eq!(status(&[(IMS, "Tue, 01 Dec 2026 02:03:03 GMT")]), StatusCode::OK);
        assert_eq!(status(&[(IMS, "not a date")]), StatusCode::OK);
        // A non-matching ETag wins over a matching date.
        assert_eq!(
            status(&[(INM, "\"old\""), (IMS, "Wed, 02 Dec 2026 00:00:00 GMT")]),
            StatusCode::OK
        );
    }

    #[test]
    fn http_dates() {
        let t = DateTime::parse_from_rfc3339("2026-12-01T09:03:04+07:00")
            .unwrap()
            .to_utc();
        assert_eq!(http_date(t), "Tue, 01 Dec 2026 02:03:04 GMT");
    }
}
