//! What a notification says: its lines (stored as JSON in the outbox, as they stood when the
//! change was made), how the lines of messages combined into one net out, and the message in
//! words (subject, plain text and HTML), in Vietnamese.

use chrono::{DateTime, FixedOffset, NaiveDate};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

/// A session as a message names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub session_id: i64,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    /// The module or resolution.
    pub topic: String,
    /// The class or conference.
    pub part_of: Option<String>,
    pub venue: String,
    /// The unit it is held for.
    pub unit: String,
}

/// One thing a message tells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "line", rename_all = "snake_case")]
pub enum Line {
    /// A person is given a session.
    Given {
        session: Session,
    },
    /// A person's session is taken away; `to` are those who take it now.
    TakenAway {
        session: Session,
        to: Vec<String>,
    },
    /// A center's or a board's session as it now stands: who takes it, how many are missing.
    Staffing {
        session: Session,
        people: Vec<String>,
        missing: i64,
    },
    /// A session tomorrow, for the people on it.
    Tomorrow {
        session: Session,
        with: Vec<String>,
    },
    RequestAccepted {
        request_id: i64,
        class: String,
    },
    RequestRefused {
        request_id: i64,
        class: String,
        reason: String,
    },
    /// A center's request waits for the board's decision.
    RequestWaiting {
        request_id: i64,
        class: String,
        center: String,
    },
    /// The yearly report is due and not submitted.
    ReportDue {
        year: i32,
        deadline: NaiveDate,
        days_left: i64,
    },
    /// A test message sent by the province.
    Test {
        by: String,
    },
}

impl Line {
    fn session(&self) -> Option<&Session> {
        match self {
            Line::Given { session } | Line::TakenAway { session, .. } | Line::Staffing { session, .. } => Some(session),
            _ => None,
        }
    }
}

/// Why a message is sent; the outbox's `kind`. Messages of one kind to one recipient by one
/// channel within the combining window become one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    ScheduleChanged,
    RequestDecided,
    RequestWaiting,
    SessionTomorrow,
    ReportDue,
    Test,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::ScheduleChanged,
        Kind::RequestDecided,
        Kind::RequestWaiting,
        Kind::SessionTomorrow,
        Kind::ReportDue,
        Kind::Test,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ScheduleChanged => "schedule_changed",
            Kind::RequestDecided => "request_decided",
            Kind::RequestWaiting => "request_waiting",
            Kind::SessionTomorrow => "session_tomorrow",
            Kind::ReportDue => "report_due",
            Kind::Test => "test",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// What a message of this kind is about, in words: its subject.
    pub fn subject(self, lang: crate::error::Lang) -> &'static str {
        use crate::error::Lang::{En, Vi};
        match (self, lang) {
            (Kind::ScheduleChanged, Vi) => "Lịch giảng có thay đổi",
            (Kind::ScheduleChanged, En) => "The schedule changed",
            (Kind::RequestDecided, Vi) => "Yêu cầu mở lớp đã được quyết định",
            (Kind::RequestDecided, En) => "A class request was decided",
            (Kind::RequestWaiting, Vi) => "Yêu cầu mở lớp đang chờ Ban xem xét",
            (Kind::RequestWaiting, En) => "A class request waits for the board",
            (Kind::SessionTomorrow, Vi) => "Nhắc lịch giảng ngày mai",
            (Kind::SessionTomorrow, En) => "Sessions tomorrow",
            (Kind::ReportDue, Vi) => "Nhắc hạn gửi báo cáo năm",
            (Kind::ReportDue, En) => "The yearly report is due",
            (Kind::Test, Vi) => "Thư thử của hệ thống lịch giảng",
            (Kind::Test, En) => "A test message",
        }
    }
}

/// Whom a message greets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Greeting {
    /// A lecturer or rapporteur: "đồng chí".
    Comrade,
    /// A center or a unit's board, by its name.
    Body,
}

