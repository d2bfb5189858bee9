//! The bytes of a feed (RFC 5545). The `icalendar` crate builds the calendar; this module
//! sets every property the crate would otherwise fill in itself (its PRODID, a random UID, a
//! DTSTAMP of "now"), cleans the text it is given (NFC, no raw CR), and folds the lines again:
//! the crate folds some lines to 76 octets and may fold between a backslash and the character
//! it escapes. Times are UTC throughout, so no VTIMEZONE is needed.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};
use unicode_normalization::UnicodeNormalization;

pub const PRODID: &str = "-//Roster//Lịch giảng viên và báo cáo viên//VI";
/// How often clients should fetch a feed again: REFRESH-INTERVAL, X-PUBLISHED-TTL and the
/// HTTP `Cache-Control` all say one hour.
pub const REFRESH_SECONDS: u32 = 3600;
const REFRESH: &str = "PT1H";
/// The summary of a session no longer on this calendar: it was cancelled, or moved to
/// someone else.
pub const CANCELLED_PREFIX: &str = "[ĐÃ HỦY] ";
/// The most octets on one line, CRLF excluded (RFC 5545 §3.1).
const MAX_LINE_OCTETS: usize = 75;

pub struct FeedCalendar {
    pub name: String,
    pub events: Vec<FeedEvent>,
}

pub struct FeedEvent {
    /// The same for a session in every feed that shows it, for good.
    pub uid: String,
    pub summary: String,
    pub location: String,
    pub description: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The last published change: DTSTAMP and LAST-MODIFIED.
    pub changed: DateTime<Utc>,
    pub sequence: u32,
    pub cancelled: bool,
}

/// The feed as iCalendar text.
pub fn render(feed: &FeedCalendar) -> String {
    let name = clean(&feed.name);
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", PRODID))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", "PUBLISH"))
        // NAME (RFC 7986) is unknown to the crate: VALUE=TEXT makes it escape the value.
        .append_property(Property::new("NAME", &name).add_parameter("VALUE", "TEXT").done())
        .append_property(Property::new("X-WR-CALNAME", &name))
        .append_property(Property::new("X-WR-TIMEZONE", crate::time::ZONE.name()))
        .append_property(
            Property::new("REFRESH-INTERVAL", REFRESH)
                .add_parameter("VALUE", "DURATION")
                .done(),
        )
        .append_property(Property::new("X-PUBLISHED-TTL", REFRESH));
    for e in &feed.events {
        let summary = if e.cancelled {
            format!("{CANCELLED_PREFIX}{}", e.summary)
        } else {
            e.summary.clone()
        };
        let mut event = Event::new();
        event
            .uid(&e.uid)
            .timestamp(e.changed)
            .last_modified(e.changed)
            .sequence(e.sequence)
            .starts(e.start)
            .ends(e.end)
            .summary(&clean(&summary))
            .location(&clean(&e.location))
            .description(&clean(&e.description))
            .status(if e.cancelled {
                EventStatus::Cancelled
            } else {
                EventStatus::Confirmed
            })
            .add_property("TRANSP", "OPAQUE");
        calendar.push(event.done());
    }
    refold(&calendar.to_string())
}

/// Text as a feed carries it: NFC, and line breaks as LF only (escaped `\n` by the crate).
fn clean(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n").nfc().collect()
}

/// Unfolds the crate's lines and folds them again at 75 octets, never inside a UTF-8
/// character nor between a backslash and the character it escapes.
fn refold(rendered: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    for physical in rendered.split("\r\n") {
        match (physical.strip_prefix(' '), lines.last_mut()) {
            (Some(continued), Some(last)) => last.push_str(continued),
            _ if physical.is_empty() => {}
            _ => lines.push(physical.to_string()),
        }
    }
    let mut out = String::with_capacity(rendered.len() + rendered.len() / 25);
    for line in &lines {
        fold(line, &mut out);
    }
    out
}

fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    let mut rest = line;
    while let Some(first) = rest.chars().next() {
        let mut unit = first.len_utf8();
        if first == '\\' {
            unit += rest[1..].chars().next().map_or(0, char::len_utf8);
        }
        if width + unit > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push_str(&rest[..unit]);
        width += unit;
        rest = &rest[unit..];
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn event(summary: &str, description: &str) -> FeedEvent {
        FeedEvent {
            uid: "session-7@roster".into(),
            summary: summary.into(),
            location: "Hội trường A, Huyện Mỹ Tú".into(),
            description: description.into(),
            start: Utc.with_ymd_and_hms(2027, 3, 1, 0, 30, 0).unwrap(),
            end: Utc.with_ymd_and_hms(2027, 3, 1, 4, 0, 0).unwrap(),
            changed: Utc.with_ymd_and_hms(2026, 12, 1, 2, 3, 4).unwrap(),
            sequence: 2,
            cancelled: false,
        }
    }

    fn calendar(events: Vec<FeedEvent>) -> String {
        render(&FeedCalendar {
            name: "Lịch của Nguyễn Thị Ánh; Tổ 1, Sóc Trăng".into(),
            events,
        })
    }

    /// The content lines, unfolded.
    fn unfolded(text: &str) -> Vec<String> {
        text.replace("\r\n ", "").split("\r\n").map(str::to_string).collect()
    }

    fn value<'a>(lines: &'a [String], key: &str) -> Vec<&'a str> {
        lines
            .iter()
            .filter_map(|l| l.strip_prefix(key))
            .filter_map(|l| l.strip_prefix(':'))
            .collect()
    }

    const LONG: &str = "Bài 3: Chủ nghĩa Mác – Lênin, tư tưởng Hồ Chí Minh; học tập và làm theo, \
        tấm gương đạo đức, phong cách Hồ Chí Minh\\ (phần nâng cao) — Lớp Sơ cấp lý luận chính trị khóa 12";

    #[test]
    fn every_line_has_at_most_75_octets_and_is_whole_utf8() {
        let text = calendar(vec![
            event(LONG, &LONG.repeat(5)),
            event(&"ữ".repeat(200), &"\\;".repeat(120)),
        ]);
        assert!(text.ends_with("\r\n"));
        for line in text.split("\r\n") {
            assert!(line.len() <= MAX_LINE_OCTETS, "{} octets: {line}", line.len());
        }
        // Splitting the bytes at every CRLF leaves valid UTF-8 on each side: `str::split`
        // would not compile otherwise, so check the folds fall on character boundaries.
        let bytes = text.as_bytes();
        for (i, w) in bytes.windows(3).enumerate() {
            if w == b"\r\n " {
                assert!(text.is_char_boundary(i) && text.is_char_boundary(i + 3));
            }
        }
    }

    #[test]
    fn never_folds_between_a_backslash_and_what_it_escapes() {
        // Backslashes at every offset, so that some escape pair straddles each fold position.
        for pad in 0..4 {
            let summary = format!("{}{}", "x".repeat(pad), "a,b;c\\d\ne".repeat(40));
            let text = calendar(vec![event(&summary, "")]);
            for line in text.split("\r\n") {
                let trailing = line.chars().rev().take_while(|&c| c == '\\').count();
                assert_eq!(trailing % 2, 0, "a fold after an escaping backslash: {line}");
            }
            let lines = unfolded(&text);
            assert_eq!(value(&lines, "SUMMARY"), vec![icalendar_escaped(&summary)]);
        }
    }

    /// RFC 5545 TEXT escaping, written out independently of the crate.
    fn icalendar_escaped(text: &str) -> String {
        let mut out = String::new();
        for c in text.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                ';' => out.push_str("\\;"),
                ',' => out.push_str("\\,"),
                '\n' => out.push_str("\\n"),
                c => out.push(c),
            }
        }
        out
    }

    #[test]
    fn text_is_escaped_nfc_and_free_of_raw_cr() {
        // "Ánh" decomposed (A + combining acute), and Windows and old Mac line breaks.
        let decomposed = "Nguye\u{0302}\u{0303}n Thi\u{0323} A\u{0301}nh";
        let text = calendar(vec![event(decomposed, "Dòng 1\r\nDòng 2\rDòng 3, có; dấu\\")]);
        assert!(!text.replace("\r\n", "").contains('\r'));
        let lines = unfolded(&text);
        assert_eq!(value(&lines, "SUMMARY"), vec!["Nguyễn Thị Ánh"]);
        assert_eq!(
            value(&lines, "DESCRIPTION"),
            vec!["Dòng 1\\nDòng 2\\nDòng 3\\, có\\; dấu\\\\"]
        );
        assert_eq!(value(&lines, "LOCATION"), vec!["Hội trường A\\, Huyện Mỹ Tú"]);
        assert_eq!(
            value(&lines, "X-WR-CALNAME"),
            vec!["Lịch của Nguyễn Thị Ánh\\; Tổ 1\\, Sóc Trăng"]
        );
        assert_eq!(
            value(&lines, "NAME;VALUE=TEXT"),
            vec!["Lịch của Nguyễn Thị Ánh\\; Tổ 1\\, Sóc Trăng"]
        );
    }

    #[test]
    fn sets_what_the_crate_would_fill_in_and_is_deterministic() {
        let first = calendar(vec![event("A", "B"), event("C", "D")]);
        assert_eq!(first, calendar(vec![event("A", "B"), event("C", "D")]));
        let lines = unfolded(&first);
        assert_eq!(value(&lines, "PRODID"), vec![PRODID]);
        assert_eq!(value(&lines, "UID"), vec!["session-7@roster"; 2]);
        assert_eq!(value(&lines, "DTSTAMP"), vec!["20261201T020304Z"; 2]);
        assert_eq!(value(&lines, "LAST-MODIFIED"), vec!["20261201T020304Z"; 2]);
        // 07:30 and 11:00 in Hồ Chí Minh City are 00:30 and 04:00 UTC.
        assert_eq!(value(&lines, "DTSTART"), vec!["20270301T003000Z"; 2]);
        assert_eq!(value(&lines, "DTEND"), vec!["20270301T040000Z"; 2]);
        assert_eq!(value(&lines, "SEQUENCE"), vec!["2"; 2]);
        for key in ["VERSION", "METHOD", "CALSCALE", "X-WR-TIMEZONE", "X-PUBLISHED-TTL"] {
            assert_eq!(value(&lines, key).len(), 1, "{key}");
        }
        assert_eq!(value(&lines, "REFRESH-INTERVAL;VALUE=DURATION"), vec!["PT1H"]);
        assert!(!first.contains("ORGANIZER") && !first.contains("ATTENDEE") && !first.contains("TZID"));
    }

    #[test]
    fn a_cancelled_event_says_so_twice() {
        let mut cancelled = event("Bài 1", "");
        cancelled.cancelled = true;
        let lines = unfolded(&calendar(vec![cancelled, event("Bài 2", "")]));
        assert_eq!(value(&lines, "STATUS"), vec!["CANCELLED", "CONFIRMED"]);
        assert_eq!(value(&lines, "SUMMARY"), vec!["[ĐÃ HỦY] Bài 1", "Bài 2"]);
    }
}
