//! The yearly report through the API: its figures after a publication, as JSON, CSV and XLSX
//! read back, and who may read it.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use reqwest::header;
use roster::vocab::UserRole;
use serde_json::{Value, json};

use crate::helpers::spawn_app;
use crate::planning::planning;
use crate::scheduling::{publish_march, sessions};

fn briefing(p: &crate::planning::Planning, date: &str, language: Option<&str>) -> Value {
    json!({"topic_id": p.w.resolution, "district_id": p.w.d2, "venue": "Nhà văn hóa xã Trung Bình",
           "title": "Học tập Nghị quyết", "audience_level": "grassroots", "rapporteurs": 1,
           "language": language, "language_required": language.is_some(),
           "slots": [{"date": date, "half_day": "afternoon"}]})
}

#[tokio::test]
async fn the_yearly_report_counts_what_was_published_and_reads_back_from_csv_and_xlsx() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    // In D11 besides: a briefing in Chinese, which nobody speaks, and one in April, outside
    // the run.
    for (date, language) in [("2027-03-03", Some("zh")), ("2027-04-05", None)] {
        p.admin
            .post("/api/v1/briefings", briefing(&p, date, language))
            .await
            .ok(201);
    }
    publish_march(&p.admin, None).await;

    let report = p.admin.get("/api/v1/reports/yearly?year=2027").await.ok(200).clone();
    let d1 = &report["districts"][0];
    assert_eq!(d1["district_name"], "Thành phố Sóc Trăng");
    assert_eq!(
        d1["programs"],
        json!([{"program_code": "SCLLCT", "program_name": "Sơ cấp lý luận chính trị", "classes_planned": 1,
                "planned_trainees": 60, "planned_women": 25, "planned_ethnic_minority": 18,
                "classes_staffed": 1, "classes_held": 0, "trainees": 0, "women": 0, "ethnic_minority": 0}]),
        "staffed, but its sessions are still to come"
    );
    assert_eq!(d1["full_time"], json!({"sessions": 2, "hours": 7.0}));
    assert_eq!(d1["part_time"], json!({"sessions": 0, "hours": 0.0}));
    assert_eq!(
        (d1["sessions"].as_i64(), d1["covered_sessions"].as_i64()),
        (Some(2), Some(2))
    );
    assert_eq!(d1["coverage_rate"], 1.0);
    let d2 = &report["districts"][1];
    assert_eq!(d2["district_name"], "Huyện Trần Đề");
    assert_eq!(d2["rapporteurs"], json!({"sessions": 1, "hours": 3.5}));
    assert_eq!(
        d2["resolutions"],
        json!([{"topic_code": "NQ-TW8-XIII", "topic_name": "Nghị quyết Trung ương 8 khóa XIII",
                "conferences_planned": 3, "conferences_staffed": 1, "conferences_held": 0, "rapporteurs_grassroots": 0,
                "rapporteurs_district": 0, "rapporteurs_province": 1}])
    );
    assert_eq!(
        (d2["sessions"].as_i64(), d2["covered_sessions"].as_i64()),
        (Some(3), Some(1))
    );
    assert_eq!(
        d2["uncovered_by_reason"],
        json!({"no_qualified_person": 1, "not_scheduled": 1})
    );
    let total = &report["total"];
    assert_eq!(
        (total["sessions"].as_i64(), total["covered_sessions"].as_i64()),
        (Some(5), Some(3))
    );
    assert_eq!(total["coverage_rate"], 0.6);

    // CSV: a byte-order mark, then the summary with the same figures.
    let csv = p.admin.get("/api/v1/reports/yearly?year=2027&format=csv").await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(csv.bytes.starts_with(b"\xEF\xBB\xBF"));
    let mut reader = csv::Reader::from_reader(&csv.bytes[3..]);
    let columns: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let cell = |row: usize, column: &str| rows[row][columns.iter().position(|c| c == column).unwrap()].clone();
    assert_eq!(rows.len(), 3, "two districts and the province");
    assert_eq!(cell(0, "Đơn vị"), "Thành phố Sóc Trăng");
    assert_eq!(cell(0, "Học viên dân tộc thiểu số theo kế hoạch"), "18");
    assert_eq!(cell(0, "Lớp đã xếp đủ người, chưa học xong"), "1");
    assert_eq!(cell(0, "Học viên dân tộc thiểu số đã học"), "0");
    assert_eq!(cell(0, "Giờ giảng viên chuyên trách"), "7.0");
    assert_eq!(cell(1, "Buổi thiếu người: Không có người đủ chuẩn"), "1");
    assert_eq!(cell(1, "Buổi thiếu người: Chưa xếp lịch"), "1");
    assert_eq!(
        (cell(2, "Đơn vị"), cell(2, "Tỉ lệ bao phủ")),
        ("Toàn tỉnh".into(), "60.0".into())
    );

    // XLSX, read back with calamine.
    let xlsx = p.admin.get("/api/v1/reports/yearly?year=2027&format=xlsx").await;
    assert_eq!(
        xlsx.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"bao-cao-nam-2027.xlsx\""
    );
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(xlsx.bytes.clone())).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["Tổng hợp", "Lớp theo chương trình", "Hội nghị theo nghị quyết"]
    );
    let summary = book.worksheet_range("Tổng hợp").unwrap();
    let at = |r: u32, c: u32| summary.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(at(2, 0), Data::String("Đơn vị".into()));
    assert_eq!(at(3, 0), Data::String("Thành phố Sóc Trăng".into()));
    assert_eq!(at(3, 2), Data::Float(60.0), "trainees planned");
    assert_eq!(at(3, 5), Data::Float(1.0), "staffed, still to come");
    assert_eq!(at(3, 11), Data::Float(7.0), "full-time hours");
    assert_eq!(at(5, 21), Data::Float(0.6), "the province's coverage");
    let resolutions = book.worksheet_range("Hội nghị theo nghị quyết").unwrap();
    assert_eq!(
        resolutions.get_value((3, 2)),
        Some(&Data::String("Nghị quyết Trung ương 8 khóa XIII".into()))
    );
    assert_eq!(resolutions.get_value((3, 4)), Some(&Data::Float(1.0)), "staffed");
    assert_eq!(resolutions.get_value((3, 5)), Some(&Data::Float(0.0)), "held");
}

