//! Programs, annual plans, class requests and briefings: the path to sessions, who may walk
//! it, and the input refused on the way.

use roster::vocab::UserRole;
use serde_json::{Value, json};

use crate::helpers::{Caller, TestApp, World, create_person, spawn_app, world};
use crate::scheduling::march_schedule;

/// A province ready to plan: the small world, travel times, three people and a program of one
/// two-half-day module.
pub struct Planning {
    pub w: World,
    pub admin: Caller,
    pub program: i64,
    /// Full-time lecturers of SC-01 living in D01 and D11, and a provincial rapporteur.
    pub near: i64,
    pub far: i64,
    pub rapporteur: i64,
}

pub async fn planning(app: &TestApp) -> Planning {
    let admin = app.admin().await;
    let w = world(&admin).await;
    admin
        .put(
            "/api/v1/travel-times",
            json!({"entries": [{"from_district_id": w.d1, "to_district_id": w.d2, "minutes": 45},
                                {"from_district_id": w.d2, "to_district_id": w.d1, "minutes": 45}]}),
        )
        .await
        .ok(200);
    let near = create_person(
        &admin,
        "GV001",
        "Nguyễn Thị Lan",
        json!({"home_district_id": w.d1, "center_id": w.center1, "qualification_ids": [w.module]}),
    )
    .await;
    let far = create_person(
        &admin,
        "GV002",
        "Thạch Sô Phênh",
        json!({"home_district_id": w.d2, "qualification_ids": [w.module]}),
    )
    .await;
    let rapporteur = create_person(
        &admin,
        "BCV01",
        "Lâm Văn Đức",
        json!({"roles": ["rapporteur"], "rapporteur_level": "province", "home_district_id": w.d2,
               "qualification_ids": [w.resolution], "languages": ["vi", "km"]}),
    )
    .await;
    let program = admin
        .post(
            "/api/v1/programs",
            json!({"code": "SCLLCT", "name": "Sơ cấp lý luận chính trị",
                   "modules": [{"topic_id": w.module, "half_days": 2, "min_theory_level": "intermediate"}]}),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    Planning {
        w,
        admin,
        program,
        near,
        far,
        rapporteur,
    }
}

/// One account of each kind: `admin.web` (the province), `bt.d01` (D01's board), `tt.d01`
/// (center 1) and `gv.lan` (the lecturer living in D01).
pub async fn one_account_of_each_kind(app: &TestApp, p: &Planning) {
    for (username, role, scope) in [
        ("admin.web", UserRole::ProvinceAdmin, None),
        ("bt.d01", UserRole::DistrictBoard, Some(p.w.d1)),
        ("tt.d01", UserRole::CenterCoordinator, Some(p.w.center1)),
        ("gv.lan", UserRole::Lecturer, Some(p.near)),
    ] {
        app.account(username, role, scope).await;
    }
}

/// Updates the lecturer living in D01: her record as made, with `changes` over it.
pub async fn update_near(p: &Planning, changes: Value) {
    let mut fields = json!({"home_district_id": p.w.d1, "center_id": p.w.center1, "qualification_ids": [p.w.module]});
    for (k, v) in changes.as_object().unwrap() {
        fields[k] = v.clone();
    }
    p.admin
        .put(
            &format!("/api/v1/people/{}", p.near),
            crate::helpers::person("GV001", "Nguyễn Thị Lan", fields),
        )
        .await
        .ok(200);
}

/// Deactivates the lecturer living in D01, keeping the rest of her record.
pub async fn deactivate_near(p: &Planning) {
    update_near(p, json!({"active": false})).await;
}

/// A plan of D01 for 2027 with one class of the program at center 1; approved when asked.
pub async fn plan(p: &Planning, approve: bool) -> (i64, i64) {
    let plan = p
        .admin
        .post(
            "/api/v1/plans",
            json!({"district_id": p.w.d1, "year": 2027, "classes": [{
                "program_id": p.program, "center_id": p.w.center1, "name": "Lớp Sơ cấp LLCT khóa 1/2027",
                "months": [3], "trainees": 60, "women": 25, "ethnic_minority": 18}]}),
        )
        .await
        .ok(201)
        .clone();
    if approve {
        p.admin
            .post(&format!("/api/v1/plans/{}/approve", plan["id"]), json!({}))
            .await
            .ok(200);
    }
    (plan["id"].as_i64().unwrap(), plan["classes"][0]["id"].as_i64().unwrap())
}

pub fn request_body(planned_class: i64, days: &[(&str, &str)]) -> Value {
    let slots: Vec<Value> = days.iter().map(|(d, h)| json!({"date": d, "half_day": h})).collect();
    json!({"planned_class_id": planned_class, "venue": "Hội trường Trung tâm Chính trị", "slots": slots})
}

/// A venue in another district does not move the request away from the board whose plan
/// holds the class.
#[tokio::test]
async fn the_board_of_the_plans_district_decides_a_request_whose_venue_is_elsewhere() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    let (_, planned) = plan(&p, true).await;
    let own_board = app.account("bt.d01", UserRole::DistrictBoard, Some(p.w.d1)).await;
    let venue_board = app.account("bt.d11", UserRole::DistrictBoard, Some(p.w.d2)).await;
    let coordinator = app
        .account("tt.d01", UserRole::CenterCoordinator, Some(p.w.center1))
        .await;
    let mut body = request_body(planned, &[("2027-03-01", "morning"), ("2027-03-01", "afternoon")]);
    body["district_id"] = json!(p.w.d2);
    let request = coordinator.post("/api/v1/requests", body).await.ok(201).clone();
    assert_eq!(
        (request["plan_district_id"].as_i64(), request["district_id"].as_i64()),
        (Some(p.w.d1), Some(p.w.d2))
    );
    let path = format!("/api/v1/requests/{}", request["id"]);
    venue_board.get(&path).await.problem(403, "forbidden");
    assert_eq!(venue_board.get("/api/v1/requests").await.ok(200), &json!([]));
    venue_board
        .post(&format!("{path}/accept"), json!({}))
        .await
        .problem(403, "forbidden");
    assert_eq!(own_board.get(&path).await.ok(200)["status"], "submitted");
    let listed = own_board.get("/api/v1/requests").await.ok(200).clone();
    assert_eq!(listed.as_array().map(|l| l.len()), Some(1));
    let accepted = own_board
        .post(&format!("{path}/accept"), json!({}))
        .await
        .ok(200)
        .clone();
    assert_eq!(accepted["status"], "accepted");
}

