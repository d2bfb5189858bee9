//! Load benchmark: 200 readers and 20 writers at once against the demo province over loopback,
//! for `ROSTER_BENCH_SECONDS` (default 30). Readers list people, open a person and read the
//! districts and topics; writers add and withdraw a person's absence (a transaction, a row
//! lock and an audit entry each). Prints the median, 95th and 99th percentile latency of reads
//! and of writes, and any request that failed.
//!
//! `cargo bench --bench load` runs on SQLite; with `ROSTER_BENCH_POSTGRES=postgres://…/postgres`
//! it runs on a fresh database on that PostgreSQL server instead.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const READERS: usize = 200;
const WRITERS: usize = 20;

#[derive(Default)]
struct Timings {
    reads: Vec<Duration>,
    writes: Vec<Duration>,
    failures: Vec<String>,
}

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::var("ROSTER_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let bench = common::BenchDb::fresh("load").await;
    let (db, backend) = (bench.db.clone(), bench.backend);
    roster::demo::load(&db).await.unwrap();
    let base = common::serve(roster::api::AppState::new(db.clone())).await;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(READERS + WRITERS)
        .build()
        .unwrap();
    let cookie = common::sign_in(&client, &base, "admin", roster::demo::DEMO_PASSWORD).await;
    let people: Value = client
        .get(format!("{base}/api/v1/people?per_page=500"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Arc<Vec<i64>> = Arc::new(
        people["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect(),
    );
    let timings = Arc::new(Mutex::new(Timings::default()));
    let until = Instant::now() + Duration::from_secs(seconds);

    let mut tasks = Vec::new();
    for worker in 0..READERS + WRITERS {
        let (client, base, cookie, ids, timings) = (
            client.clone(),
            base.clone(),
            cookie.clone(),
            ids.clone(),
            timings.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut turn = worker;
            while Instant::now() < until {
                turn += 1;
                let person = ids[turn * 7 % ids.len()];
                let started = Instant::now();
                let outcome = if worker < READERS {
                    let path = match turn % 4 {
                        0 => "/api/v1/people?per_page=50".to_string(),
                        1 => format!("/api/v1/people/{person}"),
                        2 => "/api/v1/districts".to_string(),
                        _ => "/api/v1/topics".to_string(),
                    };
                    let r = client
                        .get(format!("{base}{path}"))
                        .header("cookie", &cookie)
                        .send()
                        .await;
                    let ok = r.as_ref().is_ok_and(|r| r.status().is_success());
                    let body = match r {
                        Ok(r) => r.bytes().await.map(|_| ()).map_err(|e| e.to_string()),
                        Err(e) => Err(e.to_string()),
                    };
                    (ok && body.is_ok())
                        .then_some(())
                        .ok_or(format!("GET {path}: {body:?}"))
                } else {
                    write_absence(&client, &base, &cookie, person, turn).await
                };
                let took = started.elapsed();
                let mut t = timings.lock().unwrap();
                match outcome {
                    Ok(()) if worker < READERS => t.reads.push(took),
                    Ok(()) => t.writes.push(took),
                    Err(e) => t.failures.push(e),
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let mut t = std::mem::take(&mut *timings.lock().unwrap());
    println!("{backend}: {READERS} readers and {WRITERS} writers for {seconds} s over loopback");
    report("reads", &mut t.reads, seconds);
    report("writes (two requests each)", &mut t.writes, seconds);
    println!("failures: {}", t.failures.len());
    for f in t.failures.iter().take(10) {
        println!("  {f}");
    }
    bench.finish().await;
}

/// Adds an absence to a person and withdraws it: a write and a delete.
async fn write_absence(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    person: i64,
    turn: usize,
) -> Result<(), String> {
    let day = 1 + turn % 28;
    let period =
        json!({"start": format!("2031-02-{day:02}T00:00:00+07:00"), "end": format!("2031-02-{day:02}T12:00:00+07:00")});
    let path = format!("{base}/api/v1/people/{person}/unavailability");
    let created = client
        .post(&path)
        .header("cookie", cookie)
        .json(&period)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    match created.status().as_u16() {
        201 => {}
        // Another writer holds that half-day for that person.
        409 => return Ok(()),
        s => return Err(format!("POST {path}: {s} {}", created.text().await.unwrap_or_default())),
    }
    let id = created.json::<Value>().await.map_err(|e| e.to_string())?["id"]
        .as_i64()
        .unwrap();
    let deleted = client
        .delete(format!("{path}/{id}"))
        .header("cookie", cookie)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if deleted.status().is_success() {
        Ok(())
    } else {
        Err(format!("DELETE {path}/{id}: {}", deleted.status()))
    }
}

fn report(what: &str, times: &mut [Duration], seconds: u64) {
    if times.is_empty() {
        println!("{what}: none");
        return;
    }
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)].as_secs_f64() * 1000.0;
    println!(
        "{what}: {} ({:.0}/s), p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        times.len(),
        times.len() as f64 / seconds as f64,
        at(0.50),
        at(0.95),
        at(0.99),
        at(1.0)
    );
}
