//! A request's half-days fall in the months the approved plan gives its class; the board of
//! the plan's district moves those months, recorded in the audit log.

use reqwest::StatusCode;
use roster::vocab::UserRole;
use serde_json::json;

use crate::helpers::spawn_app;
use crate::pages::Browser;
use crate::planning::{plan, planning, request_body};

#[tokio::test]
async fn a_request_outside_the_class_months_is_refused_until_the_board_moves_them() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    let (plan_id, planned) = plan(&p, true).await;
    let board = app.account("bt.d01", UserRole::DistrictBoard, Some(p.w.d1)).await;
    let other_board = app.account("bt.d11", UserRole::DistrictBoard, Some(p.w.d2)).await;
    let coordinator = app
        .account("tt.d01", UserRole::CenterCoordinator, Some(p.w.center1))
        .await;
    let september = request_body(planned, &[("2027-03-01", "morning"), ("2027-09-06", "morning")]);
    let refused = coordinator.post("/api/v1/requests", september.clone()).await;
    let problem = refused.problem(422, "outside_plan_months");
    assert_eq!(problem["field"], "slots[1]");
    assert_eq!(
        problem["detail"],
        "Buổi ngày 06/09/2027 nằm ngoài các tháng kế hoạch đã duyệt dành cho lớp này (tháng 3)."
    );
    assert_eq!(
        p.admin.get("/api/v1/requests").await.ok(200),
        &json!([]),
        "nothing stored"
    );

    // Only the plan's district's board (or the province) moves the months, and only to months.
    let path = format!("/api/v1/plans/{plan_id}/classes/{planned}/months");
    other_board
        .put(&path, json!({"months": [3, 9]}))
        .await
        .problem(403, "forbidden");
    coordinator
        .put(&path, json!({"months": [3, 9]}))
        .await
        .problem(403, "forbidden");
    board
        .put(&path, json!({"months": [13]}))
        .await
        .problem(422, "invalid_months");
    let moved = board.put(&path, json!({"months": [9, 3]})).await.ok(200).clone();
    assert_eq!(moved["classes"][0]["months"], json!([3, 9]));
    assert_eq!(moved["status"], "approved");
    let log = p
        .admin
        .get(&format!("/api/v1/audit?entity=plan&entity_id={plan_id}"))
        .await
        .ok(200)
        .clone();
    let entry = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "move_months")
        .unwrap_or_else(|| panic!("{log}"));
    assert_eq!(entry["actor"], "bt.d01");
    assert_eq!(entry["before"]["classes"][0]["months"], json!([3]));
    assert_eq!(entry["after"]["classes"][0]["months"], json!([3, 9]));

    coordinator.post("/api/v1/requests", september).await.ok(201);
    // Its September half-day keeps September in the class's months.
    let kept = board.put(&path, json!({"months": [3]})).await;
    assert!(
        kept.problem(409, "request_outside_months")["detail"]
            .as_str()
            .unwrap()
            .contains("06/09/2027")
    );
}

#[tokio::test]
async fn the_board_moves_a_class_to_other_months_from_the_plan_page() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    let (plan_id, planned) = plan(&p, true).await;
    app.account("bt.d01", UserRole::DistrictBoard, Some(p.w.d1)).await;
    app.account("bt.d11", UserRole::DistrictBoard, Some(p.w.d2)).await;
    let mut board = Browser::signed_in(&app, "bt.d01").await;
    let plan_page = board.get(&format!("/plans/{plan_id}")).await.text;
    let form_path = format!("/plans/{plan_id}/classes/{planned}/months");
    assert!(plan_page.contains(&form_path), "{plan_page}");
    let form = board.get(&form_path).await.text;
    assert!(form.contains("hiện nay tháng 3"), "{form}");
    let empty = board.post(&form_path, &[]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty.text.contains("Các tháng dự kiến phải từ 1 đến 12"),
        "{}",
        empty.text
    );
    let moved = board.post(&form_path, &[("months", "4"), ("months", "5")]).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.text);
    let shown = board.get(moved.location()).await.text;
    assert!(
        shown.contains("Đã dời tháng của lớp.") && shown.contains("tháng 4, 5"),
        "{shown}"
    );

    let mut elsewhere = Browser::signed_in(&app, "bt.d11").await;
    assert_eq!(elsewhere.get(&form_path).await.status, StatusCode::FORBIDDEN);
    let refused = elsewhere.post(&form_path, &[("months", "6")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let plan = p.admin.get(&format!("/api/v1/plans/{plan_id}")).await.ok(200).clone();
    assert_eq!(plan["classes"][0]["months"], json!([4, 5]));
}
