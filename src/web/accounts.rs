//! Accounts (province board): list, create, reset a password, deactivate; every account's own
//! API tokens; the audit log with filters.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;

use super::Page;
use super::form::{DAY_PATTERN, DAY_PLACEHOLDER, error_id, field_errors, has_error, message, other_errors, parse_day};
use super::layout::{clock, date, page, tr};
use crate::api::AppState;
use crate::audit_log::{self, AuditEntry, AuditFilter};
use crate::auth::tokens::{self, CreatedToken, NewToken};
use crate::auth::users::{self, AccountSummary, NewUser, UserChange};
use crate::error::{ApiError, ApiPath, Lang, Result};
use crate::vocab::UserRole;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts", get(accounts).post(create_account))
        .route("/accounts/{id}/password", post(reset_password))
        .route("/accounts/{id}/active", post(set_active))
        .route("/tokens", get(token_list).post(create_token))
        .route("/tokens/{id}/revoke", post(revoke_token))
        .route("/audit", get(audit))
        // The lecturer's own page is routed in `mod.rs`; withdrawing an absence comes here.
        .route("/my/unavailability/{id}/withdraw", post(super::me::withdraw))
}

/// A role in words, in the reader's language.
fn role_text(lang: Lang, role: UserRole) -> &'static str {
    match lang {
        Lang::Vi => role.label(),
        Lang::En => match role {
            UserRole::ProvinceAdmin => "Provincial Propaganda Board",
            UserRole::DistrictBoard => "District Propaganda Board",
            UserRole::CenterCoordinator => "Center coordinator",
            UserRole::Lecturer => "Lecturer / rapporteur",
        },
    }
}

/// The status an error is answered with, as a page.
fn failed(error: &ApiError, body: Markup) -> Response {
    (error.status, body).into_response()
}

// ---------------------------------------------------------------- accounts

/// What the accounts page says after a form was sent.
#[derive(Deserialize, Default)]
pub struct Done {
    created: Option<String>,
    reset: Option<String>,
    deactivated: Option<String>,
    reactivated: Option<String>,
}

/// The account form as sent: every field as text, so that any value comes back to the form.
#[derive(Deserialize, Default, Clone)]
pub struct AccountForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    district_id: String,
    #[serde(default)]
    center_id: String,
    #[serde(default)]
    person_id: String,
}

/// A reset that failed: the account and its errors.
struct ResetFailed {
    user_id: i64,
    errors: Vec<ApiError>,
}

const ACCOUNT_FIELDS: [&str; 7] = [
    "username",
    "display_name",
    "password",
    "role",
    "district_id",
    "center_id",
    "person_id",
];

