//! Party committees directly under the province as plan owners: a kind of unit the province
//! keeps as data, a unit of that kind seated in a district of the travel matrix, its own board,
//! and its class planned, requested, scheduled and reported like a district's.

use reqwest::StatusCode;
use roster::vocab::UserRole;
use serde_json::json;

use crate::helpers::spawn_app;
use crate::pages::Browser;
use crate::planning::{planning, request_body};
use crate::scheduling::{settled, start_run};

#[tokio::test]
async fn a_party_committee_under_the_province_plans_and_is_scheduled_and_reported_like_a_district() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    let outsider = app.account("bt.d11", UserRole::DistrictBoard, Some(p.w.d2)).await;
    let kind_body = json!({"code": "DUTT", "name": "Đảng ủy trực thuộc Tỉnh ủy"});
    outsider
        .post("/api/v1/unit-kinds", kind_body.clone())
        .await
        .problem(403, "forbidden");
    let kind = p.admin.post("/api/v1/unit-kinds", kind_body).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        outsider.get("/api/v1/unit-kinds").await.ok(200)[0]["name"],
        "Đảng ủy trực thuộc Tỉnh ủy"
    );

    let unit_body = |seat: i64| json!({"code": "DU-KCQ", "name": "Đảng ủy Khối Cơ quan tỉnh", "unit_kind_id": kind, "seat_district_id": seat});
    p.admin
        .post("/api/v1/districts", unit_body(99_999))
        .await
        .problem(422, "unknown_reference");
    let unit = p
        .admin
        .post("/api/v1/districts", unit_body(p.w.d1))
        .await
        .ok(201)
        .clone();
    assert_eq!(
        (unit["unit_kind_id"].as_i64(), unit["seat_district_id"].as_i64()),
        (Some(kind), Some(p.w.d1))
    );
    let unit = unit["id"].as_i64().unwrap();
    // A seat is a place of its own: not the unit itself, nor another seated unit.
    let path = format!("/api/v1/districts/{unit}");
    p.admin.put(&path, unit_body(unit)).await.problem(422, "invalid_seat");
    let mut chained = unit_body(unit);
    chained["code"] = json!("DU-KDN");
    p.admin
        .post("/api/v1/districts", chained)
        .await
        .problem(422, "invalid_seat");
    p.admin
        .put(
            "/api/v1/travel-times",
            json!({"entries": [{"from_district_id": unit, "to_district_id": p.w.d2, "minutes": 30}]}),
        )
        .await
        .problem(422, "seated_unit");
    p.admin
        .delete(&format!("/api/v1/unit-kinds/{kind}"))
        .await
        .problem(409, "in_use");

    // Its board plans a class at the provincial school; the school's coordinator asks for
    // lecturers at its own venue; the board accepts.
    let school = p
        .admin
        .post(
            "/api/v1/centers",
            json!({"code": "TCT", "name": "Trường Chính trị tỉnh Sóc Trăng", "kind": "provincial_school", "district_id": p.w.d1}),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let board = app.account("bt.dukcq", UserRole::DistrictBoard, Some(unit)).await;
    let coordinator = app.account("tct", UserRole::CenterCoordinator, Some(school)).await;
    let plan = board
        .post(
            "/api/v1/plans",
            json!({"district_id": unit, "year": 2027, "classes": [{"program_id": p.program, "center_id": school,
                   "name": "Lớp bồi dưỡng đảng viên mới khối cơ quan", "months": [3], "trainees": 45, "women": 20, "ethnic_minority": 6}]}),
        )
        .await
        .ok(201)
        .clone();
    board
        .post(&format!("/api/v1/plans/{}/approve", plan["id"]), json!({}))
        .await
        .ok(200);
    let mut body = request_body(
        plan["classes"][0]["id"].as_i64().unwrap(),
        &[("2027-03-08", "morning"), ("2027-03-08", "afternoon")],
    );
    body["district_id"] = json!(unit);
    let request = coordinator.post("/api/v1/requests", body).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    outsider
        .post(&format!("/api/v1/requests/{request}/accept"), json!({}))
        .await
        .problem(403, "forbidden");
    board
        .post(&format!("/api/v1/requests/{request}/accept"), json!({}))
        .await
        .ok(200);

    // No travel time was entered for the unit: it travels as its seat does.
    let run = start_run(
        &p.admin,
        json!({"from": "2027-03-08", "to": "2027-03-08", "time_limit_seconds": 10}),
    )
    .await;
    let done = settled(&p.admin, run).await;
    assert_eq!(done["status"], "finished", "{done}");
    assert_eq!(done["draft"]["uncovered"], json!([]));
    let near: Vec<i64> = done["draft"]["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["person_id"].as_i64().unwrap())
        .collect();
    assert_eq!(near, [p.near, p.near], "the lecturer living at the seat, no travel");
    p.admin
        .post(&format!("/api/v1/runs/{run}/publish"), json!({}))
        .await
        .ok(200);

    let report = board.get("/api/v1/reports/yearly?year=2027").await.ok(200).clone();
    let row = &report["districts"][0];
    assert_eq!(row["district_name"], "Đảng ủy Khối Cơ quan tỉnh");
    assert_eq!(row["programs"][0]["classes_staffed"], 1);
    assert_eq!(row["programs"][0]["planned_women"], 20);
    assert_eq!(row["covered_sessions"], 2);
    board
        .post(
            "/api/v1/reports/yearly/submissions",
            json!({"year": 2027, "achievements": "Mở lớp đúng kế hoạch", "difficulties": "", "proposals": ""}),
        )
        .await
        .ok(201);
    let follow = p
        .admin
        .get("/api/v1/reports/yearly/submissions?year=2027")
        .await
        .ok(200)
        .clone();
    let mine = follow["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["district_id"] == unit)
        .unwrap();
    assert_eq!(mine["status"], "submitted");
}

#[tokio::test]
async fn the_province_keeps_the_kinds_of_unit_and_adds_units_from_the_page() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    app.account("admin.web", UserRole::ProvinceAdmin, None).await;
    app.account("bt.d01", UserRole::DistrictBoard, Some(p.w.d1)).await;
    let mut admin = Browser::signed_in(&app, "admin.web").await;
    assert!(admin.get("/registry").await.text.contains("/registry/units"));
    let kind = admin
        .post(
            "/registry/units/kinds",
            &[("code", "DUTT"), ("name", "Đảng ủy trực thuộc Tỉnh ủy")],
        )
        .await;
    assert_eq!(kind.status, StatusCode::SEE_OTHER, "{}", kind.text);
    let page = admin.get("/registry/units").await.text;
    assert!(page.contains("Đảng ủy trực thuộc Tỉnh ủy"), "{page}");
    let kind_id = p.admin.get("/api/v1/unit-kinds").await.ok(200)[0]["id"].to_string();
    let d1 = p.w.d1.to_string();
    let added = admin
        .post(
            "/registry/units",
            &[
                ("code", "DU-KCQ"),
                ("name", "Đảng ủy Khối Cơ quan tỉnh"),
                ("unit_kind_id", &kind_id),
                ("seat_district_id", &d1),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text);
    let page = admin.get("/registry/units").await.text;
    let units = page
        .split("id=\"units\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert!(
        units.contains("Đảng ủy Khối Cơ quan tỉnh") && units.contains("Đặt tại Thành phố Sóc Trăng"),
        "{units}"
    );
    let twice = admin
        .post("/registry/units/kinds", &[("code", "DUTT"), ("name", "Trùng mã")])
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(twice.text.contains("role=\"alert\""), "{}", twice.text);
    let mut board = Browser::signed_in(&app, "bt.d01").await;
    assert!(
        board
            .get("/registry/units")
            .await
            .text
            .contains("Đảng ủy Khối Cơ quan tỉnh")
    );
    let refused = board
        .post("/registry/units/kinds", &[("code", "X"), ("name", "Không được")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
