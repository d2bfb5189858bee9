//! Signing in and out of the web pages (the same sessions as the API's login).

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use maud::html;

use super::form::message;
use super::layout::{frame, tr};
use super::resume::{Kept, send_again};
use super::{NextPath, local_path, page_lang};
use crate::api::{AppState, ClientAddress};
use crate::auth::session::{sign_in, sign_out};
use crate::error::{ApiError, Lang, Result};

/// The sign-in page, with why the last attempt was refused; `kept` is a form that arrived
/// after the sign-in expired.
pub fn page(lang: Lang, next: &str, refused: Option<&ApiError>, kept: Option<&Kept>) -> maud::Markup {
    frame(
        lang,
        tr(lang, "Đăng nhập", "Sign in"),
        html! {
            main {
                h1 { "Roster – " (tr(lang, "Đăng nhập", "Sign in")) }
                @if let Some(e) = refused {
                    p.error role="alert" {
                        @if e.status == StatusCode::UNAUTHORIZED {
                            (tr(lang, "Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password."))
                        } @else {
                            (message(lang, e))
                        }
                    }
                }
                @if kept.is_some() && refused.is_none() {
                    p.note role="status" { (tr(lang, "Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại; những gì bạn vừa nhập được giữ lại để gửi tiếp.",
                        "Your sign-in has expired. Sign in again; what you just typed is kept, to send on.")) }
                }
                form method="post" action="/login" {
                    input type="hidden" name="next" value=(next);
                    @if let Some(kept) = kept { (kept.hidden()) }
                    label { (tr(lang, "Tên đăng nhập", "Username")) br; input name="username" autocomplete="username" required autofocus; }
                    label { (tr(lang, "Mật khẩu", "Password")) br; input name="password" type="password" autocomplete="current-password" required; }
                    button type="submit" { (tr(lang, "Đăng nhập", "Sign in")) }
                }
                p.muted {
                    a href={ "/lang/" (if lang == Lang::Vi { "en" } else { "vi" }) "?next=/login" } {
                        (tr(lang, "English", "Tiếng Việt"))
                    }
                }
            }
        },
    )
}

pub async fn form(headers: HeaderMap, Query(q): Query<NextPath>) -> maud::Markup {
    page(page_lang(&headers), &local_path(q.next), None, None)
}

/// The username, password and where to go next, and any form kept across the sign-in.
pub async fn submit(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    jar: CookieJar,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let next = local_path(field("next"));
    let kept = Kept::from_sign_in(&fields);
    let lang = page_lang(&headers);
    let (username, password) = (
        field("username").unwrap_or_default(),
        field("password").unwrap_or_default(),
    );
    match sign_in(&state.db, &state.sign_in, address, &username, password).await {
        Ok((_, cookie)) => Ok(match kept {
            Some(kept) => (jar.add(cookie), send_again(lang, &kept)).into_response(),
            None => (jar.add(cookie), Redirect::to(&next)).into_response(),
        }),
        // A wrong password, too many attempts, or too many sign-ins at once: said on the form,
        // with when to try again.
        Err(e)
            if matches!(
                e.status,
                StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
            ) =>
        {
            let mut response = (e.status, page(lang, &next, Some(&e), kept.as_ref())).into_response();
            if let Some(seconds) = e.retry_after {
                response.headers_mut().insert(header::RETRY_AFTER, seconds.into());
            }
            Ok(response)
        }
        Err(e) => Err(e),
    }
}

pub async fn logout(State(state): State<AppState>, jar: CookieJar) -> Result<Response> {
    Ok((sign_out(&state.db, jar).await?, Redirect::to("/login")).into_response())
}
