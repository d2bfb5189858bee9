//! The web pages over HTTP: signing in and out, every page for every kind of account (allowed
//! and refused), the figures they show against the API's, and the lecturer's forms.

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};
use reqwest::redirect::Policy;
use roster::vocab::UserRole;
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, spawn_app, spawn_app_without_worker};
use crate::planning::{one_account_of_each_kind, plan, planning};
use crate::scheduling::{publish_march, sessions, settled};

/// A browser that keeps its cookies and does not follow redirects.
pub struct Browser {
    client: reqwest::Client,
    base: String,
    cookies: Vec<String>,
}

pub struct Got {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Got {
    pub fn location(&self) -> &str {
        self.headers[header::LOCATION].to_str().unwrap()
    }
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        Browser {
            client: reqwest::Client::builder().redirect(Policy::none()).build().unwrap(),
            base: app.base.clone(),
            cookies: Vec::new(),
        }
    }

    pub async fn signed_in(app: &TestApp, username: &str) -> Browser {
        let mut b = Browser::new(app);
        let got = b
            .post("/login", &[("username", username), ("password", PASSWORD)])
            .await;
        assert_eq!(got.status, StatusCode::SEE_OTHER, "{}", got.text);
        b
    }

    async fn keep(&mut self, response: reqwest::Response) -> Got {
        for c in response.headers().get_all(header::SET_COOKIE) {
            let pair = c.to_str().unwrap().split(';').next().unwrap().to_string();
            let name = pair.split('=').next().unwrap().to_string();
            self.cookies.retain(|k| !k.starts_with(&format!("{name}=")));
            if !pair.ends_with('=') {
                self.cookies.push(pair);
            }
        }
        Got {
            status: response.status(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Got {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header(header::COOKIE, self.cookies.join("; "))
            .send()
            .await
            .unwrap();
        self.keep(r).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Got {
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header(header::COOKIE, self.cookies.join("; "))
            .form(form)
            .send()
            .await
            .unwrap();
        self.keep(r).await
    }
}

pub fn is_page(got: &Got) -> bool {
    got.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html")
}

#[tokio::test]
async fn signing_in_and_out_and_where_each_account_lands() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    one_account_of_each_kind(&app, &p).await;
    let mut anonymous = Browser::new(&app);
    assert_eq!(anonymous.get("/").await.location(), "/login");
    let sent_away = anonymous.get("/coverage?year=2027").await;
    assert_eq!(sent_away.status, StatusCode::SEE_OTHER);
    assert_eq!(sent_away.location(), "/login?next=%2Fcoverage%3Fyear%3D2027");
    let form = anonymous.get("/login?next=/coverage").await;
    assert!(is_page(&form) && form.text.contains("name=\"password\""));

    let wrong = anonymous
        .post(
            "/login",
            &[("username", "bt.d01"), ("password", "sai"), ("next", "/coverage")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.text.contains("Sai tên đăng nhập hoặc mật khẩu."));
    let right = anonymous
        .post(
            "/login",
            &[("username", "bt.d01"), ("password", PASSWORD), ("next", "/coverage")],
        )
        .await;
    assert_eq!(right.location(), "/coverage");
    // Only a path on this site may follow a sign-in.
    let mut other = Browser::new(&app);
    let away = other
        .post(
            "/login",
            &[
                ("username", "bt.d01"),
                ("password", PASSWORD),
                ("next", "//evil.example/x"),
            ],
        )
        .await;
    assert_eq!(away.location(), "/");

    for (username, home) in [
        ("admin.web", "/coverage"),
        ("bt.d01", "/coverage"),
        ("tt.d01", "/center"),
        ("gv.lan", "/my"),
    ] {
        let mut b = Browser::signed_in(&app, username).await;
        assert_eq!(b.get("/").await.location(), home, "{username}");
    }
    let out = anonymous.post("/logout", &[]).await;
    assert_eq!(out.location(), "/login");
    assert_eq!(
        anonymous.get("/coverage").await.status,
        StatusCode::SEE_OTHER,
        "signed out"
    );

    // The English switch keeps the reader on the page.
    let mut b = Browser::signed_in(&app, "bt.d01").await;
    let switched = b.get("/lang/en?next=%2Fcoverage%3Fyear%3D2027").await;
    assert_eq!(switched.location(), "/coverage?year=2027");
    let english = b.get("/coverage?year=2027").await;
    assert!(english.text.contains("Coverage by district 2027"), "{}", english.text);
    assert!(english.text.contains("<html lang=\"en\">"));
}

#[tokio::test]
async fn every_page_for_every_kind_of_account_with_the_apis_figures() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    publish_march(&p.admin, None).await;
    one_account_of_each_kind(&app, &p).await;
    let d1 = format!("/coverage/district/{}?year=2027", p.w.d1);
    let d2 = format!("/coverage/district/{}?year=2027", p.w.d2);
    let pages = [
        "/coverage?year=2027",
        d1.as_str(),
        d2.as_str(),
        "/report?year=2027",
        "/planning",
        "/center",
        "/my",
    ];
    for (username, allowed) in [
        ("admin.web", [true, true, true, true, true, false, false]),
        ("bt.d01", [true, true, false, true, false, false, false]),
        ("tt.d01", [false, false, false, false, false, true, false]),
        ("gv.lan", [false, false, false, false, false, false, true]),
    ] {
        let mut b = Browser::signed_in(&app, username).await;
        for (path, allowed) in pages.iter().zip(allowed) {
            let got = b.get(path).await;
            let expected = if allowed { StatusCode::OK } else { StatusCode::FORBIDDEN };
            assert_eq!(got.status, expected, "{username} {path}");
            assert!(is_page(&got), "{username} {path}: an HTML page, errors too");
        }
    }

    // The province's coverage page shows the API's figures.
    let api = p.admin.get("/api/v1/reports/coverage?year=2027").await.ok(200).clone();
    let mut admin = Browser::signed_in(&app, "admin.web").await;
    let coverage = admin.get("/coverage?year=2027").await.text;
    let march_d1 = &api["districts"][0]["months"][2];
    assert_eq!(
        (march_d1["covered"].as_i64(), march_d1["sessions"].as_i64()),
        (Some(2), Some(2))
    );
    let row = coverage
        .split("<tr data-district=")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(row.contains("Thành phố Sóc Trăng") && row.contains("2/2"), "{row}");
    assert_eq!(api["total"]["sessions"], 3);
    // The load chart names everyone with sessions: Lan two, the rapporteur one.
    let chart = coverage.split("id=\"loads\"").nth(1).unwrap();
    assert!(chart.contains("<svg") && chart.contains("Nguyễn Thị Lan") && chart.contains("Lâm Văn Đức"));
    // The board of D01 sees its district only.
    let mut board = Browser::signed_in(&app, "bt.d01").await;
    let own = board.get("/coverage?year=2027").await.text;
    assert!(own.contains("Thành phố Sóc Trăng") && !own.contains("Huyện Trần Đề"));

    // The drill-down names who takes each session; the report links its downloads.
    let district = admin.get(&d1).await.text;
    assert!(district.contains("Nguyễn Thị Lan") && district.contains("01/03/2027") && district.contains("07:30–11:00"));
    let report = admin.get("/report?year=2027").await.text;
    assert!(report.contains("/api/v1/reports/yearly?format=xlsx&amp;year=2027"));
    assert!(report.contains("Toàn tỉnh"));
    let programs = report.split("id=\"programs\"").nth(1).unwrap();
    assert!(programs.contains("Sơ cấp lý luận chính trị"));
    let resolutions = report.split("id=\"resolutions\"").nth(1).unwrap();
    assert!(resolutions.contains("Nghị quyết Trung ương 8 khóa XIII"));
}

#[tokio::test]
async fn a_lecturer_sees_the_week_takes_a_calendar_link_and_says_when_they_cannot_come() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    publish_march(&p.admin, None).await;
    app.account("gv.lan", UserRole::Lecturer, Some(p.near)).await;
    let mut lan = Browser::signed_in(&app, "gv.lan").await;
    let mine = lan.get("/my").await.text;
    assert!(
        mine.contains("Thứ Hai 01/03/2027") && mine.contains("13:30–17:00"),
        "{mine}"
    );
    assert!(mine.contains("Tuần 9/2027"));

    let issued = lan.post("/my/feed", &[]).await;
    assert_eq!(issued.status, StatusCode::OK);
    let https = issued
        .text
        .split("<code id=\"https\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    assert!(issued.text.contains("href=\"webcal://") && issued.text.contains("<svg"));
    let feed = reqwest::get(&https).await.unwrap();
    assert_eq!(feed.status(), StatusCode::OK);
    assert!(feed.text().await.unwrap().matches("BEGIN:VEVENT").count() == 2);

    let away = lan
        .post(
            "/my/unavailability",
            &[("from", "2027-03-01"), ("to", "2027-03-01"), ("reason", "Ốm")],
        )
        .await;
    assert_eq!(away.status, StatusCode::SEE_OTHER, "{}", away.text);
    let recorded = lan.get(away.location()).await.text;
    assert!(recorded.contains("01/03/2027 – 01/03/2027"));
    // She sees which of her sessions it hits, and that the board has been told.
    let notice = recorded
        .split("id=\"away-notice\"")
        .nth(1)
        .unwrap()
        .split("</div>")
        .next()
        .unwrap();
    assert!(
        notice.contains("Thứ Hai 01/03/2027 07:30–11:00") && notice.contains("Thứ Hai 01/03/2027 13:30–17:00"),
        "{notice}"
    );
    assert!(notice.contains("Ban Tuyên giáo đã được báo"), "{notice}");
    // A midnight the local clock skipped (1 April 1947) is refused, not a crash.
    let skipped = lan
        .post("/my/unavailability", &[("from", "1947-04-01"), ("to", "1947-04-01")])
        .await;
    assert_eq!(skipped.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", skipped.text);
    let replan = p
        .admin
        .get("/api/v1/schedule/needs-replanning?from=2027-03-01&to=2027-03-31")
        .await
        .ok(200)
        .clone();
    assert_eq!(
        replan.as_array().unwrap().len(),
        2,
        "the board sees both half-days to re-plan"
    );
    let twice = lan
        .post("/my/unavailability", &[("from", "2027-03-01"), ("to", "2027-03-02")])
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(
        twice.text.contains("Trùng với khoảng thời gian vắng mặt"),
        "{}",
        twice.text
    );
}

#[tokio::test]
async fn the_board_plans_reviews_changes_by_hand_publishes_and_replans_from_the_pages() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    one_account_of_each_kind(&app, &p).await;
    for username in ["bt.d01", "gv.lan"] {
        let mut b = Browser::signed_in(&app, username).await;
        assert_eq!(b.get("/planning").await.status, StatusCode::FORBIDDEN, "{username}");
        let refused = b
            .post("/planning/runs", &[("from", "2027-03-01"), ("to", "2027-03-31")])
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{username}");
    }
    let mut admin = Browser::signed_in(&app, "admin.web").await;
    assert!(admin.get("/planning").await.text.contains("id=\"new-run\""));
    let started = admin
        .post(
            "/planning/runs",
            &[
                ("from", "2027-03-01"),
                ("to", "2027-03-31"),
                ("time_limit_seconds", "30"),
            ],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.text);
    let run_page = started.location().to_string();
    let run: i64 = run_page.rsplit('/').next().unwrap().parse().unwrap();
    let watching = admin.get(&run_page).await.text;
    assert!(watching.contains(&format!("data-run=\"{run}\"")) && watching.contains("/api/v1/runs/"));
    assert_eq!(settled(&p.admin, run).await["status"], "finished");

    let draft = admin.get(&run_page).await.text;
    assert!(draft.contains("class=\"changes\" data-month=\"2027-03\"") && draft.contains("data-live=\"no\""));
    // The review narrows to one person (what changes for them), a district, or the short ones.
    let theirs = admin.get(&format!("{run_page}?person={}", p.rapporteur)).await.text;
    assert!(
        theirs.contains("Lâm Văn Đức") && theirs.matches("<tr data-session=").count() == 1,
        "{theirs}"
    );
    let district = admin
        .get(&format!("{run_page}?district={}&show=changed", p.w.d1))
        .await
        .text;
    assert_eq!(district.matches("<tr data-session=").count(), 2, "{district}");
    let none = admin.get(&format!("{run_page}?month=2027-04")).await.text;
    assert!(none.contains("id=\"shown\">Đang hiện 0 / 3<"), "{none}");
    assert!(
        !admin
            .get(&format!("{run_page}?show=short"))
            .await
            .text
            .contains("class=\"changes\"")
    );
    assert!(
        draft.contains("Đây là lịch tốt nhất có thể") && !draft.contains("optimal"),
        "the solver's answer in words: {draft}"
    );
    let rows = draft.split("class=\"changes\"").nth(1).unwrap();
    assert_eq!(
        rows.matches("Nguyễn Thị Lan").count(),
        2,
        "both half-days go to Lan: {draft}"
    );
    let detail = p.admin.get(&format!("/api/v1/runs/{run}")).await.ok(200).clone();
    let morning = detail["draft"]["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["person_id"] == p.near)
        .unwrap()["session_id"]
        .as_i64()
        .unwrap();
    let who = admin
        .get(&format!("/planning/runs/{run}/sessions/{morning}"))
        .await
        .text;
    assert!(
        who.contains("Nguyễn Thị Lan") && who.contains("Thạch Sô Phênh"),
        "{who}"
    );
    assert!(
        who.contains("Thay Nguyễn Thị Lan") && !who.contains("Thêm vào bản nháp"),
        "one place, taken"
    );
    let offered = who.split("id=\"candidates\"").nth(1).unwrap();
    assert!(
        offered.contains("GV002") && !offered.contains("GV001"),
        "ranked against the draft, where Lan already holds it: {offered}"
    );
    let given = admin
        .post(
            &format!("/planning/runs/{run}/sessions/{morning}"),
            &[("person_id", &p.far.to_string()), ("replace", &p.near.to_string())],
        )
        .await;
    assert_eq!(given.location(), run_page);
    assert!(admin.get(&run_page).await.text.contains("Thạch Sô Phênh"));
    // A change that breaks a rule is refused with the rule, as a page.
    let refused = admin
        .post(
            &format!("/planning/runs/{run}/sessions/{morning}"),
            &[
                ("person_id", &p.rapporteur.to_string()),
                ("replace", &p.far.to_string()),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        is_page(&refused) && refused.text.contains("Không đổi được: Lâm Văn Đức: ") && !refused.text.contains("BCV01"),
        "the rule in words, by name: {}",
        refused.text
    );

    // What publishing changes, shown before it is done.
    // Given by hand, the schedule is no longer the proven best: the page says by how much at
    // most it may cost more.
    let reviewed = admin.get(&run_page).await.text;
    assert!(
        reviewed.contains("không lịch nào có thể tốt hơn quá") && !reviewed.contains("feasible"),
        "{reviewed}"
    );
    let confirm = admin.get(&format!("/planning/runs/{run}/publish")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(
        confirm.text.contains("data-count=\"sessions\">3<")
            && confirm.text.contains("data-count=\"people\">3<")
            && confirm.text.contains("Lâm Văn Đức, Nguyễn Thị Lan, Thạch Sô Phênh"),
        "{}",
        confirm.text
    );
    assert!(
        p.admin
            .get("/api/v1/schedule?from=2027-03-01&to=2027-03-31")
            .await
            .ok(200)
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["person_ids"].as_array().unwrap().is_empty()),
        "looking publishes nothing"
    );
    let published = admin.post(&format!("/planning/runs/{run}/publish"), &[]).await;
    assert!(published.location().starts_with(&format!("{run_page}?published=")));
    assert!(
        admin
            .get(published.location())
            .await
            .text
            .contains("Đã công bố phiên bản")
    );

    // Phênh falls ill; the planning page lists what to re-plan and re-plans those days.
    p.admin
        .post(
            &format!("/api/v1/people/{}/unavailability", p.far),
            json!({"start": "2027-03-01T00:00:00+07:00", "end": "2027-03-02T00:00:00+07:00"}),
        )
        .await
        .ok(201);
    let overview = admin.get("/planning").await.text;
    assert!(overview.contains("id=\"replan\"") && overview.contains("Thạch Sô Phênh"));
    assert!(
        overview.contains(&format!("name=\"districts\" value=\"{}\"", p.w.d1)),
        "the re-plan keeps to the broken sessions' district"
    );
    let replan = admin
        .post(
            "/planning/runs",
            &[
                ("from", "2027-03-01"),
                ("to", "2027-03-01"),
                ("time_limit_seconds", "60"),
            ],
        )
        .await;
    let replan: i64 = replan.location().rsplit('/').next().unwrap().parse().unwrap();
    let redone = settled(&p.admin, replan).await;
    assert_eq!(redone["draft"]["changes"][0]["after"], json!([p.near]));
}

#[tokio::test]
async fn a_center_requests_lecturers_for_a_planned_class_and_follows_it() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    let (_, planned) = plan(&p, true).await;
    // A class of a plan still in draft is not offered.
    p.admin
        .post(
            "/api/v1/plans",
            json!({"district_id": p.w.d2, "year": 2027, "classes": [{
                "program_id": p.program, "center_id": p.w.center2, "name": "Lớp chưa duyệt",
                "months": [5], "trainees": 30, "women": 10, "ethnic_minority": 5}]}),
        )
        .await
        .ok(201);
    app.account("tt.d01", UserRole::CenterCoordinator, Some(p.w.center1))
        .await;
    app.account("tt.d11", UserRole::CenterCoordinator, Some(p.w.center2))
        .await;
    let mut other = Browser::signed_in(&app, "tt.d11").await;
    let nothing = other.get("/center").await.text;
    assert!(!nothing.contains("Lớp chưa duyệt") && nothing.contains("Chưa có lớp nào."));

    let mut center = Browser::signed_in(&app, "tt.d01").await;
    let offered = center.get("/center").await.text;
    assert!(offered.contains("Lớp Sơ cấp LLCT khóa 1/2027") && offered.contains("Chưa đề nghị"));
    assert!(
        offered.contains("name=\"date_1\"") && !offered.contains("name=\"date_2\""),
        "two half-days"
    );
    let planned = planned.to_string();
    let form = [
        ("planned_class_id", planned.as_str()),
        ("venue", "Hội trường Trung tâm Chính trị"),
        ("date_0", "2027-03-01"),
        ("half_0", "morning"),
        ("date_1", "2027-03-01"),
        ("half_1", "afternoon"),
    ];
    let sent = center.post("/center/requests", &form).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
    assert!(sent.location().starts_with("/center?sent="));
    let id = sent.location().rsplit('=').next().unwrap().to_string();
    let following = center.get(sent.location()).await.text;
    assert!(following.contains("Đã gửi đề nghị số") && following.contains("<strong>Đã gửi</strong>"));
    let request = p.admin.get(&format!("/api/v1/requests/{id}")).await.ok(200).clone();
    assert_eq!(request["slots"].as_array().unwrap().len(), 2);
    let again = center.post("/center/requests", &form).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(is_page(&again) && again.text.contains("đã có yêu cầu"));
    p.admin
        .post(&format!("/api/v1/requests/{id}/accept"), json!({}))
        .await
        .ok(200);
    assert!(
        center
            .get("/center")
            .await
            .text
            .contains("<strong>Đã chấp nhận</strong>")
    );
}

#[tokio::test]
async fn coverage_tells_not_yet_scheduled_from_short_and_opens_on_the_year_of_the_plans() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    one_account_of_each_kind(&app, &p).await;
    let mut admin = Browser::signed_in(&app, "admin.web").await;
    let march_d1 = |page: &str| {
        let row = page
            .split("<tr data-district=")
            .nth(1)
            .unwrap()
            .split("</tr>")
            .next()
            .unwrap();
        row.split("<td").nth(4).unwrap().to_string()
    };
    // Planned, not yet scheduled: counted apart, in the legend's blue, not the red of short.
    let api = p.admin.get("/api/v1/reports/coverage?year=2027").await.ok(200).clone();
    let cell = &api["districts"][0]["months"][2];
    assert_eq!(
        (cell["sessions"].as_i64(), cell["not_scheduled"].as_i64()),
        (Some(2), Some(2))
    );
    let before = admin.get("/coverage?year=2027").await.text;
    assert!(before.contains("Chưa xếp lịch"), "the legend names the state");
    let cell = march_d1(&before);
    assert!(
        cell.contains("not-scheduled") && cell.contains("chưa xếp") && !cell.contains("hsl(0"),
        "{cell}"
    );
    publish_march(&p.admin, None).await;
    let cell = march_d1(&admin.get("/coverage?year=2027").await.text);
    assert!(
        cell.contains("2/2") && cell.contains("hsl(120") && !cell.contains("chưa xếp</span>"),
        "{cell}"
    );

    // Every plan is in 2027: without a year asked, the boards' pages open on it and say so.
    for path in ["/coverage", "/report"] {
        let page = admin.get(path).await.text;
        assert!(
            page.contains("Đang xem năm 2027") && page.contains("<strong>Năm 2027</strong>"),
            "{path}"
        );
    }
    let asked = admin.get("/coverage?year=2026").await.text;
    assert!(!asked.contains("Đang xem năm"), "a year asked for is not announced");

    // A district board's report names its own total, not the province's.
    let mut board = Browser::signed_in(&app, "bt.d01").await;
    let report = board.get("/report?year=2027").await.text;
    assert!(report.contains("Tổng cộng") && !report.contains("Toàn tỉnh"));
}

#[tokio::test]
async fn a_run_is_stopped_from_its_page_and_only_by_the_province() {
    let app = spawn_app_without_worker().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    one_account_of_each_kind(&app, &p).await;
    let mut admin = Browser::signed_in(&app, "admin.web").await;
    let started = admin
        .post("/planning/runs", &[("from", "2027-03-01"), ("to", "2027-03-31")])
        .await;
    let run_page = started.location().to_string();
    let waiting = admin.get(&run_page).await.text;
    assert!(
        waiting.contains("id=\"cancel\"") && waiting.contains("Đang chờ"),
        "{waiting}"
    );
    let mut board = Browser::signed_in(&app, "bt.d01").await;
    assert_eq!(
        board.post(&format!("{run_page}/cancel"), &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let stopped = admin.post(&format!("{run_page}/cancel"), &[]).await;
    assert_eq!(stopped.location(), run_page);
    let run: i64 = run_page.rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(
        p.admin.get(&format!("/api/v1/runs/{run}")).await.ok(200)["status"],
        "cancelled"
    );
    let again = admin.post(&format!("{run_page}/cancel"), &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        is_page(&again) && again.text.contains("không còn gì để dừng"),
        "{}",
        again.text
    );
}

#[tokio::test]
async fn an_unknown_address_is_a_page_for_a_browser_and_a_problem_for_the_api() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let get = |path: &str, accept: &str| {
        client
            .get(format!("{}{path}", app.base))
            .header(header::ACCEPT, accept)
            .send()
    };
    let browser = "text/html,application/xhtml+xml,*/*;q=0.8";
    let page = get("/khong-co-trang-nay", browser).await.unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(
        page.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let text = page.text().await.unwrap();
    assert!(
        text.contains("Không có trang này") && text.contains("href=\"/\""),
        "{text}"
    );
    for (path, accept) in [
        ("/khong-co-trang-nay", "application/json"),
        ("/api/v1/khong-co", browser),
    ] {
        let problem = get(path, accept).await.unwrap();
        assert_eq!(problem.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            problem.headers()[header::CONTENT_TYPE],
            "application/problem+json",
            "{path}"
        );
    }
    let icon = get("/favicon.ico", "*/*").await.unwrap();
    assert_eq!(icon.status(), StatusCode::OK);
    assert_eq!(icon.headers()[header::CONTENT_TYPE], "image/svg+xml");
    assert!(icon.text().await.unwrap().starts_with("<svg"));
}
