//! Web page benchmark: the demo province's coming year, solved and published, then the boards'
//! pages over that whole year timed over loopback (the server's time plus a local round trip):
//! coverage by district and month, one district's sessions, the yearly report page and its XLSX,
//! and the lists of the daily work: people, plans, requests and briefings.
//!
//! `cargo bench --bench pages` runs on SQLite; with `ROSTER_BENCH_POSTGRES=postgres://…/postgres`
//! it runs on a fresh database on that PostgreSQL server instead.

mod common;

use std::time::{Duration, Instant};

use chrono::Datelike;
use serde_json::{Value, json};

const ROUNDS: usize = 200;

#[tokio::main]
async fn main() {
    let bench = common::BenchDb::fresh("pages").await;
    let (db, backend) = (bench.db.clone(), bench.backend);
    roster::demo::load(&db).await.unwrap();
    let base = common::serve(roster::api::AppState::new(db.clone())).await;
    let client = reqwest::Client::new();
    let cookie = common::sign_in(&client, &base, "admin", roster::demo::DEMO_PASSWORD).await;
    let get = |path: String| {
        let (client, base, cookie) = (client.clone(), base.clone(), cookie.clone());
        async move {
            let resp = client
                .get(format!("{base}{path}"))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            assert!(resp.status().is_success(), "{path}: {}", resp.status());
            resp.bytes().await.unwrap()
        }
    };
    let post = |path: &str, body: Value| {
        client
            .post(format!("{base}{path}"))
            .header("cookie", &cookie)
            .json(&body)
            .send()
    };

    // The demo plans the coming year: solve all of it and publish.
    let year = chrono::Utc::now().year() + 1;
    let run: Value = post(
        "/api/v1/runs",
        json!({"from": format!("{year}-01-01"), "to": format!("{year}-12-31"), "time_limit_seconds": 120}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let id = run["id"].as_i64().unwrap();
    let detail = loop {
        let r: Value = serde_json::from_slice(&get(format!("/api/v1/runs/{id}")).await).unwrap();
        if !matches!(r["status"].as_str(), Some("queued" | "running")) {
            break r;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(detail["status"], "finished", "{detail}");
    let status = post(&format!("/api/v1/runs/{id}/publish"), json!({}))
        .await
        .unwrap()
        .status();
    assert!(status.is_success());
    let coverage: Value = serde_json::from_slice(&get(format!("/api/v1/reports/coverage?year={year}")).await).unwrap();
    let district = coverage["districts"][0]["district_id"].as_i64().unwrap();
    println!(
        "Demo province, {year} solved ({}) and published: {} sessions in {} districts; {backend}, {ROUNDS} requests each.\n",
        detail["draft"]["solver_status"],
        coverage["total"]["sessions"],
        coverage["districts"].as_array().unwrap().len()
    );
    println!("| page | median | 95th percentile | size |");
    println!("|---|---|---|---|");
    for path in [
        format!("/coverage?year={year}"),
        format!("/coverage/district/{district}?year={year}"),
        format!("/report?year={year}"),
        format!("/api/v1/reports/yearly?year={year}&format=xlsx"),
        "/people".to_string(),
        "/people?q=nguyen&role=rapporteur".to_string(),
        format!("/plans?year={year}"),
        "/requests".to_string(),
        "/briefings".to_string(),
    ] {
        let mut times = Vec::with_capacity(ROUNDS);
        let mut size = 0;
        for _ in 0..ROUNDS {
            let start = Instant::now();
            size = get(path.clone()).await.len();
            times.push(start.elapsed());
        }
        times.sort();
        println!(
            "| `{path}` | {:.1} ms | {:.1} ms | {} kB |",
            times[ROUNDS / 2].as_secs_f64() * 1000.0,
            times[ROUNDS * 95 / 100].as_secs_f64() * 1000.0,
            size / 1024
        );
    }
    bench.finish().await;
}
