//! Solve runs: the board starts one over a period (and optionally some districts); the
//! problem is built at once, a worker solves it in the background, and the result is a draft
//! the board reviews, changes by hand within the rules, and publishes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use roster_solver::{Pair, ReasonCode, Solution, Terms, format};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::breaches::{self, BrokenAssignment};
use super::problem::{self, Scope as RunScope, session_id, session_key};
use crate::audit::{self, Actor};
use crate::auth::AuthUser;
use crate::db::{Conn, now};
use crate::error::{ApiError, Result};
use crate::on;
use crate::vocab::RunStatus;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunInput {
    /// First day (local).
    pub from: NaiveDate,
    /// Last day (local), at most 400 days after `from`.
    pub to: NaiveDate,
    /// Only these districts' sessions; all when absent.
    pub district_ids: Option<Vec<i64>>,
    /// 1 to 3600 seconds; 60 when absent.
    pub time_limit_seconds: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RunProgress {
    pub elapsed_seconds: Option<f64>,
    /// The objective of the best assignment so far.
    pub incumbent: Option<i64>,
    /// The best proven lower bound so far.
    pub bound: Option<i64>,
    /// (incumbent − bound) / incumbent.
    pub gap: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Run {
    pub id: i64,
    pub status: RunStatus,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub district_ids: Option<Vec<i64>>,
    pub progress: RunProgress,
    /// Why the run failed.
    pub failure: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DraftAssignment {
    pub session_id: i64,
    pub person_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DraftUncovered {
    pub session_id: i64,
    pub missing: u32,
    #[schema(value_type = String)]
    pub reason: ReasonCode,
    pub detail: String,
}

/// A session whose people differ between the published schedule and the draft.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionChange {
    pub session_id: i64,
    pub before: Vec<i64>,
    pub after: Vec<i64>,
}

/// The result of a run (or its best so far while it runs), limited to what the caller may see.
#[derive(Debug, Serialize, ToSchema)]
pub struct Draft {
    /// `optimal`, or `feasible` with the proven bound.
    #[schema(value_type = String)]
    pub solver_status: roster_solver::Status,
    pub objective: i64,
    pub bound: i64,
    #[schema(value_type = Object)]
    pub objective_terms: Terms,
    pub assignments: Vec<DraftAssignment>,
    pub uncovered: Vec<DraftUncovered>,
    /// What publishing would change.
    pub changes: Vec<SessionChange>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RunDetail {
    #[serde(flatten)]
    pub run: Run,
    /// Published assignments around the run that break a rule today: the run did not hold
    /// them in place (their people's time stays blocked) and left them to be re-planned.
    pub set_aside: Vec<BrokenAssignment>,
    pub draft: Option<Draft>,
}

#[derive(sqlx::FromRow)]
struct Row {
    run_id: i64,
    status: String,
    period_start: NaiveDate,
    period_end: NaiveDate,
    districts: Option<String>,
    elapsed_seconds: Option<f64>,
    incumbent: Option<i64>,
    bound: Option<i64>,
    failure: Option<String>,
    created_by: String,
    created_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "run_id, status, period_start, period_end, districts, elapsed_seconds, incumbent, bound, failure, \
    created_by, created_at, started_at, finished_at";

impl Row {
    fn view(self) -> Result<Run> {
        Ok(Run {
            id: self.run_id,
            status: RunStatus::parse(&self.status).ok_or_else(|| anyhow::anyhow!("run status {:?}", self.status))?,
            from: self.period_start,
            to: self.period_end,
            district_ids: self
                .districts
                .map(|d| d.split(',').filter_map(|x| x.parse().ok()).collect()),
            progress: RunProgress {
                elapsed_seconds: self.elapsed_seconds,
                incumbent: self.incumbent,
                bound: self.bound,
                gap: self
                    .incumbent
                    .zip(self.bound)
                    .map(|(i, b)| if i == 0 { 0.0 } else { (i - b) as f64 / i as f64 }),
            },
            failure: self.failure,
            created_by: self.created_by,
            created_at: self.created_at,
            started_at: self.started_at,
            finished_at: self.finished_at,
        })
    }
}

/// Serialises writers of runs and of the schedule across service instances (SQLite's
/// `BEGIN IMMEDIATE` already does).
pub async fn lock_schedule(c: Conn<'_>) -> Result<()> {
    if let Conn::Postgres(c) = c {
        sqlx::query("SELECT pg_advisory_xact_lock(7214)")
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

/// The latest published version, 0 before the first.
pub async fn latest_version(c: Conn<'_>) -> Result<i64> {
    Ok(on!(c, |c| {
        sqlx::query_scalar("SELECT COALESCE(MAX(version_id), 0) FROM schedule_version")
            .fetch_one(&mut *c)
            .await?
    }))
}

/// Starts a run (province board only): the API, and the planning page.
pub async fn create(mut c: Conn<'_>, user: &AuthUser, body: RunInput) -> Result<Run> {
    user.require_admin()?;
    let time_limit = body.time_limit_seconds.unwrap_or(60.0);
    if !(1.0..=3600.0).contains(&time_limit) {
        return Err(ApiError::invalid(
            "time_limit_seconds",
            "invalid_time_limit",
            "Thời gian giải từ 1 đến 3600 giây.",
            "The time limit is 1 to 3600 seconds.",
        ));
    }
    let mut districts = body.district_ids;
    if let Some(d) = &mut districts {
        d.sort_unstable();
        d.dedup();
    }
    let scope = RunScope::checked(body.from, body.to, districts)?;
    lock_schedule(c.reborrow()).await?;
    if let Some(list) = &scope.districts {
        for (i, d) in list.iter().enumerate() {
            crate::references::require_ref(c.reborrow(), &format!("district_ids[{i}]"), "district", *d).await?;
        }
    }
    let busy: Option<i64> = on!(c.reborrow(), |c| {
        sqlx::query_scalar(
            "SELECT run_id FROM solve_run WHERE status IN ('queued', 'running') AND period_start <= $2 AND $1 <= period_end LIMIT 1",
        )
        .bind(body.from)
        .bind(body.to)
        .fetch_optional(&mut *c)
        .await?
    });
    if let Some(other) = busy {
        return Err(ApiError::conflict(
            "run_in_progress",
            format!("Lượt giải số {other} đang chạy cho khoảng thời gian này; hãy chờ hoặc dừng nó."),
            format!("Run {other} is under way for this period; wait for it or cancel it."),
        ));
    }
    let problem::Built {
        problem: built,
        set_aside,
    } = problem::build(c.reborrow(), &scope, time_limit).await?;
    if let Err(e) = roster_solver::validate(&built) {
        return Err(ApiError::conflict(
            "pin_breaks_rule",
            format!("Không thể lập lịch: {}", e.message),
            format!("Cannot schedule: {}", e.message),
        ));
    }
    let set_aside = breaches::named(c.reborrow(), set_aside).await?;
    let based_on = latest_version(c.reborrow()).await?;
    let districts_text = scope
        .districts
        .as_ref()
        .map(|d| d.iter().map(i64::to_string).collect::<Vec<_>>().join(","));
    let row: Row = on!(c.reborrow(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO solve_run (period_start, period_end, districts, status, based_on_version, problem, set_aside, \
             created_by, created_at) VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7, $8) RETURNING {COLUMNS}"
        )))
        .bind(body.from)
        .bind(body.to)
        .bind(&districts_text)
        .bind(based_on)
        .bind(format::write_problem(&built))
        .bind(serde_json::to_string(&set_aside).map_err(anyhow::Error::from)?)
        .bind(&user.username)
        .bind(now())
        .fetch_one(&mut *c)
        .await?
    });
    let run = row.view()?;
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "create",
        "solve_run",
        run.id,
        None::<&()>,
        Some(&run),
    )
    .await?;
    Ok(run)
}

/// The latest 200 runs, newest first.
pub async fn list(c: Conn<'_>, user: &AuthUser) -> Result<Vec<Run>> {
    user.readable_district()?;
    let rows: Vec<Row> = on!(c, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM solve_run ORDER BY run_id DESC LIMIT 200"
        )))
        .fetch_all(&mut *c)
        .await?
    });
    rows.into_iter().map(Row::view).collect()
}

