//! The yearly report sent to the province before 22 February: a district board submits its
//! figures with remarks (frozen), corrects by submitting again; the province follows who has
//! submitted and who is late, sums the standing reports, and returns one with a reason.

use reqwest::StatusCode;
use roster::vocab::UserRole;
use serde_json::{Value, json};

use crate::helpers::spawn_app;
use crate::pages::Browser;
use crate::planning::planning;
use crate::scheduling::{march, publish_march, sessions, settled, start_run};

fn unit(follow: &Value, district: i64) -> &Value {
    follow["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["district_id"] == district)
        .unwrap()
}

#[tokio::test]
async fn a_board_submits_its_frozen_report_and_the_province_follows_sums_and_returns_it() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    let (_, _) = sessions(&app, &p).await;
    publish_march(&p.admin, None).await;
    let board = app.account("bt.d01", UserRole::DistrictBoard, Some(p.w.d1)).await;
    let other = app.account("bt.d11", UserRole::DistrictBoard, Some(p.w.d2)).await;
    let center = app
        .account("tt.d01", UserRole::CenterCoordinator, Some(p.w.center1))
        .await;
    let follow = || async {
        p.admin
            .get("/api/v1/reports/yearly/submissions?year=2027")
            .await
            .ok(200)
            .clone()
    };
    let before = follow().await;
    assert_eq!(before["deadline"], "2028-02-22");
    assert!(before["days_left"].as_i64().unwrap() > 0);
    assert_eq!(unit(&before, p.w.d1)["status"], "not_submitted");
    assert_eq!(unit(&before, p.w.d1)["late"], false);

    // Bad input changes nothing; only a district board submits.
    let body = json!({"year": 2027, "achievements": "Mở được lớp sơ cấp\nđủ giảng viên",
                      "difficulties": "Thiếu báo cáo viên nói tiếng Khmer", "proposals": "Bồi dưỡng thêm báo cáo viên"});
    let mut long = body.clone();
    long["proposals"] = json!("x".repeat(5001));
    board
        .post("/api/v1/reports/yearly/submissions", long)
        .await
        .problem(422, "text_too_long");
    let mut bad_year = body.clone();
    bad_year["year"] = json!(1999);
    assert_eq!(
        board
            .post("/api/v1/reports/yearly/submissions", bad_year)
            .await
            .problem(422, "invalid_year")["field"],
        "year"
    );
    for caller in [&p.admin, &center] {
        caller
            .post("/api/v1/reports/yearly/submissions", body.clone())
            .await
            .problem(403, "forbidden");
    }
    center
        .get("/api/v1/reports/yearly/submissions?year=2027")
        .await
        .problem(403, "forbidden");
    assert_eq!(unit(&follow().await, p.w.d1)["submissions"], json!([]));

    let first = board
        .post("/api/v1/reports/yearly/submissions", body.clone())
        .await
        .ok(201)
        .clone();
    assert_eq!(first["submitted_by"], "bt.d01");
    assert_eq!(first["late"], false);
    assert_eq!(first["achievements"], "Mở được lớp sơ cấp\nđủ giảng viên");
    assert_eq!(first["figures"]["district_id"], p.w.d1);
    assert_eq!(first["figures"]["covered_sessions"], 2);
    let first_id = first["id"].as_i64().unwrap();

    // The schedule changes afterwards: the copy sent stays as it was.
    let run = start_run(&p.admin, march()).await;
    settled(&p.admin, run).await;
    let class_session = p
        .admin
        .get("/api/v1/schedule?from=2027-03-01&to=2027-03-01")
        .await
        .ok(200)[0]["session_id"]
        .as_i64()
        .unwrap();
    p.admin
        .put(
            &format!("/api/v1/runs/{run}/sessions/{class_session}"),
            json!({"person_ids": []}),
        )
        .await
        .ok(200);
    p.admin
        .post(&format!("/api/v1/runs/{run}/publish"), json!({}))
        .await
        .ok(200);
    let live = board.get("/api/v1/reports/yearly?year=2027").await.ok(200).clone();
    assert_eq!(live["districts"][0]["covered_sessions"], 1);
    let kept = board
        .get(&format!("/api/v1/reports/yearly/submissions/{first_id}"))
        .await
        .ok(200)
        .clone();
    assert_eq!(kept["figures"]["covered_sessions"], 2, "frozen as sent");
    other
        .get(&format!("/api/v1/reports/yearly/submissions/{first_id}"))
        .await
        .problem(404, "not_found");

    // A correction is a new submission; the earlier one stays.
    let second = board
        .post("/api/v1/reports/yearly/submissions", body.clone())
        .await
        .ok(201)
        .clone();
    let now = follow().await;
    let d1 = unit(&now, p.w.d1);
    assert_eq!(d1["status"], "submitted");
    assert_eq!(d1["submissions"].as_array().unwrap().len(), 2);
    assert_eq!(unit(&now, p.w.d2)["status"], "not_submitted");
    assert_eq!(now["submitted_total"]["sessions"], second["figures"]["sessions"]);
    assert_eq!(now["submitted_total"]["covered_sessions"], 1);
    let own = board
        .get("/api/v1/reports/yearly/submissions?year=2027")
        .await
        .ok(200)
        .clone();
    assert_eq!(own["units"].as_array().unwrap().len(), 1, "a board follows its own");

    // The province returns the standing report with a reason; only that one, only once.
    let path = |id: &Value| format!("/api/v1/reports/yearly/submissions/{id}/return");
    board
        .post(&path(&second["id"]), json!({"reason": "Bổ sung số liệu"}))
        .await
        .problem(403, "forbidden");
    p.admin
        .post(&path(&first["id"]), json!({"reason": "Bổ sung số liệu"}))
        .await
        .problem(409, "not_standing");
    p.admin
        .post(&path(&second["id"]), json!({"reason": "  "}))
        .await
        .problem(422, "invalid_reason");
    let returned = p
        .admin
        .post(&path(&second["id"]), json!({"reason": "Bổ sung số liệu hội nghị"}))
        .await
        .ok(200)
        .clone();
    assert_eq!(returned["return_reason"], "Bổ sung số liệu hội nghị");
    p.admin
        .post(&path(&second["id"]), json!({"reason": "Lần nữa"}))
        .await
        .problem(409, "not_standing");
    let after = follow().await;
    assert_eq!(unit(&after, p.w.d1)["status"], "returned");
    assert_eq!(after["submitted_total"]["sessions"], 0);
    let log = p
        .admin
        .get("/api/v1/audit?entity=report_submission")
        .await
        .ok(200)
        .clone();
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.iter().filter(|a| **a == "submit").count(), 2);
    assert_eq!(actions.iter().filter(|a| **a == "return").count(), 1);
}

