//! Sessions with who takes each or why it is short: a district's year (the board's drill-down
//! from coverage, and its printed month) and a class's (its printed schedule).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::facts::{self, year_bounds};
use crate::db::Conn;
use crate::error::Result;
use crate::on;

pub struct SessionLine {
    pub session_id: i64,
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
    let mut lines = lines(c, Which::District { id: district, from, to }).await?;
    for line in &mut lines {
        line.reason = reasons.get(&line.session_id).cloned().flatten();
    }
    Ok(Some((name, lines)))
}

/// A district's sessions in `[from, to)`, without reasons: its printed month.
pub async fn of_district_between(
    c: Conn<'_>,
    district: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<SessionLine>> {
    lines(c, Which::District { id: district, from, to }).await
}

/// A planned class as its printed schedule names it.
#[derive(sqlx::FromRow)]
pub struct Class {
    pub name: String,
    pub program_name: String,
    pub center_id: i64,
    pub center_name: String,
    /// The unit whose plan holds it.
    pub district_id: i64,
    pub trainees: i64,
}

pub async fn class(c: Conn<'_>, planned_class: i64) -> Result<Option<Class>> {
    Ok(on!(c, |c| {
        sqlx::query_as(
            "SELECT k.name, pr.name AS program_name, k.center_id, ce.name AS center_name, pl.district_id, \
             CAST(k.trainees AS BIGINT) AS trainees \
             FROM planned_class k JOIN plan pl ON pl.plan_id = k.plan_id \
             JOIN program pr ON pr.program_id = k.program_id JOIN center ce ON ce.center_id = k.center_id \
             WHERE k.planned_class_id = $1",
        )
        .bind(planned_class)
        .fetch_optional(&mut *c)
        .await?
    }))
}

/// The sessions of one planned class, in time order.
pub async fn of_class(c: Conn<'_>, planned_class: i64) -> Result<Vec<SessionLine>> {
    lines(c, Which::Class(planned_class)).await
}

/// Which sessions to list: a district's in `[from, to)`, or one planned class's.
enum Which {
    District {
        id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
    Class(i64),
}

impl Which {
    fn condition(&self) -> &'static str {
        match self {
            Which::District { .. } => "s.district_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3",
            Which::Class(_) => "cc.planned_class_id = $1",
        }
    }
}

/// The sessions with their people, without reasons.
async fn lines(mut c: Conn<'_>, which: Which) -> Result<Vec<SessionLine>> {
    let condition = which.condition();
    let rows: Vec<Row> = on!(c.reborrow(), |c| {
        let sql = format!(
            "SELECT s.session_id, s.starts_at, s.ends_at, t.name AS topic_name, \
                    COALESCE(pc.name, b.title) AS part_of, s.venue, s.needs \
             FROM session s JOIN topic t ON t.topic_id = s.topic_id \
             LEFT JOIN course_class cc ON cc.class_id = s.class_id \
             LEFT JOIN planned_class pc ON pc.planned_class_id = cc.planned_class_id \
             LEFT JOIN briefing b ON b.briefing_id = s.briefing_id \
             WHERE {condition} ORDER BY s.starts_at, s.session_id"
        );
        let q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        match &which {
            Which::District { id, from, to } => q.bind(*id).bind(*from).bind(*to),
            Which::Class(id) => q.bind(*id),
        }
        .fetch_all(&mut *c)
        .await?
    });
    let names: Vec<(i64, String)> = on!(c, |c| {
        let sql = format!(
            "SELECT a.session_id, p.full_name FROM assignment a JOIN session s ON s.session_id = a.session_id \
             JOIN person p ON p.person_id = a.person_id LEFT JOIN course_class cc ON cc.class_id = s.class_id \
             WHERE a.to_version IS NULL AND {condition} ORDER BY a.session_id, p.sort_key"
        );
        let q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        match &which {
            Which::District { id, from, to } => q.bind(*id).bind(*from).bind(*to),
            Which::Class(id) => q.bind(*id),
        }
        .fetch_all(&mut *c)
        .await?
    });
    let mut holders: HashMap<i64, Vec<String>> = HashMap::new();
    for (session, name) in names {
        holders.entry(session).or_default().push(name);
    }
    Ok(rows
        .into_iter()
        .map(|r| SessionLine {
            session_id: r.session_id,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            title: match r.part_of {
                Some(part_of) => format!("{} – {part_of}", r.topic_name),
                None => r.topic_name,
            },
            venue: r.venue,
            needs: r.needs,
            holders: holders.remove(&r.session_id).unwrap_or_default(),
            reason: None,
        })
        .collect())
}
