//! Sessions and people as a page names them.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use crate::db::Conn;
use crate::error::Result;
use crate::on;

/// What a session is, for a line of a page or a message.
pub struct SessionLabel {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The module or resolution, then the class or conference.
    pub title: String,
    pub topic: String,
    pub part_of: Option<String>,
    pub venue: String,
    /// Where it is held.
    pub district_id: i64,
    pub district: String,
    pub needs: i64,
    /// The center whose class it is, for a class's session.
    pub center_id: Option<i64>,
    /// The unit whose plan or conference it is.
    pub unit_id: i64,
}

#[derive(sqlx::FromRow)]
struct LabelRow {
    session_id: i64,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    topic: String,
    part_of: Option<String>,
    venue: String,
    district_id: i64,
    district: String,
    needs: i64,
    center_id: Option<i64>,
    unit_id: i64,
}

/// What each of the sessions `ids` is: when, what, where, for whom and how many people it
/// needs.
pub async fn session_labels(c: Conn<'_>, ids: &BTreeSet<i64>) -> Result<HashMap<i64, SessionLabel>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let rows: Vec<LabelRow> = on!(c, |c| {
        // The ids are numbers from the database, joined here: no user text reaches the SQL.
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT s.session_id, s.starts_at, s.ends_at, t.name AS topic, COALESCE(pc.name, b.title) AS part_of, \
                    s.venue, s.district_id, d.name AS district, s.needs, pc.center_id, \
                    COALESCE(pl.district_id, b.district_id, s.district_id) AS unit_id \
             FROM session s JOIN topic t ON t.topic_id = s.topic_id JOIN district d ON d.district_id = s.district_id \
             LEFT JOIN course_class cc ON cc.class_id = s.class_id \
             LEFT JOIN planned_class pc ON pc.planned_class_id = cc.planned_class_id \
             LEFT JOIN plan pl ON pl.plan_id = pc.plan_id \
             LEFT JOIN briefing b ON b.briefing_id = s.briefing_id WHERE s.session_id IN ({list})"
        )))
        .fetch_all(&mut *c)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|r| {
            let title = match &r.part_of {
                Some(p) => format!("{} – {p}", r.topic),
                None => r.topic.clone(),
            };
            let label = SessionLabel {
                starts_at: r.starts_at,
                ends_at: r.ends_at,
                title,
                topic: r.topic,
                part_of: r.part_of,
                venue: r.venue,
                district_id: r.district_id,
                district: r.district,
                needs: r.needs,
                center_id: r.center_id,
                unit_id: r.unit_id,
            };
            (r.session_id, label)
        })
        .collect())
}

/// Every person's full name, by id.
pub async fn person_names(c: Conn<'_>) -> Result<HashMap<i64, String>> {
    Ok(on!(c, |c| {
        sqlx::query_as::<_, (i64, String)>("SELECT person_id, full_name FROM person")
            .fetch_all(&mut *c)
            .await?
    })
    .into_iter()
    .collect())
}
