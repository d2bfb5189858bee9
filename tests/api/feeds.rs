//! Calendar feeds through HTTP: what they show as the schedule changes (a move, a move back,
//! a cancellation that expires), who may read them, conditional requests, and independent
//! readers: Python `icalendar` and `vobject`, and vdirsyncer subscribing over HTTP.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use reqwest::header;
use roster::db::Db;
use roster::vocab::UserRole;
use serde_json::{Value, json};

use crate::helpers::{Caller, Reply, TestApp, spawn_app};
use crate::planning::{Planning, deactivate_near, planning};
use crate::scheduling::{holders, march_schedule, publish_march, sessions};

const MODULE: &str = "Chủ nghĩa Mác – Lênin; phép biện chứng, duy vật \\ lịch sử";
const CONTACT: &str = "Đ/c Lan; ĐT 0912 345 678, máy lẻ 2";
const CLASS: &str = "Lớp Sơ cấp LLCT khóa 1/2027";
const CENTER: &str = "Trung tâm Chính trị thành phố Sóc Trăng";

/// One event's properties, values as sent (escaped), parameters dropped.
type Event = BTreeMap<String, String>;

fn events(reply: &Reply) -> Vec<Event> {
    let text = std::str::from_utf8(&reply.bytes).unwrap().replace("\r\n ", "");
    let mut out = Vec::new();
    let mut current: Option<Event> = None;
    for line in text.split("\r\n") {
        match line {
            "BEGIN:VEVENT" => current = Some(Event::new()),
            "END:VEVENT" => out.push(current.take().unwrap()),
            _ => {
                if let (Some(e), Some((key, value))) = (current.as_mut(), line.split_once(':')) {
                    let key = key.split(';').next().unwrap();
                    e.insert(key.to_string(), value.to_string());
                }
            }
        }
    }
    out
}

fn get(events: &[Event], session: i64) -> &Event {
    let uid = format!("session-{session}@roster");
    events
        .iter()
        .find(|e| e["UID"] == uid)
        .unwrap_or_else(|| panic!("no {uid}"))
}

fn state(e: &Event) -> (&str, &str) {
    (e["STATUS"].as_str(), e["SEQUENCE"].as_str())
}

/// Issues a person's feed link as `caller`; gives its path.
async fn issue(app: &TestApp, caller: &Caller, person: i64) -> String {
    let link = caller
        .post(&format!("/api/v1/people/{person}/feed"), json!({}))
        .await
        .ok(201)
        .clone();
    let https = link["https"].as_str().unwrap();
    let path = https
        .strip_prefix(&app.base)
        .expect("a link to this server")
        .to_string();
    let secret = path
        .strip_prefix("/feeds/person/")
        .and_then(|s| s.strip_suffix(".ics"))
        .unwrap();
    assert!(secret.len() >= 22, "at least 128 random bits");
    assert_eq!(
        link["webcal"].as_str().unwrap(),
        format!("webcal://{}", https.strip_prefix("http://").unwrap())
    );
    assert!(link["qr_svg"].as_str().unwrap().contains("<svg"));
    path
}

/// What the readers must find for a class session of the test.
fn expected(
    session: i64,
    start: &str,
    end: &str,
    others: Option<&str>,
    cancelled: Option<&str>,
    sequence: u32,
) -> Value {
    let mut description = Vec::new();
    if let Some(note) = cancelled {
        description.push(note.to_string());
    }
    description.extend([
        "Chương trình: Sơ cấp lý luận chính trị".to_string(),
        format!("Lớp: {CLASS}"),
        format!("Bài 1: {MODULE}"),
    ]);
    if let Some(others) = others {
        description.push(others.to_string());
    }
    description.extend([format!("Trung tâm: {CENTER}"), format!("Liên hệ: {CONTACT}")]);
    let prefix = if cancelled.is_some() { "[ĐÃ HỦY] " } else { "" };
    json!({
        "uid": format!("session-{session}@roster"),
        "summary": format!("{prefix}{MODULE} – {CLASS}"),
        "location": "Hội trường Trung tâm Chính trị, Thành phố Sóc Trăng",
        "description": description.join("\n"),
        "status": if cancelled.is_some() { "CANCELLED" } else { "CONFIRMED" },
        "sequence": sequence,
        "start": start,
        "end": end,
    })
}

