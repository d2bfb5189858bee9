//! People: create, read, replace, deactivate, delete; listing with filters, pagination and
//! Vietnamese name order; availability.

use roster::vocab::UserRole;
use serde_json::json;

use crate::helpers::{Reply, create_person, person, spawn_app, world};

fn names(reply: &Reply) -> Vec<String> {
    reply.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["full_name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_person_round_trips_with_every_field_and_diacritics_intact() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    let body = json!({
        "code": "GV-0042", "full_name": "Thạch Thị Sô Phia",
        "roles": ["rapporteur", "lecturer_part_time"], "rapporteur_level": "district", "theory_level": "intermediate",
        "home_district_id": w.d2, "center_id": w.center2, "gender": "female", "ethnicity": "Khmer",
        "languages": ["vi", "km"], "phone": "0912 345 678", "email": "phia.tt@soctrang.dcs.vn",
        "qualification_ids": [w.resolution, w.module], "max_per_day": 2, "max_per_week": 4, "max_per_month": 8
    });
    let created = admin.post("/api/v1/people", body).await;
    let p = created.ok(201);
    assert_eq!(p["full_name"], "Thạch Thị Sô Phia");
    assert_eq!(p["roles"], json!(["lecturer_part_time", "rapporteur"]));
    assert_eq!(p["languages"], json!(["km", "vi"]));
    assert_eq!(p["qualification_ids"], json!([w.module, w.resolution]));
    assert_eq!(
        (
            p["max_per_day"].as_i64(),
            p["max_per_week"].as_i64(),
            p["max_per_month"].as_i64()
        ),
        (Some(2), Some(4), Some(8))
    );
    assert_eq!(p["active"], true);
    assert!(p["created_at"].as_str().unwrap().ends_with("+07:00"));
    let id = p["id"].as_i64().unwrap();
    assert_eq!(admin.get(&format!("/api/v1/people/{id}")).await.ok(200), p);
}

#[tokio::test]
async fn names_typed_decomposed_are_stored_composed() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    // "Nguyễn" with the tone and circumflex as combining marks (as some systems send it).
    let decomposed = "Nguye\u{302}\u{303}n Thi\u{323} A\u{301}nh";
    let id = create_person(&admin, "GV-1", decomposed, json!({})).await;
    assert_eq!(
        admin.get(&format!("/api/v1/people/{id}")).await.ok(200)["full_name"],
        "Nguyễn Thị Ánh"
    );
}

#[tokio::test]
async fn replacing_a_person_replaces_roles_languages_and_qualifications() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    let id = create_person(
        &admin,
        "GV-1",
        "Lê Văn Tám",
        json!({"languages": ["vi", "km"], "qualification_ids": [w.module]}),
    )
    .await;
    let replaced = admin
        .put(
            &format!("/api/v1/people/{id}"),
            person(
                "GV-1",
                "Lê Văn Tám",
                json!({"roles": ["rapporteur"], "rapporteur_level": "province", "qualification_ids": [w.resolution]}),
            ),
        )
        .await;
    let p = replaced.ok(200);
    assert_eq!(p["roles"], json!(["rapporteur"]));
    assert_eq!(p["languages"], json!([]));
    assert_eq!(p["qualification_ids"], json!([w.resolution]));
    admin
        .put("/api/v1/people/999", person("GV-9", "Không Có", json!({})))
        .await
        .problem(404, "not_found");
}

