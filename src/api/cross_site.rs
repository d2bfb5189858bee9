//! Refuses changes a browser sends from another site. The session cookie is `SameSite=Lax`,
//! which stops other registrable domains but not a sibling subdomain (another site under the
//! same `gov.vn` domain is "same-site"), and a form posted from there carries the cookie.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::error::ApiError;

/// Lets through reads, and changes sent from this service's own pages or by clients other
/// than browsers (which send neither header looked at).
pub async fn same_origin_changes(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let reading = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // HTTP/2 names the host in the URI, not in a Host header.
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    if !reading && from_another_site(request.headers(), host, state.public_url.as_deref()) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "cross_site_request",
            "Yêu cầu thay đổi gửi từ trang khác bị từ chối; hãy thao tác trên trang của Roster.",
            "A change sent from another site is refused; use Roster's own pages.",
        )
        .into_response();
    }
    next.run(request).await
}

/// By the browser's Fetch Metadata where it sends it, else by the Origin against the host the
/// request was sent to (or the configured public address, behind a proxy).
fn from_another_site(headers: &HeaderMap, host: Option<&str>, public_url: Option<&str>) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        // "none": typed in the address bar or opened from a bookmark.
        return !matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let origin = origin.to_str().unwrap_or("null");
    let same_host = host.is_some_and(|host| {
        origin
            .split_once("://")
            .is_some_and(|(_, h)| h.eq_ignore_ascii_case(host))
    });
    !(same_host || public_url.is_some_and(|url| url.trim_end_matches('/').eq_ignore_ascii_case(origin)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (header::HeaderName::from_static(k), v.parse().unwrap()))
            .collect()
    }

    #[test]
    fn another_site_is_told_by_fetch_metadata_else_by_origin() {
        let from = |pairs: &[(&'static str, &str)]| {
            let headers = headers(pairs);
            let host = headers.get(header::HOST).map(|h| h.to_str().unwrap());
            from_another_site(&headers, host, Some("https://Roster.example/"))
        };
        assert!(!from(&[]), "no browser");
        assert!(!from(&[("sec-fetch-site", "same-origin")]));
        assert!(!from(&[("sec-fetch-site", "none")]));
        assert!(from(&[("sec-fetch-site", "same-site")]), "a sibling subdomain");
        assert!(from(&[("sec-fetch-site", "cross-site")]));
        assert!(!from(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080")
        ]));
        assert!(
            !from(&[("origin", "https://roster.example"), ("host", "10.0.0.5:8080")]),
            "behind a proxy"
        );
        assert!(from(&[
            ("origin", "https://tin.soctrang.gov.vn"),
            ("host", "roster.soctrang.gov.vn")
        ]));
        assert!(from(&[("origin", "null"), ("host", "roster.soctrang.gov.vn")]));
        assert!(from(&[("origin", "https://x.example")]), "no host to compare with");
    }
}
