//! The database briefly away: writes are told `busy`, the solve-run worker keeps its answer,
//! and a worker whose run was taken by another stores nothing.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use roster::scheduling::worker;
use serde_json::json;
use sqlx::Connection;

use crate::helpers::{Caller, TestApp, spawn_app_without_worker};
use crate::planning::planning;
use crate::scheduling::{march, sessions, start_run};

/// Holds the database's write lock (SQLite) or the tables' locks (PostgreSQL) until dropped.
enum Lock {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl Lock {
    async fn take(app: &TestApp) -> Lock {
        if app.database_url.starts_with("sqlite") {
            let mut c = sqlx::SqliteConnection::connect(&app.database_url).await.unwrap();
            sqlx::query("BEGIN IMMEDIATE").execute(&mut c).await.unwrap();
            Lock::Sqlite(c)
        } else {
            let mut c = sqlx::PgConnection::connect(&app.database_url).await.unwrap();
            sqlx::query("BEGIN").execute(&mut c).await.unwrap();
            sqlx::query("LOCK TABLE solve_run, district IN EXCLUSIVE MODE")
                .execute(&mut c)
                .await
                .unwrap();
            Lock::Postgres(c)
        }
    }

    async fn release(self) {
        match self {
            Lock::Sqlite(mut c) => sqlx::query("ROLLBACK").execute(&mut c).await.map(drop),
            Lock::Postgres(mut c) => sqlx::query("ROLLBACK").execute(&mut c).await.map(drop),
        }
        .unwrap();
    }
}

async fn status_and_worker(app: &TestApp, admin: &Caller, run: i64) -> (String, Option<String>) {
    let r = admin.get(&format!("/api/v1/runs/{run}")).await.ok(200).clone();
    let worker: Option<String> = app
        .db
        .read(async |c| {
            Ok::<_, sqlx::Error>(roster::on!(c, |c| {
                sqlx::query_scalar("SELECT worker FROM solve_run WHERE run_id = $1")
                    .bind(run)
                    .fetch_one(&mut *c)
                    .await?
            }))
        })
        .await
        .unwrap();
    (r["status"].as_str().unwrap().to_string(), worker)
}

/// A lock longer than the database's wait (10 s): the write in its way is a 503 `busy` with
/// `Retry-After`, and the run solved meanwhile is stored once the lock is gone.
#[tokio::test]
async fn a_lock_makes_writes_busy_and_the_worker_stores_its_answer_after_it() {
    let app = spawn_app_without_worker().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    let run = start_run(&p.admin, march()).await;
    let (claimed, problem) = worker::claim(&app.db, "w1").await.unwrap().unwrap();
    assert_eq!(claimed, run);

    let lock = Lock::take(&app).await;
    let db = app.db.clone();
    let solving = tokio::spawn(async move { worker::solve(&db, "w1", run, &problem, &AtomicBool::new(false)).await });
    let refused = p
        .admin
        .post("/api/v1/districts", json!({"code": "D99", "name": "Huyện Mới"}))
        .await;
    refused.problem(503, "busy");
    assert!(refused.headers.contains_key("retry-after"));
    tokio::time::sleep(Duration::from_secs(1)).await;
    lock.release().await;

    solving.await.unwrap().unwrap();
    assert_eq!(status_and_worker(&app, &p.admin, run).await.0, "finished");
    assert!(
        p.admin
            .get("/api/v1/districts")
            .await
            .ok(200)
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["code"] != "D99"),
        "the refused write changed nothing"
    );
}

#[tokio::test]
async fn a_worker_whose_run_was_taken_by_another_stores_nothing() {
    let app = spawn_app_without_worker().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    let run = start_run(&p.admin, march()).await;
    let (_, problem) = worker::claim(&app.db, "w1").await.unwrap().unwrap();
    // Its heartbeat was missed long enough for another instance to claim it.
    app.db
        .write(async |c| {
            roster::on!(c, |c| {
                sqlx::query("UPDATE solve_run SET worker = 'w2' WHERE run_id = $1")
                    .bind(run)
                    .execute(&mut *c)
                    .await?;
            });
            Ok::<_, sqlx::Error>(())
        })
        .await
        .unwrap();
    worker::solve(&app.db, "w1", run, &problem, &AtomicBool::new(false))
        .await
        .unwrap();
    assert_eq!(
        status_and_worker(&app, &p.admin, run).await,
        ("running".to_string(), Some("w2".to_string())),
        "the run stays w2's to solve"
    );
    let draft = p.admin.get(&format!("/api/v1/runs/{run}")).await.ok(200)["draft"].clone();
    assert!(draft.is_null(), "{draft}");
}