#[tokio::test]
async fn a_request_for_a_class_of_an_approved_plan_becomes_a_class_with_its_sessions() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    let board = app.account("bt.soctrang", UserRole::DistrictBoard, Some(p.w.d1)).await;
    let coordinator = app
        .account("ttct.soctrang", UserRole::CenterCoordinator, Some(p.w.center1))
        .await;
    let plan = board
        .post(
            "/api/v1/plans",
            json!({"district_id": p.w.d1, "year": 2027, "classes": [{
                "program_id": p.program, "center_id": p.w.center1, "name": "Lớp Sơ cấp LLCT khóa 1/2027",
                "months": [3, 4], "trainees": 60, "women": 25, "ethnic_minority": 18}]}),
        )
        .await
        .ok(201)
        .clone();
    assert_eq!(plan["status"], "draft");
    let planned = plan["classes"][0]["id"].as_i64().unwrap();
    let body = request_body(planned, &[("2027-03-01", "morning"), ("2027-03-01", "afternoon")]);
    coordinator
        .post("/api/v1/requests", body.clone())
        .await
        .problem(422, "class_not_in_approved_plan");
    let approved = board
        .post(&format!("/api/v1/plans/{}/approve", plan["id"]), json!({}))
        .await
        .ok(200)
        .clone();
    assert_eq!(
        (approved["status"].as_str(), approved["approved_by"].as_str()),
        (Some("approved"), Some("bt.soctrang"))
    );
    assert!(approved["approved_at"].is_string());
    board
        .post(
            &format!("/api/v1/plans/{}/classes", plan["id"]),
            json!({
            "program_id": p.program, "center_id": p.w.center1, "name": "Lớp thêm", "months": [5],
            "trainees": 10, "women": 1, "ethnic_minority": 1}),
        )
        .await
        .problem(409, "plan_approved");

    let request = coordinator.post("/api/v1/requests", body).await.ok(201).clone();
    assert_eq!(request["status"], "submitted");
    assert_eq!(
        coordinator
            .get(&format!("/api/v1/requests/{}", request["id"]))
            .await
            .ok(200)["status"],
        "submitted"
    );
    let accepted = board
        .post(&format!("/api/v1/requests/{}/accept", request["id"]), json!({}))
        .await
        .ok(200)
        .clone();
    assert_eq!(accepted["status"], "accepted");
    assert!(accepted["class_id"].is_i64());
    board
        .post(&format!("/api/v1/requests/{}/accept", request["id"]), json!({}))
        .await
        .problem(409, "request_decided");
    let schedule = march_schedule(&p.admin).await;
    let sessions = schedule.as_array().unwrap();
    assert_eq!(sessions.len(), 2, "one session per module half-day");
    assert_eq!(sessions[0]["starts_at"], "2027-03-01T07:30:00+07:00");
    assert_eq!(sessions[1]["ends_at"], "2027-03-01T17:00:00+07:00");
    assert_eq!(sessions[0]["class_id"], accepted["class_id"]);
}

