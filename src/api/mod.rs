//! The HTTP API and the application around it: routes, the OpenAPI document, middleware,
//! and serving. Handlers only read the request, call the feature modules' functions and shape
//! the answer; side effects that belong to HTTP (the feed cache, waking the worker) happen here.

mod audit;
mod auth;
mod cross_site;
mod feeds;
mod import;
mod planning;
mod registry;
mod report_submissions;
mod reports;
mod scheduling;
mod state;

pub use state::AppState;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_scalar::{Scalar, Servable};

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
pub fn app(state: AppState) -> Router {
    let (router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::router())
        .merge(registry::router())
        .merge(planning::router())
        .merge(scheduling::router())
        .merge(feeds::router())
        .merge(reports::router())
        .merge(report_submissions::router())
        .merge(import::router())
        .merge(audit::router())
        .split_for_parts();
    let document = Arc::new(api.clone());
    router
        .route(
            "/api/openapi.json",
            get(move || async move { axum::Json(document.as_ref().clone()) }),
        )
        .merge(Scalar::with_url("/api/docs", api))
        .merge(crate::web::router(state.clone()))
        .fallback(crate::web::not_found)
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            cross_site::same_origin_changes,
        ))
        .layer(axum::middleware::from_fn(error::localize))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A bound listener and the application; port 0 picks a free port (as the tests do).
pub struct Server {
    listener: TcpListener,
    app: Router,
    state: AppState,
    worker: bool,
}

impl Server {
    pub async fn bind(addr: &str, state: AppState) -> anyhow::Result<Server> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
        Ok(Server {
            listener,
            app: app(state.clone()),
            state,
            worker: true,
        })
    }

    /// Serves the API only: solve runs wait in the queue for another instance's worker.
    pub fn without_worker(mut self) -> Server {
        self.worker = false;
        self
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Serves, with a solve-run worker beside unless turned off, until `shutdown` completes;
    /// then lets open requests finish and hands a run being solved back to the queue.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let stop = Arc::new(AtomicBool::new(false));
        let worker = self.worker.then(|| {
            tokio::spawn(crate::scheduling::worker::run(
                self.state.db.clone(),
                self.state.runs_queued.clone(),
                stop.clone(),
            ))
        });
        let (stopping, queued) = (stop.clone(), self.state.runs_queued.clone());
        let served = axum::serve(self.listener, self.app)
            .with_graceful_shutdown(async move {
                shutdown.await;
                stopping.store(true, Ordering::Relaxed);
                queued.notify_waiters();
            })
            .await;
        stop.store(true, Ordering::Relaxed);
        self.state.runs_queued.notify_waiters();
        if let Some(worker) = worker
            && let Err(e) = worker.await
        {
            tracing::error!("the solve-run worker stopped: {e}");
        }
        served?;
        Ok(())
    }
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

/// Where the service is reached: the configured public address, else the request's host.
pub fn base_url(state: &AppState, headers: &axum::http::HeaderMap) -> String {
    if let Some(url) = &state.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}
