//! What causes messages, and to whom they go: a publication, a request decided or waiting,
//! a session tomorrow, the yearly report's deadline. Each writes to the outbox in the
//! caller's transaction.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;

use super::message::{Kind, Line, Session};
use super::outbox::{self, Outgoing, Reach, RecipientKind};
use crate::auth::AuthUser;
use crate::db::Conn;
use crate::error::Result;
use crate::on;
use crate::scheduling::labels::{SessionLabel, session_labels};
use crate::scheduling::runs::SessionChange;

/// The sessions with these ids, as messages name them.
async fn named(c: Conn<'_>, ids: &BTreeSet<i64>) -> Result<HashMap<i64, (Session, SessionLabel)>> {
    Ok(session_labels(c, ids)
        .await?
        .into_iter()
        .map(|(id, l)| {
            let session = Session {
                session_id: id,
                starts_at: crate::time::local(l.starts_at),
                ends_at: crate::time::local(l.ends_at),
                topic: l.topic.clone(),
                part_of: l.part_of.clone(),
                venue: l.venue.clone(),
                unit: l.district.clone(),
            };
            (id, (session, l))
        })
        .collect())
}

/// How every recipient of these kinds is reached, by kind and id.
async fn reach(mut c: Conn<'_>, kinds: &[RecipientKind]) -> Result<HashMap<(RecipientKind, i64), Reach>> {
    let mut all = HashMap::new();
    for kind in kinds {
        for (id, r) in outbox::reach_all(c.reborrow(), *kind).await? {
            all.insert((*kind, id), r);
        }
    }
    Ok(all)
}

/// A publication's messages: each person whose sessions changed (one message listing what
/// they were given and what was taken away, and to whom it went); each center and unit
/// board whose sessions changed or, among the published ones, still miss people. `after` is
/// who holds each published session of `scope` now.
pub async fn publication(
    mut c: Conn<'_>,
    scope: &BTreeSet<i64>,
    after: &BTreeMap<i64, BTreeSet<i64>>,
    changes: &[SessionChange],
) -> Result<usize> {
    let sessions = named(c.reborrow(), scope).await?;
    let reach = reach(
        c.reborrow(),
        &[RecipientKind::Person, RecipientKind::Center, RecipientKind::Unit],
    )
    .await?;
    let name = |p: &i64| {
        reach
            .get(&(RecipientKind::Person, *p))
            .map_or_else(String::new, |r| r.name.clone())
    };
    let names = |people: &[i64]| people.iter().map(name).collect::<Vec<_>>();
    let mut people: BTreeMap<i64, Vec<Line>> = BTreeMap::new();
    let changed: BTreeSet<i64> = changes.iter().map(|ch| ch.session_id).collect();
    for ch in changes {
        let Some((s, _)) = sessions.get(&ch.session_id) else {
            continue;
        };
        for p in ch.after.iter().filter(|p| !ch.before.contains(p)) {
            people.entry(*p).or_default().push(Line::Given { session: s.clone() });
        }
        for p in ch.before.iter().filter(|p| !ch.after.contains(p)) {
            people.entry(*p).or_default().push(Line::TakenAway {
                session: s.clone(),
                to: names(&ch.after),
            });
        }
    }
    let mut centers: BTreeMap<i64, Vec<Line>> = BTreeMap::new();
    let mut units: BTreeMap<i64, Vec<Line>> = BTreeMap::new();
    for id in scope {
        let Some((s, label)) = sessions.get(id) else { continue };
        let holders: Vec<i64> = after.get(id).map(|p| p.iter().copied().collect()).unwrap_or_default();
        let missing = (label.needs - holders.len() as i64).max(0);
        if !changed.contains(id) && missing == 0 {
            continue;
        }
        let line = Line::Staffing {
            session: s.clone(),
            people: names(&holders),
            missing,
        };
        if let Some(center) = label.center_id {
            centers.entry(center).or_default().push(line.clone());
        }
        units.entry(label.unit_id).or_default().push(line);
    }
    let messages = people
        .into_iter()
        .map(|(id, lines)| (RecipientKind::Person, id, lines))
        .chain(
            centers
                .into_iter()
                .map(|(id, lines)| (RecipientKind::Center, id, lines)),
        )
        .chain(units.into_iter().map(|(id, lines)| (RecipientKind::Unit, id, lines)))
        .map(|(to, id, lines)| Outgoing {
            to,
            id,
            kind: Kind::ScheduleChanged,
            lines,
            dedupe_key: None,
        })
        .collect();
    outbox::enqueue(c, messages, &reach).await
}

/// A decided request's message to its center: accepted, or refused with the reason.
pub async fn request_decided(
    mut c: Conn<'_>,
    request_id: i64,
    center_id: i64,
    class: &str,
    refused_because: Option<&str>,
) -> Result<usize> {
    let line = match refused_because {
        None => Line::RequestAccepted {
            request_id,
            class: class.to_string(),
        },
        Some(reason) => Line::RequestRefused {
            request_id,
            class: class.to_string(),
            reason: reason.to_string(),
        },
    };
    let reach = reach(c.reborrow(), &[RecipientKind::Center]).await?;
    let message = Outgoing {
        to: RecipientKind::Center,
        id: center_id,
        kind: Kind::RequestDecided,
        lines: vec![line],
        dedupe_key: None,
    };
    outbox::enqueue(c, vec![message], &reach).await
}