async fn run_blocking(mut command: Command) -> String {
    let shown = format!("{command:?}");
    let out = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{shown}: {e} (see README: the feed tests need it installed)"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{shown} failed:\n{text}");
    text
}

/// Reads the feed with Python `icalendar` and `vobject` (and a client's stored copy when
/// given), which must find exactly the `expected` text.
async fn read_independently(dir: &Path, feed: &Reply, name: &str, expected: Vec<Value>, client_copy: Option<&Path>) {
    let (expected_file, feed_file) = (dir.join("expected.json"), dir.join("feed.ics"));
    std::fs::write(&expected_file, json!({"name": name, "events": expected}).to_string()).unwrap();
    std::fs::write(&feed_file, &feed.bytes).unwrap();
    let mut python = Command::new("python3");
    python
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/read_feed.py"))
        .arg(&expected_file)
        .arg(&feed_file);
    if let Some(copy) = client_copy {
        python.arg(copy);
    }
    assert_eq!(run_blocking(python).await.trim(), "OK");
}

/// Subscribes vdirsyncer to `url` and syncs into a fresh folder; gives the folder.
async fn subscribe_with_vdirsyncer(dir: &Path, url: &str) -> std::path::PathBuf {
    let (status, calendar) = (dir.join("status"), dir.join("calendar"));
    std::fs::create_dir_all(&status).unwrap();
    std::fs::create_dir_all(&calendar).unwrap();
    let config = dir.join("config");
    std::fs::write(
        &config,
        format!(
            "[general]\nstatus_path = \"{}\"\n\n[pair feed]\na = \"remote\"\nb = \"local\"\ncollections = null\n\
             conflict_resolution = \"a wins\"\n\n[storage remote]\ntype = \"http\"\nurl = \"{url}\"\n\n\
             [storage local]\ntype = \"filesystem\"\npath = \"{}\"\nfileext = \".ics\"\n",
            status.display(),
            calendar.display()
        ),
    )
    .unwrap();
    for step in ["discover", "sync"] {
        let mut vdirsyncer = Command::new("vdirsyncer");
        vdirsyncer
            .arg("-c")
            .arg(&config)
            .arg(step)
            .stdin(std::process::Stdio::null());
        run_blocking(vdirsyncer).await;
    }
    calendar
}

/// Moves every publication `days` into the past.
async fn backdate_publications(db: &Db, days: i64) {
    let t = chrono::Utc::now() - chrono::Duration::days(days);
    match db {
        Db::Sqlite { writes: pool, .. } => sqlx::query("UPDATE schedule_version SET published_at = $1")
            .bind(t)
            .execute(pool)
            .await
            .map(drop),
        Db::Postgres(pool) => sqlx::query("UPDATE schedule_version SET published_at = $1")
            .bind(t)
            .execute(pool)
            .await
            .map(drop),
    }
    .unwrap();
}

struct Setup {
    p: Planning,
    /// The class's morning and afternoon sessions, and the briefing's.
    morning: i64,
    afternoon: i64,
    class: i64,
}

