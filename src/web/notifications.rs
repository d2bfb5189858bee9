//! Notifications in the browser: the province's page (`/notifications`: what was sent, to
//! whom and when, what failed and why, sending a failed one again; the mail server, the
//! webhook and test messages) and every other account's choices (`/notifications/mine`).

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{Markup, html};
use serde::Deserialize;

use super::Page;
use super::form::{Values, all_errors, field_errors, is_form_error, other_errors, text_field};
use super::layout::{clock, date, page, tr};
use crate::api::AppState;
use crate::error::{ApiError, ApiPath, Lang, Result};
use crate::notify::SmtpSecurity;
use crate::notify::outbox::{self, Sent, SentFilter};
use crate::notify::settings::{self, Preferences, PreferencesInput, TestInput, Webhook, WebhookInput};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(province))
        .route("/notifications/webhook", post(save_webhook))
        .route("/notifications/test", post(send_test))
        .route("/notifications/{id}/retry", post(retry))
        .route("/notifications/mine", get(mine).post(save_mine))
}

fn status_name(lang: Lang, status: &str) -> &'static str {
    match status {
        "pending" => tr(lang, "Đang chờ gửi", "Waiting"),
        "sending" => tr(lang, "Đang gửi", "Sending"),
        "sent" => tr(lang, "Đã gửi", "Sent"),
        "failed" => tr(lang, "Gửi không được", "Failed"),
        "combined" => tr(lang, "Gộp vào thư khác", "Combined into another"),
        _ => tr(
            lang,
            "Không cần gửi (thay đổi đã được hoàn lại)",
            "Not needed (the change was undone)",
        ),
    }
}

fn kind_name(lang: Lang, kind: &str) -> &'static str {
    match kind {
        "schedule_changed" => tr(lang, "Lịch thay đổi", "Schedule changed"),
        "request_decided" => tr(lang, "Kết quả đề nghị", "Request decided"),
        "request_waiting" => tr(lang, "Đề nghị chờ duyệt", "Request waiting"),
        "session_tomorrow" => tr(lang, "Nhắc lịch ngày mai", "Tomorrow's sessions"),
        "report_due" => tr(lang, "Nhắc hạn báo cáo năm", "Yearly report due"),
        _ => tr(lang, "Thư thử", "Test"),
    }
}

fn recipient_kind_name(lang: Lang, kind: &str) -> &'static str {
    match kind {
        "person" => tr(lang, "Giảng viên, báo cáo viên", "Lecturer or rapporteur"),
        "center" => tr(lang, "Trung tâm", "Center"),
        "unit" => tr(lang, "Ban của đơn vị", "Unit's board"),
        _ => tr(lang, "Thư thử", "Test"),
    }
}

fn channel_name(lang: Lang, channel: &str) -> &'static str {
    match channel {
        "email" => tr(lang, "Thư điện tử", "E-mail"),
        _ => "Webhook",
    }
}

#[derive(Deserialize)]
struct ProvinceQuery {
    status: Option<String>,
    done: Option<String>,
}

async fn province(State(state): State<AppState>, p: Page, Query(q): Query<ProvinceQuery>) -> Result<Markup> {
    let filter = SentFilter {
        status: q.status.filter(|s| !s.is_empty()),
    };
    let mut v = Values::default();
    let hook = state.db.read(async |c| settings::webhook(c, &p.user).await).await?;
    v.set("url", hook.url.clone().unwrap_or_default());
    render(&state, &p, &hook, &filter, &v, &[], q.done.as_deref()).await
}

