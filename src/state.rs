use std::sync::Arc;

use crate::db::Db;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Woken when a solve run is queued, so this instance's worker claims it at once.
    pub runs_queued: Arc<tokio::sync::Notify>,
}

impl AppState {
    pub fn new(db: Db) -> AppState {
        AppState {
            db,
            runs_queued: Arc::new(tokio::sync::Notify::new()),
        }
    }
}
