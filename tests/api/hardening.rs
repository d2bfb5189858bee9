//! Hostile and careless input, and the rules that keep the registry consistent.

use roster::vocab::UserRole;
use serde_json::json;

use crate::helpers::{PASSWORD, create_person, person, spawn_app, world};

#[tokio::test]
async fn nul_and_invisible_characters_never_cause_a_500() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let login = app
        .anonymous()
        .post(
            "/api/v1/auth/login",
            json!({"username": "ad\u{0}min", "password": PASSWORD}),
        )
        .await;
    assert!(matches!(login.status.as_u16(), 400 | 401), "{}", login.body);
    for path in [
        "/api/v1/people?q=a%00b",
        "/api/v1/people?language=k%00",
        "/api/v1/audit?entity=a%00",
    ] {
        let reply = admin.get(path).await;
        assert!(
            reply.status.is_success() || reply.status.as_u16() == 400,
            "{path}: {}",
            reply.body
        );
    }
    let created = admin
        .post(
            "/api/v1/districts",
            json!({"code": "D01", "name": "Huyện\u{0} Trần\u{200B} Đề"}),
        )
        .await;
    assert_eq!(created.ok(201)["name"], "Huyện Trần Đề");
}

#[tokio::test]
async fn a_district_centers_staff_live_in_its_district() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    let reply = admin
        .post(
            "/api/v1/people",
            person(
                "GV-1",
                "Lê Văn Tám",
                json!({"home_district_id": w.d2, "center_id": w.center1}),
            ),
        )
        .await;
    assert_eq!(reply.problem(422, "center_district_mismatch")["field"], "center_id");
    let school =
        json!({"code": "TCT", "name": "Trường Chính trị tỉnh", "kind": "provincial_school", "district_id": w.d1});
    let school = admin.post("/api/v1/centers", school).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    create_person(
        &admin,
        "GV-1",
        "Lê Văn Tám",
        json!({"home_district_id": w.d2, "center_id": school}),
    )
    .await;
}

#[tokio::test]
async fn dates_outside_1900_to_2200_are_refused() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let id = create_person(&admin, "GV-1", "Lê Văn Tám", json!({})).await;
    let far = json!({"start": "9999-12-31T10:00:00-12:00", "end": "9999-12-31T23:00:00-12:00"});
    let reply = admin.post(&format!("/api/v1/people/{id}/unavailability"), far).await;
    assert_eq!(reply.problem(422, "date_out_of_range")["field"], "start");
    admin
        .get("/api/v1/people?available_from=0001-01-01T00:00:00%2B07:00&available_to=2027-01-01T00:00:00%2B07:00")
        .await
        .problem(400, "date_out_of_range");
}

#[tokio::test]
async fn a_password_reset_revokes_tokens_and_is_audited() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    let board = app.account("bantg.d01", UserRole::DistrictBoard, Some(w.d1)).await;
    let id = board.get("/api/v1/me").await.ok(200)["id"].as_i64().unwrap();
    let token = board.post("/api/v1/tokens", json!({"name": "script"})).await.ok(201)["token_secret"]
        .as_str()
        .unwrap()
        .to_string();
    admin
        .patch(&format!("/api/v1/users/{id}"), json!({"password": "mật-khẩu-mới-2027"}))
        .await
        .ok(200);
    app.bearer(&token).get("/api/v1/me").await.problem(401, "unauthorized");
    let log = admin.get(&format!("/api/v1/audit?entity=user&entity_id={id}")).await;
    let entry = &log.ok(200)["items"][0];
    assert_eq!(entry["after"]["password_changed"], true);
    assert!(entry["after"].get("password_hash").is_none());
}

#[tokio::test]
async fn a_deactivated_persons_account_stops_working() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let id = create_person(&admin, "GV-1", "Lê Văn Tám", json!({})).await;
    let lecturer = app.account("gv1", UserRole::Lecturer, Some(id)).await;
    lecturer.get("/api/v1/me").await.ok(200);
    admin
        .put(
            &format!("/api/v1/people/{id}"),
            person("GV-1", "Lê Văn Tám", json!({"active": false})),
        )
        .await
        .ok(200);
    lecturer.get("/api/v1/me").await.problem(401, "unauthorized");
    app.anonymous()
        .post("/api/v1/auth/login", json!({"username": "gv1", "password": PASSWORD}))
        .await
        .problem(401, "bad_credentials");
    let new = json!({"username": "gv1b", "display_name": "Lê Văn Tám", "password": PASSWORD, "role": "lecturer", "person_id": id});
    admin.post("/api/v1/users", new).await.problem(422, "inactive_person");
}