async fn render_accounts(
    state: &AppState,
    p: &Page,
    done: &Done,
    form: &AccountForm,
    errors: &[ApiError],
    reset: Option<&ResetFailed>,
) -> Result<Markup> {
    let lang = p.lang;
    let list = state.db.read(async |c| users::summaries(c, &p.user).await).await?;
    let choices = state.db.read(async |c| users::scope_choices(c, &p.user).await).await?;
    let invalid = |field: &str| has_error(errors, field).then_some("true");
    let described = |field: &str| has_error(errors, field).then(|| error_id(field));
    let body = html! {
        @if let Some(u) = &done.created {
            p.ok role="status" {
                (tr(lang, "Đã tạo tài khoản ", "Created the account ")) strong { (u) }
                (tr(lang, ". Hãy báo tên đăng nhập và mật khẩu cho người dùng; họ đăng nhập được ngay.",
                    ". Give the username and password to its user; they can sign in now."))
            }
        }
        @if let Some(u) = &done.reset {
            p.ok role="status" {
                (tr(lang, "Đã đặt mật khẩu mới cho ", "Set a new password for ")) strong { (u) }
                (tr(lang, ". Mật khẩu cũ, các phiên đăng nhập và mã truy cập API của tài khoản không còn dùng được; hãy báo mật khẩu mới cho người dùng.",
                    ". The old password, the account's sessions and its API tokens no longer work; give the new password to its user."))
            }
        }
        @if let Some(u) = &done.deactivated {
            p.ok role="status" {
                (tr(lang, "Đã khóa tài khoản ", "Deactivated the account ")) strong { (u) }
                (tr(lang, ". Tài khoản không đăng nhập được nữa; có thể mở lại bất cứ lúc nào.",
                    ". It can no longer sign in; you may reactivate it at any time."))
            }
        }
        @if let Some(u) = &done.reactivated {
            p.ok role="status" {
                (tr(lang, "Đã mở lại tài khoản ", "Reactivated the account ")) strong { (u) }
                (tr(lang, ". Người dùng đăng nhập lại được bằng mật khẩu của mình.", ". Its user can sign in again with their password."))
            }
        }
        @if let Some(r) = reset {
            @if let Some(u) = list.iter().find(|u| u.user_id == r.user_id) {
                @for e in &r.errors {
                    p.error role="alert" {
                        (tr(lang, "Chưa đặt được mật khẩu mới cho ", "The password of ")) (u.username)
                        (tr(lang, ": ", " was not changed: ")) (message(lang, e))
                    }
                }
            }
        }
        h2 { (tr(lang, "Các tài khoản", "Accounts")) " (" (list.len()) ")" }
        div.scroll tabindex="0" {
            table #accounts {
                thead {
                    tr {
                        th scope="col" { (tr(lang, "Tên đăng nhập", "Username")) }
                        th scope="col" { (tr(lang, "Tên hiển thị", "Display name")) }
                        th scope="col" { (tr(lang, "Vai trò", "Role")) }
                        th scope="col" { (tr(lang, "Phạm vi", "Scope")) }
                        th scope="col" { (tr(lang, "Trạng thái", "Status")) }
                        th scope="col" { (tr(lang, "Đăng nhập gần nhất", "Last sign-in")) }
                        th scope="col" { (tr(lang, "Thao tác", "Actions")) }
                    }
                }
                tbody {
                    @for u in &list {
                        (account_row(p, u, reset))
                    }
                }
            }
        }
        h2 #new { (tr(lang, "Tạo tài khoản", "New account")) }
        p.muted {
            (tr(lang, "Chọn vai trò, rồi chọn huyện (Ban Tuyên giáo Huyện ủy), trung tâm (điều phối viên) hoặc người (giảng viên, báo cáo viên); các ô khác được bỏ qua.",
                "Choose the role, then the district (district board), the center (coordinator) or the person (lecturer, rapporteur); the other boxes are ignored."))
        }
        (other_errors(lang, errors, &ACCOUNT_FIELDS))
        form #new-account method="post" action="/accounts" {
            label {
                (tr(lang, "Tên đăng nhập", "Username")) br;
                input name="username" value=(form.username) required maxlength="64" autocomplete="off"
                    aria-invalid=[invalid("username")] aria-describedby=[described("username")];
                (field_errors(lang, errors, "username"))
            }
            label {
                (tr(lang, "Tên hiển thị", "Display name")) br;
                input name="display_name" value=(form.display_name) required maxlength="200"
                    aria-invalid=[invalid("display_name")] aria-describedby=[described("display_name")];
                (field_errors(lang, errors, "display_name"))
            }
            label {
                (tr(lang, "Mật khẩu (ít nhất 8 ký tự)", "Password (at least 8 characters)")) br;
                input name="password" type="password" required autocomplete="new-password"
                    aria-invalid=[invalid("password")] aria-describedby=[described("password")];
                (field_errors(lang, errors, "password"))
            }
            label {
                (tr(lang, "Vai trò", "Role")) br;
                select name="role" required aria-invalid=[invalid("role")] aria-describedby=[described("role")] {
                    @for r in UserRole::ALL {
                        option value=(r.as_str()) selected[form.role == r.as_str()] { (role_text(lang, *r)) }
                    }
                }
                (field_errors(lang, errors, "role"))
            }
            label {
                (tr(lang, "Huyện (tài khoản Ban Tuyên giáo Huyện ủy)", "District (district board accounts)")) br;
                select name="district_id" aria-invalid=[invalid("district_id")] aria-describedby=[described("district_id")] {
                    option value="" { "—" }
                    @for d in &choices.districts {
                        option value=(d.id) selected[form.district_id == d.id.to_string()] { (d.name) }
                    }
                }
                (field_errors(lang, errors, "district_id"))
            }
            label {
                (tr(lang, "Trung tâm (tài khoản điều phối viên)", "Center (coordinator accounts)")) br;
                select name="center_id" aria-invalid=[invalid("center_id")] aria-describedby=[described("center_id")] {
                    option value="" { "—" }
                    @for c in &choices.centers {
                        option value=(c.id) selected[form.center_id == c.id.to_string()] { (c.name) }
                    }
                }
                (field_errors(lang, errors, "center_id"))
            }
            label {
                (tr(lang, "Người (tài khoản giảng viên, báo cáo viên; những người chưa có tài khoản)",
                    "Person (lecturer and rapporteur accounts; people without an account yet)")) br;
                select name="person_id" aria-invalid=[invalid("person_id")] aria-describedby=[described("person_id")] {
                    option value="" { "—" }
                    @for x in &choices.people {
                        option value=(x.id) selected[form.person_id == x.id.to_string()] { (x.name) " (" (x.code) ")" }
                    }
                }
                (field_errors(lang, errors, "person_id"))
            }
            button type="submit" { (tr(lang, "Tạo tài khoản", "Create the account")) }
        }
    };
    Ok(page(p, tr(lang, "Tài khoản", "Accounts"), body))
}

