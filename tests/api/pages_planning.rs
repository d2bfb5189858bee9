//! The web pages of the annual plans, requests and briefings pages, for every kind of account, allowed and refused.

use reqwest::StatusCode;
use roster::vocab::UserRole;
use serde_json::json;

use crate::helpers::spawn_app;
use crate::pages::{Browser, is_page};
use crate::planning::{one_account_of_each_kind, plan, planning, request_body};

#[tokio::test]
async fn every_planning_page_for_every_kind_of_account() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    one_account_of_each_kind(&app, &p).await;
    app.account("bt.d11", UserRole::DistrictBoard, Some(p.w.d2)).await;
    let (plan_id, _) = plan(&p, false).await;
    let plan_page = format!("/plans/{plan_id}");

    let mut anonymous = Browser::new(&app);
    for path in ["/plans?year=2027", "/requests", "/briefings", plan_page.as_str()] {
        let got = anonymous.get(path).await;
        assert_eq!(got.status, StatusCode::SEE_OTHER, "{path}");
        assert!(got.location().starts_with("/login?next="), "{path}");
    }
    for (username, path, status) in [
        ("admin.web", "/plans?year=2027", 200),
        ("admin.web", plan_page.as_str(), 200),
        ("admin.web", "/requests", 200),
        ("admin.web", "/briefings", 200),
        ("bt.d01", "/plans?year=2027", 200),
        ("bt.d01", plan_page.as_str(), 200),
        ("bt.d01", "/requests", 200),
        ("bt.d01", "/briefings", 200),
        ("bt.d11", "/plans?year=2027", 200),
        ("bt.d11", plan_page.as_str(), 403),
        ("bt.d11", "/requests", 200),
        ("tt.d01", "/plans?year=2027", 200),
        ("tt.d01", "/requests", 200),
        ("gv.lan", "/plans?year=2027", 403),
        ("gv.lan", plan_page.as_str(), 403),
        ("gv.lan", "/requests", 403),
        ("gv.lan", "/briefings", 403),
    ] {
        let mut b = Browser::signed_in(&app, username).await;
        let got = b.get(path).await;
        assert_eq!(got.status.as_u16(), status, "{username} {path}: {}", got.text);
        assert!(is_page(&got));
    }
    // The province sees every district at a glance; another district's board only its own.
    let mut province = Browser::signed_in(&app, "admin.web").await;
    let all = province.get("/plans?year=2027").await.text;
    assert!(
        all.contains(&format!("data-district=\"{}\"", p.w.d1))
            && all.contains(&format!("data-district=\"{}\"", p.w.d2))
    );
    assert!(all.contains("Dự thảo") && all.contains("Chưa lập"));
    let mut other = Browser::signed_in(&app, "bt.d11").await;
    let own = other.get("/plans?year=2027").await.text;
    assert!(!own.contains(&format!("data-district=\"{}\"", p.w.d1)));
    // Another district's board may not change the plan.
    let refused = other.post(&format!("{plan_page}/approve"), &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_board_drafts_adds_a_class_and_approves_through_the_pages() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    one_account_of_each_kind(&app, &p).await;
    let mut board = Browser::signed_in(&app, "bt.d01").await;
    let made = board
        .post("/plans", &[("district_id", &p.w.d1.to_string()), ("year", "2027")])
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    let to = made.location().to_string();
    let id: i64 = to
        .trim_start_matches("/plans/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(board.get(&to).await.text.contains("Đã lập dự thảo"));

    let program = p.program.to_string();
    let center = p.w.center1.to_string();
    // Women above the trainees: the error beside its field, the values kept, nothing stored.
    let bad = board
        .post(
            &format!("/plans/{id}/classes"),
            &[
                ("program_id", &program),
                ("center_id", &center),
                ("name", "Lớp Sơ cấp LLCT khóa 1"),
                ("months", "3"),
                ("months", "4"),
                ("trainees", "10"),
                ("women", "20"),
                ("ethnic_minority", "1"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text.contains("id=\"error-trainees\""), "{}", bad.text);
    assert!(bad.text.contains("không được vượt tổng số học viên"));
    assert!(bad.text.contains("value=\"Lớp Sơ cấp LLCT khóa 1\""));
    let not_a_number = board
        .post(
            &format!("/plans/{id}/classes"),
            &[
                ("program_id", &program),
                ("center_id", &center),
                ("name", "Lớp"),
                ("months", "3"),
                ("trainees", "mười"),
                ("women", "0"),
                ("ethnic_minority", "0"),
            ],
        )
        .await;
    assert_eq!(not_a_number.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(not_a_number.text.contains("id=\"error-trainees\""));
    assert_eq!(
        p.admin.get(&format!("/api/v1/plans/{id}")).await.ok(200)["classes"],
        json!([])
    );

    let added = board
        .post(
            &format!("/plans/{id}/classes"),
            &[
                ("program_id", &program),
                ("center_id", &center),
                ("name", "Lớp Sơ cấp LLCT khóa 1"),
                ("months", "3"),
                ("trainees", "60"),
                ("women", "25"),
                ("ethnic_minority", "18"),
            ],
        )
        .await;
    assert_eq!(added.location(), format!("/plans/{id}?done=added"));
    let shown = board.get(&format!("/plans/{id}")).await.text;
    assert!(shown.contains("Sơ cấp lý luận chính trị") && shown.contains("Lớp Sơ cấp LLCT khóa 1"));
    let class_id = p.admin.get(&format!("/api/v1/plans/{id}")).await.ok(200)["classes"][0]["id"]
        .as_i64()
        .unwrap();
    // Edit its months, then approve.
    let edit = board.get(&format!("/plans/{id}/classes/{class_id}")).await;
    assert!(edit.text.contains("value=\"60\""));
    let saved = board
        .post(
            &format!("/plans/{id}/classes/{class_id}"),
            &[
                ("program_id", &program),
                ("center_id", &center),
                ("name", "Lớp Sơ cấp LLCT khóa 1"),
                ("months", "5"),
                ("trainees", "60"),
                ("women", "25"),
                ("ethnic_minority", "18"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let approved = board.post(&format!("/plans/{id}/approve"), &[]).await;
    assert_eq!(approved.location(), format!("/plans/{id}?done=approved"));
    let plan = p.admin.get(&format!("/api/v1/plans/{id}")).await.ok(200).clone();
    assert_eq!(
        (plan["status"].as_str(), plan["approved_by"].as_str()),
        (Some("approved"), Some("bt.d01"))
    );
    assert_eq!(plan["classes"][0]["months"], json!([5]));
    let glance = board.get("/plans?year=2027").await.text;
    assert!(glance.contains("Đã phê duyệt") && glance.contains("bt.d01"));
    // Approved: no more changes.
    let late = board.post(&format!("/plans/{id}/classes/{class_id}/remove"), &[]).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_inbox_accepts_one_request_and_refuses_another_with_a_reason() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    one_account_of_each_kind(&app, &p).await;
    let (plan_id, first) = plan(&p, false).await;
    let second = p
        .admin
        .post(
            &format!("/api/v1/plans/{plan_id}/classes"),
            json!({"program_id": p.program, "center_id": p.w.center1, "name": "Lớp Sơ cấp LLCT khóa 2/2027",
                   "months": [4], "trainees": 40, "women": 20, "ethnic_minority": 10}),
        )
        .await
        .ok(201)["classes"][1]["id"]
        .as_i64()
        .unwrap();
    p.admin
        .post(&format!("/api/v1/plans/{plan_id}/approve"), json!({}))
        .await
        .ok(200);
    let coordinator = app.login("tt.d01", crate::helpers::PASSWORD).await;
    let one = coordinator
        .post(
            "/api/v1/requests",
            request_body(first, &[("2027-03-01", "morning"), ("2027-03-01", "afternoon")]),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let two = coordinator
        .post(
            "/api/v1/requests",
            request_body(second, &[("2027-04-05", "morning"), ("2027-04-05", "afternoon")]),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();

    let mut board = Browser::signed_in(&app, "bt.d01").await;
    let inbox = board.get("/requests").await.text;
    assert!(inbox.contains("Lớp Sơ cấp LLCT khóa 1/2027") && inbox.contains("01/03/2027"));
    // A refusal without a reason: the error beside it, nothing decided.
    let no_reason = board.post(&format!("/requests/{two}/reject"), &[("reason", " ")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.text.contains("id=\"error-reason\""));
    assert_eq!(
        p.admin.get(&format!("/api/v1/requests/{two}")).await.ok(200)["status"],
        "submitted"
    );
    // The center and a lecturer cannot decide.
    let mut center = Browser::signed_in(&app, "tt.d01").await;
    assert_eq!(
        center.post(&format!("/requests/{one}/accept"), &[]).await.status,
        StatusCode::FORBIDDEN
    );

    assert_eq!(
        board.post(&format!("/requests/{one}/accept"), &[]).await.location(),
        format!("/requests?accepted={one}")
    );
    let refused = board
        .post(
            &format!("/requests/{two}/reject"),
            &[("reason", "Trùng lịch hội nghị tỉnh")],
        )
        .await;
    assert_eq!(refused.location(), format!("/requests?rejected={two}"));
    let history = board.get("/requests").await.text;
    assert!(history.contains("Trùng lịch hội nghị tỉnh") && history.contains("Không có đề nghị nào đang chờ."));
    let seen = center.get("/center").await.text;
    assert!(seen.contains("Trùng lịch hội nghị tỉnh"), "{seen}");
    assert_eq!(
        p.admin.get(&format!("/api/v1/requests/{one}")).await.ok(200)["status"],
        "accepted"
    );
}

#[tokio::test]
async fn a_briefing_is_created_and_cancelled_through_the_pages() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    one_account_of_each_kind(&app, &p).await;
    let mut board = Browser::signed_in(&app, "bt.d01").await;
    let d1 = p.w.d1.to_string();
    let topic = p.w.resolution.to_string();
    let fields = |rapporteurs: &'static str| {
        vec![
            ("topic_id", topic.clone()),
            ("district_id", d1.clone()),
            ("venue", "Hội trường Huyện ủy".to_string()),
            ("title", "Hội nghị quán triệt Nghị quyết".to_string()),
            ("date", "2027-03-02".to_string()),
            ("half_day", "morning".to_string()),
            ("audience_level", "district".to_string()),
            ("language", "km".to_string()),
            ("language_rule", "preferred".to_string()),
            ("rapporteurs", rapporteurs.to_string()),
            ("deadline", "2027-03-31".to_string()),
        ]
    };
    let as_refs = |v: &Vec<(&'static str, String)>| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let bad = as_refs(&fields("50"));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = board.post("/briefings", &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text.contains("id=\"error-rapporteurs\"") && refused.text.contains("value=\"Hội trường Huyện ủy\"")
    );
    assert_eq!(p.admin.get("/api/v1/briefings").await.ok(200), &json!([]));

    let good = as_refs(&fields("2"));
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let created = board.post("/briefings", &good).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let listed = board
        .get(&format!("/briefings?district_id={}&month=2027-03", p.w.d1))
        .await
        .text;
    assert!(listed.contains("Hội nghị quán triệt Nghị quyết") && listed.contains("02/03/2027"));
    let other_month = board.get("/briefings?month=2027-04").await.text;
    assert!(other_month.contains("Không có hội nghị nào."));
    let id = p.admin.get("/api/v1/briefings").await.ok(200)[0]["id"]
        .as_i64()
        .unwrap();
    let mut lecturer = Browser::signed_in(&app, "gv.lan").await;
    assert_eq!(
        lecturer.post(&format!("/briefings/{id}/cancel"), &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let cancelled = board.post(&format!("/briefings/{id}/cancel"), &[]).await;
    assert_eq!(cancelled.location(), format!("/briefings?cancelled={id}"));
    assert_eq!(p.admin.get("/api/v1/briefings").await.ok(200), &json!([]));
}

/// A short session is explained in plain words and what to do, never with the scheduler's
/// own text (people's codes, "objective").
#[tokio::test]
async fn short_sessions_are_explained_in_plain_words() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    one_account_of_each_kind(&app, &p).await;
    crate::scheduling::sessions(&app, &p).await;
    // A conference of the province's level needs three rapporteurs; there is one.
    p.admin
        .post(
            "/api/v1/briefings",
            json!({"topic_id": p.w.resolution, "district_id": p.w.d1, "venue": "Hội trường Thành ủy",
                   "title": "Quán triệt Nghị quyết Đại hội", "audience_level": "province", "rapporteurs": 3,
                   "slots": [{"date": "2027-03-04", "half_day": "morning"}]}),
        )
        .await
        .ok(201);
    let run = crate::scheduling::start_run(&p.admin, json!({"from": "2027-03-01", "to": "2027-03-31"})).await;
    let done = crate::scheduling::settled(&p.admin, run).await;
    assert!(!done["draft"]["uncovered"].as_array().unwrap().is_empty(), "{done}");
    let mut admin = Browser::signed_in(&app, "admin.web").await;
    let page = admin.get(&format!("/planning/runs/{run}?show=short")).await.text;
    let short = page
        .split("id=\"uncovered\"")
        .nth(1)
        .expect("the short sessions")
        .split("</table>")
        .next()
        .unwrap();
    assert!(short.contains("Thiếu 2"), "{short}");
    for jargon in ["objective", "BCV", "GV0", "eligible", "qualified"] {
        assert!(!short.contains(jargon), "{jargon}: {short}");
    }
}
