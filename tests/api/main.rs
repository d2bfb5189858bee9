//! API tests: a real server on port 0 over a real database (SQLite, or PostgreSQL when
//! `ROSTER_TEST_POSTGRES` is set).

mod helpers;

mod access;
mod accounts;
mod browser;
mod browser_week;
mod cli;
mod demo;
mod errors;
mod feeds;
mod hardening;
mod headers;
mod import;
mod layering;
mod limits;
mod notifications;
mod openapi;
mod pages;
mod pages_accounts;
mod pages_planning;
mod pages_reference;
mod pages_registry;
mod people;
mod plan_months;
mod planning;
mod print;
mod reference_data;
mod replanning;
mod report_submissions;
mod reports;
mod resilience;
mod schedule_cli;
mod scheduling;
mod smtp_sink;
mod units;

/// The PostgreSQL run must really run on PostgreSQL, never quietly on SQLite.
#[tokio::test]
async fn tests_run_on_the_backend_asked_for() {
    let app = helpers::spawn_app().await;
    match (&app.db, helpers::postgres_server()) {
        (roster::db::Db::Postgres(_), Some(_)) | (roster::db::Db::Sqlite { .. }, None) => {}
        (db, asked) => panic!("asked for {asked:?}, got {db:?}"),
    }
}