/// The province's page, with the webhook as it stands.
async fn render(
    state: &AppState,
    p: &Page,
    hook: &Webhook,
    filter: &SentFilter,
    v: &Values,
    errors: &[ApiError],
    done: Option<&str>,
) -> Result<Markup> {
    let lang = p.lang;
    let sent = state.db.read(async |c| outbox::list(c, &p.user, filter).await).await?;
    let counts = state.db.read(async |c| outbox::counts(c).await).await?;
    let done_text = match done {
        Some("webhook") => Some(tr(lang, "Đã lưu webhook.", "The webhook is saved.")),
        Some("test") => Some(tr(
            lang,
            "Đã xếp thư thử vào hàng gửi; kết quả hiện trong bảng dưới sau ít giây.",
            "The test message is queued; its outcome shows in the table below in a few seconds.",
        )),
        Some("retry") => Some(tr(
            lang,
            "Thư sẽ được gửi lại ngay.",
            "The message will be sent again at once.",
        )),
        _ => None,
    };
    let body = html! {
        @if let Some(t) = done_text { p.ok role="status" { (t) } }
        (other_errors(lang, errors, &["url", "secret", "email"]))
        p.muted { (tr(lang,
            "Khi lịch được công bố, khi đề nghị được quyết định hoặc đang chờ, trước mỗi buổi giảng một ngày và trước hạn báo cáo năm, hệ thống gửi thư cho đúng người có liên quan, bằng thư điện tử và qua webhook (ví dụ cầu nối tới Zalo). Mỗi người tự chọn cách nhận ở trang «Nhận thông báo».",
            "When the schedule is published, a request is decided or waits, the day before each session and before the yearly report's deadline, the people concerned are told by e-mail and through the webhook (a bridge to Zalo, say). Each chooses how on their «My notifications» page.")) }
        h2 { (tr(lang, "Máy chủ thư", "Mail server")) }
        @match &state.delivery.smtp {
            Some(smtp) => p {
                (tr(lang, "Gửi qua ", "Sent through ")) strong { (smtp.host) ":" (smtp.port) }
                " (" (match smtp.security { SmtpSecurity::Starttls => "STARTTLS", SmtpSecurity::Tls => "TLS", SmtpSecurity::None => tr(lang, "không mã hóa", "unencrypted") }) ")"
                (tr(lang, ", người gửi ", ", from ")) (smtp.from) "."
            },
            None => p.note { (tr(lang,
                "Chưa cấu hình máy chủ thư, nên thư điện tử chưa được gửi (chúng hiện là «Gửi không được» để có thể gửi lại sau). Người quản trị máy chủ đặt --smtp-host, --smtp-from (và --smtp-user, --smtp-password nếu cần) rồi khởi động lại dịch vụ.",
                "No mail server is configured, so e-mail is not sent (such messages show as «Failed», to be sent again later). The server's administrator sets --smtp-host, --smtp-from (and --smtp-user, --smtp-password if needed) and restarts the service.")) },
        }
        p.muted { (tr(lang, "Thư cho cùng một người trong vòng ", "Messages to one recipient within ")) (state.delivery.window.as_secs()) (tr(lang, " giây được gộp làm một.", " seconds are combined into one.")) }
        h2 { (tr(lang, "Webhook", "Webhook")) }
        form method="post" action="/notifications/webhook" novalidate {
            (text_field(lang, v, errors, "url", tr(lang, "Địa chỉ nhận (https://…; để trống để tắt)", "Receiver's address (https://…; blank turns it off)"), "url", false))
            (text_field(lang, &Values::default(), errors, "secret",
                if hook.secret_set { tr(lang, "Khóa ký mới (để trống để giữ khóa hiện tại)", "New signing key (blank keeps the current one)") }
                else { tr(lang, "Khóa ký (ít nhất 16 ký tự, đặt giống ở nơi nhận)", "Signing key (16 characters or more, the same at the receiver)") },
                "password", false))
            p.muted { (tr(lang,
                "Mỗi thư được gửi tới địa chỉ này dưới dạng JSON, ký HMAC-SHA256 trên «thời điểm.nội dung» ở tiêu đề X-Roster-Signature, kèm X-Roster-Timestamp và Idempotency-Key để nơi nhận bỏ thư trùng.",
                "Each message is posted here as JSON, signed with HMAC-SHA256 over «timestamp.body» in the X-Roster-Signature header, with X-Roster-Timestamp and an Idempotency-Key for the receiver to drop repeats.")) }
            @if let (Some(by), Some(at)) = (&hook.updated_by, hook.updated_at) {
                p.muted { (tr(lang, "Đặt bởi ", "Set by ")) (by) ", " (date(at)) " " (clock(at)) }
            }
            button type="submit" { (tr(lang, "Lưu webhook", "Save the webhook")) }
        }
        h2 { (tr(lang, "Gửi thử", "Send a test")) }
        form method="post" action="/notifications/test" novalidate {
            (text_field(lang, v, errors, "email", tr(lang, "Gửi thư thử tới địa chỉ", "Send a test e-mail to"), "email", false))
            button type="submit" { (tr(lang, "Gửi thư thử", "Send a test e-mail")) }
        }
        @if hook.url.is_some() {
            form method="post" action="/notifications/test" {
                button type="submit" { (tr(lang, "Gửi thử tới webhook", "Send a test to the webhook")) }
            }
        }
        h2 { (tr(lang, "Thư đã gửi", "Messages")) }
        nav aria-label=(tr(lang, "Lọc theo trạng thái", "Filter by status")) {
            p {
                a href="/notifications" { (tr(lang, "Tất cả", "All")) } " · "
                @for (status, n) in &counts {
                    a href={ "/notifications?status=" (status) } aria-current=[(filter.status.as_deref() == Some(status.as_str())).then_some("page")] {
                        (status_name(lang, status)) " (" (n) ")"
                    } " · "
                }
            }
        }
        @if sent.is_empty() {
            p { (tr(lang, "Chưa có thư nào.", "No messages yet.")) }
        } @else {
            div.scroll tabindex="0" role="region" aria-label=(tr(lang, "Thư đã gửi", "Messages")) {
                table {
                    thead { tr {
                        th scope="col" { (tr(lang, "Lúc tạo", "Written")) }
                        th scope="col" { (tr(lang, "Người nhận", "Recipient")) }
                        th scope="col" { (tr(lang, "Cách gửi", "Channel")) }
                        th scope="col" { (tr(lang, "Nội dung", "About")) }
                        th scope="col" { (tr(lang, "Trạng thái", "Status")) }
                        th scope="col" { (tr(lang, "Lúc gửi", "Sent")) }
                        th scope="col" { (tr(lang, "Lỗi gần nhất", "Last error")) }
                        th scope="col" { (tr(lang, "Thao tác", "Action")) }
                    } }
                    tbody {
                        @for m in &sent { (row(lang, m)) }
                    }
                }
            }
        }
    };
    Ok(page(p, tr(lang, "Thông báo", "Notifications"), body))
}

