//! Role and scope on every endpoint: what each kind of account may and may not do.

use reqwest::Method;
use roster::vocab::UserRole;
use serde_json::{Value, json};

use crate::helpers::{Caller, PASSWORD, create_person, person, spawn_app, world};

/// Expected statuses, in the order admin, district board, center coordinator, lecturer,
/// anonymous.
type Expect = [u16; 5];

/// Makes a request body; the argument differs on every call, for unique codes.
type Body = Box<dyn Fn(usize) -> Option<Value>>;

#[tokio::test]
async fn each_role_may_do_what_its_scope_allows_and_nothing_more() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    // p1 works at center 1 in district 1, p2 in district 2; the lecturer account is p1's.
    let p1 = create_person(
        &admin,
        "GV-1",
        "Lê Văn Tám",
        json!({"home_district_id": w.d1, "center_id": w.center1}),
    )
    .await;
    let p2 = create_person(
        &admin,
        "GV-2",
        "Trần Thị Hoa",
        json!({"home_district_id": w.d2, "center_id": w.center2}),
    )
    .await;
    let board = app.account("bantg.d01", UserRole::DistrictBoard, Some(w.d1)).await;
    let coordinator = app
        .account("ttct.d01", UserRole::CenterCoordinator, Some(w.center1))
        .await;
    let lecturer = app.account("gv1", UserRole::Lecturer, Some(p1)).await;
    let callers: [(&str, Caller); 5] = [
        ("admin", admin.clone()),
        ("board", board),
        ("coordinator", coordinator),
        ("lecturer", lecturer),
        ("anonymous", app.anonymous()),
    ];

    let mut n = 0;
    let mut unique = || {
        n += 1;
        n
    };
    let cases: Vec<(Method, String, Body, Expect)> = vec![
        (
            Method::GET,
            "/api/v1/me".into(),
            Box::new(|_| None),
            [200, 200, 200, 200, 401],
        ),
        (
            Method::GET,
            "/api/v1/districts".into(),
            Box::new(|_| None),
            [200, 200, 200, 200, 401],
        ),
        (
            Method::GET,
            "/api/v1/centers".into(),
            Box::new(|_| None),
            [200, 200, 200, 200, 401],
        ),
        (
            Method::GET,
            "/api/v1/topics".into(),
            Box::new(|_| None),
            [200, 200, 200, 200, 401],
        ),
        (
            Method::GET,
            "/api/v1/travel-times".into(),
            Box::new(|_| None),
            [200, 200, 200, 200, 401],
        ),
        (
            Method::POST,
            "/api/v1/districts".into(),
            Box::new(|i| Some(json!({"code": format!("X{i}"), "name": "Huyện Mới"}))),
            [201, 403, 403, 403, 401],
        ),
        (
            Method::PUT,
            format!("/api/v1/districts/{}", w.d1),
            Box::new(|_| Some(json!({"code": "D01", "name": "Thành phố Sóc Trăng"}))),
            [200, 403, 403, 403, 401],
        ),
        (
            Method::PUT,
            "/api/v1/travel-times".into(),
            Box::new(move |_| {
                Some(json!({"entries": [{"from_district_id": w.d1, "to_district_id": w.d2, "minutes": 40}]}))
            }),
            [200, 403, 403, 403, 401],
        ),
        (
            Method::POST,
            "/api/v1/centers".into(),
            Box::new(move |i| {
                Some(
                    json!({"code": format!("C{i}"), "name": "Trung tâm", "kind": "district_center", "district_id": w.d1}),
                )
            }),
            [201, 403, 403, 403, 401],
        ),
        (
            Method::POST,
            "/api/v1/topics".into(),
            Box::new(|i| Some(json!({"code": format!("T{i}"), "name": "Chuyên đề", "kind": "module"}))),
            [201, 403, 403, 403, 401],
        ),
        (
            Method::GET,
            format!("/api/v1/people/{p1}"),
            Box::new(|_| None),
            [200, 200, 200, 200, 401],
        ),
        (
            Method::GET,
            format!("/api/v1/people/{p2}"),
            Box::new(|_| None),
            [200, 403, 403, 403, 401],
        ),
        (
            Method::GET,
            format!("/api/v1/people/{p2}/unavailability"),
            Box::new(|_| None),
            [200, 403, 403, 403, 401],
        ),
        (
            Method::POST,
            "/api/v1/people".into(),
            Box::new(|i| Some(person(&format!("N{i}"), "Người Mới", json!({})))),
            [201, 403, 403, 403, 401],
        ),
        (
            Method::PUT,
            format!("/api/v1/people/{p1}"),
            Box::new(move |_| {
                Some(person(
                    "GV-1",
                    "Lê Văn Tám",
                    json!({"home_district_id": w.d1, "center_id": w.center1}),
                ))
            }),
            [200, 403, 403, 403, 401],
        ),
        (
            Method::POST,
            format!("/api/v1/people/{p1}/unavailability"),
            Box::new(|i| {
                Some(
                    json!({"start": format!("2027-04-{:02}T00:00:00+07:00", i % 28 + 1), "end": format!("2027-04-{:02}T12:00:00+07:00", i % 28 + 1)}),
                )
            }),
            [201, 403, 201, 201, 401],
        ),
        (
            Method::POST,
            format!("/api/v1/people/{p2}/unavailability"),
            Box::new(|i| {
                Some(
                    json!({"start": format!("2027-05-{:02}T00:00:00+07:00", i % 28 + 1), "end": format!("2027-05-{:02}T12:00:00+07:00", i % 28 + 1)}),
                )
            }),
            [201, 403, 403, 403, 401],
        ),
        (
            Method::PUT,
            format!("/api/v1/people/{p1}/weekly-pattern"),
            Box::new(|_| Some(json!({"half_days": [{"weekday": "monday", "half_day": "morning"}]}))),
            [200, 403, 200, 200, 401],
        ),
        (
            Method::PUT,
            format!("/api/v1/people/{p2}/weekly-pattern"),
            Box::new(|_| Some(json!({"half_days": []}))),
            [200, 403, 403, 403, 401],
        ),
        (
            Method::GET,
            "/api/v1/users".into(),
            Box::new(|_| None),
            [200, 403, 403, 403, 401],
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            Box::new(|i| {
                Some(
                    json!({"username": format!("user{i}"), "display_name": "Ai đó", "password": PASSWORD, "role": "province_admin"}),
                )
            }),
            [201, 403, 403, 403, 401],
        ),
        (
            Method::GET,
            "/api/v1/audit".into(),
            Box::new(|_| None),
            [200, 403, 403, 403, 401],
        ),
        (
            Method::GET,
            "/api/v1/tokens".into(),
            Box::new(|_| None),
            [200, 200, 200, 200, 401],
        ),
        (
            Method::GET,
            "/api/v1/people/import/template".into(),
            Box::new(|_| None),
            [200, 200, 200, 200, 401],
        ),
        (
            Method::POST,
            "/api/v1/people/import".into(),
            Box::new(|_| Some(json!("Họ và tên,Mã,Loại"))),
            [422, 403, 403, 403, 401],
        ),
    ];

    let mut failures = Vec::new();
    for (method, path, body, expected) in &cases {
        for ((who, caller), want) in callers.iter().zip(expected) {
            let reply = caller.send(method.clone(), path, body(unique())).await;
            if reply.status.as_u16() != *want {
                failures.push(format!(
                    "{who} {method} {path}: got {}, want {want}: {}",
                    reply.status, reply.body
                ));
            }
            if *want >= 400 {
                assert_eq!(
                    reply.content_type(),
                    "application/problem+json",
                    "{who} {method} {path}"
                );
            }
        }
    }
    assert!(failures.is_empty(), "access matrix:\n{}", failures.join("\n"));

    // Deleting is the board's alone; a person without history can be deleted once.
    let p3 = create_person(&admin, "GV-3", "Phạm Văn Ba", json!({"home_district_id": w.d1})).await;
    for (who, caller) in &callers[1..] {
        let status = caller.delete(&format!("/api/v1/people/{p3}")).await.status.as_u16();
        assert!(status == 403 || status == 401, "{who} deleted a person: {status}");
    }
    admin.delete(&format!("/api/v1/people/{p3}")).await.ok(204);
}