#[tokio::test]
async fn bad_requests_are_refused_with_their_reason_and_change_nothing() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    let (_, planned) = plan(&p, true).await;
    let coordinator = app
        .account("ttct.soctrang", UserRole::CenterCoordinator, Some(p.w.center1))
        .await;
    let count = || async { p.admin.get("/api/v1/requests").await.ok(200).as_array().unwrap().len() };

    let outside_year = request_body(planned, &[("2028-01-03", "morning"), ("2028-01-03", "afternoon")]);
    coordinator
        .post("/api/v1/requests", outside_year)
        .await
        .problem(422, "outside_plan_year");
    let too_few = request_body(planned, &[("2027-03-01", "morning")]);
    coordinator
        .post("/api/v1/requests", too_few)
        .await
        .problem(422, "wrong_number_of_slots");
    let twice = request_body(planned, &[("2027-03-01", "morning"), ("2027-03-01", "morning")]);
    coordinator
        .post("/api/v1/requests", twice)
        .await
        .problem(422, "duplicate_slot");
    let unknown = request_body(999_999, &[("2027-03-01", "morning"), ("2027-03-01", "afternoon")]);
    let refused = coordinator.post("/api/v1/requests", unknown).await;
    let detail = refused.problem(422, "class_not_in_approved_plan")["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(detail.contains("kế hoạch đã được cấp ủy phê duyệt"), "{detail}");
    assert_eq!(count().await, 0);

    let good = request_body(planned, &[("2027-03-01", "morning"), ("2027-03-01", "afternoon")]);
    coordinator.post("/api/v1/requests", good).await.ok(201);
    let again = request_body(planned, &[("2027-04-01", "morning"), ("2027-04-01", "afternoon")]);
    coordinator
        .post("/api/v1/requests", again)
        .await
        .problem(409, "already_requested");
    // A briefing in the hall the class asked for, on the class's afternoon.
    let briefing = json!({"topic_id": p.w.resolution, "district_id": p.w.d1, "venue": "Hội trường Trung tâm Chính trị",
                          "title": "Quán triệt Nghị quyết", "audience_level": "district", "rapporteurs": 1,
                          "slots": [{"date": "2027-03-01", "half_day": "afternoon"}]});
    p.admin
        .post("/api/v1/briefings", briefing)
        .await
        .problem(409, "venue_busy");
    assert_eq!(count().await, 1);
    assert_eq!(
        p.admin.get("/api/v1/briefings").await.ok(200).as_array().unwrap().len(),
        0
    );
}

