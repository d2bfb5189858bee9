//! The background worker: claims queued solve runs, solves them off the async threads, and
//! keeps each run's progress, best solution so far and heartbeat in the database.
//!
//! Several instances may share one PostgreSQL database: a run is claimed with
//! `FOR UPDATE SKIP LOCKED`, so no two workers take the same one, and a run whose worker
//! stopped beating for [`STALE`] is claimed again. Every write names the worker: one whose run
//! was claimed again by another stops its solver at its next beat and stores nothing, so a run
//! is never solved twice at once for longer than a beat. A database that is briefly away (a
//! lock) costs beats, not the run: the finished answer is stored with retries.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use roster_solver::{Control, Pair, Progress, SolveOptions, Status, format};

use crate::db::{Db, now};
use crate::on;

/// A running solve's worker writes its heartbeat this often, and looks for a cancellation.
const TICK: Duration = Duration::from_secs(1);
/// A run whose heartbeat is older than this lost its worker.
const STALE: Duration = Duration::from_secs(30);
/// How long the finished answer is retried while the database refuses it.
const STORE_FOR: Duration = Duration::from_secs(120);

/// Runs until `stop` is set: claims and solves one run at a time, looking again when `queued`
/// is notified or every two seconds.
pub async fn run(db: Db, queued: Arc<tokio::sync::Notify>, stop: Arc<AtomicBool>) {
    let worker = format!("{}-{:016x}", std::process::id(), rand::random::<u64>());
    while !stop.load(Ordering::Relaxed) {
        match claim(&db, &worker).await {
            Ok(Some((run_id, problem))) => {
                if let Err(e) = solve(&db, &worker, run_id, &problem, &stop).await {
                    tracing::error!(run_id, "solve run failed: {e:#}");
                }
            }
            Ok(None) => {
                tokio::select! {
                    _ = queued.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                }
            }
            Err(e) => {
                tracing::warn!("claiming a solve run: {e}");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
}

/// Takes the oldest queued run (or one whose worker died) for `worker`.
pub async fn claim(db: &Db, worker: &str) -> anyhow::Result<Option<(i64, String)>> {
    let t = now();
    let stale = t - chrono::Duration::from_std(STALE)?;
    let mut conn = db.acquire().await?;
    let skip_locked = match db {
        Db::Postgres(_) => "FOR UPDATE SKIP LOCKED",
        Db::Sqlite { .. } => "",
    };
    let sql = format!(
        "UPDATE solve_run SET status = 'running', worker = $1, started_at = COALESCE(started_at, $2), heartbeat_at = $2 \
         WHERE run_id = (SELECT run_id FROM solve_run WHERE status = 'queued' OR (status = 'running' AND heartbeat_at < $3) \
                         ORDER BY run_id LIMIT 1 {skip_locked}) \
         RETURNING run_id, problem"
    );
    Ok(on!(conn.conn(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(worker)
            .bind(t)
            .bind(stale)
            .fetch_optional(&mut *c)
            .await?
    }))
}

/// What the solver's callback leaves for the next tick.
#[derive(Default)]
struct Latest {
    progress: Option<Progress>,
    /// The best assignment, when it improved since the last tick.
    improved: Option<Vec<Pair>>,
}

/// Stops the solver when dropped: however `solve` ends, no solver outlives it.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Solves a run `worker` claimed, and finishes it: finished, cancelled (keeping the best
/// found) or failed; or, when `stop` is set, back in the queue; or, when another worker claimed
/// it meanwhile, left to that one.
pub async fn solve(db: &Db, worker: &str, run_id: i64, problem_text: &str, stop: &AtomicBool) -> anyhow::Result<()> {
    let run = Run { db, worker, run_id };
    let problem = match format::read_problem(problem_text) {
        Ok(p) => Arc::new(p),
        Err((_, message)) => return run.finish_failed(&message).await,
    };
    let latest = Arc::new(Mutex::new(Latest::default()));
    let sink = latest.clone();
    let control = Control {
        on_progress: Some(Arc::new(move |p: &Progress| {
            let mut l = sink.lock().unwrap_or_else(|e| e.into_inner());
            if p.assignments.is_some() {
                l.improved = p.assignments.clone();
            }
            l.progress = Some(Progress {
                assignments: None,
                ..p.clone()
            });
        })),
        ..Control::default()
    };
    let cancel = control.cancel.clone();
    let _cancel_on_drop = CancelOnDrop(cancel.clone());
    let solving = {
        let problem = problem.clone();
        tokio::task::spawn_blocking(move || {
            roster_solver::solve(
                &problem,
                &SolveOptions {
                    control,
                    ..SolveOptions::default()
                },
            )
        })
    };
    tokio::pin!(solving);
    let mut ticks = tokio::time::interval(TICK);
    let solution = loop {
        tokio::select! {
            done = &mut solving => match done {
                Ok(solution) => break solution,
                // A solver that panicked would panic again: the run fails rather than return
                // to the queue.
                Err(e) => return run.finish_failed(&format!("the solver stopped: {e}")).await,
            },
            _ = ticks.tick() => {
                let (progress, improved) = {
                    let mut l = latest.lock().unwrap_or_else(|e| e.into_inner());
                    (l.progress.clone(), l.improved.take())
                };
                let best = match (&improved, &progress) {
                    (Some(pairs), Some(p)) => roster_solver::assess(&problem, pairs, p.bound)
                        .ok()
                        .filter(|draft| passes_check(run_id, &problem, draft, "a draft found while solving")),
                    _ => None,
                };
                match run.tick(progress.as_ref(), best.as_ref()).await {
                    Ok(Some(cancelled)) => {
                        if cancelled || stop.load(Ordering::Relaxed) {
                            cancel.store(true, Ordering::Relaxed);
                        }
                    }
                    Ok(None) => {
                        tracing::warn!(run_id, "another worker took the run: its solver here stops");
                        return Ok(());
                    }
                    // A missed beat: the next one may pass.
                    Err(e) => tracing::warn!(run_id, "writing a solve run's progress: {e:#}"),
                }
            }
        }
    };
    if stop.load(Ordering::Relaxed) {
        // The service is stopping: the run goes back to the queue, for this or another
        // instance to solve afresh.
        return run.requeue().await;
    }
    for rejected in &solution.stats.rejected {
        tracing::error!(
            run_id,
            answer = rejected.answer,
            violations = ?rejected.violations,
            "the solver refused its own answer, which failed its check; a better one passed"
        );
    }
    if let (Status::Error, Some(e)) = (&solution.status, &solution.error) {
        return run.finish_failed(&e.message).await;
    }
    if !passes_check(run_id, &problem, &solution, "the solver's answer") {
        return run.finish_failed("the solver's answer failed its check").await;
    }
    let text = format::write_solution(&solution);
    let stored = retrying(run_id, || run.finish(&text, &solution)).await?;
    if !stored {
        tracing::warn!(run_id, "another worker took the run before its answer here was stored");
    }
    Ok(())
}

/// Retries a write while the database refuses it, waiting longer each time (up to a few
/// seconds between tries, for [`STORE_FOR`] in all).
async fn retrying<T, F: Future<Output = anyhow::Result<T>>>(
    run_id: i64,
    mut write: impl FnMut() -> F,
) -> anyhow::Result<T> {
    let started = std::time::Instant::now();
    let mut wait = Duration::from_millis(200);
    loop {
        match write().await {
            Ok(done) => return Ok(done),
            Err(e) if started.elapsed() < STORE_FOR => {
                tracing::warn!(run_id, "storing a solve run's answer, trying again in {wait:?}: {e:#}");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(5));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Whether a solution passes the independent checker; one that fails is never stored, and is
/// logged as the solver's defect.
fn passes_check(run_id: i64, problem: &roster_solver::Problem, solution: &roster_solver::Solution, what: &str) -> bool {
    let report = roster_solver::check::check(problem, solution);
    if !report.is_valid() {
        tracing::error!(run_id, violations = ?report.violations, "{what} failed its check and is not kept");
    }
    report.is_valid()
}

/// A run as one worker holds it: every write is refused (changes no row) once another worker
/// has claimed the run.
struct Run<'a> {
    db: &'a Db,
    worker: &'a str,
    run_id: i64,
}

impl Run<'_> {
    /// Writes progress, the best solution so far and the heartbeat; says whether the board
    /// asked to cancel, or gives `None` when the run is no longer this worker's.
    async fn tick(
        &self,
        progress: Option<&Progress>,
        best: Option<&roster_solver::Solution>,
    ) -> anyhow::Result<Option<bool>> {
        let mut conn = self.db.acquire().await?;
        let best = best.map(format::write_solution);
        Ok(on!(conn.conn(), |c| {
            sqlx::query_scalar(
                "UPDATE solve_run SET heartbeat_at = $1, elapsed_seconds = COALESCE($2, elapsed_seconds), \
                 incumbent = COALESCE($3, incumbent), bound = COALESCE($4, bound), solution = COALESCE($5, solution) \
                 WHERE run_id = $6 AND worker = $7 AND status = 'running' RETURNING cancel_requested",
            )
            .bind(now())
            .bind(progress.map(|p| p.elapsed_seconds))
            .bind(progress.map(|p| p.incumbent))
            .bind(progress.map(|p| p.bound))
            .bind(best)
            .bind(self.run_id)
            .bind(self.worker)
            .fetch_optional(&mut *c)
            .await?
        }))
    }

    /// Stores the answer: finished, or cancelled when the board asked; false when the run is
    /// no longer this worker's.
    async fn finish(&self, text: &str, solution: &roster_solver::Solution) -> anyhow::Result<bool> {
        let mut conn = self.db.acquire().await?;
        let stored = on!(conn.conn(), |c| {
            sqlx::query(
                "UPDATE solve_run SET status = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'finished' END, \
                 solution = $1, elapsed_seconds = $2, incumbent = $3, bound = $4, finished_at = $5, heartbeat_at = $5 \
                 WHERE run_id = $6 AND worker = $7 AND status = 'running'",
            )
            .bind(text)
            .bind(solution.stats.solve_seconds)
            .bind(solution.objective)
            .bind(solution.bound)
            .bind(Utc::now())
            .bind(self.run_id)
            .bind(self.worker)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        Ok(stored == 1)
    }

    async fn requeue(&self) -> anyhow::Result<()> {
        let mut conn = self.db.acquire().await?;
        on!(conn.conn(), |c| {
            sqlx::query("UPDATE solve_run SET status = 'queued', worker = NULL WHERE run_id = $1 AND worker = $2")
                .bind(self.run_id)
                .bind(self.worker)
                .execute(&mut *c)
                .await?;
        });
        Ok(())
    }

    async fn finish_failed(&self, message: &str) -> anyhow::Result<()> {
        retrying(self.run_id, || self.mark_failed(message)).await
    }

    async fn mark_failed(&self, message: &str) -> anyhow::Result<()> {
        let mut conn = self.db.acquire().await?;
        on!(conn.conn(), |c| {
            sqlx::query(
                "UPDATE solve_run SET status = 'failed', failure = $1, finished_at = $2 \
                 WHERE run_id = $3 AND worker = $4",
            )
            .bind(message)
            .bind(now())
            .bind(self.run_id)
            .bind(self.worker)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use roster_solver::generate::{Size, generate};
    use roster_solver::{SolveOptions, solve};

    #[test]
    fn a_draft_that_fails_the_check_is_not_kept() {
        let problem = generate(Size {
            people: 20,
            sessions: 40,
            months: 1,
            seed: 2,
        });
        let mut draft = solve(&problem, &SolveOptions::default());
        assert!(super::passes_check(1, &problem, &draft, "a sound draft"));
        let first = draft.assignments[0].clone();
        draft.assignments.push(first);
        assert!(!super::passes_check(
            1,
            &problem,
            &draft,
            "a draft holding one pair twice"
        ));
    }
}
