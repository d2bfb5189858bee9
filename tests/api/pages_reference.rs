//! The reference-data pages: the province board adds and edits districts, centers, topics and
//! programs, and travel times, each mistake shown beside its field; the others only read.

use reqwest::StatusCode;

use crate::pages::Browser;
use crate::planning::{one_account_of_each_kind, planning};

#[tokio::test]
async fn the_province_sets_up_its_reference_data_from_the_browser() {
    let app = crate::helpers::spawn_app().await;
    let p = planning(&app).await;
    one_account_of_each_kind(&app, &p).await;
    let mut admin = Browser::signed_in(&app, "admin.web").await;

    // A district: a bad code comes back beside its field with what was typed; nothing stored.
    let districts_before = p.admin.get("/api/v1/districts").await.ok(200).clone();
    let bad = admin
        .post(
            "/registry/districts/new",
            &[("name", "Huyện Cù Lao Dung"), ("code", "mã có dấu")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert!(bad.text.contains("id=\"error-code\"") && bad.text.contains("value=\"Huyện Cù Lao Dung\""));
    assert_eq!(p.admin.get("/api/v1/districts").await.ok(200), &districts_before);
    let added = admin
        .post(
            "/registry/districts/new",
            &[("name", "Huyện Cù Lao Dung"), ("code", "D09")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text);
    let districts = p.admin.get("/api/v1/districts").await.ok(200).clone();
    let d09 = districts
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "D09")
        .expect("the new district")["id"]
        .as_i64()
        .unwrap();
    let dup = admin
        .post(
            &format!("/registry/districts/{d09}"),
            &[("name", "Huyện Cù Lao Dung"), ("code", "D01")],
        )
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", dup.text);
    assert!(dup.text.contains("error"), "{}", dup.text);
    let renamed = admin
        .post(
            &format!("/registry/districts/{d09}"),
            &[("name", "Huyện Cù Lao Dung mới"), ("code", "D09")],
        )
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER, "{}", renamed.text);
    let edit = admin.get(&format!("/registry/districts/{d09}")).await.text;
    assert!(edit.contains("value=\"Huyện Cù Lao Dung mới\""), "{edit}");

    // A unit seated in a district keeps its kind and seat when its name is edited here.
    let kind = p
        .admin
        .post(
            "/api/v1/unit-kinds",
            serde_json::json!({"code": "DUTT", "name": "Đảng ủy trực thuộc Tỉnh ủy"}),
        )
        .await
        .ok(201)["id"]
        .clone();
    let unit = p
        .admin
        .post(
            "/api/v1/districts",
            serde_json::json!({"code": "DU-KCQ", "name": "Đảng ủy Khối Cơ quan tỉnh", "unit_kind_id": kind, "seat_district_id": p.w.d1}),
        )
        .await
        .ok(201)["id"]
        .clone();
    let renamed_unit = admin
        .post(
            &format!("/registry/districts/{unit}"),
            &[("name", "Đảng ủy Khối các cơ quan tỉnh"), ("code", "DU-KCQ")],
        )
        .await;
    assert_eq!(renamed_unit.status, StatusCode::SEE_OTHER, "{}", renamed_unit.text);
    let stored = p.admin.get(&format!("/api/v1/districts/{unit}")).await.ok(200).clone();
    assert_eq!(
        (stored["unit_kind_id"].clone(), stored["seat_district_id"].clone()),
        (kind, p.w.d1.into())
    );

    // A center in it, a missing district shown beside the district.
    let no_district = admin
        .post(
            "/registry/centers/new",
            &[
                ("name", "Trung tâm Chính trị huyện Cù Lao Dung"),
                ("code", "TT09"),
                ("kind", "district_center"),
            ],
        )
        .await;
    assert_eq!(no_district.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_district.text.contains("id=\"error-district_id\""),
        "{}",
        no_district.text
    );
    let center = admin
        .post(
            "/registry/centers/new",
            &[
                ("name", "Trung tâm Chính trị huyện Cù Lao Dung"),
                ("code", "TT09"),
                ("kind", "district_center"),
                ("district_id", &d09.to_string()),
                ("contact", "Đ/c Hằng, 0299 3 888 999"),
            ],
        )
        .await;
    assert_eq!(center.status, StatusCode::SEE_OTHER, "{}", center.text);
    let centers = p.admin.get("/api/v1/centers").await.ok(200).to_string();
    assert!(centers.contains("Đ/c Hằng, 0299 3 888 999"), "{centers}");

    // A module topic, then a program of it: a bad row's half-days beside that row.
    let topic = admin
        .post(
            "/registry/topics/new",
            &[
                ("name", "Kỹ năng tuyên truyền miệng"),
                ("code", "SC-09"),
                ("kind", "module"),
            ],
        )
        .await;
    assert_eq!(topic.status, StatusCode::SEE_OTHER, "{}", topic.text);
    let topics = p.admin.get("/api/v1/topics").await.ok(200).clone();
    let sc09 = topics
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "SC-09")
        .expect("the new topic")["id"]
        .to_string();
    let programs_before = p.admin.get("/api/v1/programs").await.ok(200).clone();
    let form = |second_days: &'static str| {
        vec![
            ("name", "Bồi dưỡng báo cáo viên cơ sở".to_string()),
            ("code", "BD-BCV".to_string()),
            ("topic_id", sc09.clone()),
            ("half_days", "2".to_string()),
            ("min_theory_level", "".to_string()),
            ("topic_id", "".to_string()),
            ("half_days", "".to_string()),
            ("min_theory_level", "".to_string()),
            ("topic_id", sc09.clone()),
            ("half_days", second_days.to_string()),
            ("min_theory_level", "intermediate".to_string()),
        ]
    };
    let owned = form("41");
    let fields: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let bad_row = admin.post("/registry/programs/new", &fields).await;
    assert_eq!(bad_row.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad_row.text);
    assert!(
        bad_row.text.contains("id=\"error-modules[1].half_days\""),
        "the blank row is dropped: {}",
        bad_row.text
    );
    assert_eq!(p.admin.get("/api/v1/programs").await.ok(200), &programs_before);
    let owned = form("3");
    let fields: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let program = admin.post("/registry/programs/new", &fields).await;
    assert_eq!(program.status, StatusCode::SEE_OTHER, "{}", program.text);
    let programs = p.admin.get("/api/v1/programs").await.ok(200).clone();
    let stored = programs
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "BD-BCV")
        .unwrap()
        .clone();
    assert_eq!(stored["half_days"], 5);
    assert_eq!(stored["modules"][1]["min_theory_level"], "intermediate");
    let overview = admin.get("/registry").await.text;
    assert!(overview.contains("Bồi dưỡng báo cáo viên cơ sở") && overview.contains("Kỹ năng tuyên truyền miệng"));

    // Travel times: a word or too many minutes come back beside the field.
    let (d1, d2) = (p.w.d1.to_string(), p.w.d2.to_string());
    for (there, back, field) in [("năm mươi", "", "there"), ("50", "2000", "back")] {
        let refused = admin
            .post(
                "/registry/travel-times",
                &[("from", &d1), ("to", &d2), ("there", there), ("back", back)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text);
        assert!(
            refused.text.contains(&format!("id=\"error-{field}\"")),
            "{field}: {}",
            refused.text
        );
    }
    let matrix = p.admin.get("/api/v1/travel-times").await.ok(200).to_string();
    assert!(!matrix.contains("2000"), "nothing is stored: {matrix}");
}

