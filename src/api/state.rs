use std::sync::Arc;

use crate::auth::remembered::RememberedSessions;
use crate::auth::throttle::SignInLimits;
use crate::db::Db;
use crate::feeds::FeedCache;
use crate::notify::Delivery;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Woken when a solve run is queued, so this instance's worker claims it at once.
    pub runs_queued: Arc<tokio::sync::Notify>,
    /// Calendar feeds as last rendered.
    pub feeds: Arc<FeedCache>,
    /// The address users reach the service at (e.g. `https://lich.tuyengiao.example.vn`), for
    /// the links it hands out; without it, the request's host over http.
    pub public_url: Option<Arc<str>>,
    /// Password hashes at once, and failed sign-ins by account and address.
    pub sign_in: Arc<SignInLimits>,
    /// Sessions looked up in the last few seconds.
    pub sessions: Arc<RememberedSessions>,
    /// How notifications are delivered (the mail server, the combining window, retries).
    pub delivery: Arc<Delivery>,
}

impl AppState {
    pub fn new(db: Db) -> AppState {
        AppState {
            db,
            runs_queued: Arc::new(tokio::sync::Notify::new()),
            feeds: Arc::new(FeedCache::default()),
            public_url: None,
            sign_in: Arc::new(SignInLimits::default()),
            delivery: Arc::new(Delivery::default()),
            sessions: Arc::new(RememberedSessions::default()),
        }
    }

    pub fn with_sign_in_limits(mut self, limits: SignInLimits) -> AppState {
        self.sign_in = Arc::new(limits);
        self
    }

    pub fn with_delivery(mut self, delivery: Delivery) -> AppState {
        self.delivery = Arc::new(delivery);
        self
    }

    pub fn with_public_url(mut self, url: Option<String>) -> AppState {
        self.public_url = url.map(Arc::from);
        self
    }
}

/// Middleware: after a change made through this instance (an account, a token, a link, a
/// publication, the registry), feeds look their readers and links up afresh, and sessions are
/// looked up again.
pub async fn forget_lookups_after_changes(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let change = !request.method().is_safe();
    let response = next.run(request).await;
    if change && response.status().as_u16() < 400 {
        state.feeds.forget_lookups();
        state.sessions.forget_all();
    }
    response
}
