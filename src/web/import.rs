//! The spreadsheet import page: the template, an upload, and every bad row in a table.

use axum::Router;

use crate::api::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