#[tokio::test]
async fn boards_and_centers_read_the_reference_data_but_do_not_change_it() {
    let app = crate::helpers::spawn_app().await;
    let p = planning(&app).await;
    one_account_of_each_kind(&app, &p).await;
    let district = format!("/registry/districts/{}", p.w.d1);
    for username in ["bt.d01", "tt.d01"] {
        let mut b = Browser::signed_in(&app, username).await;
        let overview = b.get("/registry").await;
        assert_eq!(overview.status, StatusCode::OK, "{username}");
        assert!(
            overview.text.contains("href=\"/registry\""),
            "the navigation offers it: {username}"
        );
        assert!(!overview.text.contains("/registry/districts/new"), "{username}");
        for path in ["/registry/districts/new", "/registry/programs/new", district.as_str()] {
            assert_eq!(b.get(path).await.status, StatusCode::FORBIDDEN, "{username} {path}");
        }
        let refused = b.post(&district, &[("name", "Đổi tên"), ("code", "D01")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{username}");
    }
    let mut lecturer = Browser::signed_in(&app, "gv.lan").await;
    assert_eq!(lecturer.get("/registry").await.status, StatusCode::FORBIDDEN);
    let mut admin = Browser::signed_in(&app, "admin.web").await;
    assert_eq!(admin.get("/registry/rooms/new").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        admin.get(&format!("/registry/programs/{}", p.w.d1)).await.status,
        StatusCode::NOT_FOUND
    );
}