#[tokio::test]
async fn simultaneous_overlapping_periods_record_one() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let id = create_person(&admin, "GV-1", "Lê Văn Tám", json!({})).await;
    let path = format!("/api/v1/people/{id}/unavailability");
    let period = json!({"start": "2027-03-02T00:00:00+07:00", "end": "2027-03-05T00:00:00+07:00"});
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let (admin, path, period) = (admin.clone(), path.clone(), period.clone());
            tokio::spawn(async move { admin.post(&path, period).await.status.as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for call in calls {
        statuses.push(call.await.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
    assert_eq!(admin.get(&path).await.ok(200).as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn travel_time_changes_are_audited_with_the_old_minutes() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    let entry = |m: i64| json!({"entries": [{"from_district_id": w.d1, "to_district_id": w.d2, "minutes": m}]});
    admin.put("/api/v1/travel-times", entry(45)).await.ok(200);
    admin.put("/api/v1/travel-times", entry(50)).await.ok(200);
    let log = admin.get("/api/v1/audit?entity=travel_time").await;
    let last = &log.ok(200)["items"][0];
    assert_eq!(last["before"][0]["minutes"], 45);
    assert_eq!(last["after"][0]["minutes"], 50);
}

#[tokio::test]
async fn the_demo_is_not_loaded_over_existing_data() {
    let app = spawn_app().await;
    app.admin().await;
    assert!(roster::demo::load(&app.db).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let token = admin.post("/api/v1/tokens", json!({"name": "x"})).await.ok(201)["token_secret"]
        .as_str()
        .unwrap()
        .to_string();
    let reply = reqwest::Client::new()
        .get(format!("{}/api/v1/me", app.base))
        .header("authorization", format!("bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
}

/// A form on a sibling subdomain is "same-site" to the browser, which then sends the
/// `SameSite=Lax` session cookie with it: such changes are refused, reads are not.
#[tokio::test]
async fn changes_sent_from_another_site_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let district = json!({"code": "D01", "name": "Thành phố Sóc Trăng"});
    let sibling = admin.with_header(reqwest::header::HeaderName::from_static("sec-fetch-site"), "same-site");
    sibling
        .post("/api/v1/districts", district.clone())
        .await
        .problem(403, "cross_site_request");
    admin
        .with_header(reqwest::header::ORIGIN, "https://tin.soctrang.gov.vn")
        .post("/api/v1/districts", district.clone())
        .await
        .problem(403, "cross_site_request");
    app.anonymous()
        .with_header(reqwest::header::HeaderName::from_static("sec-fetch-site"), "cross-site")
        .post("/api/v1/auth/login", json!({"username": "admin", "password": PASSWORD}))
        .await
        .problem(403, "cross_site_request");
    assert_eq!(sibling.get("/api/v1/districts").await.ok(200), &json!([]));
    admin
        .with_header(
            reqwest::header::HeaderName::from_static("sec-fetch-site"),
            "same-origin",
        )
        .post("/api/v1/districts", district)
        .await
        .ok(201);
}

/// A path segment that is not an id names nothing: a 404 like an unknown id, as a problem on
/// the API and as a page on the site.
#[tokio::test]
async fn a_path_segment_that_is_not_an_id_is_a_404() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for path in [
        "/api/v1/people/abc",
        "/api/v1/people/99999999999999999999",
        "/api/v1/districts/1.5",
    ] {
        admin.get(path).await.problem(404, "not_found");
    }
    admin.delete("/api/v1/topics/abc").await.problem(404, "not_found");
    let page = admin.get("/planning/runs/abc").await;
    assert_eq!(page.status, 404);
    assert!(page.content_type().starts_with("text/html"), "{}", page.content_type());
}

/// Two people created with one code at once: one is stored, the other told `duplicate_code`
/// (the unique index decides on PostgreSQL, where both pass the check before either commits).
#[tokio::test]
async fn simultaneous_people_with_one_code_store_one_and_name_the_code() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let calls: Vec<_> = (0..8)
        .map(|i| {
            let admin = admin.clone();
            tokio::spawn(async move {
                admin
                    .post("/api/v1/people", person("GV-1", &format!("Người Thứ {i}"), json!({})))
                    .await
            })
        })
        .collect();
    let mut created = 0;
    for call in calls {
        let reply = call.await.unwrap();
        if reply.status == 201 {
            created += 1;
        } else {
            assert_eq!(reply.problem(409, "duplicate_code")["field"], "code");
        }
    }
    assert_eq!(created, 1);
}
