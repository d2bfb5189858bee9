//! Annual plans: a district board drafts, edits and approves its year's plan; the province
//! sees every district's plan for a year at a glance.

use axum::Router;

use crate::api::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
