//! The frame every page shares, its style, and the small helpers of words and dates.

use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::Page;
use crate::auth::Scope;
use crate::error::{ApiError, Lang};
use crate::time::ZONE;

/// The text in the page's language.
pub fn tr(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// dd/mm/yyyy, local time.
pub fn date(t: DateTime<Utc>) -> String {
    t.with_timezone(&ZONE).format("%d/%m/%Y").to_string()
}

/// HH:MM, local time.
pub fn clock(t: DateTime<Utc>) -> String {
    t.with_timezone(&ZONE).format("%H:%M").to_string()
}

/// A number with one decimal, as Vietnamese and English readers write it: 3,5 or 3.5.
pub fn decimal(lang: Lang, x: f64) -> String {
    let text = format!("{x:.1}");
    match lang {
        Lang::Vi => text.replace('.', ","),
        Lang::En => text,
    }
}

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif;margin:0;color:#1f2933;background:#f7f9fb}
header{background:#b3261e;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
header a,header button{color:#fff;text-decoration:none;background:none;border:0;font:inherit;cursor:pointer}
header .brand{font-weight:700;margin-right:auto}
header nav{display:flex;flex-wrap:wrap;gap:.4rem 1rem}
main{padding:1rem;max-width:80rem;margin:auto}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.9rem}
th,td{border:1px solid #d9e2ec;padding:.3rem .45rem;text-align:right;vertical-align:top}
th:first-child,td:first-child,td.text{text-align:left}
thead th{background:#eef2f7;text-align:left}
/* Wide tables scroll sideways (on a phone most do): their wrappers take tabindex=0 so that a keyboard can scroll them. */
.scroll{overflow-x:auto}
.scroll:focus-visible{outline:2px solid #1f5fa8}
.muted{color:#486581;font-size:.85rem}
.error{background:#fde8e8;border:1px solid #f5b5b5;padding:.6rem;border-radius:.3rem}
.note{background:#eef4fb;border:1px solid #b6cde8;padding:.5rem;border-radius:.3rem}
.field-error{display:block;color:#a61b1b;font-size:.9rem}
.ok{background:#e6f6ec;border:1px solid #a8dcb9;padding:.6rem;border-radius:.3rem}
form.inline{display:inline}
label{display:block;margin:.4rem 0}
input,select,button{font:inherit;padding:.3rem}
.legend span{display:inline-block;padding:.1rem .5rem;margin-right:.3rem}
";

/// The service's icon: a red tile with a white calendar.
pub const ICON: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#b3261e"/><rect x="7" y="9" width="18" height="16" rx="2" fill="#fff"/><rect x="7" y="9" width="18" height="4" fill="#ffd54f"/><path d="M11 17h3v3h-3zm7 0h3v3h-3z" fill="#b3261e"/></svg>"##;

/// A page: the frame with the navigation for the reader's role, the title and the body.
pub fn page(p: &Page, title: &str, body: Markup) -> Markup {
    let lang = p.lang;
    let switch: String = form_urlencoded::byte_serialize(p.here.as_bytes()).collect();
    let (other, other_name) = match lang {
        Lang::Vi => ("en", "English"),
        Lang::En => ("vi", "Tiếng Việt"),
    };
    frame(
        lang,
        title,
        html! {
            header {
                a.brand href="/" { "Roster" }
                nav aria-label=(tr(lang, "Các trang", "Pages")) {
                    @for (href, vi, en) in nav_links(&p.user.scope) {
                        a href=(href) { (tr(lang, vi, en)) }
                    }
                }
                a href={ "/lang/" (other) "?next=" (switch) } lang=(other) { (other_name) }
                span { (p.user.username) }
                form.inline method="post" action="/logout" {
                    button type="submit" { (tr(lang, "Đăng xuất", "Sign out")) }
                }
            }
            main {
                h1 { (title) }
                (body)
            }
        },
    )
}

/// The pages an account works in, in the order of its day.
fn nav_links(scope: &Scope) -> Vec<(&'static str, &'static str, &'static str)> {
    let boards = [
        ("/coverage", "Bao phủ theo huyện", "Coverage by district"),
        ("/report", "Báo cáo năm", "Yearly report"),
        ("/people", "Giảng viên, báo cáo viên", "Lecturers and rapporteurs"),
        ("/registry", "Danh mục", "Reference data"),
        ("/plans", "Kế hoạch năm", "Annual plans"),
        ("/requests", "Đề nghị giảng viên", "Requests for lecturers"),
        ("/briefings", "Hội nghị báo cáo", "Briefings"),
    ];
    let province = [
        ("/planning", "Lập lịch", "Planning"),
        ("/import", "Nhập từ bảng tính", "Spreadsheet import"),
        ("/accounts", "Tài khoản", "Accounts"),
        ("/notifications", "Thông báo", "Notifications"),
        ("/audit", "Nhật ký thay đổi", "Audit log"),
    ];
    let mut links: Vec<_> = match scope {
        Scope::Province => boards.into_iter().chain(province).collect(),
        Scope::District(_) => boards.into(),
        Scope::Center { .. } => vec![
            ("/center", "Lớp của trung tâm", "The center's classes"),
            ("/people", "Giảng viên, báo cáo viên", "Lecturers and rapporteurs"),
            ("/registry", "Danh mục", "Reference data"),
        ],
        Scope::Person(_) => vec![("/my", "Lịch của tôi", "My schedule")],
    };
    if *scope != Scope::Province {
        links.push(("/notifications/mine", "Nhận thông báo", "My notifications"));
    }
    links.push(("/tokens", "Mã truy cập API", "API tokens"));
    links
}

/// The document around any body, signed in or not.
pub fn frame(lang: Lang, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                link rel="icon" href="/favicon.svg" type="image/svg+xml";
                title { (title) " – Roster" }
                style { (PreEscaped(STYLE)) }
            }
            body { (body) }
        }
    }
}

/// An error as a page, in the reader's language.
pub fn error_page(lang: Lang, error: &ApiError) -> Markup {
    let message = match lang {
        Lang::Vi => &error.vi,
        Lang::En => &error.en,
    };
    frame(
        lang,
        tr(lang, "Không thực hiện được", "Not possible"),
        html! {
            main {
                h1 { (tr(lang, "Không thực hiện được", "Not possible")) }
                p.error { (message) }
                p { a href="/" { (tr(lang, "Về trang đầu", "Back to the start")) } }
            }
        },
    )
}
