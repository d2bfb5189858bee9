//! The HTTP API and the application around it: routes, the OpenAPI document, middleware,
//! and serving. Handlers only read the request, call the feature modules' functions and shape
//! the answer; side effects that belong to HTTP (the feed cache, waking the worker) happen here.

mod audit;
mod auth;
mod client;
mod cross_site;
mod feeds;
mod headers;
mod import;
mod limits;
mod notifications;
mod planning;
mod registry;
mod report_submissions;
mod reports;
mod scheduling;
mod server;
mod state;

pub use client::ClientAddress;
pub use server::{Server, Timeouts};
pub use state::AppState;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::get;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::error;

/// Largest JSON body accepted; spreadsheets have their own limit (see `import`).
pub const JSON_BODY_LIMIT: usize = 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(title = "Roster", description = "Giảng viên và báo cáo viên: danh bạ, lập lịch, lịch iCalendar. \
        Lecturers and rapporteurs: registry, scheduling, calendar feeds. Errors are RFC 9457 problem documents."),
    modifiers(&Security),
    security(("bearer" = []), ("session" = []))
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::SESSION_COOKIE))),
        );
    }
}

/// The whole application, ready to serve.
pub fn app(state: AppState, timeouts: Timeouts) -> Router {
    let (router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::router())
        .merge(registry::router())
        .merge(planning::router())
        .merge(scheduling::router())
        .merge(feeds::router())
        .merge(reports::router())
        .merge(report_submissions::router())
        .merge(notifications::router())
        .merge(import::router())
        .merge(audit::router())
        .split_for_parts();
    let document = Arc::new(api);
    router
        .route(
            "/api/openapi.json",
            get(move || async move { axum::Json(document.as_ref().clone()) }),
        )
        .route("/api/docs", get(headers::api_docs))
        .merge(crate::web::router(state.clone()))
        .fallback(crate::web::not_found)
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            cross_site::same_origin_changes,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            state::forget_lookups_after_changes,
        ))
        .layer(RequestBodyTimeoutLayer::new(timeouts.body))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeouts.request,
        ))
        .layer(axum::middleware::from_fn(limits::request_head))
        .layer(axum::middleware::from_fn(error::localize))
        .layer(axum::middleware::from_fn_with_state(state.clone(), headers::security))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            tracing::info_span!("request", method = %request.method(), path = %logged_path(request.uri().path()))
        }))
        .with_state(state)
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

/// Where the service is reached, for the links it hands out: the configured public address;
/// without one, the request's host only when it is this machine (`localhost`, a loopback
/// address), since any client can send any `Host` and a feed link is a secret that must not
/// point elsewhere. Other hosts are refused with 421 `host_not_configured`.
pub fn base_url(state: &AppState, headers: &axum::http::HeaderMap) -> error::Result<String> {
    if let Some(url) = &state.public_url {
        return Ok(url.trim_end_matches('/').to_string());
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    if is_loopback_host(host) {
        Ok(format!("http://{host}"))
    } else {
        Err(error::ApiError::new(
            StatusCode::MISDIRECTED_REQUEST,
            "host_not_configured",
            "Địa chỉ này chưa được cấu hình: hãy chạy dịch vụ với --public-url.",
            "This host is not configured: run the service with --public-url.",
        ))
    }
}

/// `localhost` or a loopback address, with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !name.ends_with(':') => name,
        _ => host,
    };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The request path as logged: a person feed's secret is replaced, at every log level.
fn logged_path(path: &str) -> std::borrow::Cow<'_, str> {
    match path.strip_prefix(PERSON_FEEDS) {
        Some(_) => format!("{PERSON_FEEDS}…").into(),
        None => path.into(),
    }
}

const PERSON_FEEDS: &str = "/feeds/person/";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_machine_is_a_host_without_a_public_url() {
        for host in ["localhost", "localhost:8080", "127.0.0.1:3000", "[::1]:8080", "::1"] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "evil.example",
            "lich.example.vn:443",
            "10.0.0.1",
            "localhost.evil.example",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn person_feed_secrets_never_reach_the_log() {
        assert_eq!(logged_path("/feeds/person/s3cr3t.ics"), "/feeds/person/…");
        assert_eq!(logged_path("/feeds/district/1.ics"), "/feeds/district/1.ics");
    }
}
