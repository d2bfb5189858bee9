//! Security headers on every answer, and the interactive API page with its own policy.
//!
//! Pages run no script but their own: the one inline script (the run page's live view) is
//! allowed by its hash, styles may be inline (the coverage scale is a computed colour). No
//! page may be framed (the publish button must not be clickjacked), no answer sniffed, and no
//! address leaks in `Referer` (person-feed links are secrets). `/api/docs` loads the API
//! viewer from a CDN, pinned to one version by Subresource Integrity, under a policy of its
//! own so the pages' policy never trusts that origin.

use std::sync::LazyLock;

use axum::extract::{Request, State};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};

use super::AppState;

/// The pages' policy, with a hash for each inline script the pages carry.
static PAGE_POLICY: LazyLock<HeaderValue> = LazyLock::new(|| {
    let hashes: String = crate::web::INLINE_SCRIPTS
        .iter()
        .map(|script| {
            let digest = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()));
            format!(" 'sha256-{digest}'")
        })
        .collect();
    let policy = format!(
        "default-src 'self'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy).expect("a policy is ASCII")
});

/// One year, as browsers' preload lists ask.
const HSTS: HeaderValue = HeaderValue::from_static("max-age=31536000; includeSubDomains");

/// Middleware: the headers every answer carries; HSTS when the service is reached over HTTPS
/// (its `--public-url` says so: behind a proxy, the connection itself is plain HTTP).
pub async fn security(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers
        .entry(CONTENT_SECURITY_POLICY)
        .or_insert_with(|| PAGE_POLICY.clone());
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if state
        .public_url
        .as_deref()
        .is_some_and(|url| url.starts_with("https://"))
    {
        headers.insert(STRICT_TRANSPORT_SECURITY, HSTS);
    }
    response
}

/// The API viewer (Scalar), pinned: a new version needs its new `integrity` (sha384 of
/// `dist/browser/standalone.js` in the npm package).
const VIEWER_URL: &str = "https://cdn.jsdelivr.net/npm/@scalar/api-reference@1.76.4/dist/browser/standalone.js";
const VIEWER_INTEGRITY: &str = "sha384-hwB9WroDTpZaI38gr+u9CXA6ksz5gUYgD2GxXazKl/agT1L2GWUiRFWGJYNiFu4Q";
const VIEWER_POLICY: &str = "default-src 'none'; script-src https://cdn.jsdelivr.net; \
    style-src 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.scalar.com; \
    font-src https://fonts.scalar.com; img-src 'self' data:; connect-src 'self'; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// `GET /api/docs`: the OpenAPI document in the viewer (the data block is not a script: it
/// only names the document).
pub async fn api_docs() -> impl IntoResponse {
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Roster API</title></head><body>\
         <script id=\"api-reference\" type=\"application/json\" data-url=\"/api/openapi.json\"></script>\
         <script src=\"{VIEWER_URL}\" integrity=\"{VIEWER_INTEGRITY}\" crossorigin=\"anonymous\"></script>\
         </body></html>"
    );
    ([(header::CONTENT_SECURITY_POLICY, VIEWER_POLICY)], Html(page))
}