pub async fn find(c: Conn<'_>, id: i64) -> Result<Run> {
    let row: Option<Row> = on!(c, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM solve_run WHERE run_id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
    });
    row.ok_or_else(|| ApiError::not_found("lượt giải", "Run"))?.view()
}

/// A run's problem and current solution text.
/// The run's `roster-problem/1` file as stored (province board only).
pub async fn problem_file(c: Conn<'_>, user: &AuthUser, id: i64) -> Result<String> {
    user.require_admin()?;
    let text: Option<String> = on!(c, |c| {
        sqlx::query_scalar("SELECT problem FROM solve_run WHERE run_id = $1")
            .bind(id)
            .fetch_optional(&mut *c)
            .await?
    });
    text.ok_or_else(|| ApiError::not_found("lượt giải", "Run"))
}

pub async fn files(c: Conn<'_>, id: i64) -> Result<(roster_solver::Problem, Option<Solution>)> {
    let (problem, solution): (String, Option<String>) = on!(c, |c| {
        sqlx::query_as("SELECT problem, solution FROM solve_run WHERE run_id = $1")
            .bind(id)
            .fetch_optional(&mut *c)
            .await?
            .ok_or_else(|| ApiError::not_found("lượt giải", "Run"))?
    });
    let problem = format::read_problem(&problem).map_err(|(_, m)| anyhow::anyhow!("stored problem: {m}"))?;
    let solution = solution
        .map(|s| format::read_solution(&s).map_err(|m| anyhow::anyhow!("stored solution: {m}")))
        .transpose()?;
    Ok((problem, solution))
}