#[tokio::test]
async fn reports_after_22_february_are_late_and_so_are_units_that_have_sent_nothing() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    let board = app.account("bt.d01", UserRole::DistrictBoard, Some(p.w.d1)).await;
    let sent = board
        .post(
            "/api/v1/reports/yearly/submissions",
            json!({"year": 2025, "achievements": "", "difficulties": "", "proposals": ""}),
        )
        .await
        .ok(201)
        .clone();
    assert_eq!(sent["late"], true, "2025's report was due before 22/02/2026");
    let follow = p
        .admin
        .get("/api/v1/reports/yearly/submissions?year=2025")
        .await
        .ok(200)
        .clone();
    assert!(follow["days_left"].as_i64().unwrap() <= 0);
    assert_eq!(
        (
            unit(&follow, p.w.d1)["late"].clone(),
            unit(&follow, p.w.d2)["late"].clone()
        ),
        (json!(true), json!(true))
    );
    assert_eq!(unit(&follow, p.w.d2)["status"], "not_submitted");
}

#[tokio::test]
async fn boards_submit_and_the_province_returns_from_the_pages() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    publish_march(&p.admin, None).await;
    app.account("bt.d01", UserRole::DistrictBoard, Some(p.w.d1)).await;
    app.account("admin.web", UserRole::ProvinceAdmin, None).await;
    let mut board = Browser::signed_in(&app, "bt.d01").await;
    let report = board.get("/report?year=2027").await.text;
    assert!(
        report.contains("22/02/2028") && report.contains("/report/submit?year=2027"),
        "{report}"
    );
    assert!(report.contains("Học viên nữ theo kế hoạch"), "{report}");
    let form = board.get("/report/submit?year=2027").await.text;
    assert!(
        form.contains("Chưa gửi") && form.contains("name=\"achievements\""),
        "{form}"
    );
    let long = "x".repeat(5001);
    let refused = board
        .post(
            "/report/submit",
            &[
                ("year", "2027"),
                ("achievements", "Tốt"),
                ("difficulties", ""),
                ("proposals", &long),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text.contains("Tối đa 5000 ký tự."), "{}", refused.text);
    let sent = board
        .post(
            "/report/submit",
            &[
                ("year", "2027"),
                ("achievements", "Mở đủ lớp"),
                ("difficulties", "Thiếu người"),
                ("proposals", "Thêm giảng viên"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
    let after = board.get(sent.location()).await.text;
    assert!(after.contains("Đã gửi báo cáo về Ban Tuyên giáo Tỉnh ủy."), "{after}");

    let mut province = Browser::signed_in(&app, "admin.web").await;
    let list = province.get("/report/submissions?year=2027").await.text;
    let units = list
        .split("id=\"units\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert!(
        units.contains("Thành phố Sóc Trăng") && units.contains("Đã gửi") && units.contains("Chưa gửi"),
        "{units}"
    );
    assert!(list.contains("id=\"received\""));
    let id = units
        .split("/report/submissions/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let copy = province.get(&format!("/report/submissions/{id}")).await.text;
    assert!(copy.contains("Thiếu người") && copy.contains("bt.d01"), "{copy}");
    let empty = province
        .post(&format!("/report/submissions/{id}/return"), &[("reason", "")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text.contains("Cần nêu lý do trả lại"), "{}", empty.text);
    let back = province
        .post(
            &format!("/report/submissions/{id}/return"),
            &[("reason", "Bổ sung số liệu")],
        )
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    let mine = board.get("/report/submit?year=2027").await.text;
    assert!(
        mine.contains("Bị trả lại") && mine.contains("Bổ sung số liệu"),
        "{mine}"
    );
    // A board cannot open the province's follow-up page; the province sends no report.
    assert_eq!(
        province.get("/report/submit?year=2027").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        board.get("/report/submissions?year=2027").await.status,
        StatusCode::FORBIDDEN
    );
}
