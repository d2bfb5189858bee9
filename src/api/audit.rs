//! The audit log.

use axum::Json;
use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::AppState;
use crate::audit_log::{self, AuditEntry, AuditFilter};
use crate::auth::AuthUser;
use crate::error::{ApiQuery, Problem, Result};
use crate::paging::Page;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

/// The audit log, newest first (province board only).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditFilter),
    responses((status = 200, body = Page<AuditEntry>), (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn list_audit(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(filter): ApiQuery<AuditFilter>,
) -> Result<Json<Page<AuditEntry>>> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(audit_log::list(conn.conn(), &user, filter).await?))
}