fn account_row(p: &Page, u: &AccountSummary, reset: Option<&ResetFailed>) -> Markup {
    let lang = p.lang;
    let scope = match (&u.district_name, &u.center_name, &u.person_name) {
        (Some(d), _, _) => d.clone(),
        (_, Some(c), _) => c.clone(),
        (_, _, Some(name)) => match &u.person_code {
            Some(code) => format!("{name} ({code})"),
            None => name.clone(),
        },
        _ => tr(lang, "Toàn tỉnh", "The whole province").to_string(),
    };
    let own = p.user.user_id == Some(u.user_id);
    let password_id = format!("password-{}", u.user_id);
    let reset_errors: &[ApiError] = match reset {
        Some(r) if r.user_id == u.user_id => &r.errors,
        _ => &[],
    };
    html! {
        tr data-account=(u.username) {
            th scope="row" { (u.username) }
            td.text { (u.display_name) }
            td.text { (role_text(lang, u.role.0)) }
            td.text { (scope) }
            td.text {
                @if u.active { (tr(lang, "Đang dùng", "Active")) }
                @else { strong { (tr(lang, "Đã khóa", "Deactivated")) } }
            }
            td.text {
                @if let Some(t) = u.last_sign_in { (date(t)) " " (clock(t)) }
                @else { span.muted { (tr(lang, "Không rõ", "Not known")) } }
            }
            td.text {
                form.reset method="post" action={ "/accounts/" (u.user_id) "/password" } {
                    label for=(password_id) { (tr(lang, "Mật khẩu mới cho ", "New password for ")) (u.username) }
                    input id=(password_id) name="password" type="password" required autocomplete="new-password"
                        aria-invalid=[(!reset_errors.is_empty()).then_some("true")]
                        aria-describedby=[(!reset_errors.is_empty()).then(|| format!("{password_id}-error"))];
                    " "
                    button type="submit" { (tr(lang, "Đặt mật khẩu", "Set password")) }
                    @if !reset_errors.is_empty() {
                        span.field-error id={ (password_id) "-error" } {
                            @for e in reset_errors { (message(lang, e)) " " }
                        }
                    }
                }
                @if !own {
                    form.inline method="post" action={ "/accounts/" (u.user_id) "/active" } {
                        @if u.active {
                            input type="hidden" name="active" value="false";
                            button type="submit" { (tr(lang, "Khóa tài khoản", "Deactivate")) }
                        } @else {
                            input type="hidden" name="active" value="true";
                            button type="submit" { (tr(lang, "Mở lại", "Reactivate")) }
                        }
                    }
                }
            }
        }
    }
}

pub async fn accounts(State(state): State<AppState>, p: Page, Query(done): Query<Done>) -> Result<Markup> {
    p.user.require_admin()?;
    render_accounts(&state, &p, &done, &AccountForm::default(), &[], None).await
}