/// The lines of several messages to one recipient as one: a session's lines net out to its
/// last, and a session a person was given and then lost again (or lost and given back) within
/// the window is not mentioned at all. Other lines are kept in order, repeats dropped.
pub fn combine(lines: Vec<Line>) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    for line in lines {
        match line.session().map(|s| s.session_id) {
            Some(id) => {
                let earlier = out.iter().position(|l| l.session().is_some_and(|s| s.session_id == id));
                match (earlier.map(|i| out.remove(i)), line) {
                    (Some(Line::Given { .. }), Line::TakenAway { .. })
                    | (Some(Line::TakenAway { .. }), Line::Given { .. }) => {}
                    (_, line) => out.push(line),
                }
            }
            None if out.contains(&line) => {}
            None => out.push(line),
        }
    }
    out.sort_by_key(|l| l.session().map(|s| s.starts_at));
    out
}

/// A message in words.
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Where the message's links lead: the service's public address, when it has one.
pub struct Links<'a> {
    pub base: Option<&'a str>,
}

impl Links<'_> {
    fn to(&self, path: &str) -> Option<String> {
        self.base.map(|b| format!("{}{path}", b.trim_end_matches('/')))
    }
}

/// "thứ Ba, 02/03/2027".
fn vi_date(day: NaiveDate) -> String {
    use chrono::{Datelike, Weekday};
    let weekday = match day.weekday() {
        Weekday::Mon => "thứ Hai",
        Weekday::Tue => "thứ Ba",
        Weekday::Wed => "thứ Tư",
        Weekday::Thu => "thứ Năm",
        Weekday::Fri => "thứ Sáu",
        Weekday::Sat => "thứ Bảy",
        Weekday::Sun => "Chủ nhật",
    };
    format!("{weekday}, {}", day.format("%d/%m/%Y"))
}

fn hhmm(t: DateTime<FixedOffset>) -> String {
    t.format("%H:%M").to_string()
}

fn when(s: &Session) -> String {
    format!(
        "{}, {}–{}",
        vi_date(s.starts_at.date_naive()),
        hhmm(s.starts_at),
        hhmm(s.ends_at)
    )
}

fn what(s: &Session) -> String {
    match &s.part_of {
        Some(p) => format!("{} ({p})", s.topic),
        None => s.topic.clone(),
    }
}

fn names(people: &[String]) -> String {
    people.join(", ")
}

/// One line in words.
fn sentence(line: &Line) -> String {
    match line {
        Line::Given { session: s } => format!("MỚI: {} — {} — tại {}, {}.", when(s), what(s), s.venue, s.unit),
        Line::TakenAway { session: s, to } if to.is_empty() => format!(
            "BỎ: {} — {} — tại {}, {}; đồng chí không còn đảm nhận buổi này.",
            when(s),
            what(s),
            s.venue,
            s.unit
        ),
        Line::TakenAway { session: s, to } => format!(
            "CHUYỂN: {} — {} — tại {}, {}; nay do {} đảm nhận.",
            when(s),
            what(s),
            s.venue,
            s.unit,
            names(to)
        ),
        Line::Staffing {
            session: s,
            people,
            missing,
        } => {
            let who = if people.is_empty() {
                "chưa có người".to_string()
            } else {
                names(people)
            };
            let short = if *missing > 0 {
                format!("; còn thiếu {missing} người")
            } else {
                String::new()
            };
            format!("{} — {} — tại {}: {who}{short}.", when(s), what(s), s.venue)
        }
        Line::Tomorrow { session: s, with } => {
            let with = if with.is_empty() {
                String::new()
            } else {
                format!(" Cùng: {}.", names(with))
            };
            format!("{} — {} — tại {}, {}.{with}", when(s), what(s), s.venue, s.unit)
        }
        Line::RequestAccepted { class, .. } => {
            format!("Yêu cầu mở lớp «{class}» đã được chấp thuận; lớp sẽ được xếp lịch.")
        }
        Line::RequestRefused { class, reason, .. } => {
            format!("Yêu cầu mở lớp «{class}» không được chấp thuận. Lý do: {reason}")
        }
        Line::RequestWaiting { class, center, .. } => {
            format!("{center} gửi yêu cầu mở lớp «{class}»; yêu cầu đang chờ Ban xem xét.")
        }
        Line::ReportDue {
            year,
            deadline,
            days_left,
        } => format!(
            "Báo cáo kết quả năm {year} cần gửi Ban Tuyên giáo Tỉnh ủy trước ngày {} (còn {days_left} ngày); đơn vị chưa gửi.",
            vi_date(*deadline)
        ),
        Line::Test { by } => format!("Đây là thư thử do {by} gửi để kiểm tra cấu hình thông báo. Không cần trả lời."),
    }
}

