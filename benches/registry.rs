//! Registry benchmarks through the HTTP API, on a real server and database:
//! - importing a 5,000-row XLSX file (end to end: upload, checks, one transaction);
//! - listing and filtering 5,000 people (median and 95th-percentile latency per query).
//!
//! `cargo bench --bench registry` runs on SQLite; with `ROSTER_BENCH_POSTGRES=postgres://…/postgres`
//! it runs on a fresh database on that PostgreSQL server instead.

mod common;

use std::time::{Duration, Instant};

use roster::auth::AuthUser;
use roster::auth::users::{self, NewUser};
use roster::db::Db;
use roster::vocab::UserRole;
use serde_json::{Value, json};

const PEOPLE: usize = 5_000;
const SAMPLES: usize = 200;

const FAMILY: [&str; 14] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Thạch", "Lâm",
];
const MIDDLE: [&str; 8] = ["Văn", "Thị", "Minh", "Ngọc", "Hữu", "Thanh", "Quốc", "Thị Kim"];
const GIVEN: [&str; 20] = [
    "An", "Ánh", "Bình", "Cường", "Dung", "Đức", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Linh", "Minh", "Nga",
    "Phúc", "Quân", "Sơn", "Tâm", "Ưng",
];
const DISTRICTS: [&str; 11] = [
    "Thành phố Sóc Trăng",
    "Huyện Châu Thành",
    "Huyện Kế Sách",
    "Huyện Mỹ Tú",
    "Huyện Cù Lao Dung",
    "Huyện Long Phú",
    "Huyện Mỹ Xuyên",
    "Thị xã Ngã Năm",
    "Huyện Thạnh Trị",
    "Thị xã Vĩnh Châu",
    "Huyện Trần Đề",
];

