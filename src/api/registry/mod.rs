//! The registry: districts and travel times, centers, topics, people and their availability.

mod availability;
mod centers;
mod districts;
mod letterheads;
mod people;
mod topics;
mod unit_kinds;

use utoipa_axum::router::OpenApiRouter;

use super::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    districts::router()
        .merge(centers::router())
        .merge(topics::router())
        .merge(people::router())
        .merge(availability::router())
        .merge(unit_kinds::router())
        .merge(letterheads::router())
}
