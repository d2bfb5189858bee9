//! Publishing a draft as the current schedule (one transaction, a new version), and reading
//! the schedule and its versions.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::breaches::{self, BrokenAssignment};
use super::problem::Scope as Period;
use super::runs::{self, SessionChange, by_session, files, latest_version, lock_schedule, not_a_draft, person_ids};
use crate::audit::{self, Actor};
use crate::auth::{AuthUser, Scope};
use crate::db::{Conn, now};
use crate::error::{ApiError, Result};
use crate::on;
use crate::vocab::RunStatus;

#[derive(Debug, Serialize, ToSchema)]
pub struct Version {
    pub id: i64,
    pub run_id: i64,
    pub published_by: String,
    pub published_at: DateTime<Utc>,
    /// Assignments this version added and removed.
    pub added: i64,
    pub removed: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Published {
    #[serde(flatten)]
    pub version: Version,
    /// Every session that changed hands.
    pub changes: Vec<SessionChange>,
}

type VersionRow = (i64, i64, String, DateTime<Utc>, i64, i64);

fn version(r: VersionRow) -> Version {
    Version {
        id: r.0,
        run_id: r.1,
        published_by: r.2,
        published_at: r.3,
        added: r.4,
        removed: r.5,
    }
}

/// Publishes a run's draft (province board only): the API, and the planning page.
pub async fn publish(mut c: Conn<'_>, user: &AuthUser, id: i64) -> Result<Published> {
    user.require_admin()?;
    lock_schedule(c.reborrow()).await?;
    let run = runs::find(c.reborrow(), id).await?;
    let (problem, solution) = files(c.reborrow(), id).await?;
    let solution = match (run.status, solution) {
        (RunStatus::Finished | RunStatus::Cancelled, Some(s)) => s,
        (RunStatus::Published, _) => {
            return Err(ApiError::conflict(
                "already_published",
                "Bản nháp này đã được công bố.",
                "This draft is already published.",
            ));
        }
        (status, _) => return Err(not_a_draft(status)),
    };
    let based_on: i64 = on!(c.reborrow(), |c| {
        sqlx::query_scalar("SELECT based_on_version FROM solve_run WHERE run_id = $1")
            .bind(id)
            .fetch_one(&mut *c)
            .await?
    });
    let latest = latest_version(c.reborrow()).await?;
    if latest != based_on {
        return Err(ApiError::conflict(
            "stale_draft",
            format!(
                "Lịch đã được công bố lại (phiên bản {latest}) sau khi lượt giải này bắt đầu; hãy chạy lượt giải mới."
            ),
            format!("The schedule was published again (version {latest}) after this run started; start a new run."),
        ));
    }
    // The registry may have changed since the run (someone fell ill, a pin was added): the
    // draft is checked against the problem as it would be built now.
    let period = Period {
        from: run.from,
        to: run.to,
        districts: run.district_ids.clone(),
    };
    let current = super::problem::build(c.reborrow(), &period, problem.time_limit_seconds.unwrap_or(60.0))
        .await?
        .problem;
    // Only the run's own sessions are published; around them, what is held now (a published
    // assignment broken since the run is left to be re-planned, not published again).
    let scope = runs::run_sessions(c.reborrow(), &problem, &run).await?;
    let own = |p: &roster_solver::Pair| super::problem::session_id(&p.session).is_some_and(|s| scope.contains(&s));
    let checked: Vec<roster_solver::Pair> = solution
        .assignments
        .iter()
        .filter(|p| own(p))
        .chain(current.pinned.iter().filter(|p| !own(p)))
        .cloned()
        .collect();
    let report = roster_solver::check::check_assignments(&current, &checked);
    if !report.is_valid() {
        return Err(ApiError::conflict(
            "draft_breaks_rule",
            format!("Bản nháp vi phạm quy tắc: {}", report.violations.join("; ")),
            format!("The draft breaks a rule: {}", report.violations.join("; ")),
        ));
    }
    let ids = person_ids(c.reborrow()).await?;
    let draft = by_session(&solution.assignments, &ids);
    let (start, end) = period.instants();
    let current: Vec<(i64, i64, i64)> = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "SELECT a.assignment_id, a.session_id, a.person_id FROM assignment a JOIN session s ON s.session_id = a.session_id \
             WHERE a.to_version IS NULL AND s.starts_at >= $1 AND s.starts_at < $2",
        )
        .bind(start)
        .bind(end)
        .fetch_all(&mut *c)
        .await?
    });
    let mut before: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    let mut removed: Vec<i64> = Vec::new();
    for (assignment, s, q) in current.into_iter().filter(|(_, s, _)| scope.contains(s)) {
        before.entry(s).or_default().insert(q);
        if !draft.get(&s).is_some_and(|people| people.contains(&q)) {
            removed.push(assignment);
        }
    }
    let added: Vec<(i64, i64)> = draft
        .iter()
        .filter(|(s, _)| scope.contains(s))
        .flat_map(|(s, people)| people.iter().map(move |q| (*s, *q)))
        .filter(|(s, q)| !before.get(s).is_some_and(|people| people.contains(q)))
        .collect();
    let changes: Vec<SessionChange> = scope
        .iter()
        .filter_map(|s| {
            let (b, a) = (
                before.get(s).cloned().unwrap_or_default(),
                draft.get(s).cloned().unwrap_or_default(),
            );
            (a != b).then(|| SessionChange {
                session_id: *s,
                before: b.into_iter().collect(),
                after: a.into_iter().collect(),
            })
        })
        .collect();
    let row: VersionRow = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "INSERT INTO schedule_version (run_id, published_by, published_at, added, removed) VALUES ($1, $2, $3, $4, $5) \
             RETURNING version_id, run_id, published_by, published_at, added, removed",
        )
        .bind(id)
        .bind(&user.username)
        .bind(now())
        .bind(added.len() as i64)
        .bind(removed.len() as i64)
        .fetch_one(&mut *c)
        .await?
    });
    let v = version(row);
    write_changes(c.reborrow(), v.id, &removed, &added).await?;
    on!(c.reborrow(), |c| {
        sqlx::query("UPDATE solve_run SET status = 'published' WHERE run_id = $1")
            .bind(id)
            .execute(&mut *c)
            .await?;
        sqlx::query(
            "UPDATE class_request SET status = 'scheduled', updated_at = $2 WHERE status = 'accepted' AND request_id IN \
             (SELECT cc.request_id FROM course_class cc JOIN session s ON s.class_id = cc.class_id \
              JOIN assignment a ON a.session_id = s.session_id WHERE a.from_version = $1)",
        )
        .bind(v.id)
        .bind(now())
        .execute(&mut *c)
        .await?;
    });
    let after: BTreeMap<i64, BTreeSet<i64>> = draft.into_iter().filter(|(s, _)| scope.contains(s)).collect();
    crate::notify::causes::publication(c.reborrow(), &scope, &after, &changes).await?;
    let published = Published { version: v, changes };
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "publish",
        "schedule_version",
        published.version.id,
        None::<&()>,
        Some(&published),
    )
    .await?;
    Ok(published)
}