/// The test province with text that needs escaping, its March class and briefing, published
/// once: the lecturer living in D01 takes both class half-days.
async fn published(app: &TestApp) -> Setup {
    let p = planning(app).await;
    p.admin
        .put(
            &format!("/api/v1/topics/{}", p.w.module),
            json!({"code": "SC-01", "name": MODULE, "kind": "module"}),
        )
        .await
        .ok(200);
    p.admin
        .put(
            &format!("/api/v1/centers/{}", p.w.center1),
            json!({"code": "TTCT-D01", "name": CENTER, "kind": "district_center", "district_id": p.w.d1,
                   "contact": CONTACT}),
        )
        .await
        .ok(200);
    let (request, _) = sessions(app, &p).await;
    let class = p.admin.get(&format!("/api/v1/requests/{request}")).await.ok(200)["class_id"]
        .as_i64()
        .unwrap();
    publish_march(&p.admin, None).await;
    let schedule = march_schedule(&p.admin).await;
    let class_sessions: Vec<i64> = schedule
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["class_id"].as_i64() == Some(class))
        .map(|s| s["session_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        holders(&schedule, "person_ids")
            .iter()
            .filter(|(s, _)| class_sessions.contains(s))
            .map(|(_, q)| *q)
            .collect::<Vec<_>>(),
        [p.near, p.near]
    );
    Setup {
        morning: class_sessions[0],
        afternoon: class_sessions[1],
        class,
        p,
    }
}

const MORNING: (&str, &str) = ("20270301T003000Z", "20270301T040000Z");
const AFTERNOON: (&str, &str) = ("20270301T063000Z", "20270301T100000Z");
const GONE: &str = "Buổi này đã hủy hoặc đã chuyển cho người khác.";

#[tokio::test]
async fn a_person_feed_follows_a_move_and_a_move_back_and_independent_readers_agree() {
    let app = spawn_app().await;
    let Setup {
        p, morning, afternoon, ..
    } = published(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let lan = app.account("gv.lan", UserRole::Lecturer, Some(p.near)).await;
    let lan_feed = issue(&app, &lan, p.near).await;
    let far_feed = issue(&app, &p.admin, p.far).await;
    let lan_name = "Lịch giảng dạy – Nguyễn Thị Lan";
    let far_name = "Lịch giảng dạy – Thạch Sô Phênh";
    let anonymous = app.anonymous();

    // Published once: both half-days are Lan's.
    let first = anonymous.get(&lan_feed).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.headers[header::CONTENT_TYPE], "text/calendar; charset=utf-8");
    assert_eq!(first.headers[header::CACHE_CONTROL], "private, max-age=3600");
    let etag = first.headers[header::ETAG].to_str().unwrap().to_string();
    let modified = first.headers[header::LAST_MODIFIED].to_str().unwrap().to_string();
    let e = events(&first);
    assert_eq!(e.len(), 2);
    assert_eq!(state(get(&e, morning)), ("CONFIRMED", "0"));
    assert_eq!(get(&e, morning)["DTSTAMP"], get(&e, morning)["LAST-MODIFIED"]);
    read_independently(
        dir.path(),
        &first,
        lan_name,
        vec![
            expected(morning, MORNING.0, MORNING.1, None, None, 0),
            expected(afternoon, AFTERNOON.0, AFTERNOON.1, None, None, 0),
        ],
        None,
    )
    .await;
    let copy = subscribe_with_vdirsyncer(&dir.path().join("client"), &format!("{}{lan_feed}", app.base)).await;
    read_independently(
        dir.path(),
        &first,
        lan_name,
        vec![
            expected(morning, MORNING.0, MORNING.1, None, None, 0),
            expected(afternoon, AFTERNOON.0, AFTERNOON.1, None, None, 0),
        ],
        Some(&copy),
    )
    .await;
    assert_eq!(events(&anonymous.get(&far_feed).await).len(), 0);

    // Conditional requests and HEAD.
    let again = anonymous.with_header(header::IF_NONE_MATCH, &etag).get(&lan_feed).await;
    assert_eq!((again.status.as_u16(), again.bytes.len()), (304, 0));
    assert_eq!(again.headers[header::ETAG].to_str().unwrap(), etag);
    let since = anonymous
        .with_header(header::IF_MODIFIED_SINCE, &modified)
        .get(&lan_feed)
        .await;
    assert_eq!(since.status.as_u16(), 304);
    let head = anonymous.send(reqwest::Method::HEAD, &lan_feed, None).await;
    assert_eq!((head.status.as_u16(), head.bytes.len()), (200, 0));
    assert_eq!(head.headers[header::ETAG].to_str().unwrap(), etag);

    // The morning moves to Phênh: cancelled in Lan's feed, confirmed in his, one UID.
    publish_march(&p.admin, Some((morning, p.far))).await;
    let moved = anonymous.with_header(header::IF_NONE_MATCH, &etag).get(&lan_feed).await;
    assert_eq!(moved.status, 200, "a changed feed is sent again");
    assert_ne!(moved.headers[header::ETAG].to_str().unwrap(), etag);
    let e = events(&moved);
    assert_eq!(state(get(&e, morning)), ("CANCELLED", "1"));
    assert!(get(&e, morning)["SUMMARY"].starts_with("[ĐÃ HỦY] "));
    assert_eq!(state(get(&e, afternoon)), ("CONFIRMED", "0"));
    let far = anonymous.get(&far_feed).await;
    assert_eq!(state(get(&events(&far), morning)), ("CONFIRMED", "1"));
    read_independently(
        dir.path(),
        &moved,
        lan_name,
        vec![
            expected(morning, MORNING.0, MORNING.1, None, Some(GONE), 1),
            expected(afternoon, AFTERNOON.0, AFTERNOON.1, None, None, 0),
        ],
        None,
    )
    .await;
    read_independently(
        dir.path(),
        &far,
        far_name,
        vec![expected(morning, MORNING.0, MORNING.1, None, None, 1)],
        None,
    )
    .await;

    // And back to Lan: confirmed again with a higher sequence; now cancelled for Phênh.
    publish_march(&p.admin, Some((morning, p.near))).await;
    let back = events(&anonymous.get(&lan_feed).await);
    assert_eq!(state(get(&back, morning)), ("CONFIRMED", "2"));
    let far = events(&anonymous.get(&far_feed).await);
    assert_eq!(state(get(&far, morning)), ("CANCELLED", "2"));

    // A month later the cancellation has gone from Phênh's feed.
    backdate_publications(&app.db, 31).await;
    publish_march(&p.admin, None).await;
    assert_eq!(events(&anonymous.get(&far_feed).await).len(), 0);
    assert_eq!(events(&anonymous.get(&lan_feed).await).len(), 2);
}

