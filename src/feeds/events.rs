//! What a feed shows, read from the published schedule and its history.
//!
//! A session appears in a feed once it has been published there (for a person feed: once it
//! was theirs). In a district's, center's or class's feed it stays confirmed, since the
//! session still takes place, and is marked as still needing people while it is short of
//! them. In a person's feed it is confirmed while it is theirs; once they lose it, it stays as
//! cancelled, frozen as it was when they lost it, for [`CANCELLED_GRACE`] after that
//! publication, then disappears. Its SEQUENCE counts the publications that changed who takes
//! it, and DTSTAMP and LAST-MODIFIED are the last of them. Sessions never change time or
//! place once made, so people are the only change to count.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};

use super::FeedKey;
use super::ical::{FeedCalendar, FeedEvent};
use crate::db::Conn;
use crate::error::{ApiError, Result};
use crate::on;

/// How long a session taken off a feed stays on it as cancelled, so that every subscribed
/// calendar sees the cancellation at its next refresh.
pub const CANCELLED_GRACE: Duration = Duration::days(30);

/// A feed's calendar, and when its content last changed (for `Last-Modified`).
pub struct Content {
    pub calendar: FeedCalendar,
    pub last_modified: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    session_id: i64,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    venue: String,
    district_name: String,
    topic_name: String,
    module_position: Option<i64>,
    class_name: Option<String>,
    program_name: Option<String>,
    center_name: Option<String>,
    center_contact: Option<String>,
    briefing_title: Option<String>,
    needs: i64,
    /// When the registry rows it shows were last changed.
    district_updated: DateTime<Utc>,
    topic_updated: DateTime<Utc>,
    program_updated: Option<DateTime<Utc>>,
    center_updated: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct AssignmentRow {
    session_id: i64,
    person_id: i64,
    full_name: String,
    from_version: i64,
    to_version: Option<i64>,
    person_updated: DateTime<Utc>,
}

/// The sessions a feed may show: those published in its scope ($1 is the key's id).
fn scope_sql(key: FeedKey) -> &'static str {
    match key {
        FeedKey::Person(_) => "SELECT session_id FROM assignment WHERE person_id = $1",
        FeedKey::District(_) => {
            "SELECT a.session_id FROM assignment a JOIN session s ON s.session_id = a.session_id \
             WHERE s.district_id = $1"
        }
        FeedKey::Center(_) => {
            "SELECT a.session_id FROM assignment a JOIN session s ON s.session_id = a.session_id \
             JOIN course_class cc ON cc.class_id = s.class_id \
             JOIN planned_class pc ON pc.planned_class_id = cc.planned_class_id WHERE pc.center_id = $1"
        }
        FeedKey::Class(_) => {
            "SELECT a.session_id FROM assignment a JOIN session s ON s.session_id = a.session_id \
             WHERE s.class_id = $1"
        }
    }
}

/// The feed's name and when it was last changed, or 404 when what it is about does not exist.
async fn name(c: Conn<'_>, key: FeedKey) -> Result<(String, DateTime<Utc>)> {
    let (sql, vi, en) = match key {
        FeedKey::Person(_) => (
            "SELECT full_name, updated_at FROM person WHERE person_id = $1",
            "người",
            "Person",
        ),
        FeedKey::District(_) => (
            "SELECT name, updated_at FROM district WHERE district_id = $1",
            "huyện",
            "District",
        ),
        FeedKey::Center(_) => (
            "SELECT name, updated_at FROM center WHERE center_id = $1",
            "trung tâm",
            "Center",
        ),
        FeedKey::Class(_) => (
            "SELECT pc.name, pl.updated_at FROM course_class cc \
             JOIN planned_class pc ON pc.planned_class_id = cc.planned_class_id JOIN plan pl ON pl.plan_id = pc.plan_id \
             WHERE cc.class_id = $1",
            "lớp",
            "Class",
        ),
    };
    let found: Option<(String, DateTime<Utc>)> = on!(c, |c| {
        sqlx::query_as(sql).bind(key.id()).fetch_optional(&mut *c).await?
    });
    let (name, updated) = found.ok_or_else(|| ApiError::not_found(vi, en))?;
    let name = match key {
        FeedKey::Class(_) => format!("Lịch học – {name}"),
        _ => format!("Lịch giảng dạy – {name}"),
    };
    Ok((name, updated))
}