#[tokio::test]
async fn lists_show_only_the_callers_scope() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    create_person(&admin, "GV-1", "Lê Văn Tám", json!({"home_district_id": w.d1})).await;
    // Works at the district-1 center; no home district on record.
    let p2 = create_person(&admin, "GV-2", "Trần Thị Hoa", json!({"center_id": w.center1})).await;
    create_person(&admin, "GV-3", "Phạm Văn Ba", json!({"home_district_id": w.d2})).await;
    let codes = |reply: crate::helpers::Reply| -> Vec<String> {
        reply.ok(200)["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["code"].as_str().unwrap().to_string())
            .collect()
    };
    let board = app.account("bantg.d01", UserRole::DistrictBoard, Some(w.d1)).await;
    let coordinator = app
        .account("ttct.d01", UserRole::CenterCoordinator, Some(w.center1))
        .await;
    let lecturer = app.account("gv2", UserRole::Lecturer, Some(p2)).await;
    // Vietnamese order: by given name (Ba, Hoa, Tám).
    assert_eq!(codes(admin.get("/api/v1/people").await), ["GV-3", "GV-2", "GV-1"]);
    assert_eq!(codes(board.get("/api/v1/people").await), ["GV-1"]);
    assert_eq!(codes(coordinator.get("/api/v1/people").await), ["GV-2", "GV-1"]);
    assert_eq!(codes(lecturer.get("/api/v1/people").await), ["GV-2"]);
    // A filter cannot widen the scope.
    assert_eq!(
        codes(board.get(&format!("/api/v1/people?district_id={}", w.d2)).await),
        Vec::<String>::new()
    );
}