/// An id from a picker: empty is none; anything else not a number is an error on that field.
fn picked(field: &str, value: &str) -> std::result::Result<Option<i64>, ApiError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value.parse().map(Some).map_err(|_| {
        ApiError::invalid(
            field,
            "invalid_field",
            "Hãy chọn một mục trong danh sách.",
            "Choose one of the list.",
        )
    })
}

/// The form as the domain's new account: only the scope that the role takes is read.
fn new_user(form: &AccountForm) -> std::result::Result<NewUser, ApiError> {
    let role = UserRole::parse(&form.role)
        .ok_or_else(|| ApiError::invalid("role", "invalid_field", "Hãy chọn vai trò.", "Choose a role."))?;
    let scope = |field: &str, value: &str, takes: UserRole| -> std::result::Result<Option<i64>, ApiError> {
        if role == takes { picked(field, value) } else { Ok(None) }
    };
    Ok(NewUser {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        password: form.password.clone(),
        role,
        district_id: scope("district_id", &form.district_id, UserRole::DistrictBoard)?,
        center_id: scope("center_id", &form.center_id, UserRole::CenterCoordinator)?,
        person_id: scope("person_id", &form.person_id, UserRole::Lecturer)?,
    })
}

/// The domain's error about a missing scope, in words a page reader acts on.
fn in_words(e: ApiError) -> ApiError {
    if e.code != "missing_scope" {
        return e;
    }
    let (vi, en) = match e.field.as_deref() {
        Some("district_id") => (
            "Tài khoản Ban Tuyên giáo Huyện ủy cần chọn huyện.",
            "A district board account needs its district: choose one.",
        ),
        Some("center_id") => (
            "Tài khoản điều phối viên cần chọn trung tâm.",
            "A coordinator account needs its center: choose one.",
        ),
        _ => (
            "Tài khoản giảng viên, báo cáo viên cần chọn người.",
            "A lecturer's or rapporteur's account needs its person: choose one.",
        ),
    };
    let field = e.field.clone().unwrap_or_default();
    ApiError::invalid(field, e.code, vi, en)
}

