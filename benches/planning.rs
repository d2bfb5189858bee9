//! Planning benchmark through the HTTP API, on the demo province scaled to a year (over 6,000
//! sessions from 720 classes and 330 briefing sessions):
//! - building the problem from the database (starting a run), solving, storing the draft, and
//!   publishing it;
//! - the notifications of that publication (by e-mail to those with an address, and to a
//!   webhook): how long writing them to the outbox takes (the extra a publication pays) and
//!   when the last was delivered; then the sender's throughput, 2,000 e-mails to an SMTP
//!   server on loopback;
//! - a one-person drop-out: the busiest person falls ill for a week and the board re-plans that
//!   week, end to end (start the run, solve, publish), with how many assignments moved.
//!
//! `cargo bench --bench planning` runs on SQLite; with `ROSTER_BENCH_POSTGRES=postgres://…/postgres`
//! it runs on a fresh database on that PostgreSQL server instead. `ROSTER_BENCH_TIME_LIMIT`
//! sets the year run's time limit in seconds (default 60).

mod common;
// The notification tests' SMTP server; the benchmark uses part of it.
#[allow(dead_code)]
#[path = "../tests/api/smtp_sink.rs"]
mod smtp_sink;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{Datelike, Duration as Days, NaiveDate};
use serde_json::{Value, json};

const CLASSES: usize = 720;
const BRIEFING_SESSIONS_PER_DISTRICT: usize = 30;

struct Api {
    base: String,
    client: reqwest::Client,
    cookie: String,
}

