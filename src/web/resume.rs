//! A form sent after the sign-in expired is not lost: the sign-in page keeps what was typed
//! (passwords aside), and after signing in the reader sends it again with one button, to the
//! address it was meant for.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::layout::{frame, tr};
use super::{local_path, page_lang};
use crate::api::AppState;
use crate::auth::AuthUser;
use crate::error::Lang;

/// The largest form kept; a larger one (or a file upload) is sent again by hand.
const MAX_KEPT_BYTES: usize = 256 * 1024;
/// The sign-in form's fields that carry the kept form.
pub const ACTION_FIELD: &str = "resume_action";
pub const FIELD_PREFIX: &str = "resume.";

/// A form waiting to be sent again: where to, and its fields in order.
pub struct Kept {
    pub action: String,
    pub fields: Vec<(String, String)>,
}

impl Kept {
    /// The kept form among the sign-in form's fields, if any.
    pub fn from_sign_in(fields: &[(String, String)]) -> Option<Kept> {
        let action = fields.iter().find(|(k, _)| k == ACTION_FIELD)?.1.clone();
        Some(Kept {
            action: local_path(Some(action)),
            fields: fields
                .iter()
                .filter_map(|(k, v)| Some((k.strip_prefix(FIELD_PREFIX)?.to_string(), v.clone())))
                .collect(),
        })
    }

    /// The kept form as hidden fields of the sign-in form.
    pub fn hidden(&self) -> Markup {
        html! {
            input type="hidden" name=(ACTION_FIELD) value=(self.action);
            @for (k, v) in &self.fields { input type="hidden" name={ (FIELD_PREFIX) (k) } value=(v); }
        }
    }
}

/// Shows the sign-in page, keeping the form, when a page's form arrives without a valid
/// sign-in; everything else passes.
pub async fn keep_forms_across_sign_in(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let is_form = request.method() == Method::POST
        && !matches!(request.uri().path(), "/login" | "/logout")
        && request
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let signed_in = AuthUser::from_request_parts(&mut parts, &state).await;
    let request = Request::from_parts(parts, body);
    if !matches!(&signed_in, Err(e) if e.status == StatusCode::UNAUTHORIZED) {
        return next.run(request).await;
    }
    let lang = page_lang(request.headers());
    let action = request.uri().path_and_query().map_or("/", |p| p.as_str()).to_string();
    let kept = match axum::body::to_bytes(request.into_body(), MAX_KEPT_BYTES).await {
        Ok(bytes) => form_urlencoded::parse(&bytes)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .filter(|(k, _)| !k.contains("password"))
            .collect(),
        Err(_) => Vec::new(),
    };
    let kept = Kept { action, fields: kept };
    (
        StatusCode::UNAUTHORIZED,
        super::login::page(lang, "/", None, Some(&kept)),
    )
        .into_response()
}

/// After signing in again: the kept form, ready to send with one button.
pub fn send_again(lang: Lang, kept: &Kept) -> Markup {
    frame(
        lang,
        tr(lang, "Gửi lại biểu mẫu", "Send the form again"),
        html! {
            main {
                h1 { (tr(lang, "Đã đăng nhập lại", "Signed in again")) }
                p { (tr(lang, "Biểu mẫu bạn gửi khi phiên đăng nhập đã hết hạn chưa được lưu. Bấm nút dưới đây để gửi lại đúng những gì bạn đã nhập (trừ mật khẩu).",
                    "The form you sent after your sign-in expired was not saved. Press the button below to send again what you typed (passwords aside).")) }
                form #send-again method="post" action=(kept.action) {
                    @for (k, v) in &kept.fields { input type="hidden" name=(k) value=(v); }
                    button type="submit" { (tr(lang, "Gửi lại biểu mẫu", "Send the form again")) }
                }
                p { a href="/" { (tr(lang, "Bỏ qua, về trang đầu", "Skip it, go to the first page")) } }
            }
        },
    )
}