/// Everything the feed shows as of `now`.
pub async fn load(mut c: Conn<'_>, key: FeedKey, now: DateTime<Utc>) -> Result<Content> {
    let (name, name_updated) = name(c.reborrow(), key).await?;
    let scope = scope_sql(key);
    let sessions: Vec<SessionRow> = on!(c.reborrow(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT s.session_id, s.starts_at, s.ends_at, s.venue, d.name AS district_name, t.name AS topic_name, \
                    s.module_position, pc.name AS class_name, p.name AS program_name, ce.name AS center_name, \
                    ce.contact AS center_contact, b.title AS briefing_title, CAST(s.needs AS BIGINT) AS needs, \
                    d.updated_at AS district_updated, t.updated_at AS topic_updated, p.updated_at AS program_updated, \
                    ce.updated_at AS center_updated \
             FROM session s \
             JOIN district d ON d.district_id = s.district_id \
             JOIN topic t ON t.topic_id = s.topic_id \
             LEFT JOIN course_class cc ON cc.class_id = s.class_id \
             LEFT JOIN planned_class pc ON pc.planned_class_id = cc.planned_class_id \
             LEFT JOIN program p ON p.program_id = pc.program_id \
             LEFT JOIN center ce ON ce.center_id = pc.center_id \
             LEFT JOIN briefing b ON b.briefing_id = s.briefing_id \
             WHERE s.session_id IN ({scope}) ORDER BY s.starts_at, s.session_id"
        )))
        .bind(key.id())
        .fetch_all(&mut *c)
        .await?
    });
    let assignments: Vec<AssignmentRow> = on!(c.reborrow(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT a.session_id, a.person_id, pe.full_name, a.from_version, a.to_version, pe.updated_at AS person_updated \
             FROM assignment a JOIN person pe ON pe.person_id = a.person_id \
             WHERE a.session_id IN ({scope}) ORDER BY a.session_id, pe.sort_key, a.person_id"
        )))
        .bind(key.id())
        .fetch_all(&mut *c)
        .await?
    });
    let published: HashMap<i64, DateTime<Utc>> = on!(c, |c| {
        sqlx::query_as::<_, (i64, DateTime<Utc>)>("SELECT version_id, published_at FROM schedule_version")
            .fetch_all(&mut *c)
            .await?
    })
    .into_iter()
    .collect();
    let mut by_session: BTreeMap<i64, Vec<AssignmentRow>> = BTreeMap::new();
    for a in assignments {
        by_session.entry(a.session_id).or_default().push(a);
    }
    let at = |version: i64| published.get(&version).copied().unwrap_or(DateTime::UNIX_EPOCH);

    let mut events = Vec::new();
    // Registry edits change the bytes too (a center's contact, a topic's name): they count.
    let mut last_modified: Option<DateTime<Utc>> = Some(name_updated);
    for s in sessions {
        let rows = by_session.remove(&s.session_id).unwrap_or_default();
        let Some(shown) = Shown::of(key, &rows, s.needs) else {
            continue;
        };
        let registry = [
            Some(s.district_updated),
            Some(s.topic_updated),
            s.program_updated,
            s.center_updated,
        ]
        .into_iter()
        .chain(rows.iter().map(|a| Some(a.person_updated)))
        .max()
        .flatten();
        let changed = at(shown.last_change);
        if let Some(gone) = shown.cancelled_at {
            let expires = at(gone) + CANCELLED_GRACE;
            if expires <= now {
                // Gone from the feed: that was a change to it too.
                last_modified = last_modified.max(Some(expires));
                continue;
            }
        }
        last_modified = last_modified.max(Some(changed)).max(registry);
        events.push(FeedEvent {
            uid: format!("session-{}@roster", s.session_id),
            summary: summary(&s, &shown),
            location: format!("{}, {}", s.venue, s.district_name),
            description: description(&s, key, &shown),
            start: s.starts_at,
            end: s.ends_at,
            changed,
            sequence: shown.sequence,
            cancelled: shown.cancelled_at.is_some(),
        });
    }
    Ok(Content {
        calendar: FeedCalendar { name, events },
        last_modified,
    })
}