/// Closes the removed assignments and adds the new ones, in statements of many rows each.
async fn write_changes(mut c: Conn<'_>, version: i64, removed: &[i64], added: &[(i64, i64)]) -> Result<()> {
    for chunk in removed.chunks(500) {
        on!(c.reborrow(), |c| {
            let mut q = sqlx::QueryBuilder::<DB>::new("UPDATE assignment SET to_version = ");
            q.push_bind(version).push(" WHERE assignment_id IN (");
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            q.push(")");
            q.build().execute(&mut *c).await?;
        });
    }
    for chunk in added.chunks(300) {
        on!(c.reborrow(), |c| {
            let mut q = sqlx::QueryBuilder::<DB>::new("INSERT INTO assignment (session_id, person_id, from_version) ");
            q.push_values(chunk, |mut b, (s, p)| {
                b.push_bind(*s).push_bind(*p).push_bind(version);
            });
            q.build().execute(&mut *c).await?;
        });
    }
    Ok(())
}

/// Every published version, newest first.
pub async fn versions(c: Conn<'_>, user: &AuthUser) -> Result<Vec<Version>> {
    user.readable_district()?;
    let rows: Vec<VersionRow> = on!(c, |c| {
        sqlx::query_as(
            "SELECT version_id, run_id, published_by, published_at, added, removed FROM schedule_version ORDER BY version_id DESC",
        )
        .fetch_all(&mut *c)
        .await?
    });
    Ok(rows.into_iter().map(version).collect())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ScheduleQuery {
    /// First day (local).
    from: NaiveDate,
    /// Last day (local).
    to: NaiveDate,
    district_id: Option<i64>,
}

/// A session with who takes it in the published schedule.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduledSession {
    pub session_id: i64,
    pub class_id: Option<i64>,
    pub briefing_id: Option<i64>,
    pub topic_id: i64,
    pub district_id: i64,
    pub venue: String,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub needs: i64,
    pub person_ids: Vec<i64>,
}

