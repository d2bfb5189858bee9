//! Planning: programs, annual plans, class requests and briefing conferences.

mod briefings;
mod plans;
mod programs;
mod requests;

use utoipa_axum::router::OpenApiRouter;

use super::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    programs::router()
        .merge(plans::router())
        .merge(requests::router())
        .merge(briefings::router())
}