#[tokio::test]
async fn centers_request_only_for_their_own_classes_and_see_only_their_requests() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    let (_, planned) = plan(&p, true).await;
    let other_center = app
        .account("ttct.trande", UserRole::CenterCoordinator, Some(p.w.center2))
        .await;
    let other_board = app.account("bt.trande", UserRole::DistrictBoard, Some(p.w.d2)).await;
    let lecturer = app.account("gv001", UserRole::Lecturer, Some(p.near)).await;
    let body = request_body(planned, &[("2027-03-01", "morning"), ("2027-03-01", "afternoon")]);
    other_center
        .post("/api/v1/requests", body.clone())
        .await
        .problem(403, "forbidden");
    let own = app
        .account("ttct.soctrang", UserRole::CenterCoordinator, Some(p.w.center1))
        .await;
    let request = own.post("/api/v1/requests", body).await.ok(201)["id"].as_i64().unwrap();
    other_center
        .get(&format!("/api/v1/requests/{request}"))
        .await
        .problem(403, "forbidden");
    assert_eq!(
        other_center
            .get("/api/v1/requests")
            .await
            .ok(200)
            .as_array()
            .unwrap()
            .len(),
        0
    );
    other_board
        .post(&format!("/api/v1/requests/{request}/accept"), json!({}))
        .await
        .problem(403, "forbidden");
    own.post(&format!("/api/v1/requests/{request}/accept"), json!({}))
        .await
        .problem(403, "forbidden");
    lecturer.get("/api/v1/plans").await.problem(403, "forbidden");
    other_board
        .post("/api/v1/plans", json!({"district_id": p.w.d1, "year": 2028}))
        .await
        .problem(403, "forbidden");
    let rejected = p
        .admin
        .post(
            &format!("/api/v1/requests/{request}/reject"),
            json!({"reason": "Trùng lịch hội nghị tỉnh"}),
        )
        .await
        .ok(200)
        .clone();
    assert_eq!(
        (rejected["status"].as_str(), rejected["reason"].as_str()),
        (Some("rejected"), Some("Trùng lịch hội nghị tỉnh"))
    );
}

#[tokio::test]
async fn briefings_make_sessions_for_rapporteurs_of_the_audience_level() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    let body = json!({"topic_id": p.w.resolution, "district_id": p.w.d2, "venue": "Hội trường Huyện ủy Trần Đề",
                      "title": "Hội nghị quán triệt Nghị quyết Trung ương 8 khóa XIII", "audience_level": "province",
                      "language": "km", "language_required": false, "rapporteurs": 1,
                      "slots": [{"date": "2027-03-02", "half_day": "morning"}], "deadline": "2027-03-31"});
    let board = app.account("bt.trande", UserRole::DistrictBoard, Some(p.w.d2)).await;
    let created = board.post("/api/v1/briefings", body.clone()).await.ok(201).clone();
    assert_eq!(created["session_ids"].as_array().unwrap().len(), 1);
    let mut late = body.clone();
    late["slots"] = json!([{"date": "2027-04-02", "half_day": "morning"}]);
    board
        .post("/api/v1/briefings", late)
        .await
        .problem(422, "after_deadline");
    let mut module = body.clone();
    module["topic_id"] = json!(p.w.module);
    board
        .post("/api/v1/briefings", module)
        .await
        .problem(422, "unknown_reference");
    let other = app.account("bt.soctrang", UserRole::DistrictBoard, Some(p.w.d1)).await;
    other.post("/api/v1/briefings", body).await.problem(403, "forbidden");
    assert_eq!(
        other.get("/api/v1/briefings").await.ok(200).as_array().unwrap().len(),
        0
    );
}