/// A submitted request's message to the board that decides it.
pub async fn request_waiting(
    mut c: Conn<'_>,
    request_id: i64,
    unit_id: i64,
    class: &str,
    center: &str,
) -> Result<usize> {
    let reach = reach(c.reborrow(), &[RecipientKind::Unit]).await?;
    let message = Outgoing {
        to: RecipientKind::Unit,
        id: unit_id,
        kind: Kind::RequestWaiting,
        lines: vec![Line::RequestWaiting {
            request_id,
            class: class.to_string(),
            center: center.to_string(),
        }],
        dedupe_key: None,
    };
    outbox::enqueue(c, vec![message], &reach).await
}

/// Reminders due `today` (local): each published session of tomorrow to the people on it who
/// keep reminders on, and the yearly report's deadline to each board that has not submitted,
/// 30, 7 and 1 day(s) before. Each is written once ever, however often this runs.
pub async fn reminders(mut c: Conn<'_>, today: NaiveDate) -> Result<usize> {
    let mut written = tomorrow(c.reborrow(), today).await?;
    written += report_due(c, today).await?;
    Ok(written)
}

async fn tomorrow(mut c: Conn<'_>, today: NaiveDate) -> Result<usize> {
    let Some(day) = today.succ_opt() else { return Ok(0) };
    let from = crate::time::local_midnight(day)?;
    let to = crate::time::local_midnight(day.succ_opt().unwrap_or(day))?;
    let held: Vec<(i64, i64)> = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "SELECT a.session_id, a.person_id FROM assignment a JOIN session s ON s.session_id = a.session_id \
             WHERE a.to_version IS NULL AND s.starts_at >= $1 AND s.starts_at < $2 ORDER BY a.session_id, a.person_id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&mut *c)
        .await?
    });
    if held.is_empty() {
        return Ok(0);
    }
    let mut holders: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (s, p) in &held {
        holders.entry(*s).or_default().push(*p);
    }
    let ids: BTreeSet<i64> = holders.keys().copied().collect();
    let sessions = named(c.reborrow(), &ids).await?;
    let reach = reach(c.reborrow(), &[RecipientKind::Person]).await?;
    let mut messages = Vec::new();
    for (s, people) in &holders {
        let Some((session, _)) = sessions.get(s) else { continue };
        for p in people {
            if !reach.get(&(RecipientKind::Person, *p)).is_some_and(|r| r.day_before) {
                continue;
            }
            let with = people
                .iter()
                .filter(|q| *q != p)
                .filter_map(|q| reach.get(&(RecipientKind::Person, *q)).map(|r| r.name.clone()))
                .collect();
            messages.push(Outgoing {
                to: RecipientKind::Person,
                id: *p,
                kind: Kind::SessionTomorrow,
                lines: vec![Line::Tomorrow {
                    session: session.clone(),
                    with,
                }],
                dedupe_key: Some(format!("tomorrow:{s}:{p}")),
            });
        }
    }
    outbox::enqueue(c, messages, &reach).await
}

/// Days before the deadline at which a board is reminded.
const REPORT_STEPS: [i64; 3] = [30, 7, 1];

/// The step a reminder `days_left` before the deadline belongs to: the nearest step at or
/// after it, so that a service started late sends one reminder, not every missed one.
fn report_step(days_left: i64) -> Option<i64> {
    REPORT_STEPS
        .iter()
        .rev()
        .copied()
        .find(|step| days_left >= 1 && days_left <= *step)
}

async fn report_due(mut c: Conn<'_>, today: NaiveDate) -> Result<usize> {
    use chrono::Datelike;
    let year = today.year() - 1;
    let follow = crate::reports::submissions::follow(c.reborrow(), &AuthUser::system("notify"), year, today).await?;
    let Some(step) = report_step(follow.days_left) else {
        return Ok(0);
    };
    let reach = reach(c.reborrow(), &[RecipientKind::Unit]).await?;
    let messages = follow
        .units
        .iter()
        .filter(|u| u.status != "submitted")
        .map(|u| Outgoing {
            to: RecipientKind::Unit,
            id: u.district_id,
            kind: Kind::ReportDue,
            lines: vec![Line::ReportDue {
                year,
                deadline: follow.deadline,
                days_left: follow.days_left,
            }],
            dedupe_key: Some(format!("report_due:{}:{year}:{step}", u.district_id)),
        })
        .collect();
    outbox::enqueue(c, messages, &reach).await
}

#[cfg(test)]
mod tests {
    use super::report_step;

    #[test]
    fn a_report_reminder_belongs_to_the_nearest_step_and_none_after_the_deadline() {
        assert_eq!(report_step(31), None);
        assert_eq!(report_step(30), Some(30));
        assert_eq!(report_step(8), Some(30));
        assert_eq!(report_step(7), Some(7));
        assert_eq!(report_step(2), Some(7));
        assert_eq!(report_step(1), Some(1));
        assert_eq!(report_step(0), None);
    }
}