pub async fn create_account(State(state): State<AppState>, p: Page, Form(form): Form<AccountForm>) -> Result<Response> {
    p.user.require_admin()?;
    let result = match new_user(&form) {
        Ok(new) => state.db.write(async |c| users::create(c, &p.user, new).await).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(created) => {
            let u: String = form_urlencoded::byte_serialize(created.username.as_bytes()).collect();
            Ok(Redirect::to(&format!("/accounts?created={u}")).into_response())
        }
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            let e = in_words(e);
            // The password is not sent back.
            let form = AccountForm {
                password: String::new(),
                ..form
            };
            let body = render_accounts(&state, &p, &Done::default(), &form, std::slice::from_ref(&e), None).await?;
            Ok(failed(&e, body))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    p: Page,
    ApiPath(id): ApiPath<i64>,
    Form(form): Form<PasswordForm>,
) -> Result<Response> {
    p.user.require_admin()?;
    let change = UserChange {
        display_name: None,
        password: Some(form.password),
        active: None,
    };
    match state
        .db
        .write(async |c| users::update(c, &p.user, id, change).await)
        .await
    {
        Ok(u) => {
            let name: String = form_urlencoded::byte_serialize(u.username.as_bytes()).collect();
            Ok(Redirect::to(&format!("/accounts?reset={name}")).into_response())
        }
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let failure = ResetFailed {
                user_id: id,
                errors: vec![e.clone()],
            };
            let body = render_accounts(
                &state,
                &p,
                &Done::default(),
                &AccountForm::default(),
                &[],
                Some(&failure),
            )
            .await?;
            Ok(failed(&e, body))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: bool,
}

pub async fn set_active(
    State(state): State<AppState>,
    p: Page,
    ApiPath(id): ApiPath<i64>,
    Form(form): Form<ActiveForm>,
) -> Result<Redirect> {
    p.user.require_admin()?;
    let change = UserChange {
        display_name: None,
        password: None,
        active: Some(form.active),
    };
    let u = state
        .db
        .write(async |c| users::update(c, &p.user, id, change).await)
        .await?;
    let name: String = form_urlencoded::byte_serialize(u.username.as_bytes()).collect();
    let done = if form.active { "reactivated" } else { "deactivated" };
    Ok(Redirect::to(&format!("/accounts?{done}={name}")))
}

// ---------------------------------------------------------------- API tokens

#[derive(Deserialize)]
pub struct Revoked {
    revoked: Option<String>,
}

async fn render_tokens(
    state: &AppState,
    p: &Page,
    created: Option<&CreatedToken>,
    revoked: Option<&str>,
    name: &str,
    errors: &[ApiError],
) -> Result<Markup> {
    let lang = p.lang;
    let list = state.db.read(async |c| tokens::list(c, &p.user).await).await?;
    let body = html! {
        p.muted {
            (tr(lang, "Mã truy cập cho phép chương trình, bảng tính hoặc ứng dụng lịch làm việc thay tài khoản ",
                "A token lets a script, a spreadsheet or a calendar app act as the account "))
            strong { (p.user.username) }
            (tr(lang, ": gửi nó trong tiêu đề ", ": send it in the header "))
            code { "Authorization: Bearer …" }
            (tr(lang, ". Thu hồi mã khi không dùng nữa.", ". Revoke a token when it is no longer needed."))
        }
        @if let Some(t) = created {
            div.ok #new-token role="status" {
                p {
                    (tr(lang, "Đã tạo mã truy cập «", "Created the token «")) (t.token.name)
                    (tr(lang, "». Hãy sao chép ngay: mã chỉ hiện một lần này, sau đó chỉ còn phần đầu.",
                        "». Copy it now: it is shown this once, and afterwards only its first characters."))
                }
                label for="token-secret" { (tr(lang, "Mã truy cập (chọn rồi sao chép)", "The token (select it, then copy)")) }
                input #token-secret readonly value=(t.token_secret) size="50" onfocus="this.select()";
            }
        }
        @if let Some(name) = revoked {
            p.ok role="status" {
                (tr(lang, "Đã thu hồi mã «", "Revoked the token «")) (name)
                (tr(lang, "». Mọi chương trình dùng mã này cần một mã mới.", "». Anything that used it needs a new token."))
            }
        }
        h2 { (tr(lang, "Mã của bạn", "Your tokens")) }
        @if list.is_empty() {
            p { (tr(lang, "Chưa có mã truy cập nào.", "No tokens yet.")) }
        } @else {
            div.scroll tabindex="0" {
                table #tokens {
                    thead {
                        tr {
                            th scope="col" { (tr(lang, "Tên", "Name")) }
                            th scope="col" { (tr(lang, "Phần đầu", "Starts with")) }
                            th scope="col" { (tr(lang, "Tạo ngày", "Created")) }
                            th scope="col" { (tr(lang, "Dùng gần nhất", "Last used")) }
                            th scope="col" { (tr(lang, "Trạng thái", "Status")) }
                        }
                    }
                    tbody {
                        @for t in &list {
                            tr data-token=(t.id) {
                                th scope="row" { (t.name) }
                                td.text { code { (t.prefix) "…" } }
                                td.text { (date(t.created_at)) " " (clock(t.created_at)) }
                                td.text {
                                    @if let Some(u) = t.last_used_at { (date(u)) " " (clock(u)) }
                                    @else { span.muted { (tr(lang, "Chưa dùng", "Never")) } }
                                }
                                td.text {
                                    @if let Some(r) = t.revoked_at {
                                        (tr(lang, "Đã thu hồi ngày ", "Revoked on ")) (date(r))
                                    } @else {
                                        form.inline method="post" action={ "/tokens/" (t.id) "/revoke" } {
                                            button type="submit" { (tr(lang, "Thu hồi", "Revoke")) " «" (t.name) "»" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { (tr(lang, "Tạo mã mới", "New token")) }
        (other_errors(lang, errors, &["name"]))
        form #new-token-form method="post" action="/tokens" {
            label {
                (tr(lang, "Dùng vào việc gì (ví dụ: «Lịch trên điện thoại»)", "What it is for (e.g. «Phone calendar»)")) br;
                input name="name" value=(name) required maxlength="100"
                    aria-invalid=[has_error(errors, "name").then_some("true")]
                    aria-describedby=[has_error(errors, "name").then(|| error_id("name"))];
                (field_errors(lang, errors, "name"))
            }
            button type="submit" { (tr(lang, "Tạo mã truy cập", "Create the token")) }
        }
    };
    Ok(page(p, tr(lang, "Mã truy cập API", "API tokens"), body))
}

pub async fn token_list(State(state): State<AppState>, p: Page, Query(q): Query<Revoked>) -> Result<Markup> {
    p.user.account_id()?;
    render_tokens(&state, &p, None, q.revoked.as_deref(), "", &[]).await
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

/// The new token is shown on the page this once (not after a redirect: it is kept nowhere).
pub async fn create_token(State(state): State<AppState>, p: Page, Form(form): Form<TokenForm>) -> Result<Response> {
    p.user.account_id()?;
    let new = NewToken {
        name: form.name.clone(),
    };
    match state.db.write(async |c| tokens::create(c, &p.user, new).await).await {
        Ok(created) => Ok(render_tokens(&state, &p, Some(&created), None, "", &[])
            .await?
            .into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let body = render_tokens(&state, &p, None, None, &form.name, std::slice::from_ref(&e)).await?;
            Ok(failed(&e, body))
        }
        Err(e) => Err(e),
    }
}

pub async fn revoke_token(State(state): State<AppState>, p: Page, ApiPath(id): ApiPath<i64>) -> Result<Redirect> {
    let list = state.db.read(async |c| tokens::list(c, &p.user).await).await?;
    state.db.write(async |c| tokens::revoke(c, &p.user, id).await).await?;
    let name = list
        .iter()
        .find(|t| t.id == id)
        .map(|t| t.name.as_str())
        .unwrap_or_default();
    let name: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    Ok(Redirect::to(&format!("/tokens?revoked={name}")))
}

// ---------------------------------------------------------------- audit log

/// The audit page's filters as sent: empty boxes are no filter.
#[derive(Deserialize, Default)]
pub struct AuditQuery {
    entity: Option<String>,
    user_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<u32>,
}

fn some(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Entities in words.
fn entity_text(lang: Lang, entity: &str) -> String {
    let (vi, en) = match entity {
        "person" => ("Người", "Person"),
        "district" => ("Đơn vị", "Unit"),
        "center" => ("Trung tâm", "Center"),
        "topic" => ("Chuyên đề, nghị quyết", "Topic"),
        "travel_time" | "travel_times" => ("Thời gian đi lại", "Travel times"),
        "user" => ("Tài khoản", "Account"),
        "api_token" => ("Mã truy cập API", "API token"),
        "unavailability" => ("Thời gian vắng", "Unavailability"),
        "weekly_pattern" => ("Buổi có thể dạy trong tuần", "Weekly half-days"),
        "program" => ("Chương trình", "Program"),
        "plan" => ("Kế hoạch năm", "Annual plan"),
        "request" | "class_request" => ("Đề nghị giảng viên", "Request for lecturers"),
        "briefing" => ("Hội nghị báo cáo", "Briefing"),
        "run" | "solve_run" => ("Lần xếp lịch", "Solve run"),
        "schedule" => ("Lịch đã công bố", "Published schedule"),
        "province" => ("Tỉnh", "Province"),
        "unit_kind" => ("Loại đơn vị", "Kind of unit"),
        "letterhead" => ("Tiêu đề văn bản in", "Letterhead"),
        "report_submission" => ("Báo cáo năm đã gửi", "Yearly report sent"),
        _ => return entity.to_string(),
    };
    tr(lang, vi, en).to_string()
}

/// Actions in words.
fn action_text(lang: Lang, action: &str) -> String {
    let (vi, en) = match action {
        "create" => ("Tạo", "Created"),
        "update" => ("Sửa", "Changed"),
        "delete" => ("Xóa", "Deleted"),
        "revoke" => ("Thu hồi", "Revoked"),
        "import" => ("Nhập từ bảng tính", "Imported"),
        "approve" => ("Phê duyệt", "Approved"),
        "accept" => ("Chấp nhận", "Accepted"),
        "reject" => ("Từ chối", "Refused"),
        "publish" => ("Công bố", "Published"),
        "load_demo" => ("Nạp dữ liệu mẫu", "Loaded the demo"),
        _ => return action.to_string(),
    };
    tr(lang, vi, en).to_string()
}

/// A value of the log as a reader reads it: text as is, nothing as a dash, the rest compact.
fn value_text(lang: Lang, v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "—".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => tr(lang, if *b { "có" } else { "không" }, if *b { "yes" } else { "no" }).to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Array(items)) if items.iter().all(|i| !i.is_object() && !i.is_array()) => items
            .iter()
            .map(|i| value_text(lang, Some(i)))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

/// The fields that differ between before and after (all of them for a record made or
/// removed), each with its value before and after.
pub fn changes(before: Option<&Value>, after: Option<&Value>) -> Vec<(String, Option<Value>, Option<Value>)> {
    let object = |v: Option<&Value>| v.and_then(Value::as_object).cloned();
    match (object(before), object(after)) {
        (None, None) if before.is_none() && after.is_none() => Vec::new(),
        (b, a) if (b.is_some() || before.is_none()) && (a.is_some() || after.is_none()) => {
            let (b, a) = (b.unwrap_or_default(), a.unwrap_or_default());
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .filter(|k| b.get(*k) != a.get(*k))
                // Times of the change itself say nothing the entry does not.
                .filter(|k| !matches!(k.as_str(), "updated_at"))
                .map(|k| (k.clone(), b.get(k).cloned(), a.get(k).cloned()))
                .collect()
        }
        _ => vec![(String::new(), before.cloned(), after.cloned())],
    }
}

fn entry_row(lang: Lang, e: &AuditEntry) -> Markup {
    let diff = changes(e.before.as_ref().map(|j| &j.0), e.after.as_ref().map(|j| &j.0));
    html! {
        tr data-entry=(e.id) {
            td.text { (date(e.at)) " " (clock(e.at)) }
            td.text { (e.actor) }
            td.text {
                (action_text(lang, &e.action)) " · " (entity_text(lang, &e.entity))
                @if let Some(id) = &e.entity_id { " " span.muted { "#" (id) } }
            }
            td.text {
                @if diff.is_empty() {
                    span.muted { (tr(lang, "Không có thay đổi ghi lại", "No change recorded")) }
                } @else {
                    dl.diff {
                        @for (field, b, a) in &diff {
                            dt { code { (field) } }
                            dd {
                                @match (b, a) {
                                    (None, Some(a)) => { ins { (value_text(lang, Some(a))) } }
                                    (Some(b), None) => { del { (value_text(lang, Some(b))) } }
                                    (b, a) => {
                                        del { (value_text(lang, b.as_ref())) } " → " ins { (value_text(lang, a.as_ref())) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn bad_date(field: &str) -> ApiError {
    ApiError::invalid(
        field,
        "invalid_date",
        "Ngày không hợp lệ; hãy chọn ngày trong lịch.",
        "Not a valid date; pick one from the calendar.",
    )
}

pub async fn audit(State(state): State<AppState>, p: Page, Query(q): Query<AuditQuery>) -> Result<Response> {
    p.user.require_admin()?;
    let lang = p.lang;
    let mut errors = Vec::new();
    let mut day = |field: &str, v: &Option<String>| match some(v).map(parse_day) {
        Some(Some(d)) => Some(d),
        Some(None) => {
            errors.push(bad_date(field));
            None
        }
        None => None,
    };
    let (from, to) = (day("from", &q.from), day("to", &q.to));
    let user_id = some(&q.user_id).and_then(|u| u.parse::<i64>().ok());
    let entity = some(&q.entity).map(str::to_string);
    let filter = AuditFilter {
        entity: entity.clone(),
        entity_id: None,
        user_id,
        from,
        to,
        page: q.page,
        per_page: Some(50),
    };
    let entries = match state.db.read(async |c| audit_log::list(c, &p.user, filter).await).await {
        Ok(found) => Some(found),
        Err(e) if e.status == StatusCode::BAD_REQUEST => {
            errors.push(e);
            None
        }
        Err(e) => return Err(e),
    };
    let kinds = state.db.read(async |c| audit_log::entities(c, &p.user).await).await?;
    let accounts = state.db.read(async |c| users::summaries(c, &p.user).await).await?;
    // The filters as a query string, for the page links.
    let mut kept = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("entity", &q.entity),
        ("user_id", &q.user_id),
        ("from", &q.from),
        ("to", &q.to),
    ] {
        if let Some(v) = some(v) {
            kept.append_pair(k, v);
        }
    }
    let kept = kept.finish();
    let link = |page: u32| format!("/audit?{kept}{}page={page}", if kept.is_empty() { "" } else { "&" });
    let invalid = |field: &str| has_error(&errors, field).then_some("true");
    let described = |field: &str| has_error(&errors, field).then(|| error_id(field));
    let body = html! {
        p.muted {
            (tr(lang, "Mỗi thay đổi với danh mục, kế hoạch, lịch và tài khoản: ai, lúc nào, trước và sau. Mới nhất ở trên.",
                "Every change to the registry, plans, schedules and accounts: who, when, before and after. Newest first."))
        }
        (other_errors(lang, &errors, &["entity", "user_id", "from", "to"]))
        form #audit-filter method="get" action="/audit" {
            label {
                (tr(lang, "Loại dữ liệu", "Kind of record")) br;
                select name="entity" {
                    option value="" { (tr(lang, "Tất cả", "All")) }
                    @for k in &kinds {
                        option value=(k) selected[entity.as_deref() == Some(k.as_str())] { (entity_text(lang, k)) }
                    }
                }
            }
            label {
                (tr(lang, "Người thực hiện", "Who")) br;
                select name="user_id" {
                    option value="" { (tr(lang, "Tất cả", "Everyone")) }
                    @for a in &accounts {
                        option value=(a.user_id) selected[user_id == Some(a.user_id)] { (a.username) " – " (a.display_name) }
                    }
                }
            }
            label {
                (tr(lang, "Từ ngày", "From")) br;
                input type="text" inputmode="numeric" placeholder=(DAY_PLACEHOLDER) pattern=(DAY_PATTERN) name="from" value=[some(&q.from)]
                    aria-invalid=[invalid("from")] aria-describedby=[described("from")];
                (field_errors(lang, &errors, "from"))
            }
            label {
                (tr(lang, "Đến hết ngày", "To (inclusive)")) br;
                input type="text" inputmode="numeric" placeholder=(DAY_PLACEHOLDER) pattern=(DAY_PATTERN) name="to" value=[some(&q.to)]
                    aria-invalid=[invalid("to")] aria-describedby=[described("to")];
                (field_errors(lang, &errors, "to"))
            }
            button type="submit" { (tr(lang, "Lọc", "Filter")) }
            " "
            a href="/audit" { (tr(lang, "Bỏ lọc", "Clear the filters")) }
        }
        @if let Some(found) = &entries {
            @let pages = (found.total.max(0) as u64).div_ceil(u64::from(found.per_page)).max(1);
            p {
                (found.total) (tr(lang, " mục", " entries"))
                @if pages > 1 { " · " (tr(lang, "trang ", "page ")) (found.page) "/" (pages) }
            }
            @if found.items.is_empty() {
                p { (tr(lang, "Không có mục nào khớp bộ lọc; hãy nới rộng bộ lọc.", "Nothing matches the filters; widen them.")) }
            } @else {
                div.scroll tabindex="0" {
                    table #audit {
                        thead {
                            tr {
                                th scope="col" { (tr(lang, "Lúc", "When")) }
                                th scope="col" { (tr(lang, "Ai", "Who")) }
                                th scope="col" { (tr(lang, "Việc gì", "What")) }
                                th scope="col" { (tr(lang, "Trước → sau", "Before → after")) }
                            }
                        }
                        tbody {
                            @for e in &found.items { (entry_row(lang, e)) }
                        }
                    }
                }
            }
            nav aria-label=(tr(lang, "Các trang của nhật ký", "Pages of the log")) {
                @if found.page > 1 {
                    a rel="prev" href=(link(found.page - 1)) { "← " (tr(lang, "Mới hơn", "Newer")) }
                    " "
                }
                @if u64::from(found.page) < pages {
                    a rel="next" href=(link(found.page + 1)) { (tr(lang, "Cũ hơn", "Older")) " →" }
                }
            }
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok((status, page(&p, tr(lang, "Nhật ký thay đổi", "Audit log"), body)).into_response())
}
