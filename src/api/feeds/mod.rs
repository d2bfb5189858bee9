//! Calendar feeds over HTTP: the cached rendering, conditional requests (ETag and
//! Last-Modified), and who may read which feed.

mod links;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::AppState;
use crate::auth::{AuthUser, basic_user, secret_hash};
use crate::error::{ApiError, ApiPath, Result};
use crate::feeds::{self, FeedKey, Rendered, ical};

const CONTENT_TYPE: &str = "text/calendar; charset=utf-8";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(person_feed))
        .routes(routes!(district_feed))
        .routes(routes!(center_feed))
        .routes(routes!(class_feed))
        .merge(links::router())
}

/// The feed as a response: from the cache when it shows `version`, otherwise rendered now.
async fn serve(state: &AppState, key: FeedKey, version: i64, request: &HeaderMap) -> Result<Response> {
    let rendered = match state.feeds.fresh(key, version) {
        Some(r) => r,
        None => {
            let rendered = state.db.read(async |c| feeds::render(c, key, version).await).await?;
            state.feeds.store(key, rendered)
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
            let (person, version) = state.db.read(async |c| feeds::link_owner(c, &hash).await).await?;
            state.feeds.remember_link(hash, person, version);
            (person, version)
        }
    };
    serve(&state, FeedKey::Person(person), version, &headers).await
}

/// Who asks for a district, center or class feed: their credentials, authenticated only when
/// no recent lookup allowed them that feed. Calendar apps send an API token as the Basic
/// password; a 401 says so (`WWW-Authenticate`), so that they ask for it.
struct FeedReader {
    /// A hash of the `Authorization` and `Cookie` headers.
    credentials: String,
    parts: Parts,
}

impl FromRequestParts<AppState> for FeedReader {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> std::result::Result<Self, Self::Rejection> {
        let mut sent = Sha256::new();
        for name in [header::AUTHORIZATION, header::COOKIE] {
            if let Some(value) = parts.headers.get(&name) {
                sent.update(value.as_bytes());
            }
            sent.update(b"\n");
        }
        let credentials = sent.finalize().iter().map(|b| format!("{b:02x}")).collect();
        Ok(FeedReader {
            credentials,
            parts: parts.clone(),
        })
    }
}

impl FeedReader {
    async fn user(&mut self, state: &AppState) -> std::result::Result<AuthUser, Response> {
        let found = match state.db.acquire().await {
            Ok(mut conn) => basic_user(conn.conn(), &self.parts.headers).await,
            Err(e) => Err(e.into()),
        };
        match found {
            Ok(Some(user)) => return Ok(user),
            Ok(None) => {}
            Err(e) => return Err(e.into_response()),
        }
        AuthUser::from_request_parts(&mut self.parts, state).await.map_err(|e| {
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

/// A district, center or class feed, for a reader who may read it: from memory when the same
/// credentials were allowed it within the last second, as person links are.
async fn read_feed(
    state: &AppState,
    mut reader: FeedReader,
    key: FeedKey,
    request: &HeaderMap,
) -> std::result::Result<Response, Response> {
    let version = match state.feeds.recent_read(&reader.credentials, key) {
        Some(version) => version,
        None => {
            let user = reader.user(state).await?;
            let version = state
                .db
                .read(async |c| match key {
                    FeedKey::District(id) => feeds::district_version(c, &user, id).await,
                    _ => feeds::center_scoped_version(c, &user, key).await,
                })
                .await
                .map_err(IntoResponse::into_response)?;
            state.feeds.remember_read(reader.credentials, key, version);
            version
        }
    };
    serve(state, key, version, request)
        .await
        .map_err(IntoResponse::into_response)
}

/// A district's feed: every published session held in the district. For the province, the
/// district's board, and its centers.
#[utoipa::path(get, path = "/feeds/district/{id}", tag = "feeds",
    params(("id" = String, Path, description = "The district's id, then `.ics`")),
    responses((status = 200, content_type = "text/calendar"), (status = 304),
              (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
              (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
              (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
async fn district_feed(
    State(state): State<AppState>,
    ApiPath(file): ApiPath<String>,
    headers: HeaderMap,
    reader: FeedReader,
) -> std::result::Result<Response, Response> {
    let id = ics_id(&file).map_err(IntoResponse::into_response)?;
    read_feed(&state, reader, FeedKey::District(id), &headers).await
}

/// A center's feed: the published sessions of its classes. For the province, the board of
/// the center's district, and the center; to anyone else it is missing (404).
#[utoipa::path(get, path = "/feeds/center/{id}", tag = "feeds",
    params(("id" = String, Path, description = "The center's id, then `.ics`")),
    responses((status = 200, content_type = "text/calendar"), (status = 304),
              (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
              (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
async fn center_feed(
    State(state): State<AppState>,
    ApiPath(file): ApiPath<String>,
    headers: HeaderMap,
    reader: FeedReader,
) -> std::result::Result<Response, Response> {
    let id = ics_id(&file).map_err(IntoResponse::into_response)?;
    read_feed(&state, reader, FeedKey::Center(id), &headers).await
}

/// A class's feed: its published sessions. For whoever may read its center's feed; to anyone
/// else it is missing (404), as an unknown class is.
#[utoipa::path(get, path = "/feeds/class/{id}", tag = "feeds",
    params(("id" = String, Path, description = "The class's id, then `.ics`")),
    responses((status = 200, content_type = "text/calendar"), (status = 304),
              (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
              (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
async fn class_feed(
    State(state): State<AppState>,
    ApiPath(file): ApiPath<String>,
    headers: HeaderMap,
    reader: FeedReader,
) -> std::result::Result<Response, Response> {
    let id = ics_id(&file).map_err(IntoResponse::into_response)?;
    read_feed(&state, reader, FeedKey::Class(id), &headers).await
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::time::Instant;

    use axum::body::Bytes;

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