/// Person ids by the codes used in problem files.
pub async fn person_ids(c: Conn<'_>) -> Result<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = on!(c, |c| {
        sqlx::query_as("SELECT code, person_id FROM person")
            .fetch_all(&mut *c)
            .await?
    });
    Ok(rows.into_iter().collect())
}

/// People per session, as session id → person ids.
pub fn by_session(pairs: &[Pair], ids: &HashMap<String, i64>) -> BTreeMap<i64, BTreeSet<i64>> {
    let mut out: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    for p in pairs {
        if let (Some(s), Some(&q)) = (session_id(&p.session), ids.get(&p.person)) {
            out.entry(s).or_default().insert(q);
        }
    }
    out
}

/// A run with its draft, limited to the sessions of `district` when given.
pub async fn detail(mut c: Conn<'_>, id: i64, district: Option<i64>) -> Result<RunDetail> {
    let run = find(c.reborrow(), id).await?;
    let (problem, solution) = files(c.reborrow(), id).await?;
    let set_aside: Option<String> = on!(c.reborrow(), |c| {
        sqlx::query_scalar("SELECT set_aside FROM solve_run WHERE run_id = $1")
            .bind(id)
            .fetch_one(&mut *c)
            .await?
    });
    let set_aside: Vec<BrokenAssignment> = match set_aside {
        Some(text) => serde_json::from_str(&text).map_err(anyhow::Error::from)?,
        None => Vec::new(),
    };
    let set_aside = set_aside
        .into_iter()
        .filter(|b| district.is_none_or(|d| d == b.district_id))
        .collect();
    let Some(solution) = solution else {
        return Ok(RunDetail {
            run,
            set_aside,
            draft: None,
        });
    };
    let ids = person_ids(c.reborrow()).await?;
    let district_code: Option<String> = match district {
        Some(d) => Some(on!(c.reborrow(), |c| {
            sqlx::query_scalar("SELECT code FROM district WHERE district_id = $1")
                .bind(d)
                .fetch_one(&mut *c)
                .await?
        })),
        None => None,
    };
    // The run's own sessions, of the caller's district when they have one.
    let in_scope = run_sessions(c.reborrow(), &problem, &run).await?;
    let visible: BTreeSet<i64> = problem
        .sessions
        .iter()
        .filter(|s| district_code.as_ref().is_none_or(|d| &s.district == d))
        .filter_map(|s| session_id(&s.id))
        .filter(|s| in_scope.contains(s))
        .collect();
    let draft = by_session(&solution.assignments, &ids);
    let published = by_session(&problem.previous, &ids);
    let changes = visible
        .iter()
        .filter_map(|s| {
            let before = published.get(s).cloned().unwrap_or_default();
            let after = draft.get(s).cloned().unwrap_or_default();
            (before != after).then(|| SessionChange {
                session_id: *s,
                before: before.into_iter().collect(),
                after: after.into_iter().collect(),
            })
        })
        .collect();
    Ok(RunDetail {
        run,
        set_aside,
        draft: Some(Draft {
            solver_status: solution.status,
            objective: solution.objective,
            bound: solution.bound,
            objective_terms: solution.objective_terms,
            assignments: draft
                .iter()
                .filter(|(s, _)| visible.contains(s))
                .flat_map(|(s, people)| {
                    people.iter().map(|q| DraftAssignment {
                        session_id: *s,
                        person_id: *q,
                    })
                })
                .collect(),
            uncovered: solution
                .uncovered
                .into_iter()
                .filter_map(|u| {
                    let s = session_id(&u.session)?;
                    visible.contains(&s).then_some(DraftUncovered {
                        session_id: s,
                        missing: u.missing,
                        reason: u.reason.code,
                        detail: u.reason.detail,
                    })
                })
                .collect(),
            changes,
        }),
    })
}