fn spreadsheet() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let headers = roster::import::Column::ALL.map(roster::import::Column::header);
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for i in 0..PEOPLE {
        let r = i as u32 + 1;
        let khmer = i % 7 == 0;
        let name = format!(
            "{} {} {}",
            FAMILY[i % FAMILY.len()],
            MIDDLE[(i / 3) % MIDDLE.len()],
            GIVEN[(i * 7) % GIVEN.len()]
        );
        let (kind, level) = match i % 4 {
            0 => ("Giảng viên chuyên trách", ""),
            1 => ("Giảng viên kiêm chức", ""),
            2 => ("Giảng viên kiêm chức, Báo cáo viên", "Cấp huyện"),
            _ => ("Báo cáo viên", ["Cơ sở", "Cấp huyện", "Cấp tỉnh"][i % 3]),
        };
        let topics = format!("SC-{:02}, SC-{:02}, NQ-{:02}", i % 10 + 1, (i + 3) % 10 + 1, i % 8 + 1);
        let row = [
            name.as_str(),
            &format!("GV-{i:05}"),
            kind,
            level,
            ["Sơ cấp", "Trung cấp", "Cao cấp"][i % 3],
            DISTRICTS[i % DISTRICTS.len()],
            &topics,
            if khmer {
                "Tiếng Việt, Tiếng Khmer"
            } else {
                "Tiếng Việt"
            },
            if khmer { "Khmer" } else { "Kinh" },
            if i % 5 < 2 { "Nữ" } else { "Nam" },
            &format!("09{:08}", i * 7919 % 100_000_000),
            &format!("gv{i}@soctrang.dcs.vn"),
        ];
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r, c as u16, *v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

struct Bench {
    base: String,
    client: reqwest::Client,
    token: String,
    /// The signed-in browser's session, for the pages.
    cookie: String,
}

impl Bench {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Vec<u8>>) -> (u16, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.header("content-type", "application/json").body(body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// A page as the signed-in browser gets it: its status and size.
    async fn page(&self, path: &str) -> (u16, usize) {
        let resp = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.bytes().await.unwrap().len())
    }
}

fn median_and_p95(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    (samples[samples.len() / 2], samples[samples.len() * 95 / 100])
}

#[tokio::main]
async fn main() {
    let bench = common::BenchDb::fresh("registry").await;
    let (db, backend) = (bench.db.clone(), bench.backend);
    let new = NewUser {
        username: "bench".into(),
        display_name: "Đo hiệu năng".into(),
        password: "mật-khẩu-đo".into(),
        role: UserRole::ProvinceAdmin,
        district_id: None,
        center_id: None,
        person_id: None,
    };
    let cli = AuthUser::system("cli");
    db.write(async |c| users::create(c, &cli, new).await).await.unwrap();
    let base = common::serve(roster::api::AppState::new(db.clone())).await;
    let client = reqwest::Client::new();
    let cookie = common::sign_in(&client, &base, "bench", "mật-khẩu-đo").await;
    let token: Value = client
        .post(format!("{base}/api/v1/tokens"))
        .header("cookie", &cookie)
        .json(&json!({"name": "bench"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let b = Bench {
        base,
        client,
        token: token["token_secret"].as_str().unwrap().to_string(),
        cookie,
    };

    for (i, name) in DISTRICTS.iter().enumerate() {
        let body = json!({"code": format!("D{:02}", i + 1), "name": name})
            .to_string()
            .into_bytes();
        assert_eq!(
            b.call(reqwest::Method::POST, "/api/v1/districts", Some(body)).await.0,
            201
        );
    }
    let topics = (1..=10)
        .map(|i| (format!("SC-{i:02}"), "module"))
        .chain((1..=8).map(|i| (format!("NQ-{i:02}"), "resolution")));
    for (code, kind) in topics {
        let body = json!({"code": code, "name": format!("Chuyên đề {code}"), "kind": kind})
            .to_string()
            .into_bytes();
        assert_eq!(b.call(reqwest::Method::POST, "/api/v1/topics", Some(body)).await.0, 201);
    }

    println!("Roster registry benchmark on {backend}, {PEOPLE} people\n");
    let file = spreadsheet();
    for label in ["import (creates all)", "re-import (unchanged)"] {
        let started = Instant::now();
        let resp = b
            .client
            .post(format!("{}/api/v1/people/import", b.base))
            .bearer_auth(&b.token)
            .header(
                "content-type",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            .body(file.clone())
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let report: Value = resp.json().await.unwrap();
        let elapsed = started.elapsed();
        assert!(status.is_success(), "{report}");
        println!(
            "{label:<28} {:>8.0} ms   {report}   ({} KB file)",
            elapsed.as_secs_f64() * 1000.0,
            file.len() / 1024
        );
    }

    // A server in service has planner statistics (autovacuum gathers them after bulk writes).
    if let Db::Postgres(pool) = &db {
        sqlx::query("ANALYZE").execute(pool).await.unwrap();
    }

    let district = b.call(reqwest::Method::GET, "/api/v1/districts", None).await.1[10]["id"].clone();
    let topics = b.call(reqwest::Method::GET, "/api/v1/topics", None).await.1;
    let topic = topics
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "SC-01")
        .unwrap()["id"]
        .clone();
    let queries = [
        ("first page (50)", "/api/v1/people".to_string()),
        ("page 40 of 50", "/api/v1/people?page=40".to_string()),
        ("district", format!("/api/v1/people?district_id={district}")),
        (
            "role + qualification",
            format!("/api/v1/people?role=lecturer_part_time&qualification_id={topic}"),
        ),
        ("language", "/api/v1/people?language=km&active=true".to_string()),
        (
            "available between",
            "/api/v1/people?available_from=2027-03-01T00:00:00%2B07:00&available_to=2027-03-08T00:00:00%2B07:00"
                .to_string(),
        ),
        ("name search", "/api/v1/people?q=nguyen%20van".to_string()),
        ("500 per page", "/api/v1/people?per_page=500".to_string()),
    ];
    println!("\n{:<24} {:>10} {:>10} {:>8}", "list query", "median", "p95", "total");
    for (label, path) in &queries {
        let mut samples = Vec::with_capacity(SAMPLES);
        let mut total = Value::Null;
        for _ in 0..SAMPLES {
            let started = Instant::now();
            let (status, body) = b.call(reqwest::Method::GET, path, None).await;
            samples.push(started.elapsed());
            assert_eq!(status, 200, "{body}");
            total = body["total"].clone();
        }
        let (median, p95) = median_and_p95(samples);
        println!(
            "{label:<24} {:>8.2} ms {:>7.2} ms {total:>8}",
            median.as_secs_f64() * 1000.0,
            p95.as_secs_f64() * 1000.0
        );
    }

    // The people page over the same 5,000: the list, its counts and the filters' choices.
    println!("\n{:<24} {:>10} {:>10} {:>8}", "people page", "median", "p95", "size");
    for (label, path) in [
        ("first page", "/people"),
        ("name search", "/people?q=nguyen%20van"),
        ("role, page 10", "/people?role=lecturer_part_time&page=10"),
    ] {
        let mut samples = Vec::with_capacity(SAMPLES);
        let mut size = 0;
        for _ in 0..SAMPLES {
            let started = Instant::now();
            let (status, bytes) = b.page(path).await;
            samples.push(started.elapsed());
            assert_eq!(status, 200, "{path}");
            size = bytes;
        }
        let (median, p95) = median_and_p95(samples);
        println!(
            "{label:<24} {:>8.2} ms {:>7.2} ms {:>6} kB",
            median.as_secs_f64() * 1000.0,
            p95.as_secs_f64() * 1000.0,
            size / 1024
        );
    }
    bench.finish().await;
}