/// Where a line's reader goes next, if the service has a public address.
fn link(line: &Line, links: &Links) -> Option<String> {
    match line {
        Line::RequestAccepted { .. } | Line::RequestRefused { .. } => links.to("/center"),
        Line::RequestWaiting { .. } => links.to("/requests"),
        Line::ReportDue { year, .. } => links.to(&format!("/report/submit?year={year}")),
        _ => None,
    }
}

/// The closing paragraph: where to see the whole schedule (never the calendar link itself,
/// which is a secret and may travel through the webhook's bridge).
fn closing(kind: Kind, greeting: Greeting, links: &Links) -> Option<String> {
    match (kind, greeting) {
        (Kind::ScheduleChanged | Kind::SessionTomorrow, Greeting::Comrade) => Some(match links.to("/my") {
            Some(url) => format!(
                "Lịch đầy đủ và đường dẫn đăng ký lịch trên điện thoại ở trang «Lịch của tôi»: {url}. Lịch đã đăng ký sẽ tự cập nhật."
            ),
            None => "Lịch đầy đủ và đường dẫn đăng ký lịch trên điện thoại ở trang «Lịch của tôi». Lịch đã đăng ký sẽ tự cập nhật.".into(),
        }),
        (Kind::ScheduleChanged, Greeting::Body) => Some(match links.to("/coverage") {
            Some(url) => format!("Xem toàn bộ lịch và các buổi còn thiếu người: {url}"),
            None => "Xem toàn bộ lịch và các buổi còn thiếu người ở trang «Độ phủ».".into(),
        }),
        _ => None,
    }
}

fn opening(kind: Kind, greeting: Greeting) -> &'static str {
    match (kind, greeting) {
        (Kind::ScheduleChanged, Greeting::Comrade) => {
            "Lịch giảng của đồng chí vừa được công bố lại với những thay đổi sau:"
        }
        (Kind::ScheduleChanged, Greeting::Body) => {
            "Lịch vừa được công bố; các buổi của đơn vị thay đổi hoặc còn thiếu người:"
        }
        (Kind::SessionTomorrow, _) => "Nhắc đồng chí lịch giảng ngày mai:",
        _ => "",
    }
}

/// The message to `name` in words.
pub fn render(kind: Kind, greeting: Greeting, name: &str, lines: &[Line], links: &Links) -> Rendered {
    let salutation = match greeting {
        Greeting::Comrade => format!("Kính gửi đồng chí {name},"),
        Greeting::Body => format!("Kính gửi {name},"),
    };
    let opening = opening(kind, greeting);
    let closing = closing(kind, greeting, links);
    let sentences: Vec<(String, Option<String>)> = lines.iter().map(|l| (sentence(l), link(l, links))).collect();
    let mut text = format!("{salutation}\n\n");
    if !opening.is_empty() {
        text.push_str(opening);
        text.push_str("\n\n");
    }
    for (s, link) in &sentences {
        text.push_str(&format!("- {s}\n"));
        if let Some(link) = link {
            text.push_str(&format!("  {link}\n"));
        }
    }
    if let Some(c) = &closing {
        text.push_str(&format!("\n{c}\n"));
    }
    text.push_str(&format!("\n{SIGNATURE}\n"));
    let markup: Markup = html! {
        (maud::DOCTYPE)
        html lang="vi" {
            head { meta charset="utf-8"; title { (kind.subject(crate::error::Lang::Vi)) } }
            body style="font-family: 'Times New Roman', serif; font-size: 13pt" {
                p { (salutation) }
                @if !opening.is_empty() { p { (opening) } }
                ul {
                    @for (s, link) in &sentences {
                        li { (s) @if let Some(link) = link { " " a href=(link) { "Mở trang" } } }
                    }
                }
                @if let Some(c) = &closing { p { (c) } }
                p { em { (SIGNATURE) } }
            }
        }
    };
    Rendered {
        subject: kind.subject(crate::error::Lang::Vi).to_string(),
        text,
        html: markup.into_string(),
    }
}