fn row(lang: Lang, m: &Sent) -> Markup {
    html! {
        tr {
            td { (date(m.created_at)) " " (clock(m.created_at)) }
            td.text { (m.recipient_name) br; span.muted { (recipient_kind_name(lang, &m.recipient_kind)) } }
            td.text { (channel_name(lang, &m.channel)) @if let (Some(e), "email") = (&m.email, m.channel.as_str()) { br; span.muted { (e) } } }
            td.text { (kind_name(lang, &m.kind)) }
            td.text { (status_name(lang, &m.status)) @if m.attempts > 1 { br; span.muted { (m.attempts) (tr(lang, " lần thử", " attempts")) } } }
            td { @if let Some(t) = m.sent_at { (date(t)) " " (clock(t)) } }
            td.text { @if let Some(e) = &m.last_error { (e) } }
            td.text {
                @if m.status == "failed" {
                    form.inline method="post" action={ "/notifications/" (m.id) "/retry" } {
                        button type="submit" { (tr(lang, "Gửi lại", "Send again")) }
                    }
                }
            }
        }
    }
}

/// Renders the province's page again with a form's errors, or goes back to it.
async fn answer(state: &AppState, p: &Page, v: &Values, outcome: Result<()>, done: &str) -> Result<Response> {
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/notifications?done={done}")).into_response()),
        Err(e) if is_form_error(&e) => {
            let status = e.status;
            let errors = all_errors(e);
            let filter = SentFilter::default();
            let hook = state.db.read(async |c| settings::webhook(c, &p.user).await).await?;
            Ok((status, render(state, p, &hook, &filter, v, &errors, None).await?).into_response())
        }
        Err(e) => Err(e),
    }
}

async fn save_webhook(
    State(state): State<AppState>,
    p: Page,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let v = Values::from_pairs(&fields);
    let secret = v.get("secret");
    let input = WebhookInput {
        url: v.get("url").to_string(),
        secret: (!secret.is_empty()).then(|| secret.to_string()),
    };
    let outcome = state
        .db
        .write(async |c| settings::set_webhook(c, &p.user, input).await.map(|_| ()))
        .await;
    answer(&state, &p, &v, outcome, "webhook").await
}

async fn send_test(
    State(state): State<AppState>,
    p: Page,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let v = Values::from_pairs(&fields);
    // The e-mail form always sends its field (blank when empty); the webhook's button none.
    let input = TestInput {
        email: fields
            .iter()
            .any(|(k, _)| k == "email")
            .then(|| v.get("email").to_string()),
    };
    let outcome = state
        .db
        .write(async |c| settings::send_test(c, &p.user, input).await)
        .await;
    answer(&state, &p, &v, outcome, "test").await
}

async fn retry(State(state): State<AppState>, p: Page, ApiPath(id): ApiPath<i64>) -> Result<Response> {
    state.db.write(async |c| outbox::retry(c, &p.user, id).await).await?;
    Ok(Redirect::to("/notifications?done=retry").into_response())
}

#[derive(Deserialize)]
struct Saved {
    saved: Option<String>,
}

