//! Bad input: every mistake is a 4xx problem document, localised, naming the field, and
//! changes nothing.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{create_person, person, spawn_app, world};

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let reply = admin
        .send_bytes(
            Method::POST,
            "/api/v1/districts",
            "application/json",
            b"{\"code\": \"D01\",".to_vec(),
        )
        .await;
    let body = reply.problem(400, "malformed_json");
    assert_eq!(body["instance"], "/api/v1/districts");
    assert_eq!(body["type"], "urn:roster:problem:malformed_json");
}

#[tokio::test]
async fn unknown_fields_and_wrong_enum_values_name_the_field() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let reply = admin
        .post(
            "/api/v1/people",
            person("GV-1", "Lê Văn Tám", json!({"nickname": "Tám"})),
        )
        .await;
    assert!(
        reply.problem(422, "invalid_field")["detail"]
            .as_str()
            .unwrap()
            .contains("nickname")
    );

    let reply = admin
        .post(
            "/api/v1/people",
            person("GV-1", "Lê Văn Tám", json!({"roles": ["rapporteur", "pilot"]})),
        )
        .await;
    assert_eq!(reply.problem(422, "invalid_field")["field"], "roles[1]");

    let reply = admin
        .post(
            "/api/v1/people",
            person("GV-1", "Lê Văn Tám", json!({"theory_level": "expert"})),
        )
        .await;
    assert_eq!(reply.problem(422, "invalid_field")["field"], "theory_level");

    let reply = admin.post("/api/v1/people", json!({"code": "GV-1", "roles": []})).await;
    assert!(
        reply.problem(422, "invalid_field")["detail"]
            .as_str()
            .unwrap()
            .contains("full_name")
    );
    assert_eq!(admin.get("/api/v1/people").await.ok(200)["total"], 0);
}

#[tokio::test]
async fn rule_breaking_values_are_422_with_the_field_and_every_problem_listed() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let bad = person(
        "GV-1",
        "Lê Văn Tám",
        json!({"roles": ["rapporteur"], "email": "tam@", "max_per_day": 0}),
    );
    let reply = admin.post("/api/v1/people", bad).await;
    let body = reply.problem(422, "missing_rapporteur_level");
    assert_eq!(body["field"], "rapporteur_level");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["rapporteur_level", "email", "max_per_day"]);
}

#[tokio::test]
async fn messages_follow_accept_language_vietnamese_first() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let vi = admin.get("/api/v1/people/999").await;
    assert_eq!(vi.problem(404, "not_found")["detail"], "Không tìm thấy người.");
    assert_eq!(vi.headers["content-language"], "vi");
    let en = admin.language("en-US,en;q=0.9").get("/api/v1/people/999").await;
    assert_eq!(en.problem(404, "not_found")["detail"], "Person not found.");
    assert_eq!(en.headers["content-language"], "en");
}

#[tokio::test]
async fn unknown_ids_and_references() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    admin.get("/api/v1/districts/42").await.problem(404, "not_found");
    admin.delete("/api/v1/centers/42").await.problem(404, "not_found");
    let reply = admin
        .post(
            "/api/v1/people",
            person("GV-1", "Lê Văn Tám", json!({"home_district_id": 42})),
        )
        .await;
    assert_eq!(reply.problem(422, "unknown_reference")["field"], "home_district_id");
    let reply = admin
        .post(
            "/api/v1/people",
            person("GV-1", "Lê Văn Tám", json!({"qualification_ids": [7]})),
        )
        .await;
    assert_eq!(reply.problem(422, "unknown_reference")["field"], "qualification_ids");
    let reply = admin
        .put(
            "/api/v1/travel-times",
            json!({"entries": [{"from_district_id": 1, "to_district_id": 2, "minutes": 30}]}),
        )
        .await;
    assert_eq!(
        reply.problem(422, "unknown_reference")["field"],
        "entries[0].from_district_id"
    );
    admin.get("/api/v1/people/abc").await.problem(404, "not_found");
}

