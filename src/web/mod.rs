//! The web interface: pages rendered on the server (maud), in Vietnamese, or English when the
//! reader switches. Every page takes the signed-in account and checks role and scope with the
//! same functions as the API; an anonymous visitor is sent to the sign-in page.

mod accounts;
mod boards;
mod briefings;
mod center;
mod chart;
mod form;
mod import;
mod layout;
mod letterheads;
mod login;
mod me;
mod notifications;
mod plan_months;
mod planning;
mod plans;
mod print;
mod reference;
mod registry;
mod report_submissions;
mod requests;
mod resume;
mod units;

use axum::Router;
use axum::extract::{FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

use crate::api::AppState;
use crate::auth::{AuthUser, Scope};
use crate::error::{ApiError, ApiPath, Lang};

const LANG_COOKIE: &str = "roster_lang";

/// Every inline script a page carries: the Content-Security-Policy allows exactly these, by
/// hash (see `api::headers`); any other inline script does not run.
pub const INLINE_SCRIPTS: &[&str] = &[planning::LIVE];

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/lang/{lang}", get(switch_language))
        .route("/favicon.ico", get(favicon))
        .route("/favicon.svg", get(favicon))
        .route("/coverage", get(boards::coverage))
        .route("/coverage/district/{id}", get(boards::district))
        .route("/report", get(boards::report))
        .route("/planning", get(planning::overview))
        .route("/planning/runs", post(planning::start))
        .route("/planning/runs/{id}", get(planning::run))
        .route(
            "/planning/runs/{id}/publish",
            get(planning::confirm_publish).post(planning::publish_run),
        )
        .route("/planning/runs/{id}/cancel", post(planning::cancel_run))
        .route(
            "/planning/runs/{id}/sessions/{session}",
            get(planning::session).post(planning::give),
        )
        .route("/planning/runs/{id}/sessions/{session}/pin", post(planning::pin))
        .route("/center", get(center::classes))
        .route("/center/requests", post(center::request))
        .route("/my", get(me::schedule))
        .route("/my/feed", post(me::issue_feed))
        .route("/my/unavailability", post(me::mark_unavailable))
        .merge(registry::routes())
        .merge(reference::routes())
        .merge(import::routes())
        .merge(plans::routes())
        .merge(plan_months::routes())
        .merge(report_submissions::routes())
        .merge(units::routes())
        .merge(print::routes())
        .merge(letterheads::routes())
        .merge(requests::routes())
        .merge(briefings::routes())
        .merge(accounts::routes())
        .merge(notifications::routes())
        .layer(axum::middleware::from_fn_with_state(
            state,
            resume::keep_forms_across_sign_in,
        ))
        .layer(axum::middleware::from_fn(html_errors))
}

/// The language of pages: the reader's choice (a cookie), Vietnamese by default.
pub fn page_lang(headers: &HeaderMap) -> Lang {
    match CookieJar::from_headers(headers).get(LANG_COOKIE).map(|c| c.value()) {
        Some("en") => Lang::En,
        _ => Lang::Vi,
    }
}

/// A signed-in reader of a page, and the language to answer in.
pub struct Page {
    pub lang: Lang,
    pub user: AuthUser,
    /// This page's path and query, to come back to after a language switch.
    pub here: String,
}

impl FromRequestParts<AppState> for Page {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let lang = page_lang(&parts.headers);
        // After a form is sent, a language switch goes back to the start (the form's address
        // has no page of its own).
        let here = match parts.method {
            axum::http::Method::GET => parts.uri.path_and_query().map_or("/", |p| p.as_str()),
            _ => "/",
        }
        .to_string();
        match AuthUser::from_request_parts(parts, state).await {
            Ok(user) => Ok(Page { lang, user, here }),
            Err(e) if e.status == StatusCode::UNAUTHORIZED => {
                let next: String = form_urlencoded::byte_serialize(here.as_bytes()).collect();
                Err(Redirect::to(&format!("/login?next={next}")).into_response())
            }
            Err(e) => Err(e.into_response()),
        }
    }
}

/// Each account's first page.
async fn home(page: Result<Page, Response>) -> Response {
    let Ok(page) = page else {
        return Redirect::to("/login").into_response();
    };
    let to = match page.user.scope {
        Scope::Province | Scope::District(_) => "/coverage",
        Scope::Center { .. } => "/center",
        Scope::Person(_) => "/my",
    };
    Redirect::to(to).into_response()
}

#[derive(Deserialize)]
struct NextPath {
    next: Option<String>,
}

/// Only a path on this site may follow a sign-in or a language switch: one slash, then no
/// second slash or backslash, and no control character (browsers drop tabs and newlines, so
/// `/\t/evil.example` would become `//evil.example`).
pub fn local_path(next: Option<String>) -> String {
    next.filter(|n| {
        let mut chars = n.chars();
        chars.next() == Some('/')
            && !matches!(chars.next(), Some('/' | '\\'))
            && !n.contains('\\')
            && !n.chars().any(char::is_control)
    })
    .unwrap_or_else(|| "/".to_string())
}

/// Switches the pages' language, then goes back.
async fn switch_language(jar: CookieJar, ApiPath(lang): ApiPath<String>, Query(q): Query<NextPath>) -> Response {
    let value = if lang == "en" { "en" } else { "vi" };
    let cookie = Cookie::build((LANG_COOKIE, value))
        .path("/")
        .same_site(SameSite::Lax)
        .permanent()
        .build();
    (jar.add(cookie), Redirect::to(&local_path(q.next))).into_response()
}

/// An address nothing answers: a page for a browser (one that asks for HTML, outside
/// `/api/`), the problem document for the API's clients.
pub async fn not_found(request: Request) -> Response {
    let wants_page = !request.uri().path().starts_with("/api/")
        && request
            .headers()
            .get(axum::http::header::ACCEPT)
            .is_some_and(|a| a.to_str().unwrap_or_default().contains("text/html"));
    if !wants_page {
        return ApiError::from_status(StatusCode::NOT_FOUND).into_response();
    }
    let error = ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "Không có trang này. Hãy kiểm tra lại địa chỉ, hoặc bắt đầu lại từ trang đầu.",
        "There is no such page. Check the address, or start again from the first page.",
    );
    let lang = page_lang(request.headers());
    (StatusCode::NOT_FOUND, layout::error_page(lang, &error)).into_response()
}

/// The icon browsers show beside the page's title.
async fn favicon() -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, "image/svg+xml"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        layout::ICON,
    )
        .into_response()
}

/// Errors of pages as pages, in the reader's language.
async fn html_errors(request: Request, next: Next) -> Response {
    let lang = page_lang(request.headers());
    let response = next.run(request).await;
    let status = response.status();
    let is_page = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_page {
        return response;
    }
    let error = response
        .extensions()
        .get::<ApiError>()
        .cloned()
        .unwrap_or_else(|| ApiError::from_status(status));
    (status, layout::error_page(lang, &error)).into_response()
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_follow() {
        for (next, to) in [
            ("/coverage?year=2027", "/coverage?year=2027"),
            ("/", "/"),
            ("//evil.example/x", "/"),
            ("/\\evil.example", "/"),
            ("/\t/evil.example", "/"),
            ("/\n/evil.example", "/"),
            ("https://evil.example", "/"),
            ("coverage", "/"),
        ] {
            assert_eq!(local_path(Some(next.to_string())), to, "{next:?}");
        }
        assert_eq!(local_path(None), "/");
    }
}
