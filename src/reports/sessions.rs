//! A district's sessions of a year, each with who takes it or why it is short: the board's
//! drill-down from coverage.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::facts::{self, year_bounds};
use crate::db::Conn;
use crate::error::Result;
use crate::on;

pub struct SessionLine {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The module or resolution, then the class or conference.
    pub title: String,
    pub venue: String,
    pub needs: i64,
    /// The people on it now, in name order.
    pub holders: Vec<String>,
    /// Why it is short (a reason code), when it is.
    pub reason: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    session_id: i64,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    topic_name: String,
    part_of: Option<String>,
    venue: String,
    needs: i64,
}

impl SessionLine {
    /// How many more people it needs.
    pub fn short(&self) -> i64 {
        (self.needs - self.holders.len() as i64).max(0)
    }
}

/// The district's name and its sessions of the year, or `None` for an unknown district.
pub async fn of_district(mut c: Conn<'_>, year: i32, district: i64) -> Result<Option<(String, Vec<SessionLine>)>> {
    let facts = facts::load(c.reborrow(), year, Some(district), chrono::Utc::now()).await?;
    let Some((_, name)) = facts.districts.into_iter().next() else {
        return Ok(None);
    };
    let reasons: HashMap<i64, Option<String>> = facts.sessions.into_iter().map(|s| (s.id, s.reason)).collect();
    let (from, to) = year_bounds(year);
    let rows: Vec<Row> = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "SELECT s.session_id, s.starts_at, s.ends_at, t.name AS topic_name, \
                    COALESCE(pc.name, b.title) AS part_of, s.venue, s.needs \
             FROM session s JOIN topic t ON t.topic_id = s.topic_id \
             LEFT JOIN course_class cc ON cc.class_id = s.class_id \
             LEFT JOIN planned_class pc ON pc.planned_class_id = cc.planned_class_id \
             LEFT JOIN briefing b ON b.briefing_id = s.briefing_id \
             WHERE s.district_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3 ORDER BY s.starts_at, s.session_id",
        )
        .bind(district)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *c)
        .await?
    });
    let names: Vec<(i64, String)> = on!(c, |c| {
        sqlx::query_as(
            "SELECT a.session_id, p.full_name FROM assignment a JOIN session s ON s.session_id = a.session_id \
             JOIN person p ON p.person_id = a.person_id \
             WHERE a.to_version IS NULL AND s.district_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3 \
             ORDER BY a.session_id, p.sort_key",
        )
        .bind(district)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *c)
        .await?
    });
    let mut holders: HashMap<i64, Vec<String>> = HashMap::new();
    for (session, name) in names {
        holders.entry(session).or_default().push(name);
    }
    let lines = rows
        .into_iter()
        .map(|r| SessionLine {
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            title: match r.part_of {
                Some(part_of) => format!("{} – {part_of}", r.topic_name),
                None => r.topic_name,
            },
            venue: r.venue,
            needs: r.needs,
            holders: holders.remove(&r.session_id).unwrap_or_default(),
            reason: reasons.get(&r.session_id).cloned().flatten(),
        })
        .collect();
    Ok(Some((name, lines)))
}
