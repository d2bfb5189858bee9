//! The web pages of the registry and import pages, for every kind of account, allowed and refused.

use reqwest::StatusCode;
use reqwest::header;
use roster::vocab::UserRole;

use crate::helpers::{PASSWORD, TestApp, spawn_app};
use crate::pages::{Browser, is_page};
use crate::planning::{one_account_of_each_kind, planning};

#[tokio::test]
async fn registry_pages_for_every_kind_of_account() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    one_account_of_each_kind(&app, &p).await;
    app.account("bt.d11", UserRole::DistrictBoard, Some(p.w.d2)).await;
    let near = format!("/people/{}", p.near);
    let far = format!("/people/{}", p.far);
    let edit = format!("/people/{}/edit", p.near);
    let pages = [
        "/people",
        near.as_str(),
        far.as_str(),
        "/people/new",
        edit.as_str(),
        "/registry",
        "/import",
    ];
    for (username, allowed) in [
        ("admin.web", [true, true, true, true, true, true, true]),
        ("bt.d01", [true, true, false, false, false, true, false]),
        ("bt.d11", [true, false, true, false, false, true, false]),
        ("tt.d01", [true, true, false, false, false, true, false]),
        ("gv.lan", [false, true, false, false, false, false, false]),
    ] {
        let mut b = Browser::signed_in(&app, username).await;
        for (path, allowed) in pages.iter().zip(allowed) {
            let got = b.get(path).await;
            let expected = if allowed { StatusCode::OK } else { StatusCode::FORBIDDEN };
            assert_eq!(got.status, expected, "{username} {path}");
            assert!(is_page(&got), "{username} {path}");
        }
        if username != "admin.web" {
            let refused = b
                .post(&format!("/people/{}/active", p.near), &[("active", "false")])
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

    // The board of D01 sees its district's people only, with the API's counts.
    let mut board = Browser::signed_in(&app, "bt.d01").await;
    let list = board.get("/people").await.text;
    assert!(
        list.contains("Nguyễn Thị Lan") && !list.contains("Thạch Sô Phênh"),
        "{list}"
    );
    let mut admin = Browser::signed_in(&app, "admin.web").await;
    let all = admin.get("/people?q=thach").await.text;
    assert!(
        all.contains("Thạch Sô Phênh") && !all.contains("Nguyễn Thị Lan"),
        "search without diacritics"
    );
    let counts = p.admin.get("/api/v1/people/counts").await.ok(200).clone();
    let everyone = admin.get("/people").await.text;
    for key in ["total", "lecturer_full_time", "rapporteur", "women"] {
        assert!(
            everyone.contains(&format!("data-count=\"{key}\">{}<", counts[key])),
            "{key}: {counts} {everyone}"
        );
    }
    let api = p.admin.get("/api/v1/people").await.ok(200).clone();
    assert_eq!(counts["total"], api["total"]);

    // The person's page names the center and the module; the registry shows the matrix.
    let lan = admin.get(&near).await.text;
    assert!(
        lan.contains("Chủ nghĩa Mác - Lênin") && lan.contains("Chưa có đường dẫn lịch."),
        "{lan}"
    );
    let registry = admin.get("/registry").await.text;
    assert!(registry.contains(&format!("data-from=\"{}\" data-to=\"{}\"", p.w.d1, p.w.d2)));
    let saved = admin
        .post(
            "/registry/travel-times",
            &[
                ("from", &p.w.d1.to_string()),
                ("to", &p.w.d2.to_string()),
                ("there", "50"),
                ("back", "55"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let matrix = p.admin.get("/api/v1/travel-times").await.ok(200).clone();
    assert!(matrix.to_string().contains("55") && matrix.to_string().contains("50"));

    // Absences: add, refused when overlapping (shown beside the form), withdraw.
    let added = admin
        .post(
            &format!("{near}/absences"),
            &[("from", "2027-03-01"), ("to", "2027-03-02"), ("reason", "Ốm")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text);
    let again = admin
        .post(
            &format!("{near}/absences"),
            &[("from", "2027-03-02"), ("to", "2027-03-02")],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.text.contains("Trùng với khoảng thời gian vắng mặt") && again.text.contains("id=\"error-start\""));
    let periods = p
        .admin
        .get(&format!("/api/v1/people/{}/unavailability", p.near))
        .await
        .ok(200)
        .clone();
    let id = periods[0]["id"].as_i64().unwrap();
    let withdrawn = admin.post(&format!("{near}/absences/{id}/withdraw"), &[]).await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);

    // Deactivating keeps the record, as the API's `active: false`.
    let off = admin.post(&format!("{near}/active"), &[("active", "false")]).await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    let person = p.admin.get(&format!("/api/v1/people/{}", p.near)).await.ok(200).clone();
    assert_eq!(person["active"], false);
}

#[tokio::test]
async fn a_bad_field_is_shown_beside_it_and_changes_nothing() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    one_account_of_each_kind(&app, &p).await;
    let before = p.admin.get("/api/v1/people").await.ok(200)["total"].clone();
    let mut admin = Browser::signed_in(&app, "admin.web").await;
    let bad = admin
        .post(
            "/people/new",
            &[
                ("full_name", "Lê Văn Tám"),
                ("code", "GV-900"),
                ("roles", "lecturer_part_time"),
                ("email", "khong-phai-email"),
                ("max_per_day", "nhiều"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert!(bad.text.contains("id=\"error-email\"") && bad.text.contains("id=\"error-max_per_day\""));
    assert!(bad.text.contains("value=\"Lê Văn Tám\""), "the values sent are kept");
    assert_eq!(p.admin.get("/api/v1/people").await.ok(200)["total"], before);
    let good = admin
        .post(
            "/people/new",
            &[
                ("full_name", "Lê Văn Tám"),
                ("code", "GV-900"),
                ("roles", "lecturer_part_time"),
            ],
        )
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.text);
    assert!(admin.get(good.location()).await.text.contains("Lê Văn Tám"));
    // Editing with a duplicate code shows it beside the code.
    let edit = format!("{}/edit", good.location());
    let dup = admin
        .post(
            &edit,
            &[
                ("full_name", "Lê Văn Tám"),
                ("code", "GV001"),
                ("roles", "lecturer_part_time"),
            ],
        )
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(dup.text.contains("id=\"error-code\""), "{}", dup.text);
}

/// Signs in and sends a file as the import form does.
async fn upload(app: &TestApp, username: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, String, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = client
        .post(format!("{}/login", app.base))
        .form(&[("username", username), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = login.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    let r = client
        .post(format!("{}/import", app.base))
        .header(header::COOKIE, cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let location = r
        .headers()
        .get(header::LOCATION)
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, r.text().await.unwrap())
}

#[tokio::test]
async fn an_import_with_a_bad_row_shows_it_and_imports_nothing_then_a_good_file_imports() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    one_account_of_each_kind(&app, &p).await;
    let before = p.admin.get("/api/v1/people").await.ok(200)["total"].clone();
    let bad = "Họ và tên,Mã,Loại,Cấp báo cáo viên\n\
               Lê Văn Tám,GV-901,Báo cáo viên,Cấp tỉnh\n\
               Trần Thị Mai,GV-902,Phóng viên,\n";
    let (status, _, text) = upload(&app, "admin.web", "ds.csv", bad.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    let table = text.split("id=\"row-errors\"").nth(1).expect("the bad rows' table");
    assert!(
        table.contains("<td>3</td>") && table.contains("Phóng viên") && table.contains("Loại"),
        "{table}"
    );
    assert_eq!(p.admin.get("/api/v1/people").await.ok(200)["total"], before);

    let good = bad.replace("Phóng viên", "Giảng viên kiêm chức");
    let (status, location, text) = upload(&app, "admin.web", "ds.csv", good.into_bytes()).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{text}");
    let mut admin = Browser::signed_in(&app, "admin.web").await;
    let report = admin.get(&location).await.text;
    assert!(
        report.contains("data-count=\"created\">2<") && report.contains("href=\"/people\""),
        "{report}"
    );

    let (refused, _, _) = upload(&app, "bt.d01", "ds.csv", bad.as_bytes().to_vec()).await;
    assert_eq!(refused, StatusCode::FORBIDDEN);
    let template = admin.get("/import/template?format=csv").await;
    assert_eq!(template.status, StatusCode::OK);
    assert!(template.text.contains("Họ và tên"));
}