#[tokio::test]
async fn duplicate_codes_are_409_and_change_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    admin
        .post("/api/v1/districts", json!({"code": "D01", "name": "Trùng"}))
        .await
        .problem(409, "duplicate_code");
    let first = create_person(&admin, "GV-1", "Lê Văn Tám", json!({})).await;
    let second = create_person(&admin, "GV-2", "Trần Thị Hoa", json!({})).await;
    let reply = admin
        .put(
            &format!("/api/v1/people/{second}"),
            person("GV-1", "Trần Thị Hoa", json!({})),
        )
        .await;
    assert_eq!(reply.problem(409, "duplicate_code")["field"], "code");
    assert_eq!(
        admin.get(&format!("/api/v1/people/{second}")).await.ok(200)["code"],
        "GV-2"
    );
    assert_eq!(
        admin.get(&format!("/api/v1/people/{first}")).await.ok(200)["code"],
        "GV-1"
    );
    assert_eq!(
        admin.get(&format!("/api/v1/districts/{}", w.d1)).await.ok(200)["name"],
        "Thành phố Sóc Trăng"
    );
}

#[tokio::test]
async fn reversed_and_overlapping_periods_are_refused() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let id = create_person(&admin, "GV-1", "Lê Văn Tám", json!({})).await;
    let path = format!("/api/v1/people/{id}/unavailability");
    let period = |s: &str, e: &str| json!({"start": s, "end": e, "reason": "Nghỉ phép"});
    admin
        .post(&path, period("2027-03-05T00:00:00+07:00", "2027-03-02T00:00:00+07:00"))
        .await
        .problem(422, "reversed_period");
    admin
        .post(&path, period("2027-03-02T00:00:00+07:00", "2027-03-02T00:00:00+07:00"))
        .await
        .problem(422, "reversed_period");
    admin
        .post(&path, period("2027-03-02T00:00:00+07:00", "2027-03-05T00:00:00+07:00"))
        .await
        .ok(201);
    let clash = admin
        .post(&path, period("2027-03-04T12:00:00+07:00", "2027-03-08T00:00:00+07:00"))
        .await;
    assert!(
        clash.problem(409, "overlapping_period")["detail"]
            .as_str()
            .unwrap()
            .contains("02/03/2027")
    );
    // Touching periods do not overlap: periods are half-open.
    admin
        .post(&path, period("2027-03-05T00:00:00+07:00", "2027-03-06T00:00:00+07:00"))
        .await
        .ok(201);
    let periods = admin.get(&path).await;
    assert_eq!(periods.ok(200).as_array().unwrap().len(), 2);
    assert_eq!(periods.body[0]["start"], "2027-03-02T00:00:00+07:00");
}

#[tokio::test]
async fn oversize_bodies_wrong_media_types_and_unknown_routes() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let huge = format!("{{\"code\": \"D01\", \"name\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    admin
        .send_bytes(Method::POST, "/api/v1/districts", "application/json", huge.into_bytes())
        .await
        .problem(413, "payload_too_large");
    admin
        .send_bytes(
            Method::POST,
            "/api/v1/districts",
            "text/plain",
            br#"{"code":"D01","name":"A"}"#.to_vec(),
        )
        .await
        .problem(415, "unsupported_media_type");
    admin.get("/api/v1/nothing-here").await.problem(404, "not_found");
    admin
        .send(Method::PATCH, "/api/v1/districts", None)
        .await
        .problem(405, "method_not_allowed");
    assert_eq!(
        admin.get("/api/v1/districts").await.ok(200).as_array().unwrap().len(),
        0
    );
}

#[tokio::test]
async fn bad_query_parameters_are_400_naming_the_parameter() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    assert_eq!(
        admin
            .get("/api/v1/people?per_page=many")
            .await
            .problem(400, "invalid_query")["field"],
        "per_page"
    );
    assert_eq!(
        admin
            .get("/api/v1/people?role=pilot")
            .await
            .problem(400, "invalid_query")["field"],
        "role"
    );
    admin
        .get("/api/v1/people?colour=red")
        .await
        .problem(400, "invalid_query");
    admin
        .get("/api/v1/people?available_from=2027-03-01T00:00:00%2B07:00")
        .await
        .problem(400, "incomplete_period");
    admin
        .get("/api/v1/people?available_from=2027-03-02T00:00:00%2B07:00&available_to=2027-03-01T00:00:00%2B07:00")
        .await
        .problem(400, "reversed_period");
}
