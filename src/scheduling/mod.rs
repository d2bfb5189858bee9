//! Scheduling in the service: building problems from the database, solve runs and their
//! worker, drafts, publishing, pins and substitutions.

pub mod board;
pub mod problem;
pub mod publish;
pub mod runs;
pub mod worker;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    runs::router().merge(publish::router()).merge(board::router())
}