const SIGNATURE: &str = "Ban Tuyên giáo Tỉnh ủy — thư gửi tự động từ hệ thống lịch giảng; xin đừng trả lời thư này.";

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn session(id: i64) -> Session {
        let zone = FixedOffset::east_opt(7 * 3600).unwrap();
        Session {
            session_id: id,
            starts_at: zone.with_ymd_and_hms(2027, 3, 2, 7, 30, 0).unwrap(),
            ends_at: zone.with_ymd_and_hms(2027, 3, 2, 11, 0, 0).unwrap(),
            topic: "Chủ nghĩa Mác - Lênin".into(),
            part_of: Some("Lớp sơ cấp lý luận chính trị khóa 1".into()),
            venue: "Hội trường Trung tâm".into(),
            unit: "Huyện Trần Đề".into(),
        }
    }

    #[test]
    fn a_session_given_then_taken_back_within_the_window_is_not_mentioned() {
        let lines = vec![
            Line::Given { session: session(1) },
            Line::Given { session: session(2) },
            Line::TakenAway {
                session: session(1),
                to: vec!["Trần Thị Bình".into()],
            },
        ];
        assert_eq!(combine(lines), vec![Line::Given { session: session(2) }]);
    }

    #[test]
    fn a_centers_session_reads_as_it_last_stood_and_repeats_are_dropped() {
        let staffed = Line::Staffing {
            session: session(1),
            people: vec!["Lê Văn An".into()],
            missing: 0,
        };
        let lines = vec![
            Line::Staffing {
                session: session(1),
                people: vec![],
                missing: 1,
            },
            Line::Test { by: "admin".into() },
            staffed.clone(),
            Line::Test { by: "admin".into() },
        ];
        assert_eq!(combine(lines), vec![Line::Test { by: "admin".into() }, staffed]);
    }

    #[test]
    fn a_message_names_the_day_the_hours_the_class_and_the_place_in_vietnamese() {
        let lines = [
            Line::Given { session: session(1) },
            Line::TakenAway {
                session: session(2),
                to: vec!["Trần Thị Bình".into()],
            },
        ];
        let m = render(
            Kind::ScheduleChanged,
            Greeting::Comrade,
            "Nguyễn Văn Ánh",
            &lines,
            &Links {
                base: Some("https://lich.example.vn"),
            },
        );
        assert_eq!(m.subject, "Lịch giảng có thay đổi");
        assert!(m.text.starts_with("Kính gửi đồng chí Nguyễn Văn Ánh,"), "{}", m.text);
        assert!(m.text.contains("MỚI: thứ Ba, 02/03/2027, 07:30–11:00 — Chủ nghĩa Mác - Lênin (Lớp sơ cấp lý luận chính trị khóa 1) — tại Hội trường Trung tâm, Huyện Trần Đề."), "{}", m.text);
        assert!(m.text.contains("nay do Trần Thị Bình đảm nhận"), "{}", m.text);
        assert!(m.text.contains("https://lich.example.vn/my"), "{}", m.text);
        assert!(
            m.html.contains("Nguyễn Văn Ánh") && m.html.contains("<li>"),
            "{}",
            m.html
        );
    }

    #[test]
    fn lines_survive_the_outbox_as_json() {
        let line = Line::RequestRefused {
            request_id: 4,
            class: "Lớp «Trung cấp» 2027".into(),
            reason: "Trùng lịch với Đại hội".into(),
        };
        let json = serde_json::to_string(&line).unwrap();
        assert_eq!(serde_json::from_str::<Line>(&json).unwrap(), line);
    }
}