async fn mine(State(state): State<AppState>, p: Page, Query(q): Query<Saved>) -> Result<Markup> {
    let prefs = state.db.read(async |c| settings::preferences(c, &p.user).await).await?;
    let mut v = Values::default();
    v.set("email", prefs.email.clone().unwrap_or_default());
    for (field, on) in [
        ("by_email", prefs.by_email),
        ("by_webhook", prefs.by_webhook),
        ("day_before", prefs.day_before),
    ] {
        if on {
            v.set(field, "on".into());
        }
    }
    Ok(render_mine(&p, &prefs, &v, &[], q.saved.is_some()))
}

fn render_mine(p: &Page, prefs: &Preferences, v: &Values, errors: &[ApiError], saved: bool) -> Markup {
    let lang = p.lang;
    let person = prefs.recipient_kind == "person";
    let check = |field: &'static str, label: &'static str| {
        html! {
            label { input type="checkbox" name=(field) value="on" checked[v.get(field) == "on"]; " " (label) }
        }
    };
    let body = html! {
        @if saved { p.ok role="status" { (tr(lang, "Đã lưu.", "Saved.")) } }
        (other_errors(lang, errors, &["email"]))
        p.muted { @if person {
            (tr(lang, "Khi lịch giảng của đồng chí thay đổi (được phân công, bị thay, chuyển cho người khác), hệ thống báo ngay, không phải chờ lịch trên điện thoại tự cập nhật; và nhắc trước mỗi buổi một ngày.",
                "When your sessions change (given, taken away, moved to someone else) you are told at once, without waiting for your phone's calendar to refresh; and reminded the day before each session."))
        } @else {
            (tr(lang, "Đơn vị được báo khi lịch các buổi của mình thay đổi hoặc còn thiếu người, khi đề nghị mở lớp được quyết định hoặc đang chờ Ban duyệt, và trước hạn gửi báo cáo năm.",
                "The unit is told when its sessions change or still miss people, when a class request is decided or waits for the board, and before the yearly report's deadline."))
        } }
        h2 { (prefs.name) }
        form method="post" action="/notifications/mine" novalidate {
            fieldset {
                legend { (tr(lang, "Nhận thông báo qua", "Be told by")) }
                (check("by_email", tr(lang, "Thư điện tử", "E-mail")))
                (check("by_webhook", tr(lang, "Webhook của Ban Tuyên giáo (ví dụ tin nhắn Zalo)", "The province's webhook (Zalo messages, say)")))
                @if !prefs.webhook_available {
                    p.muted { (tr(lang, "Ban Tuyên giáo Tỉnh ủy chưa bật webhook; khi bật, thông báo sẽ được gửi qua đó.", "The province board has not set a webhook yet; once it does, messages go there too.")) }
                }
                @if person {
                    (check("day_before", tr(lang, "Nhắc lịch giảng trước một ngày", "Remind me the day before each session")))
                }
            }
            @if prefs.email_editable {
                (text_field(lang, v, errors, "email", tr(lang, "Địa chỉ thư điện tử của đơn vị", "The unit's e-mail address"), "email", false))
            } @else {
                p { (tr(lang, "Địa chỉ thư điện tử: ", "E-mail address: "))
                    @match &prefs.email { Some(e) => strong { (e) }, None => em { (tr(lang, "chưa có", "none")) } }
                    ". " (tr(lang, "Địa chỉ do Ban Tuyên giáo giữ trong danh bạ; muốn đổi, hãy đề nghị Ban sửa.", "The province board keeps it in the registry; ask it to change it.")) }
                (field_errors(lang, errors, "email"))
            }
            button type="submit" { (tr(lang, "Lưu", "Save")) }
        }
    };
    page(p, tr(lang, "Nhận thông báo", "My notifications"), body)
}

async fn save_mine(
    State(state): State<AppState>,
    p: Page,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let v = Values::from_pairs(&fields);
    let prefs = state.db.read(async |c| settings::preferences(c, &p.user).await).await?;
    let input = PreferencesInput {
        by_email: v.get("by_email") == "on",
        by_webhook: v.get("by_webhook") == "on",
        day_before: (prefs.recipient_kind == "person").then(|| v.get("day_before") == "on"),
        email: prefs.email_editable.then(|| v.get("email").to_string()),
    };
    match state
        .db
        .write(async |c| settings::set_preferences(c, &p.user, input).await)
        .await
    {
        Ok(_) => Ok(Redirect::to("/notifications/mine?saved=1").into_response()),
        Err(e) if is_form_error(&e) => {
            let status = e.status;
            let errors = all_errors(e);
            Ok((status, render_mine(&p, &prefs, &v, &errors, false)).into_response())
        }
        Err(e) => Err(e),
    }
}