#[tokio::test]
async fn links_are_managed_by_their_person_or_the_province_and_revoked_links_tell_nothing() {
    let app = spawn_app().await;
    let Setup { p, .. } = published(&app).await;
    let lan = app.account("gv.lan", UserRole::Lecturer, Some(p.near)).await;
    let phenh = app.account("gv.phenh", UserRole::Lecturer, Some(p.far)).await;
    let board = app.account("bt.soctrang", UserRole::DistrictBoard, Some(p.w.d1)).await;
    let coordinator = app
        .account("tt.d01", UserRole::CenterCoordinator, Some(p.w.center1))
        .await;
    let path = format!("/api/v1/people/{}/feed", p.near);
    assert_eq!(lan.get(&path).await.ok(200)["issued_at"], Value::Null);
    for other in [&phenh, &board, &coordinator] {
        other.post(&path, json!({})).await.problem(403, "forbidden");
        other.get(&path).await.problem(403, "forbidden");
        other.delete(&path).await.problem(403, "forbidden");
    }
    app.anonymous()
        .post(&path, json!({}))
        .await
        .problem(401, "unauthorized");
    p.admin
        .post("/api/v1/people/99999/feed", json!({}))
        .await
        .problem(404, "not_found");

    let first = issue(&app, &lan, p.near).await;
    assert!(lan.get(&path).await.ok(200)["issued_at"].is_string());
    let anonymous = app.anonymous();
    assert_eq!(anonymous.get(&first).await.status, 200);
    // Issuing again revokes the first link.
    let second = issue(&app, &p.admin, p.near).await;
    assert_ne!(first, second);
    let revoked = anonymous.get(&first).await;
    let unknown = anonymous
        .get("/feeds/person/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics")
        .await;
    assert_eq!(revoked.status, 404);
    let tells = |r: &Reply| {
        let mut body = r.body.clone();
        body.as_object_mut().unwrap().remove("instance");
        (r.status, body, r.headers.get(header::ETAG).cloned())
    };
    assert_eq!(
        tells(&revoked),
        tells(&unknown),
        "a revoked link looks like any unknown one"
    );
    assert_eq!(anonymous.get(&second).await.status, 200);
    // Without --public-url, a link for a host other than this machine is refused (any client
    // can send any Host), and the link before it still works.
    p.admin
        .with_header(header::HOST, "lich.evil.example")
        .post(&path, json!({}))
        .await
        .problem(421, "host_not_configured");
    assert_eq!(anonymous.get(&second).await.status, 200);
    lan.delete(&path).await.ok(204);
    assert_eq!(anonymous.get(&second).await.status, 404);
    lan.delete(&path).await.problem(404, "not_found");
    assert_eq!(lan.get(&path).await.ok(200)["issued_at"], Value::Null);
    assert_eq!(anonymous.get("/feeds/person/.ics").await.status, 404);

    // A deactivated person's link stops working at once.
    let third = issue(&app, &p.admin, p.near).await;
    assert_eq!(anonymous.get(&third).await.status, 200);
    deactivate_near(&p).await;
    assert_eq!(tells(&anonymous.get(&third).await), tells(&unknown));
}

