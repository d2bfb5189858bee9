//! A province board clerk's first week, in a real headless Chromium and nowhere else: travel
//! times and a program in the reference data; people imported from a spreadsheet (a bad row
//! first, then the fixed file); an account for a lecturer; a district board drafts and
//! approves its plan; the center requests lecturers for its class; the board accepts and
//! creates a briefing; the province plans the month and publishes; the lecturer sees the
//! session. The API is used only to set up districts, centers, topics and the boards' accounts,
//! and to check what the pages did. Screenshots of each page go to `target/e2e-screenshots/`.

use std::time::Duration;

use fantoccini::wd::{PrintConfiguration, PrintMargins, PrintOrientation, PrintSize};
use fantoccini::{Client, Locator};
use roster::vocab::UserRole;
use serde_json::Value;

use crate::browser::{browser, publish_when_done, screenshot, set, sign_in, sign_out, start_driver, submit, text, url};
use crate::helpers::{Caller, TestApp, spawn_app, world};
use crate::import::{board_rows, board_xlsx};

async fn click(c: &Client, css: &str) {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

async fn go(c: &Client, app: &TestApp, path: &str) {
    c.goto(&url(app, path)).await.unwrap();
}

/// Every printed table is no wider than its sheet, whose width is the A4 page's between its
/// margins: nothing is cut off at the right edge of the paper.
async fn assert_tables_fit(c: &Client, name: &str) {
    let overflow = c
        .execute(
            "const sheet = document.querySelector('main.sheet');
             return [...sheet.querySelectorAll('table')].map(t => t.scrollWidth - sheet.clientWidth);",
            vec![],
        )
        .await
        .unwrap();
    let overflow: Vec<i64> = serde_json::from_value(overflow).unwrap();
    assert!(
        !overflow.is_empty() && overflow.iter().all(|&o| o <= 0),
        "{name}: {overflow:?}"
    );
}

/// The page printed by Chromium on A4, with the Party document's margins, not shrunk to fit.
async fn print_a4(c: &Client, landscape: bool) -> Vec<u8> {
    let (size, orientation) = if landscape {
        (
            PrintSize {
                width: 29.7,
                height: 21.0,
            },
            PrintOrientation::Landscape,
        )
    } else {
        (PrintSize::A4, PrintOrientation::Portrait)
    };
    let margins = PrintMargins {
        top: 2.0,
        bottom: 2.0,
        left: if landscape { 2.0 } else { 3.0 },
        right: 1.5,
    };
    let config = PrintConfiguration::builder()
        .size(size)
        .orientation(orientation)
        .margins(margins)
        .shrink_to_fit(false)
        .build()
        .unwrap();
    c.print(config).await.unwrap()
}

/// The number of pages of a PDF: its `/Type /Page` objects (not `/Pages`).
fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type /Page")
        .filter(|(i, m)| !text[i + m.len()..].starts_with('s'))
        .count()
}

/// The id of the only item of an API list whose `key` is `value`.
async fn id_where(admin: &Caller, path: &str, key: &str, value: &str) -> String {
    let list = admin.get(path).await.ok(200).clone();
    let items = list.get("items").unwrap_or(&list).as_array().unwrap().clone();
    let found: Vec<&Value> = items.iter().filter(|x| x[key] == value).collect();
    assert_eq!(found.len(), 1, "{path} {key}={value}: {list}");
    found[0]["id"].to_string()
}

