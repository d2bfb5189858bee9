//! Scheduling: solve runs and their drafts, publishing, weights, candidates and pins.

mod board;
mod publish;
mod runs;

use utoipa_axum::router::OpenApiRouter;

use super::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    runs::router().merge(publish::router()).merge(board::router())
}
