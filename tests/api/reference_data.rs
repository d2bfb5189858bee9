//! Districts with their travel-time matrix, centers and topics.

use serde_json::json;

use crate::helpers::{create_person, spawn_app, world};

#[tokio::test]
async fn districts_are_created_renamed_and_carry_a_zero_diagonal() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    let renamed = admin
        .put(
            &format!("/api/v1/districts/{}", w.d2),
            json!({"code": "D11", "name": "Huyện Trần Đề (mới)"}),
        )
        .await;
    assert_eq!(renamed.ok(200)["name"], "Huyện Trần Đề (mới)");
    let all = admin.get("/api/v1/districts").await;
    let codes: Vec<&str> = all
        .ok(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["D01", "D11"]);
    let matrix = admin.get("/api/v1/travel-times").await;
    assert_eq!(
        matrix.ok(200)["entries"],
        json!([{"from_district_id": w.d1, "to_district_id": w.d1, "minutes": 0}, {"from_district_id": w.d2, "to_district_id": w.d2, "minutes": 0}])
    );
}

#[tokio::test]
async fn travel_times_are_kept_per_direction_and_checked_before_any_is_written() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    let entry =
        |from: i64, to: i64, minutes: i64| json!({"from_district_id": from, "to_district_id": to, "minutes": minutes});
    admin
        .put(
            "/api/v1/travel-times",
            json!({"entries": [entry(w.d1, w.d2, 45), entry(w.d2, w.d1, 50)]}),
        )
        .await
        .ok(200);
    let reply = admin
        .put(
            "/api/v1/travel-times",
            json!({"entries": [entry(w.d1, w.d2, 30), entry(w.d2, w.d2, 5)]}),
        )
        .await;
    assert_eq!(reply.problem(422, "invalid_minutes")["field"], "entries[1].minutes");
    admin
        .put("/api/v1/travel-times", json!({"entries": [entry(w.d1, w.d2, -1)]}))
        .await
        .problem(422, "invalid_minutes");
    let matrix = admin.get("/api/v1/travel-times").await;
    let minutes = |from: i64, to: i64| {
        matrix.body["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["from_district_id"] == from && e["to_district_id"] == to)
            .map(|e| e["minutes"].as_i64().unwrap())
    };
    assert_eq!((minutes(w.d1, w.d2), minutes(w.d2, w.d1)), (Some(45), Some(50)));
}

#[tokio::test]
async fn deleting_what_others_refer_to_is_a_409_with_the_reason() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    create_person(
        &admin,
        "GV-1",
        "Lê Văn Tám",
        json!({"home_district_id": w.d2, "center_id": w.center2, "qualification_ids": [w.module]}),
    )
    .await;

    let district = admin.delete(&format!("/api/v1/districts/{}", w.d2)).await;
    let detail = district.problem(409, "in_use")["detail"].as_str().unwrap().to_string();
    assert!(detail.contains("1 người") && detail.contains("1 trung tâm"), "{detail}");
    let en = admin
        .language("en")
        .delete(&format!("/api/v1/centers/{}", w.center2))
        .await;
    assert!(
        en.problem(409, "in_use")["detail"]
            .as_str()
            .unwrap()
            .contains("1 người")
    );
    admin
        .delete(&format!("/api/v1/topics/{}", w.module))
        .await
        .problem(409, "in_use");

    admin.delete(&format!("/api/v1/topics/{}", w.resolution)).await.ok(204);
    admin.delete(&format!("/api/v1/centers/{}", w.center1)).await.ok(204);
    assert_eq!(admin.get("/api/v1/topics").await.ok(200).as_array().unwrap().len(), 1);
    assert_eq!(admin.get("/api/v1/centers").await.ok(200).as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn centers_and_topics_are_checked_and_updated() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    let bad_kind = json!({"code": "TCT", "name": "Trường Chính trị tỉnh", "kind": "university", "district_id": w.d1});
    assert_eq!(
        admin
            .post("/api/v1/centers", bad_kind)
            .await
            .problem(422, "invalid_field")["field"],
        "kind"
    );
    let unknown =
        json!({"code": "TCT", "name": "Trường Chính trị tỉnh", "kind": "provincial_school", "district_id": 999});
    admin
        .post("/api/v1/centers", unknown)
        .await
        .problem(422, "unknown_reference");
    let school = json!({"code": "TCT", "name": "Trường Chính trị tỉnh Sóc Trăng", "kind": "provincial_school", "district_id": w.d1});
    let created = admin.post("/api/v1/centers", school).await;
    assert_eq!(created.ok(201)["kind"], "provincial_school");

    let topic = admin
        .put(
            &format!("/api/v1/topics/{}", w.module),
            json!({"code": "SC-01", "name": "Chủ nghĩa Mác - Lênin (sửa)", "kind": "module"}),
        )
        .await;
    assert_eq!(topic.ok(200)["name"], "Chủ nghĩa Mác - Lênin (sửa)");
    let dup = admin
        .put(
            &format!("/api/v1/topics/{}", w.module),
            json!({"code": "NQ-TW8-XIII", "name": "x", "kind": "module"}),
        )
        .await;
    dup.problem(409, "duplicate_code");
    admin
        .post(
            "/api/v1/topics",
            json!({"code": "mã sai", "name": "x", "kind": "module"}),
        )
        .await
        .problem(422, "invalid_code");
}