#[tokio::test]
async fn a_board_clerks_first_week_in_the_browser() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    app.account("admin.web", UserRole::ProvinceAdmin, None).await;
    app.account("bt.d01", UserRole::DistrictBoard, Some(w.d1)).await;
    app.account("tt.d01", UserRole::CenterCoordinator, Some(w.center1))
        .await;
    let driver = start_driver().await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;

    // Monday: the reference data. A travel time both ways, then the program.
    sign_in(&c, &app, "admin.web").await;
    go(&c, &app, &format!("/registry?from={}&to={}#travel-edit", w.d1, w.d2)).await;
    set(&c, "#travel-edit input[name=there]", "45").await;
    set(&c, "#travel-edit input[name=back]", "50").await;
    submit(&c, "#travel-edit").await;
    assert!(text(&c, "p.ok").await.contains("Đã lưu thời gian di chuyển"));
    screenshot(&c, "week-registry").await;
    let matrix = admin.get("/api/v1/travel-times").await.ok(200).to_string();
    assert!(matrix.contains("45") && matrix.contains("50"), "{matrix}");
    go(&c, &app, "/registry/programs/new").await;
    set(&c, "#reference input[name=name]", "Sơ cấp lý luận chính trị").await;
    set(&c, "#reference input[name=code]", "SCLLCT").await;
    set(&c, "#reference select[name=topic_id]", &w.module.to_string()).await;
    set(&c, "#reference input[name=half_days]", "2").await;
    set(&c, "#reference select[name=min_theory_level]", "intermediate").await;
    screenshot(&c, "week-program-new").await;
    submit(&c, "#reference").await;
    assert!(text(&c, "p.ok").await.contains("Đã lưu chương trình"));
    let program = id_where(&admin, "/api/v1/programs", "code", "SCLLCT").await;

    // Tuesday: the people, from the board's spreadsheet. One row names a role that does not
    // exist: the page lists it and nothing is imported; the fixed file imports.
    let people = &board_rows()[1..];
    let mut bad = people.to_vec();
    bad[0][3] = "Phóng viên";
    let files = tempfile::tempdir().unwrap();
    let (bad_file, good_file) = (
        files.path().join("danh-sach-loi.xlsx"),
        files.path().join("danh-sach.xlsx"),
    );
    std::fs::write(&bad_file, board_xlsx(&bad)).unwrap();
    std::fs::write(&good_file, board_xlsx(people)).unwrap();
    for (file, shot) in [(&bad_file, "week-import-errors"), (&good_file, "week-import-done")] {
        go(&c, &app, "/import").await;
        c.find(Locator::Css("#upload input[type=file]"))
            .await
            .unwrap()
            .send_keys(file.to_str().unwrap())
            .await
            .unwrap();
        submit(&c, "#upload").await;
        if shot == "week-import-errors" {
            let errors = text(&c, "#row-errors").await;
            assert!(errors.contains("Phóng viên") && errors.contains("Loại"), "{errors}");
            assert_eq!(admin.get("/api/v1/people").await.ok(200)["total"], 0);
        } else {
            assert_eq!(text(&c, "[data-count=created]").await, "2");
        }
        screenshot(&c, shot).await;
    }
    go(&c, &app, "/people?q=tran van duc").await;
    let list = text(&c, "#people").await;
    assert!(
        list.contains("Trần Văn Đức") && !list.contains("Thạch Thị Sô Phi"),
        "{list}"
    );
    screenshot(&c, "week-people").await;
    click(&c, "#people a[href^='/people/']").await;
    assert!(text(&c, "h1").await.contains("Trần Văn Đức"));
    screenshot(&c, "week-person").await;

    // The lecturer gets an account to follow their schedule.
    let duc = id_where(&admin, "/api/v1/people?q=GV-0002", "code", "GV-0002").await;
    go(&c, &app, "/accounts").await;
    set(&c, "#new-account input[name=username]", "gv.duc").await;
    set(&c, "#new-account input[name=display_name]", "Trần Văn Đức").await;
    set(&c, "#new-account input[name=password]", crate::helpers::PASSWORD).await;
    set(&c, "#new-account select[name=role]", "lecturer").await;
    set(&c, "#new-account select[name=person_id]", &duc).await;
    screenshot(&c, "week-accounts").await;
    submit(&c, "#new-account").await;
    assert!(text(&c, "main").await.contains("gv.duc"));
    sign_out(&c).await;

    // Wednesday: the district board drafts its plan for 2027 and approves it.
    sign_in(&c, &app, "bt.d01").await;
    go(&c, &app, "/plans?year=2027").await;
    click(&c, &format!("tr[data-district='{}'] button", w.d1)).await;
    text(&c, "form.add-class").await;
    set(&c, "form.add-class select[name=program_id]", &program).await;
    set(&c, "form.add-class select[name=center_id]", &w.center1.to_string()).await;
    set(&c, "form.add-class input[name=name]", "Lớp Sơ cấp LLCT khóa 1/2027").await;
    click(&c, "form.add-class input[name=months][value='3']").await;
    set(&c, "form.add-class input[name=trainees]", "60").await;
    set(&c, "form.add-class input[name=women]", "25").await;
    set(&c, "form.add-class input[name=ethnic_minority]", "18").await;
    submit(&c, "form.add-class").await;
    assert!(
        text(&c, "tr[data-planned-class]")
            .await
            .contains("Lớp Sơ cấp LLCT khóa 1/2027")
    );
    screenshot(&c, "week-plan-draft").await;
    submit(&c, "form[action$='/approve']").await;
    text(&c, "p.ok").await;
    screenshot(&c, "week-plan-approved").await;
    let plans = admin.get("/api/v1/plans?year=2027").await.ok(200).to_string();
    assert!(plans.contains("\"approved\""), "{plans}");
    sign_out(&c).await;

    // Thursday: the center asks for lecturers for the class's two half-days.
    sign_in(&c, &app, "tt.d01").await;
    go(&c, &app, "/center").await;
    set(
        &c,
        "form.request input[name=venue]",
        "Hội trường Trung tâm Chính trị thành phố Sóc Trăng",
    )
    .await;
    set(&c, "form.request input[name=date_0]", "01/03/2027").await;
    set(&c, "form.request select[name=half_0]", "morning").await;
    set(&c, "form.request input[name=date_1]", "1/3/2027").await;
    set(&c, "form.request select[name=half_1]", "afternoon").await;
    screenshot(&c, "week-center-request").await;
    submit(&c, "form.request").await;
    assert!(text(&c, "section.class p.status").await.contains("Đã gửi"));
    sign_out(&c).await;

    // The board accepts it from its inbox and calls a briefing on the resolution.
    sign_in(&c, &app, "bt.d01").await;
    go(&c, &app, "/requests").await;
    screenshot(&c, "week-requests").await;
    submit(&c, "form[action$='/accept']").await;
    text(&c, "p.ok").await;
    let requests = admin.get("/api/v1/requests").await.ok(200).to_string();
    assert!(requests.contains("\"accepted\""), "{requests}");
    go(&c, &app, "/briefings").await;
    set(&c, "form.create select[name=topic_id]", &w.resolution.to_string()).await;
    set(
        &c,
        "form.create input[name=title]",
        "Quán triệt Nghị quyết Trung ương 8",
    )
    .await;
    set(&c, "form.create select[name=district_id]", &w.d1.to_string()).await;
    set(&c, "form.create input[name=venue]", "Hội trường Thành ủy Sóc Trăng").await;
    set(&c, "form.create input[name=date]", "02/03/2027").await;
    set(&c, "form.create select[name=half_day]", "morning").await;
    set(&c, "form.create select[name=audience_level]", "province").await;
    submit(&c, "form.create").await;
    assert!(
        text(&c, "tr[data-briefing]")
            .await
            .contains("Hội trường Thành ủy Sóc Trăng")
    );
    screenshot(&c, "week-briefings").await;
    sign_out(&c).await;

    // Friday: the province plans March and publishes.
    sign_in(&c, &app, "admin.web").await;
    go(&c, &app, "/planning").await;
    set(&c, "#new-run input[name=from]", "01/03/2027").await;
    set(&c, "#new-run input[name=to]", "31/03/2027").await;
    submit(&c, "#new-run").await;
    publish_when_done(&c).await;
    sign_out(&c).await;

    // The lecturer signs in and finds the class in their schedule.
    sign_in(&c, &app, "gv.duc").await;
    go(&c, &app, "/my").await;
    let mine = text(&c, "main").await;
    assert!(
        mine.contains("01/03/2027") && mine.contains("Lớp Sơ cấp LLCT khóa 1/2027"),
        "{mine}"
    );
    screenshot(&c, "week-lecturer").await;
    // They keep the messages but not the reminders the day before.
    go(&c, &app, "/notifications/mine").await;
    click(&c, "main input[name=day_before]").await;
    submit(&c, "main form").await;
    assert!(text(&c, "p.ok").await.contains("Đã lưu"));
    screenshot(&c, "week-lecturer-notifications").await;
    sign_out(&c).await;

    // The province sets its letterhead, then prints the yearly report, the district's month
    // and the class's schedule: A4 in the Party's layout, one sheet each, no table cut off.
    sign_in(&c, &app, "admin.web").await;
    go(&c, &app, "/registry/letterhead").await;
    for (field, value) in [
        ("committee", "TỈNH ỦY SÓC TRĂNG"),
        ("board", "BAN TUYÊN GIÁO"),
        ("place", "Sóc Trăng"),
        ("signer_authority", "K/T TRƯỞNG BAN"),
        ("signer_title", "PHÓ TRƯỞNG BAN THƯỜNG TRỰC"),
        ("signer_name", "Trần Văn Minh"),
    ] {
        set(&c, &format!("#letterhead input[name={field}]"), value).await;
    }
    set(
        &c,
        "#letterhead textarea[name=recipients]",
        "Thường trực Tỉnh ủy (b/c)\nLãnh đạo Ban\nLưu VPTU, BTGTU",
    )
    .await;
    screenshot(&c, "week-letterhead").await;
    submit(&c, "#letterhead").await;
    text(&c, "p.ok").await;
    let planned = admin.get("/api/v1/plans?year=2027").await.ok(200)[0]["classes"][0]["id"].clone();
    for (name, path, landscape) in [
        ("print-report", "/print/report?year=2027".to_string(), true),
        ("print-month", format!("/print/district/{}?month=2027-03", w.d1), false),
        ("print-class", format!("/print/class/{planned}"), false),
    ] {
        go(&c, &app, &path).await;
        screenshot(&c, &format!("week-{name}")).await;
        let sheet = text(&c, "main.sheet").await;
        for words in [
            "TỈNH ỦY SÓC TRĂNG",
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            "Sóc Trăng, ngày",
            "Nơi nhận:",
            "- Lưu VPTU, BTGTU.",
            "K/T TRƯỞNG BAN",
            "Trần Văn Minh",
        ] {
            assert!(sheet.contains(words), "{name}: {words} in {sheet}");
        }
        assert_tables_fit(&c, name).await;
        let pdf = print_a4(&c, landscape).await;
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/target/e2e-screenshots/").to_string() + name + ".pdf",
            &pdf,
        )
        .unwrap();
        assert_eq!(pdf_pages(&pdf), 1, "{name}: one A4 sheet");
    }
    let month = text(&c, "main.sheet").await;
    assert!(
        month.contains("01/03/2027") && month.contains("Lớp Sơ cấp LLCT khóa 1/2027"),
        "{month}"
    );

    // Every other page of the boards' day passes the accessibility check too, in either
    // language, and on a phone's width.
    let pages = [
        ("coverage", "/coverage?year=2027".to_string()),
        ("report", "/report?year=2027".to_string()),
        ("plans", "/plans?year=2027".to_string()),
        ("people-new", "/people/new".to_string()),
        ("registry-district-new", "/registry/districts/new".to_string()),
        ("registry-center-edit", format!("/registry/centers/{}", w.center1)),
        ("registry-topic-new", "/registry/topics/new".to_string()),
        ("import", "/import".to_string()),
        ("audit", "/audit".to_string()),
        ("tokens", "/tokens".to_string()),
        ("units", "/registry/units".to_string()),
        ("notifications", "/notifications".to_string()),
    ];
    for (name, path) in &pages {
        go(&c, &app, path).await;
        screenshot(&c, &format!("week-{name}")).await;
    }
    go(&c, &app, "/lang/en?next=/requests").await;
    screenshot(&c, "week-requests-en").await;
    c.set_window_size(390, 844).await.unwrap();
    for (name, path) in [
        ("people", "/people"),
        ("planning", "/planning"),
        ("briefings", "/briefings"),
    ] {
        go(&c, &app, path).await;
        screenshot(&c, &format!("week-{name}-phone")).await;
    }

    // A form sent after the sign-in expired is kept: sign in again, and send it on.
    go(&c, &app, "/tokens").await;
    set(&c, "#new-token-form input[name=name]", "Lịch trên máy tính bảng").await;
    c.delete_cookie(roster::auth::SESSION_COOKIE).await.unwrap();
    submit(&c, "#new-token-form").await;
    assert!(text(&c, "p.note").await.contains("Your sign-in has expired"));
    screenshot(&c, "week-sign-in-kept-phone").await;
    set(&c, "input[name=username]", "admin.web").await;
    set(&c, "input[name=password]", crate::helpers::PASSWORD).await;
    submit(&c, "form[action='/login']").await;
    screenshot(&c, "week-send-again-phone").await;
    submit(&c, "#send-again").await;
    assert!(text(&c, "main").await.contains("Lịch trên máy tính bảng"));
    c.close().await.unwrap();
}
