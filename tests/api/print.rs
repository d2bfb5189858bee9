//! Printed documents and their letterheads: who may print what, the letterhead each reader's
//! board signs with, and the province board alone setting letterheads.

use reqwest::StatusCode;
use serde_json::json;

use crate::pages::Browser;
use crate::planning::{one_account_of_each_kind, planning};
use crate::scheduling::{publish_march, sessions};

#[tokio::test]
async fn boards_and_centers_print_their_own_documents_with_their_boards_letterhead() {
    let app = crate::helpers::spawn_app().await;
    let p = planning(&app).await;
    one_account_of_each_kind(&app, &p).await;
    let (_, planned) = sessions(&app, &p).await;
    publish_march(&p.admin, None).await;

    // The province sets the district's letterhead; a bad one changes nothing.
    let head = json!({"district_id": p.w.d1, "committee": "THÀNH ỦY SÓC TRĂNG", "board": "BAN TUYÊN GIÁO",
        "place": "Sóc Trăng", "recipients": ["Ban Tuyên giáo Tỉnh ủy (b/c)", "Lưu VT"],
        "signer_title": "TRƯỞNG BAN", "signer_name": "Lý Thị Hoa"});
    let mut bad = head.clone();
    bad["signer_name"] = json!("");
    p.admin
        .put("/api/v1/letterheads", bad)
        .await
        .problem(422, "invalid_name");
    let unset = p
        .admin
        .get(&format!("/api/v1/letterheads?district_id={}", p.w.d1))
        .await
        .ok(200)
        .clone();
    assert_eq!(unset["configured"], false);
    p.admin.put("/api/v1/letterheads", head).await.ok(200);

    let mut board = Browser::signed_in(&app, "bt.d01").await;
    let month = board.get(&format!("/print/district/{}?month=2027-03", p.w.d1)).await;
    assert_eq!(month.status, StatusCode::OK);
    for words in [
        "THÀNH ỦY SÓC TRĂNG",
        "Sóc Trăng, ngày",
        "- Lưu VT.",
        "Lý Thị Hoa",
        "01/03/2027",
        "Nguyễn Thị Lan",
    ] {
        assert!(month.text.contains(words), "{words}: {}", month.text);
    }
    // A board prints its own unit's documents only, and the province's letterhead is not its.
    let other = board.get(&format!("/print/district/{}?month=2027-03", p.w.d2)).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    let report = board.get("/print/report?year=2027").await;
    assert!(report.text.contains("THÀNH ỦY SÓC TRĂNG") && report.text.contains("BÁO CÁO"));
    let bad_month = board.get(&format!("/print/district/{}?month=2027-13", p.w.d1)).await;
    assert_eq!(bad_month.status, StatusCode::UNPROCESSABLE_ENTITY);
    // It reads letterheads but may not set them.
    let refused = board
        .post(
            "/registry/letterhead",
            &[
                ("committee", "X"),
                ("board", "Y"),
                ("place", "Z"),
                ("signer_title", "T"),
                ("signer_name", "N"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // The board's report as it sent it prints with its remarks, under its own letterhead.
    let board_api = app.login("bt.d01", crate::helpers::PASSWORD).await;
    let sent = board_api
        .post(
            "/api/v1/reports/yearly/submissions",
            json!({"year": 2027, "achievements": "Hoàn thành lớp sơ cấp đúng kế hoạch.",
                   "difficulties": "Thiếu giảng viên nói tiếng Khmer.", "proposals": "Mở lớp bồi dưỡng báo cáo viên."}),
        )
        .await
        .ok(201)["id"]
        .clone();
    let printed = board.get(&format!("/print/submission/{sent}")).await;
    assert_eq!(printed.status, StatusCode::OK);
    for words in [
        "THÀNH ỦY SÓC TRĂNG",
        "-BC/BTGTU",
        "I. KẾT QUẢ ĐẠT ĐƯỢC",
        "Thiếu giảng viên nói tiếng Khmer.",
        "Mở lớp bồi dưỡng báo cáo viên.",
        "Lý Thị Hoa",
    ] {
        assert!(printed.text.contains(words), "{words}: {}", printed.text);
    }

    // The center prints its class's schedule; the province's letterhead is unset, so its
    // print says so on screen and leaves blanks.
    let mut center = Browser::signed_in(&app, "tt.d01").await;
    let class = center.get(&format!("/print/class/{planned}")).await;
    assert_eq!(class.status, StatusCode::OK);
    assert!(
        class.text.contains("LỊCH HỌC") && class.text.contains("Nguyễn Thị Lan"),
        "{}",
        class.text
    );
    let mut admin = Browser::signed_in(&app, "admin.web").await;
    let unset = admin.get(&format!("/print/class/{planned}")).await.text;
    assert!(
        unset.contains("Chưa đặt tiêu đề văn bản") && unset.contains("……………………"),
        "{unset}"
    );
    let mut lecturer = Browser::signed_in(&app, "gv.lan").await;
    assert_eq!(
        lecturer.get(&format!("/print/class/{planned}")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        lecturer.get("/print/report?year=2027").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(admin.get("/print/class/999999").await.status, StatusCode::NOT_FOUND);

    // The province's form: a mistake beside its field, then saved, and in the audit.
    let bad = admin
        .post(
            "/registry/letterhead",
            &[
                ("committee", ""),
                ("board", "BAN TUYÊN GIÁO"),
                ("place", "Sóc Trăng"),
                ("recipients", "Lưu VT"),
                ("signer_title", "TRƯỞNG BAN"),
                ("signer_name", "Lê Văn Tám"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text.contains("id=\"error-committee\"") && bad.text.contains("Lê Văn Tám"),
        "{}",
        bad.text
    );
    let saved = admin
        .post(
            "/registry/letterhead",
            &[
                ("committee", "TỈNH ỦY SÓC TRĂNG"),
                ("board", "BAN TUYÊN GIÁO"),
                ("place", "Sóc Trăng"),
                ("recipients", "Thường trực Tỉnh ủy (b/c)\r\nLưu VT"),
                ("signer_title", "TRƯỞNG BAN"),
                ("signer_name", "Lê Văn Tám"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let province = p.admin.get("/api/v1/letterheads").await.ok(200).clone();
    assert_eq!(province["recipients"], json!(["Thường trực Tỉnh ủy (b/c)", "Lưu VT"]));
    let log = p.admin.get("/api/v1/audit?entity=letterhead").await.ok(200).clone();
    assert_eq!(log["total"], 2);
}