#[tokio::test]
async fn boards_read_their_own_districts_report_only() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    let board = app.account("bt.d11", UserRole::DistrictBoard, Some(p.w.d2)).await;
    let own = board.get("/api/v1/reports/yearly?year=2027").await.ok(200).clone();
    assert_eq!(own["districts"].as_array().unwrap().len(), 1);
    assert_eq!(own["districts"][0]["district_name"], "Huyện Trần Đề");
    // The district's own total is not the province's.
    assert_eq!(own["total"]["district_name"], "Tổng cộng");
    let csv = String::from_utf8(board.get("/api/v1/reports/yearly?year=2027&format=csv").await.bytes).unwrap();
    assert!(!csv.contains("Toàn tỉnh") && csv.contains("Tổng cộng"), "{csv}");
    board
        .get(&format!("/api/v1/reports/yearly?year=2027&district_id={}", p.w.d1))
        .await
        .problem(403, "forbidden");
    let coordinator = app
        .account("tt.d01", UserRole::CenterCoordinator, Some(p.w.center1))
        .await;
    coordinator
        .get("/api/v1/reports/yearly?year=2027")
        .await
        .problem(403, "forbidden");
    let lecturer = app.account("gv.lan", UserRole::Lecturer, Some(p.near)).await;
    lecturer
        .get("/api/v1/reports/yearly?year=2027")
        .await
        .problem(403, "forbidden");
    app.anonymous()
        .get("/api/v1/reports/yearly?year=2027")
        .await
        .problem(401, "unauthorized");
    p.admin
        .get("/api/v1/reports/yearly?year=1999")
        .await
        .problem(400, "invalid_year");
    p.admin
        .get("/api/v1/reports/yearly?year=2027&format=pdf")
        .await
        .problem(400, "invalid_query");
    let one = p
        .admin
        .get(&format!("/api/v1/reports/yearly?year=2027&district_id={}", p.w.d1))
        .await
        .ok(200)
        .clone();
    assert_eq!(one["districts"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_class_meeting_in_another_district_counts_in_its_own_districts_report() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    let (_, planned) = crate::planning::plan(&p, true).await;
    // D01's class meets in D11.
    let mut body = crate::planning::request_body(planned, &[("2027-03-01", "morning"), ("2027-03-01", "afternoon")]);
    body["district_id"] = json!(p.w.d2);
    let request = p.admin.post("/api/v1/requests", body).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    p.admin
        .post(&format!("/api/v1/requests/{request}/accept"), json!({}))
        .await
        .ok(200);
    publish_march(&p.admin, None).await;
    let board = app.account("bt.d01", UserRole::DistrictBoard, Some(p.w.d1)).await;
    let own = board.get("/api/v1/reports/yearly?year=2027").await.ok(200).clone();
    let line = &own["districts"][0]["programs"][0];
    assert_eq!(
        (line["classes_planned"].as_i64(), line["classes_staffed"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(line["planned_trainees"], 60);
    let all = p.admin.get("/api/v1/reports/yearly?year=2027").await.ok(200).clone();
    assert_eq!(
        all["districts"][0]["programs"], own["districts"][0]["programs"],
        "the same as the province's row"
    );
}

/// A class is held once its sessions have taken place with their people (March 2025 is
/// past); the planned classes count their trainees, women and ethnic minorities too.
#[tokio::test]
async fn held_classes_have_taken_place_and_planned_classes_count_their_trainees() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    let class = |name: &str, trainees: i64, women: i64, minority: i64| {
        json!({"program_id": p.program, "center_id": p.w.center1, "name": name, "months": [3],
               "trainees": trainees, "women": women, "ethnic_minority": minority})
    };
    let plan = p
        .admin
        .post(
            "/api/v1/plans",
            json!({"district_id": p.w.d1, "year": 2025,
                   "classes": [class("Lớp 1/2025", 60, 25, 18), class("Lớp 2/2025", 40, 30, 12)]}),
        )
        .await
        .ok(201)
        .clone();
    p.admin
        .post(&format!("/api/v1/plans/{}/approve", plan["id"]), json!({}))
        .await
        .ok(200);
    let request = p
        .admin
        .post(
            "/api/v1/requests",
            crate::planning::request_body(
                plan["classes"][0]["id"].as_i64().unwrap(),
                &[("2025-03-03", "morning"), ("2025-03-03", "afternoon")],
            ),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    p.admin
        .post(&format!("/api/v1/requests/{request}/accept"), json!({}))
        .await
        .ok(200);
    let run = crate::scheduling::start_run(
        &p.admin,
        json!({"from": "2025-03-01", "to": "2025-03-31", "time_limit_seconds": 10}),
    )
    .await;
    crate::scheduling::settled(&p.admin, run).await;
    p.admin
        .post(&format!("/api/v1/runs/{run}/publish"), json!({}))
        .await
        .ok(200);
    let report = p.admin.get("/api/v1/reports/yearly?year=2025").await.ok(200).clone();
    assert_eq!(
        report["total"]["programs"],
        json!([{"program_code": "SCLLCT", "program_name": "Sơ cấp lý luận chính trị", "classes_planned": 2,
                "planned_trainees": 100, "planned_women": 55, "planned_ethnic_minority": 30,
                "classes_staffed": 0, "classes_held": 1, "trainees": 60, "women": 25, "ethnic_minority": 18}])
    );
}
