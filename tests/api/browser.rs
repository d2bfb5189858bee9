//! End to end in a real headless Chromium, driven over WebDriver (chromedriver): each kind of
//! user signs in; the coverage page's figures match the API's; a district opens; the board runs
//! a solve, watches it finish and publishes; a center follows its class; a lecturer reports an
//! illness and the board re-plans; the report downloads. Screenshots of the main pages go to
//! `target/e2e-screenshots/` (the test's artifacts).
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, spawn_app};
use crate::planning::{one_account_of_each_kind, planning};
use crate::scheduling::sessions;

/// chromedriver on a free port, stopped when dropped.
pub(crate) struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) async fn start_driver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver (apt-get install chromium chromium-driver; see README)");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

pub(crate) async fn browser(driver: &Driver, profile: &std::path::Path) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--disable-quic", "--window-size=1280,1000",
                     format!("--user-data-dir={}", profile.display())],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a Chromium session")
}

/// The page at `path`; `localhost` rather than 127.0.0.1, where Chromium keeps `Secure` cookies.
pub(crate) fn url(app: &TestApp, path: &str) -> String {
    format!("{}{path}", app.base.replace("127.0.0.1", "localhost"))
}

pub(crate) async fn sign_in(c: &Client, app: &TestApp, username: &str) {
    c.goto(&url(app, "/login")).await.unwrap();
    c.find(Locator::Css("input[name=username]"))
        .await
        .unwrap()
        .send_keys(username)
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Signed in once the browser has left the sign-in page (for the home of the account).
    for _ in 0..200 {
        if c.current_url().await.unwrap().path() != "/login" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{username} did not sign in:\n{}", c.source().await.unwrap());
}

pub(crate) async fn sign_out(c: &Client) {
    c.find(Locator::Css("header form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("input[name=password]"))
        .await
        .unwrap();
}

pub(crate) async fn text(c: &Client, css: &str) -> String {
    c.wait()
        .at_most(Duration::from_secs(90))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

/// axe-core's script, fetched by `.ci/run` (`npm pack axe-core`) into `target/axe/`.
const AXE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/target/axe/axe.min.js");

/// Checks the page in view with axe-core against the WCAG 2.1 A and AA rules and fails on any
/// violation, naming each rule and the elements it found; then keeps a screenshot of it.
pub(crate) async fn screenshot(c: &Client, name: &str) {
    let axe = std::fs::read_to_string(AXE)
        .unwrap_or_else(|e| panic!("{AXE}: {e}; fetch axe-core as .ci/run does (see README)"));
    c.execute(&format!("{axe}\nreturn true;"), vec![]).await.unwrap();
    let violations = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
               .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — '
                    + v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(', ')
                    + (v.nodes.length > 5 ? ' and ' + (v.nodes.length - 5) + ' more' : ''))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/target/e2e-screenshots");
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(format!("{dir}/{name}.png"), c.screenshot().await.unwrap()).unwrap();
    let violations: Vec<String> = serde_json::from_value(violations).unwrap();
    assert!(
        violations.is_empty(),
        "{name}: {} accessibility violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}

/// Sets a form field by script (date inputs take typed text in the browser's locale).
pub(crate) async fn set(c: &Client, css: &str, value: &str) {
    c.execute(
        "document.querySelector(arguments[0]).value = arguments[1];",
        vec![json!(css), json!(value)],
    )
    .await
    .unwrap();
}

/// Submits a form and waits for the page it leads to, so that what is read next is never
/// the old page's.
pub(crate) async fn submit(c: &Client, form_css: &str) {
    c.execute("document.documentElement.dataset.left = 'no';", vec![])
        .await
        .unwrap();
    c.find(Locator::Css(&format!("{form_css} button[type=submit]")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..300 {
        let left = c
            .execute("return document.documentElement.dataset.left !== 'no';", vec![])
            .await
            .unwrap_or(Value::Bool(false));
        if left == Value::Bool(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{form_css}: the page did not change after submitting");
}

/// Waits on a run page until the run has finished and its draft shows; publishes it.
pub(crate) async fn publish_when_done(c: &Client) {
    text(c, "#solution").await;
    screenshot(c, "run-finished").await;
    submit(c, "#publish").await;
    text(c, "#summary").await;
    screenshot(c, "publish-confirm").await;
    submit(c, "#confirm-publish").await;
    let notice = text(c, "p.ok").await;
    assert!(notice.contains("Đã công bố phiên bản"), "{notice}");
}

#[tokio::test]
async fn each_user_in_a_real_browser() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    one_account_of_each_kind(&app, &p).await;
    let driver = start_driver().await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;

    // The province board solves March from the planning page, watches it and publishes.
    sign_in(&c, &app, "admin.web").await;
    c.goto(&url(&app, "/planning")).await.unwrap();
    set(&c, "#new-run input[name=from]", "2027-03-01").await;
    set(&c, "#new-run input[name=to]", "2027-03-31").await;
    submit(&c, "#new-run").await;
    text(&c, "#progress").await;
    screenshot(&c, "run-progress").await;
    publish_when_done(&c).await;

    // The coverage page shows the API's figures; a district opens with its sessions.
    c.goto(&url(&app, "/coverage?year=2027")).await.unwrap();
    let api: Value = p.admin.get("/api/v1/reports/coverage?year=2027").await.ok(200).clone();
    let march = &api["districts"][0]["months"][2];
    let cell = text(&c, &format!("tr[data-district='{}'] td:nth-child(4)", p.w.d1)).await;
    assert_eq!(
        cell.lines().next().unwrap(),
        format!("{}/{}", march["covered"], march["sessions"])
    );
    let total = text(&c, "#coverage tr.total td:last-child").await;
    assert!(
        total.starts_with(&format!("{}/{}", api["total"]["covered"], api["total"]["sessions"])),
        "{total}"
    );
    screenshot(&c, "coverage").await;
    c.find(Locator::Css(&format!("tr[data-district='{}'] a", p.w.d1)))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let sessions_table = text(&c, "#sessions").await;
    assert!(sessions_table.contains("Nguyễn Thị Lan") && sessions_table.contains("01/03/2027"));
    screenshot(&c, "district").await;

    // The report downloads as a spreadsheet with the browser's own session.
    c.goto(&url(&app, "/report?year=2027")).await.unwrap();
    text(&c, "#report").await;
    screenshot(&c, "report").await;
    let download = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(document.querySelector('#xlsx').href).then(async r =>
               done([r.status, r.headers.get('content-type'), (await r.arrayBuffer()).byteLength]));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(download[0], 200);
    assert_eq!(
        download[1],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(download[2].as_u64().unwrap() > 1000);
    sign_out(&c).await;

    // A district board reads its own district; a center has no board pages.
    sign_in(&c, &app, "bt.d01").await;
    let own = text(&c, "#coverage").await;
    assert!(own.contains("Thành phố Sóc Trăng") && !own.contains("Huyện Trần Đề"));
    sign_out(&c).await;
    sign_in(&c, &app, "tt.d01").await;
    let classes = text(&c, "section.class").await;
    assert!(
        classes.contains("Lớp Sơ cấp LLCT khóa 1/2027") && classes.contains("Đã xếp lịch"),
        "{classes}"
    );
    screenshot(&c, "center").await;
    c.goto(&url(&app, "/coverage")).await.unwrap();
    assert!(text(&c, "p.error").await.contains("quyền"));
    c.delete_all_cookies().await.unwrap();

    // The lecturer sees the week, and falls ill on 1 March.
    sign_in(&c, &app, "gv.lan").await;
    let week = text(&c, "table.week").await;
    assert!(week.contains("01/03/2027"), "{week}");
    screenshot(&c, "my-schedule").await;
    set(&c, "input[name=from]", "2027-03-01").await;
    set(&c, "input[name=to]", "2027-03-01").await;
    c.find(Locator::Css("form[action='/my/unavailability'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let notice = text(&c, "#away-notice").await;
    assert!(
        notice.contains("01/03/2027") && notice.contains("Ban Tuyên giáo đã được báo"),
        "{notice}"
    );
    sign_out(&c).await;

    // The board sees what to re-plan, re-plans those days and publishes.
    sign_in(&c, &app, "admin.web").await;
    c.goto(&url(&app, "/planning")).await.unwrap();
    assert!(text(&c, "#replan").await.contains("Nguyễn Thị Lan"));
    screenshot(&c, "planning").await;
    submit(&c, "#replan-form").await;
    publish_when_done(&c).await;
    let after: Value = p
        .admin
        .get("/api/v1/schedule?from=2027-03-01&to=2027-03-01")
        .await
        .ok(200)
        .clone();
    for s in after.as_array().unwrap() {
        assert!(!s["person_ids"].as_array().unwrap().contains(&json!(p.near)), "{s}");
    }
    c.close().await.unwrap();
}
