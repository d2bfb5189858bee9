//! What a year's reports count, read once from the database: the year's sessions with who
//! takes them now and why the rest are uncovered, its approved plans' classes and its briefings.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};

use crate::db::Conn;
use crate::error::Result;
use crate::on;
use crate::time::ZONE;

pub struct Facts {
    /// The districts reported on, in code order: (id, name).
    pub districts: Vec<(i64, String)>,
    pub sessions: Vec<SessionFact>,
    /// The classes of the year whose every session (in any district) has taken place with
    /// its people.
    pub held_classes: HashSet<i64>,
    /// The classes whose every session has its people but some are still to come.
    pub staffed_classes: HashSet<i64>,
    pub planned_classes: Vec<PlannedClass>,
    pub briefings: HashMap<i64, Briefing>,
}

pub struct SessionFact {
    pub id: i64,
    pub district_id: i64,
    /// 1-12, local time.
    pub month: u32,
    pub hours: f64,
    pub needs: i64,
    pub class_id: Option<i64>,
    pub briefing_id: Option<i64>,
    /// Whether it is over.
    pub ended: bool,
    pub holders: Vec<Holder>,
    /// Why it is short of people, from the last published run that decided it; `None` when
    /// it is fully staffed, [`NOT_SCHEDULED`] when no published run has seen it.
    pub reason: Option<String>,
}

impl SessionFact {
    pub fn covered(&self) -> bool {
        self.holders.len() as i64 >= self.needs
    }
}

/// The reason of a short session no published run has decided.
pub const NOT_SCHEDULED: &str = "not_scheduled";

pub struct Holder {
    pub person_id: i64,
    pub full_time: bool,
    pub rapporteur_level: Option<String>,
}

pub struct PlannedClass {
    /// The plan's district.
    pub district_id: i64,
    pub program_code: String,
    pub program_name: String,
    pub trainees: i64,
    pub women: i64,
    pub ethnic_minority: i64,
    /// The class made from its accepted request, if any.
    pub class_id: Option<i64>,
}

pub struct Briefing {
    pub district_id: i64,
    pub topic_code: String,
    pub topic_name: String,
}

/// The instants a local calendar year starts and ends.
pub fn year_bounds(year: i32) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = |y: i32| {
        let day = NaiveDate::from_ymd_opt(y, 1, 1)
            .expect("a valid year")
            .and_hms_opt(0, 0, 0)
            .expect("midnight");
        ZONE.from_local_datetime(&day)
            .single()
            .expect("no clock change")
            .with_timezone(&Utc)
    };
    (start(year), start(year + 1))
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    session_id: i64,
    district_id: i64,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    needs: i64,
    class_id: Option<i64>,
    briefing_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct HolderRow {
    session_id: i64,
    person_id: i64,
    full_time: bool,
    rapporteur_level: Option<String>,
}