#[tokio::test]
async fn district_center_and_class_feeds_follow_the_accounts_scopes() {
    let app = spawn_app().await;
    let Setup { p, morning, class, .. } = published(&app).await;
    let board1 = app.account("bt.d01", UserRole::DistrictBoard, Some(p.w.d1)).await;
    let board2 = app.account("bt.d11", UserRole::DistrictBoard, Some(p.w.d2)).await;
    let center1 = app
        .account("tt.d01", UserRole::CenterCoordinator, Some(p.w.center1))
        .await;
    let center2 = app
        .account("tt.d11", UserRole::CenterCoordinator, Some(p.w.center2))
        .await;
    let lan = app.account("gv.lan", UserRole::Lecturer, Some(p.near)).await;
    let (d1, d2) = (
        format!("/feeds/district/{}.ics", p.w.d1),
        format!("/feeds/district/{}.ics", p.w.d2),
    );
    let c1 = format!("/feeds/center/{}.ics", p.w.center1);
    let k = format!("/feeds/class/{class}.ics");

    for (caller, path, status) in [
        (&p.admin, &d1, 200),
        (&board1, &d1, 200),
        (&center1, &d1, 200),
        (&board2, &d1, 403),
        (&lan, &d1, 403),
        (&board2, &d2, 200),
        (&p.admin, &c1, 200),
        (&board1, &c1, 200),
        (&center1, &c1, 200),
        (&center2, &c1, 404),
        (&board2, &c1, 404),
        (&lan, &c1, 404),
        (&center1, &k, 200),
        (&center2, &k, 404),
        (&lan, &k, 404),
    ] {
        assert_eq!(caller.get(path).await.status.as_u16(), status, "{path}");
    }
    // A class one may not read answers exactly as one that does not exist: ids tell nothing.
    let (refused, missing) = (center2.get(&k).await, center2.get("/feeds/class/999999.ics").await);
    assert_eq!(
        (refused.status, &refused.body["code"], &refused.body["detail"]),
        (missing.status, &missing.body["code"], &missing.body["detail"])
    );
    let refused = app.anonymous().get(&d1).await;
    assert_eq!(refused.status, 401);
    assert_eq!(
        refused.headers[header::WWW_AUTHENTICATE],
        "Basic realm=\"Roster\", charset=\"UTF-8\"",
        "a calendar app asks for credentials"
    );

    // A calendar app subscribes with the board's API token as the Basic password.
    let token = board1
        .post("/api/v1/tokens", json!({"name": "Lịch trên điện thoại"}))
        .await
        .ok(201)["token_secret"]
        .as_str()
        .unwrap()
        .to_string();
    let basic = |user: &str, password: &str| {
        use base64::Engine;
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        app.anonymous()
            .with_header(header::AUTHORIZATION, &format!("Basic {encoded}"))
    };
    assert_eq!(basic("bt.d01", &token).get(&d1).await.status, 200);
    assert_eq!(basic("bt.d01", &token).get(&d2).await.status, 403);
    // Only the feeds take Basic credentials: browsers replay them on cross-site posts.
    assert_eq!(basic("bt.d01", &token).get("/api/v1/me").await.status, 401);
    let page = basic("bt.d01", &token).get("/coverage").await;
    assert!(
        String::from_utf8_lossy(&page.bytes).contains("name=\"password\""),
        "a page sends Basic callers to sign in"
    );
    for (user, password) in [
        ("bt.d11", token.as_str()),
        ("bt.d01", crate::helpers::PASSWORD),
        ("bt.d01", ""),
    ] {
        assert_eq!(basic(user, password).get(&d1).await.status, 401, "{user}:{password}");
    }
    for missing in [
        "/feeds/district/99999.ics",
        "/feeds/center/99999.ics",
        "/feeds/class/99999.ics",
        "/feeds/class/x.ics",
    ] {
        assert_eq!(p.admin.get(missing).await.status, 404, "{missing}");
    }

    // The class is in D01 and the briefing in D11; each district's feed has its own.
    let district1 = events(&board1.get(&d1).await);
    assert_eq!(district1.len(), 2);
    let description = &get(&district1, morning)["DESCRIPTION"];
    assert!(
        description.contains("Giảng viên\\, báo cáo viên: Nguyễn Thị Lan"),
        "{description}"
    );
    let district2 = events(&board2.get(&d2).await);
    assert_eq!(district2.len(), 1);
    assert!(district2[0]["SUMMARY"].contains("Quán triệt Nghị quyết Trung ương 8"));
    assert!(
        district2[0]["DESCRIPTION"].contains("Lâm Văn Đức"),
        "{:?}",
        district2[0]
    );
    let by_class = events(&center1.get(&k).await);
    let by_center = events(&center1.get(&c1).await);
    assert_eq!(by_class, by_center, "the center has this one class");
    assert_eq!(by_class, district1, "the same events, the same UIDs, in every feed");
}

