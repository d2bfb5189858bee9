//! Briefing conferences: create, list by district and month, cancel one not yet held.

use axum::Router;

use crate::api::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