/// How a session stands in one feed.
struct Shown {
    /// The people on it, in name order, without the feed's own person: now, or for a
    /// cancelled copy, as it was when the person lost it.
    others: Vec<String>,
    /// The publication that took it off this person's feed, if it is off.
    cancelled_at: Option<i64>,
    /// How many more people it needs, in a feed that is not a person's.
    short: u32,
    sequence: u32,
    /// The last publication that changed who takes it (up to the cancellation, for a
    /// cancelled copy).
    last_change: i64,
}

impl Shown {
    /// `None` when the session was never on this feed.
    fn of(key: FeedKey, rows: &[AssignmentRow], needs: i64) -> Option<Shown> {
        let person = match key {
            FeedKey::Person(p) => Some(p),
            _ => None,
        };
        let ours = |a: &&AssignmentRow| person.is_none_or(|p| a.person_id == p);
        if !rows.iter().any(|a| ours(&a)) {
            return None;
        }
        let on_it_now = rows.iter().filter(|a| ours(a)).any(|a| a.to_version.is_none());
        let cancelled_at = match person {
            Some(_) if !on_it_now => rows.iter().filter(|a| ours(a)).filter_map(|a| a.to_version).max(),
            _ => None,
        };
        // A cancelled copy is frozen at the publication that took it away: later moves among
        // others change neither its SEQUENCE nor the people it names.
        let until = cancelled_at.unwrap_or(i64::MAX);
        let changes: BTreeSet<i64> = rows
            .iter()
            .flat_map(|a| std::iter::once(a.from_version).chain(a.to_version))
            .filter(|v| *v <= until)
            .collect();
        let on_it = |a: &&AssignmentRow| match cancelled_at {
            None => a.to_version.is_none(),
            Some(gone) => a.from_version < gone && a.to_version.is_none_or(|t| t >= gone),
        };
        let others = rows
            .iter()
            .filter(on_it)
            .filter(|a| person != Some(a.person_id))
            .map(|a| a.full_name.clone())
            .collect();
        let holding = rows.iter().filter(|a| a.to_version.is_none()).count() as i64;
        Some(Shown {
            others,
            cancelled_at,
            short: if person.is_none() {
                (needs - holding).max(0) as u32
            } else {
                0
            },
            sequence: changes.len().saturating_sub(1) as u32,
            last_change: changes.last().copied().unwrap_or(0),
        })
    }
}

/// What a session is called, marked while it still needs people.
fn summary(s: &SessionRow, shown: &Shown) -> String {
    let name = match (&s.class_name, &s.briefing_title) {
        (Some(class), _) => format!("{} – {class}", s.topic_name),
        (None, Some(title)) => format!("{} – {title}", s.topic_name),
        (None, None) => s.topic_name.clone(),
    };
    match (shown.short, s.class_name.is_some()) {
        (0, _) => name,
        (_, true) => format!("[CHƯA CÓ GIẢNG VIÊN] {name}"),
        (_, false) => format!("[CHƯA CÓ BÁO CÁO VIÊN] {name}"),
    }
}