#[derive(sqlx::FromRow)]
struct PlannedClassRow {
    district_id: i64,
    program_code: String,
    program_name: String,
    trainees: i64,
    women: i64,
    ethnic_minority: i64,
    class_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct BriefingRow {
    briefing_id: i64,
    district_id: i64,
    topic_code: String,
    topic_name: String,
}

/// The facts of `year` as of `now`, for one district or (`None`) the whole province.
pub async fn load(mut c: Conn<'_>, year: i32, district: Option<i64>, now: DateTime<Utc>) -> Result<Facts> {
    let (from, to) = year_bounds(year);
    let in_scope = |d: i64| district.is_none_or(|only| only == d);
    let districts: Vec<(i64, String)> = on!(c.reborrow(), |c| {
        sqlx::query_as("SELECT district_id, name FROM district ORDER BY code")
            .fetch_all(&mut *c)
            .await?
    });
    let sessions: Vec<SessionRow> = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "SELECT session_id, district_id, starts_at, ends_at, needs, class_id, briefing_id FROM session \
             WHERE starts_at >= $1 AND starts_at < $2 ORDER BY starts_at, session_id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&mut *c)
        .await?
    });
    let holders: Vec<HolderRow> = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "SELECT a.session_id, a.person_id, p.rapporteur_level, \
                    EXISTS (SELECT 1 FROM person_role r WHERE r.person_id = a.person_id AND r.role = 'lecturer_full_time') AS full_time \
             FROM assignment a JOIN session s ON s.session_id = a.session_id JOIN person p ON p.person_id = a.person_id \
             WHERE a.to_version IS NULL AND s.starts_at >= $1 AND s.starts_at < $2",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&mut *c)
        .await?
    });
    let planned: Vec<PlannedClassRow> = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "SELECT pl.district_id, pr.code AS program_code, pr.name AS program_name, pc.trainees, pc.women, \
                    pc.ethnic_minority, cc.class_id \
             FROM planned_class pc JOIN plan pl ON pl.plan_id = pc.plan_id JOIN program pr ON pr.program_id = pc.program_id \
             LEFT JOIN course_class cc ON cc.planned_class_id = pc.planned_class_id \
             WHERE pl.year = $1 AND pl.status = 'approved' ORDER BY pr.code, pc.planned_class_id",
        )
        .bind(year)
        .fetch_all(&mut *c)
        .await?
    });
    let briefings: Vec<BriefingRow> = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "SELECT b.briefing_id, b.district_id, t.code AS topic_code, t.name AS topic_name \
             FROM briefing b JOIN topic t ON t.topic_id = b.topic_id \
             WHERE b.briefing_id IN (SELECT briefing_id FROM session WHERE starts_at >= $1 AND starts_at < $2)",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&mut *c)
        .await?
    });
    let reasons = reasons(c, year).await?;

    let mut by_session: HashMap<i64, Vec<Holder>> = HashMap::new();
    for h in holders {
        by_session.entry(h.session_id).or_default().push(Holder {
            person_id: h.person_id,
            full_time: h.full_time,
            rapporteur_level: h.rapporteur_level,
        });
    }
    // A class is staffed when every one of its sessions has its people, wherever they meet
    // (the district filter below must not hide a class's sessions in another district), and
    // held once they have all taken place.
    let mut short_classes: HashSet<i64> = HashSet::new();
    let mut coming_classes: HashSet<i64> = HashSet::new();
    let mut classes_with_sessions: HashSet<i64> = HashSet::new();
    for s in &sessions {
        if let Some(class) = s.class_id {
            classes_with_sessions.insert(class);
            let staffed = by_session.get(&s.session_id).map_or(0, Vec::len) as i64;
            if staffed < s.needs {
                short_classes.insert(class);
            }
            if s.ends_at > now {
                coming_classes.insert(class);
            }
        }
    }
    let (staffed_classes, held_classes) = classes_with_sessions
        .difference(&short_classes)
        .copied()
        .partition(|c| coming_classes.contains(c));
    let sessions = sessions
        .into_iter()
        .filter(|s| in_scope(s.district_id))
        .map(|s| {
            let mut fact = SessionFact {
                id: s.session_id,
                district_id: s.district_id,
                month: s.starts_at.with_timezone(&ZONE).month(),
                hours: (s.ends_at - s.starts_at).num_minutes() as f64 / 60.0,
                needs: s.needs,
                class_id: s.class_id,
                briefing_id: s.briefing_id,
                ended: s.ends_at <= now,
                holders: by_session.remove(&s.session_id).unwrap_or_default(),
                reason: None,
            };
            if !fact.covered() {
                fact.reason = Some(
                    reasons
                        .get(&s.session_id)
                        .cloned()
                        .unwrap_or_else(|| NOT_SCHEDULED.to_string()),
                );
            }
            fact
        })
        .collect();
    Ok(Facts {
        districts: districts.into_iter().filter(|(id, _)| in_scope(*id)).collect(),
        sessions,
        held_classes,
        staffed_classes,
        planned_classes: planned
            .into_iter()
            .filter(|p| in_scope(p.district_id))
            .map(|p| PlannedClass {
                district_id: p.district_id,
                program_code: p.program_code,
                program_name: p.program_name,
                trainees: p.trainees,
                women: p.women,
                ethnic_minority: p.ethnic_minority,
                class_id: p.class_id,
            })
            .collect(),
        briefings: briefings
            .into_iter()
            .filter(|b| in_scope(b.district_id))
            .map(|b| {
                (
                    b.briefing_id,
                    Briefing {
                        district_id: b.district_id,
                        topic_code: b.topic_code,
                        topic_name: b.topic_name,
                    },
                )
            })
            .collect(),
    })
}

/// Why each session of `year` was last left short: from the newest published run over a
/// period in that year that had it in its problem (its draft as published, hand changes
/// included). Session ids are `S<id>`.
async fn reasons(c: Conn<'_>, year: i32) -> Result<HashMap<i64, String>> {
    let (first, last) = (
        NaiveDate::from_ymd_opt(year, 1, 1).expect("a valid year"),
        NaiveDate::from_ymd_opt(year, 12, 31).expect("a valid year"),
    );
    let solutions: Vec<Option<String>> = on!(c, |c| {
        sqlx::query_scalar(
            "SELECT r.solution FROM schedule_version v JOIN solve_run r ON r.run_id = v.run_id \
             WHERE r.period_start <= $2 AND r.period_end >= $1 ORDER BY v.version_id DESC",
        )
        .bind(first)
        .bind(last)
        .fetch_all(&mut *c)
        .await?
    });
    let mut decided: HashMap<i64, Option<String>> = HashMap::new();
    for text in solutions.into_iter().flatten() {
        let solution = roster_solver::format::read_solution(&text)
            .map_err(|e| anyhow::anyhow!("a published run's solution: {e}"))?;
        let id = |s: &str| s.strip_prefix('S').and_then(|n| n.parse::<i64>().ok());
        let short: HashMap<i64, String> = solution
            .uncovered
            .iter()
            .filter_map(|u| {
                Some((
                    id(&u.session)?,
                    serde_json::to_value(u.reason.code).ok()?.as_str()?.to_string(),
                ))
            })
            .collect();
        for pair in &solution.assignments {
            if let Some(s) = id(&pair.session) {
                decided.entry(s).or_insert_with(|| short.get(&s).cloned());
            }
        }
        for (s, code) in short {
            decided.entry(s).or_insert(Some(code));
        }
    }
    Ok(decided.into_iter().filter_map(|(s, code)| Some((s, code?))).collect())
}
