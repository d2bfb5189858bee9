//! Accounts (province board): list, create, reset a password, deactivate; every account's own
//! API tokens; the audit log with filters.

use axum::Router;

use crate::api::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