/// Publishes a March run in which `session` is left with nobody.
async fn publish_march_without(admin: &Caller, session: i64) {
    let run = crate::scheduling::start_run(admin, crate::scheduling::march()).await;
    crate::scheduling::settled(admin, run).await;
    admin
        .put(
            &format!("/api/v1/runs/{run}/sessions/{session}"),
            json!({"person_ids": []}),
        )
        .await
        .ok(200);
    admin
        .post(&format!("/api/v1/runs/{run}/publish"), json!({}))
        .await
        .ok(200);
}

/// A session left with nobody still takes place: the class, center and district feeds keep
/// it confirmed and say it needs a lecturer; only the person who lost it sees it cancelled,
/// frozen as it was then, however it moves on afterwards.
#[tokio::test]
async fn a_session_left_with_nobody_still_takes_place_and_a_cancelled_copy_stays_frozen() {
    let app = spawn_app().await;
    let Setup { p, morning, class, .. } = published(&app).await;
    let lan_feed = issue(&app, &p.admin, p.near).await;
    let far_feed = issue(&app, &p.admin, p.far).await;
    let anonymous = app.anonymous();
    publish_march(&p.admin, Some((morning, p.far))).await;
    let lost = anonymous.get(&lan_feed).await;
    assert_eq!(state(get(&events(&lost), morning)), ("CANCELLED", "1"));

    // Phênh drops it and nobody takes it.
    publish_march_without(&p.admin, morning).await;
    let lan_now = anonymous.get(&lan_feed).await;
    assert_eq!(
        get(&events(&lan_now), morning),
        get(&events(&lost), morning),
        "Lan's cancelled copy did not change"
    );
    let far = events(&anonymous.get(&far_feed).await);
    assert_eq!(state(get(&far, morning)), ("CANCELLED", "2"));
    for path in [
        format!("/feeds/class/{class}.ics"),
        format!("/feeds/center/{}.ics", p.w.center1),
        format!("/feeds/district/{}.ics", p.w.d1),
    ] {
        let e = events(&p.admin.get(&path).await);
        let shown = get(&e, morning);
        assert_eq!(state(shown), ("CONFIRMED", "2"), "{path}");
        assert!(
            shown["SUMMARY"].starts_with("[CHƯA CÓ GIẢNG VIÊN] "),
            "{path}: {shown:?}"
        );
        assert!(!shown["SUMMARY"].contains("ĐÃ HỦY"), "{path}");
        assert!(
            shown["DESCRIPTION"].starts_with("Buổi này vẫn diễn ra\\; còn thiếu 1 giảng viên\\, đang chờ xếp."),
            "{path}: {shown:?}"
        );
    }

    // Back to Lan, then to Phênh again: Lan's copy is frozen at the second loss and names no
    // replacement as a co-lecturer.
    publish_march(&p.admin, Some((morning, p.near))).await;
    publish_march(&p.admin, Some((morning, p.far))).await;
    let lost_again = events(&anonymous.get(&lan_feed).await);
    assert_eq!(state(get(&lost_again, morning)), ("CANCELLED", "4"));
    assert!(!get(&lost_again, morning)["DESCRIPTION"].contains("Thạch Sô Phênh"));
}