impl Api {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("cookie", &self.cookie);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }
    async fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).await
    }
    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }
    async fn put(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::PUT, path, Some(body)).await
    }
    /// Polls a run until it is done; returns it.
    async fn settled(&self, run: i64) -> Value {
        loop {
            let r = self.get(&format!("/api/v1/runs/{run}")).await;
            if !matches!(r["status"].as_str(), Some("queued" | "running")) {
                return r;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn ids(list: &Value, pick: impl Fn(&Value) -> bool) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .filter(|x| pick(x))
        .map(|x| x["id"].as_i64().unwrap())
        .collect()
}

#[tokio::main]
async fn main() {
    let time_limit: f64 = std::env::var("ROSTER_BENCH_TIME_LIMIT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60.0);
    let bench = common::BenchDb::fresh("planning").await;
    let (db, backend) = (bench.db.clone(), bench.backend);
    roster::demo::load(&db).await.unwrap();
    let sink = smtp_sink::SmtpSink::start().await;
    let delivery = roster::notify::Delivery {
        senders: 8,
        ..sink.delivery(Duration::ZERO)
    };
    let base = common::serve(roster::api::AppState::new(db.clone()).with_delivery(delivery)).await;
    let (hook, hooked) = webhook_receiver().await;
    let client = reqwest::Client::new();
    let cookie = common::sign_in(&client, &base, "admin", roster::demo::DEMO_PASSWORD).await;
    let api = Api { base, client, cookie };

    // The demo's registry, plus three programs of four two-half-day modules.
    let topics = api.get("/api/v1/topics").await;
    let modules = ids(&topics, |t| t["kind"] == "module");
    let resolutions = ids(&topics, |t| t["kind"] == "resolution");
    let centers = api.get("/api/v1/centers").await;
    let districts = api.get("/api/v1/districts").await;
    let mut programs = Vec::new();
    for p in 0..3 {
        let mods: Vec<Value> = (0..4)
            .map(|m| json!({"topic_id": modules[(p * 4 + m) % modules.len()], "half_days": 2}))
            .collect();
        let created = api
            .post(
                "/api/v1/programs",
                json!({"code": format!("CT{p}"), "name": format!("Chương trình {p}"), "modules": mods}),
            )
            .await;
        programs.push(created["id"].as_i64().unwrap());
    }
    let district_centers: Vec<(i64, i64)> = centers
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "district_center")
        .map(|c| (c["district_id"].as_i64().unwrap(), c["id"].as_i64().unwrap()))
        .collect();

    // Plans for the year after the demo's, approved; every class requested (Monday to Thursday, a week of its own
    // per venue) and accepted.
    // The demo plans the coming year; the benchmark plans the one after.
    let year = chrono::Utc::now().with_timezone(&roster::time::ZONE).year() + 2;
    let january = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
    let first_monday = january + Days::days(i64::from((7 - january.weekday().num_days_from_monday()) % 7));
    let started = Instant::now();
    let per_district = CLASSES.div_ceil(district_centers.len());
    let mut classes = 0;
    for (d, (district, center)) in district_centers.iter().enumerate() {
        // Each class's week of half-days, Monday to Thursday; its months are theirs.
        let monday = |k: usize| first_monday + Days::weeks(((k + d) % 51) as i64);
        let planned: Vec<Value> = (0..per_district)
            .map(|k| {
                let months = [monday(k).month(), (monday(k) + Days::days(3)).month()];
                json!({"program_id": programs[k % 3], "center_id": center, "name": format!("Lớp {k}"),
                       "months": months, "trainees": 50, "women": 22, "ethnic_minority": 9})
            })
            .collect();
        let plan = api
            .post(
                "/api/v1/plans",
                json!({"district_id": district, "year": year, "classes": planned}),
            )
            .await;
        api.post(&format!("/api/v1/plans/{}/approve", plan["id"]), json!({}))
            .await;
        for (k, class) in plan["classes"].as_array().unwrap().iter().enumerate() {
            if classes == CLASSES {
                break;
            }
            let monday = monday(k);
            let slots: Vec<Value> = (0..4)
                .flat_map(|day| {
                    let date = monday + Days::days(day);
                    ["morning", "afternoon"].map(|h| json!({"date": date, "half_day": h}))
                })
                .collect();
            let request = api
                .post(
                    "/api/v1/requests",
                    json!({"planned_class_id": class["id"], "venue": format!("Phòng học số {k}"), "slots": slots}),
                )
                .await;
            api.post(&format!("/api/v1/requests/{}/accept", request["id"]), json!({}))
                .await;
            classes += 1;
        }
    }
    for (d, district) in ids(&districts, |_| true).iter().enumerate() {
        let slots: Vec<Value> = (0..BRIEFING_SESSIONS_PER_DISTRICT)
            .map(|k| {
                let date = first_monday + Days::days(4) + Days::weeks(k as i64 + (d % 3) as i64);
                json!({"date": date, "half_day": if k % 2 == 0 { "morning" } else { "afternoon" }})
            })
            .collect();
        api.post(
            "/api/v1/briefings",
            json!({"topic_id": resolutions[d % resolutions.len()], "district_id": district, "venue": "Hội trường Huyện ủy",
                   "title": "Hội nghị quán triệt nghị quyết", "audience_level": "grassroots", "rapporteurs": 1, "slots": slots}),
        )
        .await;
    }
    let whole_year =
        json!({"from": format!("{year}-01-01"), "to": format!("{year}-12-31"), "time_limit_seconds": time_limit});
    let sessions = api
        .get(&format!("/api/v1/schedule?from={year}-01-01&to={year}-12-31"))
        .await
        .as_array()
        .unwrap()
        .len();
    println!(
        "Backend {backend}; {classes} classes and their requests set up through the API in {:.1} s; {sessions} sessions.",
        started.elapsed().as_secs_f64()
    );

    // The year: build, solve, store, publish.
    let t = Instant::now();
    let run = api.post("/api/v1/runs", whole_year).await["id"].as_i64().unwrap();
    let build = t.elapsed();
    let done = api.settled(run).await;
    let solved = t.elapsed();
    // Every message goes to the webhook too: everyone is reached, with an address or not.
    api.put(
        "/api/v1/notifications/webhook",
        json!({"url": hook, "secret": "khóa-ký-của-phép-đo-0123456789"}),
    )
    .await;
    let t = Instant::now();
    let published = api.post(&format!("/api/v1/runs/{run}/publish"), json!({})).await;
    let publish = t.elapsed();
    let published_at = Instant::now();
    let draft = &done["draft"];
    println!(
        "Year run: problem built and run queued in {:.2} s; solved and draft stored after {:.1} s ({} {}, objective {}, bound {}, {} uncovered); published {} assignments in {:.2} s.",
        build.as_secs_f64(),
        solved.as_secs_f64(),
        done["status"],
        draft["solver_status"],
        draft["objective"],
        draft["bound"],
        draft["uncovered"].as_array().unwrap().len(),
        published["added"],
        publish.as_secs_f64()
    );

    notifications(&db, &sink, &hooked, &done["draft"], &published, published_at).await;
    smtp_throughput(&db, &sink).await;

    // The busiest person of a March week falls ill for that week; the board re-plans the week.
    let week = (
        first_monday + Days::weeks(9),
        first_monday + Days::weeks(9) + Days::days(6),
    );
    let schedule = api
        .get(&format!("/api/v1/schedule?from={}&to={}", week.0, week.1))
        .await;
    let mut load: HashMap<i64, usize> = HashMap::new();
    for s in schedule.as_array().unwrap() {
        for p in s["person_ids"].as_array().unwrap() {
            *load.entry(p.as_i64().unwrap()).or_default() += 1;
        }
    }
    let (&ill, &held) = load.iter().max_by_key(|(id, n)| (**n, -**id)).unwrap();
    api.post(
        &format!("/api/v1/people/{ill}/unavailability"),
        json!({"start": format!("{}T00:00:00+07:00", week.0), "end": format!("{}T00:00:00+07:00", week.1 + Days::days(1)), "reason": "Ốm"}),
    )
    .await;
    let t = Instant::now();
    let replan = api
        .post(
            "/api/v1/runs",
            json!({"from": week.0, "to": week.1, "time_limit_seconds": 30}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let redone = api.settled(replan).await;
    let republished = api.post(&format!("/api/v1/runs/{replan}/publish"), json!({})).await;
    let end_to_end = t.elapsed();
    println!(
        "Drop-out re-plan of the week {} to {} (person {ill} held {held} sessions): {:.2} s end to end ({} {}); {} sessions changed hands, {} assignments added and {} removed.",
        week.0.format("%d/%m"),
        week.1.format("%d/%m/%Y"),
        end_to_end.as_secs_f64(),
        redone["status"],
        redone["draft"]["solver_status"],
        republished["changes"].as_array().unwrap().len(),
        republished["added"],
        republished["removed"],
    );
    assert!(week.0.weekday() == chrono::Weekday::Mon);
    bench.finish().await;
}

/// A webhook receiver on loopback that counts what it is sent; its address and the count.
async fn webhook_receiver() -> (String, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let counted = count.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            counted.fetch_add(1, Ordering::Relaxed);
            async { axum::http::StatusCode::NO_CONTENT }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, count)
}

/// The year's publication's messages: the time to write them (the publication's own step,
/// again in a transaction rolled back, median of five), and the sender's throughput from the
/// publication until the last message arrived.
async fn notifications(
    db: &roster::db::Db,
    sink: &smtp_sink::SmtpSink,
    hooked: &AtomicUsize,
    draft: &Value,
    published: &Value,
    published_at: Instant,
) {
    let session = |v: &Value| v["session_id"].as_i64().unwrap();
    let people = |v: &Value| -> BTreeSet<i64> { v.as_array().unwrap().iter().map(|p| p.as_i64().unwrap()).collect() };
    let changes: Vec<roster::scheduling::runs::SessionChange> = published["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| roster::scheduling::runs::SessionChange {
            session_id: session(c),
            before: people(&c["before"]).into_iter().collect(),
            after: people(&c["after"]).into_iter().collect(),
        })
        .collect();
    let after: BTreeMap<i64, BTreeSet<i64>> = changes
        .iter()
        .map(|c| (c.session_id, c.after.iter().copied().collect()))
        .collect();
    let scope: BTreeSet<i64> = after
        .keys()
        .copied()
        .chain(draft["uncovered"].as_array().unwrap().iter().map(session))
        .collect();
    let mut times = Vec::new();
    let mut written = 0;
    for _ in 0..5 {
        let mut tx = db.begin().await.unwrap();
        let t = Instant::now();
        written = roster::notify::causes::publication(tx.conn(), &scope, &after, &changes)
            .await
            .unwrap();
        times.push(t.elapsed().as_secs_f64());
        drop(tx);
    }
    times.sort_by(f64::total_cmp);
    let expected = db
        .read(async |c| roster::notify::outbox::counts(c).await)
        .await
        .unwrap()
        .iter()
        .map(|(_, n)| *n as usize)
        .sum::<usize>();
    let delivered = || sink.mails().len() + hooked.load(Ordering::Relaxed);
    while delivered() < expected && published_at.elapsed() < Duration::from_secs(600) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = published_at.elapsed().as_secs_f64();
    println!(
        "Notifications of the year's publication: {written} messages written to the outbox in {:.3} s (median of 5; min {:.3} s); \
         {} e-mails and {} webhook posts delivered {took:.1} s after publishing.",
        times[2],
        times[0],
        sink.mails().len(),
        hooked.load(Ordering::Relaxed),
    );
}

/// The sender's throughput to the SMTP server on loopback: 2,000 test messages written at
/// once, timed until the last arrived.
async fn smtp_throughput(db: &roster::db::Db, sink: &smtp_sink::SmtpSink) {
    const MESSAGES: usize = 2000;
    let before = sink.mails().len();
    db.write(async |mut c| {
        for n in 0..MESSAGES {
            let to = format!("nguoi.{n}@soctrang.example.vn");
            roster::notify::outbox::enqueue_test(c.reborrow(), "benchmark", Some(&to)).await?;
        }
        Ok::<_, roster::error::ApiError>(())
    })
    .await
    .unwrap();
    let t = Instant::now();
    while sink.mails().len() < before + MESSAGES && t.elapsed() < Duration::from_secs(600) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let took = t.elapsed().as_secs_f64();
    println!(
        "Sender: {} test e-mails delivered to the SMTP server on loopback in {took:.1} s, {:.0} a second (8 at a time).",
        sink.mails().len() - before,
        (sink.mails().len() - before) as f64 / took
    );
}
