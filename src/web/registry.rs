//! The registry's pages: people (list, search, filters, a person's page, create, edit,
//! deactivate, absences) and the reference data (districts with travel times, centers,
//! topics, programs).

use axum::Router;

use crate::api::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