#[tokio::test]
async fn a_draft_plans_classes_change_and_go_and_the_year_shows_at_a_glance() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    let (id, class) = plan(&p, false).await;
    let other = app.account("bt.trande", UserRole::DistrictBoard, Some(p.w.d2)).await;
    let body = json!({"program_id": p.program, "center_id": p.w.center1, "name": "Lớp Sơ cấp LLCT khóa 1/2027",
                      "months": [6, 5], "trainees": 50, "women": 20, "ethnic_minority": 10});
    let path = format!("/api/v1/plans/{id}/classes/{class}");
    other.put(&path, body.clone()).await.problem(403, "forbidden");
    let mut bad = body.clone();
    bad["months"] = json!([13]);
    assert_eq!(
        p.admin.put(&path, bad).await.problem(422, "invalid_months")["field"],
        "months"
    );
    let changed = p.admin.put(&path, body).await.ok(200).clone();
    assert_eq!(
        (
            changed["classes"][0]["months"].clone(),
            changed["classes"][0]["trainees"].clone()
        ),
        (json!([5, 6]), json!(50))
    );
    p.admin
        .put(
            &format!("/api/v1/plans/{id}/classes/999999"),
            json!({"program_id": p.program, "center_id": p.w.center1,
        "name": "x", "months": [1], "trainees": 1, "women": 0, "ethnic_minority": 0}),
        )
        .await
        .problem(404, "not_found");

    let glance = p.admin.get("/api/v1/plans/overview?year=2027").await.ok(200).clone();
    let d1 = glance
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["district_id"] == p.w.d1)
        .unwrap();
    assert_eq!(
        (d1["status"].as_str(), d1["classes"].as_i64(), d1["trainees"].as_i64()),
        (Some("draft"), Some(1), Some(50))
    );
    let d2 = glance
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["district_id"] == p.w.d2)
        .unwrap();
    assert!(d2["plan_id"].is_null());
    assert_eq!(
        other
            .get("/api/v1/plans/overview?year=2027")
            .await
            .ok(200)
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let removed = p.admin.delete(&path).await.ok(200).clone();
    assert_eq!(removed["classes"], json!([]));
    p.admin
        .post(&format!("/api/v1/plans/{id}/approve"), json!({}))
        .await
        .problem(409, "plan_empty");
}

#[tokio::test]
async fn a_briefing_not_yet_held_is_cancelled_and_a_held_one_stays() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    let body = |date: &str| {
        json!({"topic_id": p.w.resolution, "district_id": p.w.d2, "venue": "Hội trường Huyện ủy Trần Đề",
                      "title": "Hội nghị quán triệt Nghị quyết", "audience_level": "district", "rapporteurs": 1,
                      "slots": [{"date": date, "half_day": "morning"}]})
    };
    let coming = p.admin.post("/api/v1/briefings", body("2027-03-02")).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    let held = p.admin.post("/api/v1/briefings", body("2024-03-04")).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    let march = p
        .admin
        .get(&format!("/api/v1/briefings?month=2027-03&district_id={}", p.w.d2))
        .await
        .ok(200)
        .clone();
    assert_eq!(march.as_array().unwrap().len(), 1);
    p.admin
        .get("/api/v1/briefings?month=March")
        .await
        .problem(422, "invalid_month");
    let other = app.account("bt.soctrang", UserRole::DistrictBoard, Some(p.w.d1)).await;
    other
        .delete(&format!("/api/v1/briefings/{coming}"))
        .await
        .problem(404, "not_found");
    p.admin
        .delete(&format!("/api/v1/briefings/{held}"))
        .await
        .problem(409, "briefing_held");
    let board = app.account("bt.trande", UserRole::DistrictBoard, Some(p.w.d2)).await;
    let gone = board.delete(&format!("/api/v1/briefings/{coming}")).await;
    assert_eq!(gone.status, 204);
    let left = p.admin.get("/api/v1/briefings").await.ok(200).clone();
    assert_eq!(
        left.as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![held]
    );
}