#[tokio::test]
async fn a_district_center_keeps_its_people_in_its_district() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    create_person(
        &admin,
        "GV001",
        "Nguyễn Thị Lan",
        json!({"home_district_id": w.d1, "center_id": w.center1}),
    )
    .await;
    let path = format!("/api/v1/centers/{}", w.center1);
    let moved = |kind: &str, district: i64| json!({"code": "TTCT-D01", "name": "Trung tâm Chính trị thành phố Sóc Trăng", "kind": kind, "district_id": district});
    let refused = admin.put(&path, moved("district_center", w.d2)).await;
    let detail = refused.problem(422, "center_district_mismatch")["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(detail.contains("GV001"), "{detail}");
    assert_eq!(admin.get(&path).await.ok(200)["district_id"], w.d1, "nothing changed");
    // The provincial school serves every district.
    admin.put(&path, moved("provincial_school", w.d2)).await.ok(200);
    admin
        .put(&path, moved("district_center", w.d2))
        .await
        .problem(422, "center_district_mismatch");
}

#[tokio::test]
async fn the_openapi_document_covers_every_operation() {
    let app = spawn_app().await;
    let doc = app.anonymous().get("/api/openapi.json").await;
    let doc = doc.ok(200);
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    let operations: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    for path in [
        "/api/v1/auth/login",
        "/api/v1/people",
        "/api/v1/people/{id}",
        "/api/v1/people/{id}/unavailability",
        "/api/v1/people/{id}/weekly-pattern",
        "/api/v1/people/import",
        "/api/v1/people/import/template",
        "/api/v1/people/counts",
        "/api/v1/travel-times",
        "/api/v1/audit",
        "/api/v1/tokens/{id}",
        "/api/v1/users/{id}",
        "/api/v1/plans/{id}/approve",
        "/api/v1/plans/{id}/classes/{class_id}",
        "/api/v1/plans/overview",
        "/api/v1/briefings/{id}",
        "/api/v1/requests/{id}/accept",
        "/api/v1/runs/{id}/publish",
        "/api/v1/sessions/{id}/candidates",
        "/api/v1/people/{id}/feed",
        "/feeds/person/{token}",
        "/feeds/district/{id}",
        "/feeds/center/{id}",
        "/feeds/class/{id}",
        "/api/v1/reports/yearly",
        "/api/v1/reports/coverage",
        "/api/v1/plans/{id}/classes/{class_id}/months",
        "/api/v1/reports/yearly/submissions",
        "/api/v1/reports/yearly/submissions/{id}",
        "/api/v1/reports/yearly/submissions/{id}/return",
        "/api/v1/unit-kinds",
        "/api/v1/unit-kinds/{id}",
        "/api/v1/letterheads",
        "/api/v1/notifications",
        "/api/v1/notifications/{id}/retry",
        "/api/v1/notifications/webhook",
        "/api/v1/notifications/test",
        "/api/v1/notifications/preferences",
    ] {
        assert!(paths.contains_key(path), "missing {path}");
    }
    assert_eq!(operations, 100, "every operation is documented");
    let docs = app.anonymous().get("/api/docs").await;
    assert!(docs.status.is_success());
}
