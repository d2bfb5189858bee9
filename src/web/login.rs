//! Signing in and out of the web pages (the same sessions as the API's login).

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use maud::html;
use serde::Deserialize;

use super::layout::{frame, tr};
use super::{NextPath, local_path, page_lang};
use crate::api::{AppState, ClientAddress};
use crate::auth::session::{sign_in, sign_out};
use crate::error::{Lang, Result};

fn login_page(lang: Lang, next: &str, failed: bool) -> maud::Markup {
    frame(
        lang,
        tr(lang, "Đăng nhập", "Sign in"),
        html! {
            main {
                h1 { "Roster – " (tr(lang, "Đăng nhập", "Sign in")) }
                @if failed {
                    p.error role="alert" { (tr(lang, "Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password.")) }
                }
                form method="post" action="/login" {
                    input type="hidden" name="next" value=(next);
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
    login_page(page_lang(&headers), &local_path(q.next), false)
}

#[derive(Deserialize)]
pub struct Credentials {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<Credentials>,
) -> Result<Response> {
    let next = local_path(form.next);
    match sign_in(&state.db, &state.sign_in, address, &form.username, form.password).await {
        Ok((_, cookie)) => Ok((jar.add(cookie), Redirect::to(&next)).into_response()),
        Err(e) if e.status == StatusCode::UNAUTHORIZED => {
            Ok((StatusCode::UNAUTHORIZED, login_page(page_lang(&headers), &next, true)).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn logout(State(state): State<AppState>, jar: CookieJar) -> Result<Response> {
    Ok((sign_out(&state.db, jar).await?, Redirect::to("/login")).into_response())
}