/// The district a schedule query reads: the one asked for, which must be the caller's own
/// unless the caller is the province.
fn asked_district(user: &AuthUser, asked: Option<i64>) -> Result<Option<i64>> {
    match user.readable_district()? {
        None => Ok(asked),
        Some(own) if asked.is_none_or(|d| d == own) => Ok(Some(own)),
        Some(_) => Err(ApiError::forbidden()),
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    session_id: i64,
    class_id: Option<i64>,
    briefing_id: Option<i64>,
    topic_id: i64,
    district_id: i64,
    venue: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    needs: i64,
}

/// The published schedule over some days: every session with its people (empty when
/// uncovered). The province sees all districts, a district board and a center their own, a
/// lecturer their own sessions.
pub async fn schedule(mut c: Conn<'_>, user: &AuthUser, q: ScheduleQuery) -> Result<Vec<ScheduledSession>> {
    let period = Period::checked(q.from, q.to, None).map_err(ApiError::in_query)?;
    let (district, person) = match user.scope {
        Scope::Person(p) => (q.district_id, Some(p)),
        _ => (asked_district(user, q.district_id)?, None),
    };
    let (start, end) = period.instants();
    let rows: Vec<SessionRow> = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "SELECT s.session_id, s.class_id, s.briefing_id, s.topic_id, s.district_id, s.venue, s.starts_at, s.ends_at, \
             CAST(s.needs AS BIGINT) AS needs FROM session s \
             WHERE s.starts_at >= $1 AND s.starts_at < $2 AND ($3 IS NULL OR s.district_id = $3) \
             AND ($4 IS NULL OR EXISTS (SELECT 1 FROM assignment a WHERE a.session_id = s.session_id \
                                        AND a.person_id = $4 AND a.to_version IS NULL)) \
             ORDER BY s.starts_at, s.session_id",
        )
        .bind(start)
        .bind(end)
        .bind(district)
        .bind(person)
        .fetch_all(&mut *c)
        .await?
    });
    let held: Vec<(i64, i64)> = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "SELECT a.session_id, a.person_id FROM assignment a JOIN session s ON s.session_id = a.session_id \
             WHERE a.to_version IS NULL AND s.starts_at >= $1 AND s.starts_at < $2 ORDER BY a.person_id",
        )
        .bind(start)
        .bind(end)
        .fetch_all(&mut *c)
        .await?
    });
    let mut people: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (s, p) in held {
        people.entry(s).or_default().push(p);
    }
    Ok(rows
        .into_iter()
        .map(|r| ScheduledSession {
            person_ids: people.remove(&r.session_id).unwrap_or_default(),
            session_id: r.session_id,
            class_id: r.class_id,
            briefing_id: r.briefing_id,
            topic_id: r.topic_id,
            district_id: r.district_id,
            venue: r.venue,
            starts_at: crate::time::local(r.starts_at),
            ends_at: crate::time::local(r.ends_at),
            needs: r.needs,
        })
        .collect())
}

/// Every published assignment of a period that breaks a rule today, by the solver's checker
/// against today's registry, with the rules in words: the sessions to re-plan. The province
/// sees all districts, a district board and a center their own.
pub async fn needing_replanning(c: Conn<'_>, user: &AuthUser, q: ScheduleQuery) -> Result<Vec<BrokenAssignment>> {
    let district = asked_district(user, q.district_id)?;
    let period = Period::checked(q.from, q.to, None).map_err(ApiError::in_query)?;
    broken(c, &period, district).await
}

/// The published assignments of a period (and district) that now break a rule.
pub async fn broken(mut c: Conn<'_>, period: &Period, district: Option<i64>) -> Result<Vec<BrokenAssignment>> {
    let found = super::problem::published_breaches(c.reborrow(), period).await?;
    let (first, last) = (period.from, period.to);
    Ok(breaches::named(c, found)
        .await?
        .into_iter()
        .filter(|b| (first..=last).contains(&b.starts_at.date_naive()))
        .filter(|b| district.is_none_or(|d| d == b.district_id))
        .collect())
}

#[derive(sqlx::FromRow)]
/// A published session of a person's, still to come.
pub struct Upcoming {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub topic_name: String,
    pub part_of: Option<String>,
    pub venue: String,
    pub district_name: String,
}

/// A person's published sessions that have not ended, in time order.
pub async fn upcoming(c: Conn<'_>, person: i64) -> Result<Vec<Upcoming>> {
    Ok(on!(c, |c| {
        sqlx::query_as(
            "SELECT s.starts_at, s.ends_at, t.name AS topic_name, COALESCE(pc.name, b.title) AS part_of, s.venue, \
                    d.name AS district_name \
             FROM assignment a JOIN session s ON s.session_id = a.session_id JOIN topic t ON t.topic_id = s.topic_id \
             JOIN district d ON d.district_id = s.district_id \
             LEFT JOIN course_class cc ON cc.class_id = s.class_id \
             LEFT JOIN planned_class pc ON pc.planned_class_id = cc.planned_class_id \
             LEFT JOIN briefing b ON b.briefing_id = s.briefing_id \
             WHERE a.person_id = $1 AND a.to_version IS NULL AND s.ends_at > $2 ORDER BY s.starts_at",
        )
        .bind(person)
        .bind(Utc::now())
        .fetch_all(&mut *c)
        .await?
    }))
}