#[tokio::test]
async fn a_person_with_history_is_deactivated_never_deleted() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let with_account = create_person(&admin, "GV-1", "Lê Văn Tám", json!({})).await;
    app.account("gv1", UserRole::Lecturer, Some(with_account)).await;
    let reply = admin.delete(&format!("/api/v1/people/{with_account}")).await;
    assert!(
        reply.problem(409, "person_has_history")["detail"]
            .as_str()
            .unwrap()
            .contains("1 tài khoản")
    );

    let deactivated = admin
        .put(
            &format!("/api/v1/people/{with_account}"),
            person("GV-1", "Lê Văn Tám", json!({"active": false})),
        )
        .await;
    assert_eq!(deactivated.ok(200)["active"], false);
    assert_eq!(admin.get("/api/v1/people?active=true").await.ok(200)["total"], 0);
    assert_eq!(admin.get("/api/v1/people?active=false").await.ok(200)["total"], 1);

    let without = create_person(&admin, "GV-2", "Trần Thị Hoa", json!({})).await;
    admin.delete(&format!("/api/v1/people/{without}")).await.ok(204);
    admin
        .get(&format!("/api/v1/people/{without}"))
        .await
        .problem(404, "not_found");
}

#[tokio::test]
async fn lists_sort_the_vietnamese_way_and_paginate() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for (i, name) in [
        "Trần Văn Ưng",
        "Lê Thị Ánh",
        "Nguyễn Văn An",
        "Đặng Thị Ánh",
        "Phạm Văn Đức",
        "Võ Thị Dung",
        "Lý Văn Ung",
    ]
    .iter()
    .enumerate()
    {
        create_person(&admin, &format!("GV-{i}"), name, json!({})).await;
    }
    let all = admin.get("/api/v1/people").await;
    assert_eq!(
        names(&all),
        [
            "Nguyễn Văn An",
            "Đặng Thị Ánh",
            "Lê Thị Ánh",
            "Võ Thị Dung",
            "Phạm Văn Đức",
            "Lý Văn Ung",
            "Trần Văn Ưng"
        ]
    );
    let page2 = admin.get("/api/v1/people?page=2&per_page=3").await;
    assert_eq!(names(&page2), ["Võ Thị Dung", "Phạm Văn Đức", "Lý Văn Ung"]);
    assert_eq!(
        (
            page2.body["total"].as_i64(),
            page2.body["page"].as_i64(),
            page2.body["per_page"].as_i64()
        ),
        (Some(7), Some(2), Some(3))
    );
    assert_eq!(
        names(&admin.get("/api/v1/people?page=9&per_page=3").await),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn lists_filter_by_district_role_qualification_language_activity_search_and_availability() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    let lan = create_person(
        &admin,
        "GV-1",
        "Nguyễn Thị Lan",
        json!({"home_district_id": w.d1, "languages": ["vi"], "qualification_ids": [w.module]}),
    )
    .await;
    create_person(
        &admin,
        "BCV-1",
        "Thạch Sô Phia",
        json!({"home_district_id": w.d2, "roles": ["rapporteur"], "rapporteur_level": "grassroots",
               "languages": ["vi", "km"], "qualification_ids": [w.resolution]}),
    )
    .await;
    create_person(
        &admin,
        "GV-2",
        "Đặng Văn Lâm",
        json!({"home_district_id": w.d2, "active": false}),
    )
    .await;
    admin
        .post(
            &format!("/api/v1/people/{lan}/unavailability"),
            json!({"start": "2027-03-02T00:00:00+07:00", "end": "2027-03-05T00:00:00+07:00", "reason": "Học tập trung"}),
        )
        .await
        .ok(201);

    let q = |query: &str| {
        let (admin, path) = (&admin, format!("/api/v1/people?{query}"));
        async move { admin.get(&path).await }
    };
    assert_eq!(
        names(&q(&format!("district_id={}", w.d2)).await),
        ["Đặng Văn Lâm", "Thạch Sô Phia"]
    );
    assert_eq!(names(&q("role=rapporteur").await), ["Thạch Sô Phia"]);
    assert_eq!(
        names(&q(&format!("qualification_id={}", w.module)).await),
        ["Nguyễn Thị Lan"]
    );
    assert_eq!(names(&q("language=km").await), ["Thạch Sô Phia"]);
    assert_eq!(names(&q("active=false").await), ["Đặng Văn Lâm"]);
    assert_eq!(names(&q("q=dang").await), ["Đặng Văn Lâm"]);
    assert_eq!(names(&q("q=Lâm").await), ["Đặng Văn Lâm"]);
    assert_eq!(names(&q("q=bcv-1").await), ["Thạch Sô Phia"]);
    assert_eq!(names(&q("q=50%25").await), Vec::<String>::new());
    // Lan is away 2-5 March: not available on the 3rd, available from the 5th (periods are half-open).
    let window =
        |from: &str, to: &str| format!("available_from={from}T00:00:00%2B07:00&available_to={to}T00:00:00%2B07:00");
    assert_eq!(
        names(&q(&window("2027-03-03", "2027-03-04")).await),
        ["Đặng Văn Lâm", "Thạch Sô Phia"]
    );
    // Lan before Lâm: a comes before â.
    assert_eq!(
        names(&q(&window("2027-03-05", "2027-03-06")).await),
        ["Nguyễn Thị Lan", "Đặng Văn Lâm", "Thạch Sô Phia"]
    );
    assert_eq!(
        names(
            &q(&format!(
                "{}&role=lecturer_full_time&active=true",
                window("2027-03-01", "2027-03-10")
            ))
            .await
        ),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn weekly_half_days_and_unavailable_periods_are_kept_and_removed() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let id = create_person(&admin, "GV-1", "Lê Văn Tám", json!({"roles": ["lecturer_part_time"]})).await;
    let slots = json!({"half_days": [
        {"weekday": "saturday", "half_day": "morning"},
        {"weekday": "monday", "half_day": "afternoon"},
        {"weekday": "monday", "half_day": "afternoon"}
    ]});
    let reply = admin.put(&format!("/api/v1/people/{id}/weekly-pattern"), slots).await;
    assert_eq!(
        reply.ok(200)["weekly_pattern"],
        json!([{"weekday": "monday", "half_day": "afternoon"}, {"weekday": "saturday", "half_day": "morning"}])
    );
    admin
        .put(
            &format!("/api/v1/people/{id}/weekly-pattern"),
            json!({"half_days": [{"weekday": "funday", "half_day": "morning"}]}),
        )
        .await
        .problem(422, "invalid_field");

    let path = format!("/api/v1/people/{id}/unavailability");
    let period = admin
        .post(
            &path,
            json!({"start": "2027-03-02T07:00:00+07:00", "end": "2027-03-02T17:00:00+07:00"}),
        )
        .await;
    let period_id = period.ok(201)["id"].as_i64().unwrap();
    // Given in UTC, shown in local time.
    let utc = admin
        .post(
            &path,
            json!({"start": "2027-03-03T00:00:00Z", "end": "2027-03-03T10:00:00Z"}),
        )
        .await;
    assert_eq!(utc.ok(201)["start"], "2027-03-03T07:00:00+07:00");
    admin.delete(&format!("{path}/{period_id}")).await.ok(204);
    admin
        .delete(&format!("{path}/{period_id}"))
        .await
        .problem(404, "not_found");
    assert_eq!(admin.get(&path).await.ok(200).as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn counts_by_role_women_and_ethnic_minority_follow_the_filters() {
    let app = crate::helpers::spawn_app().await;
    let p = crate::planning::planning(&app).await;
    let all = p.admin.get("/api/v1/people/counts").await.ok(200).clone();
    let list = p.admin.get("/api/v1/people?per_page=500").await.ok(200).clone();
    assert_eq!(all["total"], list["total"]);
    let rapporteurs = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["roles"].as_array().unwrap().iter().any(|r| r == "rapporteur"))
        .count();
    assert_eq!(all["rapporteur"].as_u64(), Some(rapporteurs as u64));
    let d1 = p
        .admin
        .get(&format!("/api/v1/people/counts?district_id={}", p.w.d1))
        .await
        .ok(200)
        .clone();
    let d1_list = p
        .admin
        .get(&format!("/api/v1/people?district_id={}", p.w.d1))
        .await
        .ok(200)
        .clone();
    assert_eq!(d1["total"], d1_list["total"]);
    assert!(d1["total"].as_i64() < all["total"].as_i64());
}