fn description(s: &SessionRow, key: FeedKey, shown: &Shown) -> String {
    let mut lines = Vec::new();
    if shown.cancelled_at.is_some() {
        lines.push("Buổi này đã hủy hoặc đã chuyển cho người khác.".to_string());
    }
    if shown.short > 0 {
        let who = if s.class_name.is_some() {
            "giảng viên"
        } else {
            "báo cáo viên"
        };
        lines.push(format!(
            "Buổi này vẫn diễn ra; còn thiếu {} {who}, đang chờ xếp.",
            shown.short
        ));
    }
    if let Some(class) = &s.class_name {
        if let Some(program) = &s.program_name {
            lines.push(format!("Chương trình: {program}"));
        }
        lines.push(format!("Lớp: {class}"));
        match s.module_position {
            Some(position) => lines.push(format!("Bài {position}: {}", s.topic_name)),
            None => lines.push(format!("Bài: {}", s.topic_name)),
        }
    } else {
        if let Some(title) = &s.briefing_title {
            lines.push(format!("Hội nghị: {title}"));
        }
        lines.push(format!("Nghị quyết, chuyên đề: {}", s.topic_name));
    }
    if !shown.others.is_empty() {
        let label = match key {
            FeedKey::Person(_) => "Cùng phụ trách",
            _ => "Giảng viên, báo cáo viên",
        };
        lines.push(format!("{label}: {}", shown.others.join(", ")));
    }
    if let Some(center) = &s.center_name {
        lines.push(format!("Trung tâm: {center}"));
    }
    if let Some(contact) = &s.center_contact {
        lines.push(format!("Liên hệ: {contact}"));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(person_id: i64, from_version: i64, to_version: Option<i64>) -> AssignmentRow {
        AssignmentRow {
            session_id: 1,
            person_id,
            full_name: format!("Người {person_id}"),
            from_version,
            to_version,
            person_updated: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_session_moved_from_one_person_to_another() {
        // Person 1 from version 2, moved to person 2 in version 5.
        let rows = [row(1, 2, Some(5)), row(2, 5, None)];
        let lost = Shown::of(FeedKey::Person(1), &rows, 1).unwrap();
        assert_eq!((lost.cancelled_at, lost.sequence, lost.last_change), (Some(5), 1, 5));
        assert!(lost.others.is_empty(), "the replacement is no co-lecturer");
        let gained = Shown::of(FeedKey::Person(2), &rows, 1).unwrap();
        assert_eq!((gained.cancelled_at, gained.sequence), (None, 1));
        assert!(gained.others.is_empty());
        let district = Shown::of(FeedKey::District(9), &rows, 1).unwrap();
        assert_eq!((district.cancelled_at, district.sequence, district.short), (None, 1, 0));
        assert!(Shown::of(FeedKey::Person(3), &rows, 1).is_none(), "never theirs");
    }

    #[test]
    fn a_cancelled_copy_stays_as_it_was_when_the_person_lost_it() {
        // Persons 1 and 3 from version 2; person 1 loses it to person 2 in version 5; then it
        // moves on to person 4 in version 7.
        let rows = [row(1, 2, Some(5)), row(3, 2, None), row(2, 5, Some(7)), row(4, 7, None)];
        let lost = Shown::of(FeedKey::Person(1), &rows, 2).unwrap();
        assert_eq!((lost.cancelled_at, lost.sequence, lost.last_change), (Some(5), 1, 5));
        assert_eq!(lost.others, ["Người 3"]);
    }

    #[test]
    fn a_session_left_without_people_still_takes_place_and_needs_them() {
        let rows = [row(1, 2, Some(4)), row(2, 3, Some(4))];
        let class = Shown::of(FeedKey::Class(1), &rows, 2).unwrap();
        assert_eq!(
            (class.cancelled_at, class.short, class.sequence, class.last_change),
            (None, 2, 2, 4)
        );
        let person = Shown::of(FeedKey::Person(1), &rows, 2).unwrap();
        assert_eq!((person.cancelled_at, person.short), (Some(4), 0));
        // Back to person 1 in version 6: confirmed again, with a higher sequence.
        let rows = [row(1, 2, Some(4)), row(2, 3, Some(4)), row(1, 6, None)];
        let back = Shown::of(FeedKey::Person(1), &rows, 2).unwrap();
        assert_eq!((back.cancelled_at, back.sequence), (None, 3));
    }
}