/// Last-Modified moves whenever the bytes do, registry edits included: a client sending only
/// If-Modified-Since gets the changed feed, not a 304.
#[tokio::test]
async fn last_modified_moves_with_a_registry_edit_that_changes_the_feed() {
    let app = spawn_app().await;
    let Setup { p, class, .. } = published(&app).await;
    let path = format!("/feeds/class/{class}.ics");
    let first = p.admin.get(&path).await;
    let modified = first.headers[header::LAST_MODIFIED].to_str().unwrap().to_string();
    // HTTP dates count whole seconds.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    p.admin
        .put(
            &format!("/api/v1/centers/{}", p.w.center1),
            json!({"code": "TTCT-D01", "name": CENTER, "kind": "district_center", "district_id": p.w.d1,
                   "contact": "Đ/c Hoa, 0913 000 111"}),
        )
        .await
        .ok(200);
    // A publication that changes nobody's sessions renders the feed again.
    publish_march(&p.admin, None).await;
    let after = p
        .admin
        .with_header(header::IF_MODIFIED_SINCE, &modified)
        .get(&path)
        .await;
    assert_eq!(after.status, 200, "the body changed");
    assert_ne!(after.bytes, first.bytes);
    assert!(
        events(&after).iter().all(|e| e["SEQUENCE"] == "0"),
        "nobody's session changed hands"
    );
    assert!(String::from_utf8_lossy(&after.bytes).contains("Đ/c Hoa"));
    let moved = after.headers[header::LAST_MODIFIED].to_str().unwrap().to_string();
    assert_ne!(moved, modified);
    let again = p.admin.with_header(header::IF_MODIFIED_SINCE, &moved).get(&path).await;
    assert_eq!(again.status, 304);
}

/// A district, center or class feed polled again within a second is served from memory, as a
/// person's is: with the database gone, the poll still answers; a change through the
/// service (a revoked token) is seen at once.
#[tokio::test]
async fn polling_a_district_feed_again_costs_no_database_query() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = crate::helpers::world(&admin).await;
    let path = format!("/feeds/district/{}.ics", w.d1);
    let token = admin
        .post("/api/v1/tokens", json!({"name": "lịch"}))
        .await
        .ok(201)
        .clone();
    let reader = app.bearer(token["token_secret"].as_str().unwrap());
    assert_eq!(reader.get(&path).await.status, 200);
    admin.delete(&format!("/api/v1/tokens/{}", token["id"])).await.ok(204);
    assert_eq!(reader.get(&path).await.status, 401, "a revoked token stops at once");

    assert_eq!(admin.get(&path).await.status, 200);
    app.db.close().await;
    assert_eq!(admin.get(&path).await.status, 200, "served from memory");
}
