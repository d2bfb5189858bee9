//! The requests inbox: the board of the plan's district (or the province) accepts or refuses
//! the centers' requests for lecturers, and sees the history.

use axum::Router;

use crate::api::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