/// The sessions a run may change: those of its period and districts (the others only hold
/// published assignments in place).
pub async fn run_sessions(c: Conn<'_>, problem: &roster_solver::Problem, run: &Run) -> Result<BTreeSet<i64>> {
    let codes: Option<BTreeSet<String>> = match &run.district_ids {
        None => None,
        Some(ids) => {
            let all: Vec<(i64, String)> = on!(c, |c| {
                sqlx::query_as("SELECT district_id, code FROM district")
                    .fetch_all(&mut *c)
                    .await?
            });
            Some(
                all.into_iter()
                    .filter(|(id, _)| ids.contains(id))
                    .map(|(_, code)| code)
                    .collect(),
            )
        }
    };
    Ok(problem
        .sessions
        .iter()
        .filter(|s| (run.from..=run.to).contains(&s.start.date_naive()))
        .filter(|s| codes.as_ref().is_none_or(|c| c.contains(&s.district)))
        .filter_map(|s| session_id(&s.id))
        .collect())
}

pub async fn get(c: Conn<'_>, user: &AuthUser, id: i64) -> Result<RunDetail> {
    let district = user.readable_district()?;
    detail(c, id, district).await
}

/// Stop a queued or running run; a running one keeps its best solution so far as its draft.
pub async fn cancel(mut c: Conn<'_>, user: &AuthUser, id: i64) -> Result<Run> {
    user.require_admin()?;
    let before = find(c.reborrow(), id).await?;
    let t = now();
    match before.status {
        RunStatus::Queued => on!(c.reborrow(), |c| {
            sqlx::query(
                "UPDATE solve_run SET status = 'cancelled', cancel_requested = TRUE, finished_at = $1 WHERE run_id = $2",
            )
            .bind(t)
            .bind(id)
            .execute(&mut *c)
            .await?;
        }),
        RunStatus::Running => on!(c.reborrow(), |c| {
            sqlx::query("UPDATE solve_run SET cancel_requested = TRUE WHERE run_id = $1")
                .bind(id)
                .execute(&mut *c)
                .await?;
        }),
        done => {
            return Err(ApiError::conflict(
                "run_not_running",
                format!("Lượt giải đã kết thúc ({}); không còn gì để dừng.", done.label()),
                format!("The run is already {}; there is nothing to cancel.", done.as_str()),
            ));
        }
    }
    let after = find(c.reborrow(), id).await?;
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "cancel",
        "solve_run",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftChange {
    /// Everyone the session should have in the draft.
    pub person_ids: Vec<i64>,
}

/// Sets who takes a session in a draft, within the rules (province board only): the API, and
/// the planning page.
pub async fn change(mut c: Conn<'_>, user: &AuthUser, id: i64, session: i64, people: &[i64]) -> Result<RunDetail> {
    user.require_admin()?;
    let run = find(c.reborrow(), id).await?;
    let (problem, solution) = files(c.reborrow(), id).await?;
    let solution = match (run.status, solution) {
        (RunStatus::Finished | RunStatus::Cancelled, Some(s)) => s,
        _ => return Err(not_a_draft(run.status)),
    };
    let key = session_key(session);
    if !problem.sessions.iter().any(|s| s.id == key) {
        return Err(ApiError::not_found("buổi trong lượt giải này", "Session in this run"));
    }
    let ids = person_ids(c.reborrow()).await?;
    let codes: HashMap<i64, &String> = ids.iter().map(|(code, id)| (*id, code)).collect();
    let mut assignments: Vec<Pair> = solution.assignments.into_iter().filter(|p| p.session != key).collect();
    for (i, person) in people.iter().enumerate() {
        let code = codes.get(person).ok_or_else(|| {
            ApiError::invalid(
                format!("person_ids[{i}]"),
                "unknown_reference",
                format!("Không có người với mã số {person}."),
                format!("No person with id {person}."),
            )
        })?;
        assignments.push(Pair {
            session: key.clone(),
            person: (*code).clone(),
        });
    }
    let report = roster_solver::check::check_assignments(&problem, &assignments);
    if !report.is_valid() {
        // The rules the changed session breaks, by person name and in words; the checker's
        // own lines stay in `errors` for API clients.
        let names: HashMap<&str, &str> = problem
            .people
            .iter()
            .map(|p| (p.id.as_str(), p.name.as_str()))
            .collect();
        let found = breaches::find(&problem, &assignments, &breaches::Absences::default());
        let said = |english: bool| {
            let lines: Vec<String> = found
                .iter()
                .filter(|b| b.session == key)
                .flat_map(|b| {
                    let name = names.get(b.person.as_str()).copied().unwrap_or(b.person.as_str());
                    b.rules
                        .iter()
                        .map(move |r| format!("{name}: {}", if english { &r.detail_en } else { &r.detail }))
                })
                .collect();
            if lines.is_empty() {
                report.violations.join("; ")
            } else {
                lines.join(" ")
            }
        };
        return Err(ApiError::invalid(
            "person_ids",
            "breaks_rule",
            format!("Không đổi được: {} Hãy chọn người khác trong danh sách.", said(false)),
            format!("Not changed: {} Choose someone else from the list.", said(true)),
        )
        .with_errors(serde_json::json!(report.violations)));
    }
    let changed = roster_solver::assess(&problem, &assignments, solution.bound)
        .map_err(|e| anyhow::anyhow!("assessing a checked draft: {}", e.message))?;
    on!(c.reborrow(), |c| {
        sqlx::query("UPDATE solve_run SET solution = $1, incumbent = $2, bound = $3 WHERE run_id = $4")
            .bind(format::write_solution(&changed))
            .bind(changed.objective)
            .bind(changed.bound)
            .bind(id)
            .execute(&mut *c)
            .await?;
    });
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "change_draft",
        "solve_run",
        id,
        None::<&()>,
        Some(&serde_json::json!({"session_id": session, "person_ids": people})),
    )
    .await?;
    let after = detail(c.reborrow(), id, None).await?;
    Ok(after)
}

/// Why a run has no draft to change or publish.
pub fn not_a_draft(status: RunStatus) -> ApiError {
    ApiError::conflict(
        "not_a_draft",
        format!(
            "Lượt giải đang ở trạng thái \"{}\"; chưa có (hoặc không còn) bản nháp.",
            status.label()
        ),
        format!("The run is {}; it has no draft to change or publish.", status.as_str()),
    )
}
