//! The web pages of the accounts, API tokens and audit pages, and the lecturer's absences, for every kind of account, allowed and refused.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, spawn_app};
use crate::pages::{Browser, is_page};
use crate::planning::{one_account_of_each_kind, planning};
use crate::scheduling::{publish_march, sessions};

/// Whether a username and password open a session.
async fn signs_in(app: &TestApp, username: &str, password: &str) -> bool {
    let mut b = Browser::new(app);
    let got = b
        .post("/login", &[("username", username), ("password", password)])
        .await;
    got.status == StatusCode::SEE_OTHER
}

/// The id of an account, from the API.
async fn account_id(admin: &crate::helpers::Caller, username: &str) -> i64 {
    let users = admin.get("/api/v1/users").await.ok(200).clone();
    users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username)
        .unwrap_or_else(|| panic!("no account {username}"))["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn the_account_pages_for_every_kind_of_account_allowed_and_refused() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    one_account_of_each_kind(&app, &p).await;
    let pages = ["/accounts", "/audit", "/tokens", "/my"];
    for (username, allowed) in [
        ("admin.web", [true, true, true, false]),
        ("bt.d01", [false, false, true, false]),
        ("tt.d01", [false, false, true, false]),
        ("gv.lan", [false, false, true, true]),
    ] {
        let mut b = Browser::signed_in(&app, username).await;
        for (path, allowed) in pages.iter().zip(allowed) {
            let got = b.get(path).await;
            let expected = if allowed { StatusCode::OK } else { StatusCode::FORBIDDEN };
            assert_eq!(got.status, expected, "{username} {path}");
            assert!(is_page(&got), "{username} {path}: an HTML page, errors too");
        }
        // Only the province writes accounts.
        if username != "admin.web" {
            let refused = b
                .post(
                    "/accounts",
                    &[
                        ("username", "x.y"),
                        ("display_name", "X"),
                        ("password", "mật-khẩu-dài"),
                        ("role", "province_admin"),
                    ],
                )
                .await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{username}");
            let id = account_id(&p.admin, "admin.web").await.to_string();
            let refused = b.post(&format!("/accounts/{id}/active"), &[("active", "false")]).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{username}");
            let refused = b
                .post(&format!("/accounts/{id}/password"), &[("password", "mật-khẩu-dài")])
                .await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{username}");
        }
    }
    let mut anonymous = Browser::new(&app);
    for path in pages {
        let got = anonymous.get(path).await;
        assert_eq!(got.status, StatusCode::SEE_OTHER, "{path}");
        assert!(got.location().starts_with("/login?next="), "{path}");
    }
    // A form sent without a valid sign-in (it expired) is kept by the sign-in page, and sent
    // again with one button after signing in; a password typed in it is not kept.
    let got = anonymous
        .post("/tokens", &[("name", "Máy tính bảng của Ban"), ("password", "bí-mật")])
        .await;
    assert_eq!(got.status, StatusCode::UNAUTHORIZED);
    assert!(got.text.contains("Phiên đăng nhập đã hết hạn"), "{}", got.text);
    assert!(
        got.text.contains(r#"name="resume.name" value="Máy tính bảng của Ban""#),
        "{}",
        got.text
    );
    assert!(!got.text.contains("bí-mật"));
    let again = anonymous
        .post(
            "/login",
            &[
                ("username", "admin.web"),
                ("password", crate::helpers::PASSWORD),
                ("next", "/"),
                ("resume_action", "/tokens"),
                ("resume.name", "Máy tính bảng của Ban"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(
        again
            .text
            .contains(r#"<form id="send-again" method="post" action="/tokens">"#),
        "{}",
        again.text
    );
    assert!(again.text.contains(r#"name="name" value="Máy tính bảng của Ban""#));
    let sent = anonymous.post("/tokens", &[("name", "Máy tính bảng của Ban")]).await;
    assert!(
        sent.status.is_success() || sent.status.is_redirection(),
        "{}",
        sent.text
    );
    let tokens = anonymous.get("/tokens").await.text;
    assert!(tokens.contains("Máy tính bảng của Ban"), "{tokens}");

    // The list names scopes in words, in Vietnamese, then in English.
    let mut admin = Browser::signed_in(&app, "admin.web").await;
    let list = admin.get("/accounts").await.text;
    let row = |username: &str| {
        list.split(&format!("<tr data-account=\"{username}\">"))
            .nth(1)
            .unwrap()
            .split("</tr>")
            .next()
            .unwrap()
            .to_string()
    };
    assert!(row("bt.d01").contains("Thành phố Sóc Trăng") && row("bt.d01").contains("Ban Tuyên giáo Huyện ủy"));
    assert!(row("tt.d01").contains("Trung tâm Chính trị thành phố Sóc Trăng"));
    assert!(row("gv.lan").contains("Nguyễn Thị Lan (GV001)"));
    assert!(row("admin.web").contains("Toàn tỉnh") && row("admin.web").contains("Đang dùng"));
    assert!(
        !row("admin.web").contains("Khóa tài khoản"),
        "the page does not offer to lock the account in use"
    );
    admin.get("/lang/en?next=/accounts").await;
    let english = admin.get("/accounts").await.text;
    assert!(english.contains("District Propaganda Board") && english.contains("The whole province"));
}

#[tokio::test]
async fn the_province_creates_resets_and_deactivates_accounts_from_the_page() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    one_account_of_each_kind(&app, &p).await;
    let mut admin = Browser::signed_in(&app, "admin.web").await;
    let d2 = p.w.d2.to_string();
    let c1 = p.w.center1.to_string();
    // A district board account without its district: the error beside the field, the values kept.
    let missing = admin
        .post(
            "/accounts",
            &[
                ("username", "bt.d11"),
                ("display_name", "Ban Tuyên giáo Huyện ủy Trần Đề"),
                ("password", "mật-khẩu-2027"),
                ("role", "district_board"),
                ("district_id", ""),
                ("center_id", &c1),
            ],
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", missing.text);
    assert!(missing.text.contains("id=\"error-district_id\""), "{}", missing.text);
    assert!(
        missing
            .text
            .contains("Tài khoản Ban Tuyên giáo Huyện ủy cần chọn huyện.")
    );
    assert!(
        missing.text.contains("value=\"bt.d11\"") && missing.text.contains("value=\"Ban Tuyên giáo Huyện ủy Trần Đề\"")
    );
    assert!(!missing.text.contains("mật-khẩu-2027"), "the password is not sent back");
    assert!(missing.text.contains("<option value=\"district_board\" selected>"));

    // The center chosen beside the district is ignored: the role takes the district.
    let created = admin
        .post(
            "/accounts",
            &[
                ("username", "bt.d11"),
                ("display_name", "Ban Tuyên giáo Huyện ủy Trần Đề"),
                ("password", "mật-khẩu-2027"),
                ("role", "district_board"),
                ("district_id", &d2),
                ("center_id", &c1),
                ("person_id", ""),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
    assert_eq!(created.location(), "/accounts?created=bt.d11");
    assert!(admin.get(created.location()).await.text.contains("Đã tạo tài khoản"));
    assert!(signs_in(&app, "bt.d11", "mật-khẩu-2027").await);
    let board = app.login("bt.d11", "mật-khẩu-2027").await;
    assert_eq!(board.get("/api/v1/me").await.ok(200)["district_id"], p.w.d2);

    // A taken username is refused beside the field.
    let taken = admin
        .post(
            "/accounts",
            &[
                ("username", "bt.d11"),
                ("display_name", "Trùng"),
                ("password", "mật-khẩu-2027"),
                ("role", "district_board"),
                ("district_id", &d2),
            ],
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert!(taken.text.contains("id=\"error-username\""));

    // A lecturer's account for a person chosen from the list.
    let far = p.far.to_string();
    let lecturer = admin
        .post(
            "/accounts",
            &[
                ("username", "gv.phenh"),
                ("display_name", "Thạch Sô Phênh"),
                ("password", "mật-khẩu-2027"),
                ("role", "lecturer"),
                ("person_id", &far),
            ],
        )
        .await;
    assert_eq!(lecturer.status, StatusCode::SEE_OTHER, "{}", lecturer.text);
    assert!(signs_in(&app, "gv.phenh", "mật-khẩu-2027").await);

    // A new password: the old one stops working, the new one works.
    let id = account_id(&p.admin, "bt.d11").await;
    let short = admin
        .post(&format!("/accounts/{id}/password"), &[("password", "ngắn")])
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.text.contains(&format!("id=\"password-{id}-error\"")));
    let reset = admin
        .post(
            &format!("/accounts/{id}/password"),
            &[("password", "mật-khẩu-mới-2028")],
        )
        .await;
    assert_eq!(reset.location(), "/accounts?reset=bt.d11");
    board.get("/api/v1/me").await.problem(401, "unauthorized");
    assert!(!signs_in(&app, "bt.d11", "mật-khẩu-2027").await);
    assert!(signs_in(&app, "bt.d11", "mật-khẩu-mới-2028").await);

    // Deactivated: no sign-in; reactivated: sign-in again.
    let off = admin
        .post(&format!("/accounts/{id}/active"), &[("active", "false")])
        .await;
    assert_eq!(off.location(), "/accounts?deactivated=bt.d11");
    assert!(!signs_in(&app, "bt.d11", "mật-khẩu-mới-2028").await);
    let list = admin.get("/accounts").await.text;
    assert!(list.contains("Đã khóa") && list.contains("Mở lại"));
    admin
        .post(&format!("/accounts/{id}/active"), &[("active", "true")])
        .await;
    assert!(signs_in(&app, "bt.d11", "mật-khẩu-mới-2028").await);
    // The account in use cannot lock itself.
    let own = account_id(&p.admin, "admin.web").await;
    let refused = admin
        .post(&format!("/accounts/{own}/active"), &[("active", "false")])
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    // The last sign-in shows once known.
    let list = admin.get("/accounts").await.text;
    let row = list
        .split("<tr data-account=\"bt.d11\">")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(!row.contains("Không rõ"), "{row}");
}

/// The secret shown once on the tokens page.
fn secret(page: &str) -> String {
    page.split("id=\"token-secret\"")
        .nth(1)
        .unwrap()
        .split("value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn every_account_makes_and_revokes_its_own_api_tokens() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    one_account_of_each_kind(&app, &p).await;
    for username in ["admin.web", "bt.d01", "tt.d01", "gv.lan"] {
        let mut b = Browser::signed_in(&app, username).await;
        let empty = b.post("/tokens", &[("name", "  ")]).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{username}");
        assert!(empty.text.contains("id=\"error-name\""));
        let made = b.post("/tokens", &[("name", "Lịch trên điện thoại")]).await;
        assert_eq!(made.status, StatusCode::OK, "{username}");
        let secret = secret(&made.text);
        assert!(secret.starts_with("rst_") && made.text.contains("chỉ hiện một lần"));
        let script = app.bearer(&secret);
        assert_eq!(script.get("/api/v1/me").await.ok(200)["username"], username);
        let list = b.get("/tokens").await.text;
        assert!(!list.contains(&secret), "shown once only");
        let id = list
            .split("<tr data-token=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let revoked = b.post(&format!("/tokens/{id}/revoke"), &[]).await;
        assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.text);
        assert!(b.get(revoked.location()).await.text.contains("Đã thu hồi mã"));
        script.get("/api/v1/me").await.problem(401, "unauthorized");
    }
    // Another account's token is not there to revoke.
    let mut admin = Browser::signed_in(&app, "admin.web").await;
    let made = admin.post("/tokens", &[("name", "xuất")]).await;
    let secret = secret(&made.text);
    let list = admin.get("/tokens").await.text;
    let id = list
        .split("<tr data-token=\"")
        .nth(2)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let mut board = Browser::signed_in(&app, "bt.d01").await;
    let refused = board.post(&format!("/tokens/{id}/revoke"), &[]).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    app.bearer(&secret).get("/api/v1/me").await.ok(200);
}

#[tokio::test]
async fn the_audit_page_filters_by_entity_who_and_dates_and_shows_the_change() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    one_account_of_each_kind(&app, &p).await;
    let web = account_id(&p.admin, "admin.web").await;
    let mut admin = Browser::signed_in(&app, "admin.web").await;
    // admin.web renames a district; `admin` made the registry.
    let district: Value = p
        .admin
        .get(&format!("/api/v1/districts/{}", p.w.d2))
        .await
        .ok(200)
        .clone();
    let web_api = app.login("admin.web", PASSWORD).await;
    web_api
        .put(
            &format!("/api/v1/districts/{}", p.w.d2),
            json!({"code": district["code"], "name": "Huyện Trần Đề mới"}),
        )
        .await
        .ok(200);

    let all = admin.get("/audit").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.text.contains("<select name=\"entity\"") && all.text.contains("Đơn vị"));
    let districts = admin.get("/audit?entity=district").await.text;
    let entries = districts.matches("<tr data-entry=").count();
    assert_eq!(entries, 3, "two made, one renamed: {districts}");
    // The rename reads as before → after, the field named.
    assert!(
        districts.contains("<del>Huyện Trần Đề</del> → <ins>Huyện Trần Đề mới</ins>"),
        "{districts}"
    );
    assert!(!districts.contains("Trung tâm Chính trị"), "only districts");

    let by_web = admin.get(&format!("/audit?user_id={web}")).await.text;
    assert_eq!(by_web.matches("<tr data-entry=").count(), 1, "{by_web}");
    assert!(by_web.contains("admin.web") && by_web.contains("Sửa · Đơn vị"));
    let both = admin.get(&format!("/audit?entity=person&user_id={web}")).await.text;
    assert!(both.contains("Không có mục nào khớp bộ lọc"));

    // Dates: today holds everything, a year ago nothing; a bad date is said beside its box.
    let today = chrono::Utc::now().with_timezone(&roster::time::ZONE).date_naive();
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let all_today = admin
        .get(&format!("/audit?entity=district&from={}&to={}", day(today), day(today)))
        .await
        .text;
    assert_eq!(all_today.matches("<tr data-entry=").count(), 3);
    let last_year = today - chrono::Days::new(365);
    let none = admin
        .get(&format!("/audit?from={}&to={}", day(last_year), day(last_year)))
        .await
        .text;
    assert_eq!(none.matches("<tr data-entry=").count(), 0);
    let bad = admin.get("/audit?from=2027-02-30").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text.contains("id=\"error-from\""));
    let reversed = admin.get("/audit?from=2027-03-02&to=2027-03-01").await;
    assert_eq!(reversed.status, StatusCode::BAD_REQUEST);
    assert!(reversed.text.contains("id=\"error-to\""), "{}", reversed.text);
    // When: dd/mm/yyyy HH:MM, local time.
    assert!(all.text.contains(&today.format("%d/%m/%Y ").to_string()));
    // Pages of 50.
    for i in 0..50 {
        web_api
            .post(
                "/api/v1/topics",
                json!({"code": format!("T{i:02}"), "name": format!("Chuyên đề {i}"), "kind": "module"}),
            )
            .await
            .ok(201);
    }
    let first = admin.get(&format!("/audit?user_id={web}")).await.text;
    assert_eq!(first.matches("<tr data-entry=").count(), 50);
    assert!(first.contains(&format!("href=\"/audit?user_id={web}&amp;page=2\"")));
    let second = admin.get(&format!("/audit?user_id={web}&page=2")).await.text;
    assert_eq!(second.matches("<tr data-entry=").count(), 1);
}

#[tokio::test]
async fn a_lecturer_sees_the_sessions_an_absence_breaks_and_withdraws_it() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    publish_march(&p.admin, None).await;
    one_account_of_each_kind(&app, &p).await;
    let mut lan = Browser::signed_in(&app, "gv.lan").await;
    assert!(
        lan.get("/my")
            .await
            .text
            .contains("Bạn chưa báo vắng ngày nào sắp tới.")
    );
    let away = lan
        .post(
            "/my/unavailability",
            &[("from", "2027-03-01"), ("to", "2027-03-02"), ("reason", "Ốm")],
        )
        .await;
    assert_eq!(away.status, StatusCode::SEE_OTHER);
    let mine = lan.get("/my").await.text;
    let table = mine.split("id=\"absences\"").nth(1).unwrap();
    assert!(table.contains("01/03/2027 – 02/03/2027") && table.contains("Ốm"));
    assert_eq!(mine.matches("Trùng ngày báo vắng").count(), 2, "both half-days marked");
    let listed = p
        .admin
        .get(&format!("/api/v1/people/{}/unavailability", p.near))
        .await
        .ok(200)
        .clone();
    let id = listed[0]["id"].as_i64().unwrap();

    // Someone else's absence is not theirs to withdraw.
    let other = p
        .admin
        .post(
            &format!("/api/v1/people/{}/unavailability", p.far),
            json!({"start": "2027-04-01T00:00:00+07:00", "end": "2027-04-02T00:00:00+07:00"}),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let refused = lan.post(&format!("/my/unavailability/{other}/withdraw"), &[]).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let mut board = Browser::signed_in(&app, "bt.d01").await;
    let refused = board.post(&format!("/my/unavailability/{id}/withdraw"), &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let withdrawn = lan.post(&format!("/my/unavailability/{id}/withdraw"), &[]).await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER, "{}", withdrawn.text);
    let after = lan.get(withdrawn.location()).await.text;
    assert!(after.contains("Đã rút báo vắng 01/03/2027 – 02/03/2027"), "{after}");
    assert!(!after.contains("Trùng ngày báo vắng") && !after.contains("id=\"absences\""));
    let listed = p
        .admin
        .get(&format!("/api/v1/people/{}/unavailability", p.near))
        .await
        .ok(200)
        .clone();
    assert_eq!(listed, json!([]));
    assert_eq!(
        p.admin
            .get(&format!("/api/v1/people/{}/unavailability", p.far))
            .await
            .ok(200)
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
