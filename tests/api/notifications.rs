//! Notifications end to end: a real SMTP server and a real webhook receiver started here,
//! the service's sender delivering to them, and what arrives checked line by line.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use roster::api::{AppState, Server};
use roster::auth::AuthUser;
use roster::db::Db;
use roster::vocab::UserRole;
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;

use reqwest::StatusCode as Http;

use crate::helpers::{Caller, TestApp, person, spawn};
use crate::pages::{Browser, is_page};
use crate::planning::{Planning, one_account_of_each_kind, planning, update_near};
use crate::scheduling::{march, near_falls_ill, sessions, settled, start_run};
use crate::smtp_sink::SmtpSink;

const SECRET: &str = "khóa-ký-thử-nghiệm-0123456789";

/// A webhook receiver that checks each delivery's signature and timestamp.
#[derive(Default)]
struct Receiver {
    received: Mutex<Vec<(String, Value)>>,
    forged: Mutex<Vec<String>>,
}

async fn receive(State(r): State<Arc<Receiver>>, headers: HeaderMap, body: axum::body::Bytes) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let timestamp: i64 = header("x-roster-timestamp").parse().unwrap_or(0);
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(&body);
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let fresh = (chrono::Utc::now().timestamp() - timestamp).abs() < 300;
    if header("x-roster-signature") != format!("sha256={expected}") || !fresh {
        r.forged.lock().unwrap().push(header("idempotency-key"));
        return StatusCode::UNAUTHORIZED;
    }
    let document: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(document["id"], header("idempotency-key"));
    r.received.lock().unwrap().push((header("idempotency-key"), document));
    StatusCode::NO_CONTENT
}

async fn start_receiver() -> (String, Arc<Receiver>) {
    let receiver = Arc::new(Receiver::default());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, receiver)
}

/// Waits until `done` holds (checked every 100 ms, for 30 s at most).
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..300 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("waited 30 s for {what}");
}

/// Messages by status, as the province's API lists them.
async fn statuses(admin: &Caller) -> Vec<(String, String, String)> {
    let list = admin.get("/api/v1/notifications").await.ok(200).clone();
    list.as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["recipient_name"].as_str().unwrap().to_string(),
                m["kind"].as_str().unwrap().to_string(),
                m["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const LAN: &str = "lan.nguyen@soctrang.example.vn";
const PHENH: &str = "phenh.thach@soctrang.example.vn";
const DUC: &str = "duc.lam@soctrang.example.vn";
const CENTER: &str = "ttct.tpsoctrang@soctrang.example.vn";
const BOARD: &str = "btg.tpsoctrang@soctrang.example.vn";

/// The planning world with everyone's addresses: the three people in the registry, the
/// center and the D01 board on their own notification pages.
async fn addresses(app: &TestApp, p: &Planning) {
    update_near(p, json!({"email": LAN})).await;
    p.admin
        .put(
            &format!("/api/v1/people/{}", p.far),
            person(
                "GV002",
                "Thạch Sô Phênh",
                json!({"home_district_id": p.w.d2, "qualification_ids": [p.w.module], "email": PHENH}),
            ),
        )
        .await
        .ok(200);
    p.admin
        .put(
            &format!("/api/v1/people/{}", p.rapporteur),
            person(
                "BCV01",
                "Lâm Văn Đức",
                json!({"roles": ["rapporteur"], "rapporteur_level": "province", "home_district_id": p.w.d2,
                       "qualification_ids": [p.w.resolution], "languages": ["vi", "km"], "email": DUC}),
            ),
        )
        .await
        .ok(200);
    let center = app
        .account("ttct.notify", UserRole::CenterCoordinator, Some(p.w.center1))
        .await;
    let prefs = center
        .put(
            "/api/v1/notifications/preferences",
            json!({"by_email": true, "by_webhook": true, "email": CENTER}),
        )
        .await
        .ok(200)
        .clone();
    assert_eq!(
        (prefs["email"].as_str(), prefs["email_editable"].as_bool()),
        (Some(CENTER), Some(true))
    );
    let board = app.account("btg.notify", UserRole::DistrictBoard, Some(p.w.d1)).await;
    board
        .put(
            "/api/v1/notifications/preferences",
            json!({"by_email": true, "by_webhook": false, "email": BOARD}),
        )
        .await
        .ok(200);
}

async fn publish(admin: &Caller) -> i64 {
    let run = start_run(admin, march()).await;
    assert_eq!(settled(admin, run).await["status"], "finished");
    admin
        .post(&format!("/api/v1/runs/{run}/publish"), json!({}))
        .await
        .ok(200);
    run
}

#[tokio::test]
async fn a_publication_tells_exactly_the_people_whose_sessions_changed_one_message_each() {
    let sink = SmtpSink::start().await;
    let app = spawn(|s| s.with_delivery(sink.delivery(Duration::ZERO)), |s| s).await;
    let p = planning(&app).await;
    addresses(&app, &p).await;
    sessions(&app, &p).await;
    // The D01 board was told the request waits; the center that it was accepted.
    until("the request's messages", || {
        !sink.to(BOARD).is_empty() && !sink.to(CENTER).is_empty()
    })
    .await;
    let waiting = sink.to(BOARD);
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].subject, "Yêu cầu mở lớp đang chờ Ban xem xét");
    assert!(
        waiting[0]
            .text
            .contains("Trung tâm Chính trị thành phố Sóc Trăng gửi yêu cầu mở lớp «Lớp Sơ cấp LLCT khóa 1/2027»"),
        "{}",
        waiting[0].text
    );
    assert!(
        sink.to(CENTER)[0].text.contains("đã được chấp thuận"),
        "{}",
        sink.to(CENTER)[0].text
    );
    let before = sink.mails().len();

    publish(&p.admin).await;
    until("the publication's messages", || sink.mails().len() >= before + 4).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let lan = sink.to(LAN);
    assert_eq!(lan.len(), 1, "one message listing both half-days: {lan:?}");
    assert_eq!(lan[0].subject, "Lịch giảng có thay đổi");
    assert!(
        lan[0].text.starts_with("Kính gửi đồng chí Nguyễn Thị Lan,"),
        "{}",
        lan[0].text
    );
    assert!(
        lan[0]
            .text
            .contains("MỚI: thứ Hai, 01/03/2027, 07:30–11:00 — Chủ nghĩa Mác - Lênin (Lớp Sơ cấp LLCT khóa 1/2027)"),
        "{}",
        lan[0].text
    );
    assert_eq!(lan[0].text.matches("MỚI:").count(), 2, "{}", lan[0].text);
    assert!(
        lan[0].text.contains("«Lịch của tôi»"),
        "the calendar's page is named: {}",
        lan[0].text
    );
    assert!(lan[0].html.contains("Nguyễn Thị Lan") && lan[0].html.contains("<li>"));
    let duc = sink.to(DUC);
    assert_eq!(duc.len(), 1);
    assert!(
        duc[0].text.contains("Quán triệt Nghị quyết Trung ương 8"),
        "{}",
        duc[0].text
    );
    assert!(sink.to(PHENH).is_empty(), "nothing changed for the other lecturer");
    let center = sink.to(CENTER);
    assert_eq!(center.len(), 2);
    assert!(
        center[1].text.contains("Nguyễn Thị Lan") && !center[1].text.contains("Quán triệt"),
        "{}",
        center[1].text
    );
    assert_eq!(sink.to(BOARD).len(), 2, "the D01 board hears of its class");
    let ids: std::collections::HashSet<String> = sink.mails().iter().map(|m| m.message_id.clone()).collect();
    assert_eq!(ids.len(), sink.mails().len(), "every message has its own id");

    // She falls ill; the re-plan moves her class to the other lecturer.
    near_falls_ill(&p).await;
    publish(&p.admin).await;
    until("the re-plan's messages", || {
        !sink.to(PHENH).is_empty() && sink.to(LAN).len() == 2
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let lan = sink.to(LAN);
    assert_eq!(lan.len(), 2);
    assert_eq!(lan[1].text.matches("CHUYỂN:").count(), 2, "{}", lan[1].text);
    assert!(
        lan[1].text.contains("nay do Thạch Sô Phênh đảm nhận"),
        "{}",
        lan[1].text
    );
    let phenh = sink.to(PHENH);
    assert_eq!(phenh.len(), 1);
    assert_eq!(phenh[0].text.matches("MỚI:").count(), 2, "{}", phenh[0].text);
    assert_eq!(sink.to(DUC).len(), 1, "the rapporteur's session did not change");
    let all = statuses(&p.admin).await;
    assert!(all.iter().all(|(_, _, s)| s == "sent"), "{all:?}");
}

#[tokio::test]
async fn a_quick_correction_goes_in_the_same_message_and_the_webhook_is_signed() {
    let sink = SmtpSink::start().await;
    let app = spawn(|s| s.with_delivery(sink.delivery(Duration::from_secs(8))), |s| s).await;
    let p = planning(&app).await;
    let (url, receiver) = start_receiver().await;
    p.admin
        .put("/api/v1/notifications/webhook", json!({"url": url, "secret": "ngắn"}))
        .await
        .problem(422, "weak_webhook_secret");
    p.admin
        .put(
            "/api/v1/notifications/webhook",
            json!({"url": "ftp://example.vn/hook", "secret": SECRET}),
        )
        .await
        .problem(422, "invalid_webhook_url");
    let hook = p
        .admin
        .put("/api/v1/notifications/webhook", json!({"url": url, "secret": SECRET}))
        .await
        .ok(200)
        .clone();
    assert_eq!((hook["secret_set"].as_bool(), hook.get("secret")), (Some(true), None));
    addresses(&app, &p).await;
    sessions(&app, &p).await;

    // Published, then corrected at once: she is given the class and loses it again within
    // the window, so she hears nothing; he hears of the class once.
    publish(&p.admin).await;
    near_falls_ill(&p).await;
    publish(&p.admin).await;
    until("the combined messages", || !sink.to(PHENH).is_empty()).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(sink.to(LAN).is_empty(), "{:?}", sink.to(LAN));
    assert_eq!(sink.to(PHENH).len(), 1);
    assert_eq!(sink.to(DUC).len(), 1);
    let all = statuses(&p.admin).await;
    assert!(
        all.contains(&("Nguyễn Thị Lan".into(), "schedule_changed".into(), "dropped".into())),
        "{all:?}"
    );
    assert!(all.iter().any(|(_, _, s)| s == "combined"), "{all:?}");

    // The webhook had the same messages, signed, each once; the board chose e-mail only.
    let received = receiver.received.lock().unwrap().clone();
    assert!(receiver.forged.lock().unwrap().is_empty());
    let names: Vec<&str> = received
        .iter()
        .filter(|(_, d)| d["kind"] == "schedule_changed")
        .map(|(_, d)| d["recipient"]["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Thạch Sô Phênh") && names.contains(&"Lâm Văn Đức"),
        "{names:?}"
    );
    assert!(
        !names.contains(&"Nguyễn Thị Lan") && !names.contains(&"Thành phố Sóc Trăng"),
        "{names:?}"
    );
    assert!(
        names.contains(&"Huyện Trần Đề"),
        "a board without an address is reached by the webhook: {names:?}"
    );
    let phenh = received
        .iter()
        .find(|(_, d)| d["recipient"]["name"] == "Thạch Sô Phênh")
        .unwrap();
    assert_eq!(phenh.1["recipient"]["email"], PHENH);
    assert_eq!(phenh.1["lines"].as_array().unwrap().len(), 2);
    assert_eq!(phenh.1["lines"][0]["line"], "given");
    let keys: std::collections::HashSet<&String> = received.iter().map(|(k, _)| k).collect();
    assert_eq!(keys.len(), received.len(), "idempotency keys are unique");

    // A test message goes out at once; an address that is not one is refused.
    p.admin
        .post("/api/v1/notifications/test", json!({"email": "không phải địa chỉ"}))
        .await
        .problem(422, "invalid_email");
    p.admin
        .post(
            "/api/v1/notifications/test",
            json!({"email": "thu.nghiem@soctrang.example.vn"}),
        )
        .await
        .ok(202);
    until("the test e-mail", || {
        !sink.to("thu.nghiem@soctrang.example.vn").is_empty()
    })
    .await;
    assert_eq!(
        sink.to("thu.nghiem@soctrang.example.vn")[0].subject,
        "Thư thử của hệ thống lịch giảng"
    );
}

#[tokio::test]
async fn a_rolled_back_publication_sends_nothing_and_a_mail_server_away_for_a_while_gets_everything_later() {
    let mut sink = SmtpSink::start().await;
    let app = spawn(|s| s.with_delivery(sink.delivery(Duration::ZERO)), |s| s).await;
    let p = planning(&app).await;
    addresses(&app, &p).await;
    sessions(&app, &p).await;
    until("the request's messages", || sink.mails().len() == 2).await;

    // A publication whose transaction is rolled back leaves no message behind.
    let run = start_run(&p.admin, march()).await;
    assert_eq!(settled(&p.admin, run).await["status"], "finished");
    let written = |db: &Db| {
        let db = db.clone();
        async move {
            db.read(async |c| roster::notify::outbox::list(c, &AuthUser::system("test"), &Default::default()).await)
                .await
                .unwrap()
                .len()
        }
    };
    let messages_before = written(&app.db).await;
    {
        let mut tx = app.db.begin().await.unwrap();
        roster::scheduling::publish::publish(tx.conn(), &AuthUser::system("test"), run)
            .await
            .unwrap();
        let mut conn = tx.conn();
        let inside = roster::notify::outbox::list(conn.reborrow(), &AuthUser::system("test"), &Default::default())
            .await
            .unwrap()
            .len();
        assert!(
            inside > messages_before,
            "the publication writes its messages in its transaction"
        );
        // Dropped without commit: rolled back.
    }
    assert_eq!(written(&app.db).await, messages_before);

    // The mail server goes away; the publication's messages wait and are retried.
    sink.stop();
    p.admin
        .post(&format!("/api/v1/runs/{run}/publish"), json!({}))
        .await
        .ok(200);
    let admin = p.admin.clone();
    for _ in 0..100 {
        let list = admin.get("/api/v1/notifications?status=pending").await.ok(200).clone();
        if list
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["attempts"].as_i64() >= Some(2))
        {
            assert!(list[0]["last_error"].is_string(), "{list}");
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(sink.mails().len(), 2, "nothing arrives while the server is away");
    sink.resume().await;
    until("the messages after the server is back", || {
        sink.to(LAN).len() == 1 && sink.to(DUC).len() == 1 && sink.to(CENTER).len() == 2
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(sink.to(LAN).len(), 1, "sent once");
    let all = statuses(&p.admin).await;
    assert!(all.iter().all(|(_, _, s)| s == "sent"), "{all:?}");
}

#[tokio::test]
async fn two_instances_on_one_database_deliver_each_message_once() {
    let sink = SmtpSink::start().await;
    let app = spawn(|s| s.with_delivery(sink.delivery(Duration::ZERO)), |s| s).await;
    let second_db = Db::connect(&app.database_url).await.unwrap();
    let second = Server::bind(
        "127.0.0.1:0",
        AppState::new(second_db).with_delivery(sink.delivery(Duration::ZERO)),
    )
    .await
    .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let stopping = stop.clone();
    tokio::spawn(second.run(async move {
        while !stopping.load(Ordering::Relaxed) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }));
    let admin = app.admin().await;
    for n in 0..60 {
        admin
            .post(
                "/api/v1/notifications/test",
                json!({"email": format!("nguoi.{n}@soctrang.example.vn")}),
            )
            .await
            .ok(202);
    }
    until("sixty messages", || sink.mails().len() >= 60).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    let mails = sink.mails();
    assert_eq!(mails.len(), 60, "each message once");
    let ids: std::collections::HashSet<&String> = mails.iter().map(|m| &m.message_id).collect();
    assert_eq!(ids.len(), 60);
}

#[tokio::test]
async fn reminders_go_the_day_before_each_session_and_before_the_report_deadline_once_each() {
    let sink = SmtpSink::start().await;
    let app = spawn(|s| s.with_delivery(sink.delivery(Duration::ZERO)), |s| s).await;
    let p = planning(&app).await;
    addresses(&app, &p).await;
    sessions(&app, &p).await;
    publish(&p.admin).await;
    until("the publication's messages", || sink.to(LAN).len() == 1).await;

    // The rapporteur turns reminders off; the lecturer keeps them.
    let duc = app.account("bcv.duc", UserRole::Lecturer, Some(p.rapporteur)).await;
    duc.put(
        "/api/v1/notifications/preferences",
        json!({"by_email": true, "by_webhook": true, "day_before": false}),
    )
    .await
    .ok(200);
    duc.put(
        "/api/v1/notifications/preferences",
        json!({"by_email": true, "by_webhook": true, "email": "khac@example.vn"}),
    )
    .await
    .problem(422, "email_in_registry");
    let remind = |day: &str| {
        let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
        let db = app.db.clone();
        async move {
            db.write(async |c| roster::notify::causes::reminders(c, day).await)
                .await
                .unwrap()
        }
    };
    assert_eq!(remind("2027-02-28").await, 2, "her two half-days on 1 March, by e-mail");
    assert_eq!(remind("2027-02-28").await, 0, "written once");
    assert_eq!(remind("2027-03-01").await, 0, "his briefing on 2 March: reminders off");
    until("the reminder", || sink.to(LAN).len() == 2).await;
    let reminder = &sink.to(LAN)[1];
    assert_eq!(reminder.subject, "Nhắc lịch giảng ngày mai");
    assert_eq!(
        reminder.text.matches("thứ Hai, 01/03/2027").count(),
        2,
        "both half-days in one message: {}",
        reminder.text
    );

    // The 2026 report is due before 22 February 2027: the D01 board (the only one with an
    // address) is reminded 7 days before, once, and not after it has submitted.
    assert_eq!(remind("2027-02-15").await, 1);
    assert_eq!(remind("2027-02-16").await, 0);
    until("the report reminder", || sink.to(BOARD).len() == 3).await;
    assert!(
        sink.to(BOARD)[2].text.contains(
            "Báo cáo kết quả năm 2026 cần gửi Ban Tuyên giáo Tỉnh ủy trước ngày thứ Hai, 22/02/2027 (còn 7 ngày)"
        ),
        "{}",
        sink.to(BOARD)[2].text
    );
}

#[tokio::test]
async fn only_the_province_reads_and_retries_the_outbox_and_sets_the_webhook() {
    let app = spawn(|s| s, |s| s).await;
    let p = planning(&app).await;
    let board = app.account("btg.d01", UserRole::DistrictBoard, Some(p.w.d1)).await;
    board.get("/api/v1/notifications").await.problem(403, "forbidden");
    board
        .get("/api/v1/notifications/webhook")
        .await
        .problem(403, "forbidden");
    board
        .put(
            "/api/v1/notifications/webhook",
            json!({"url": "https://hook.example.vn", "secret": SECRET}),
        )
        .await
        .problem(403, "forbidden");
    board
        .post("/api/v1/notifications/test", json!({"email": "a@example.vn"}))
        .await
        .problem(403, "forbidden");
    p.admin
        .get("/api/v1/notifications/preferences")
        .await
        .problem(403, "forbidden");
    p.admin
        .post("/api/v1/notifications/test", json!({}))
        .await
        .problem(422, "no_webhook");
    p.admin
        .get("/api/v1/notifications?status=lost")
        .await
        .problem(422, "invalid_status");

    // Without a mail server a message fails at once, says why, and can be sent again.
    p.admin
        .post("/api/v1/notifications/test", json!({"email": "a@example.vn"}))
        .await
        .ok(202);
    let mut failed = Value::Null;
    for _ in 0..100 {
        let list = p.admin.get("/api/v1/notifications?status=failed").await.ok(200).clone();
        if let Some(m) = list.as_array().unwrap().first() {
            failed = m.clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        failed["last_error"].as_str().unwrap().contains("--smtp-host"),
        "{failed}"
    );
    let id = failed["id"].as_i64().unwrap();
    board
        .post(&format!("/api/v1/notifications/{id}/retry"), json!({}))
        .await
        .problem(403, "forbidden");
    p.admin
        .post(&format!("/api/v1/notifications/{id}/retry"), json!({}))
        .await
        .ok(204);
    p.admin
        .post("/api/v1/notifications/999999/retry", json!({}))
        .await
        .problem(404, "not_found");
    let audit = p.admin.get("/api/v1/audit?entity=notification").await.ok(200).clone();
    assert!(
        audit.to_string().contains("send_test") && audit.to_string().contains("retry"),
        "{audit}"
    );
}

#[tokio::test]
async fn the_province_works_its_notifications_page_and_a_center_its_choices_in_the_browser() {
    let sink = SmtpSink::start().await;
    let app = spawn(|s| s.with_delivery(sink.delivery(Duration::ZERO)), |s| s).await;
    let p = planning(&app).await;
    one_account_of_each_kind(&app, &p).await;
    let mut province = Browser::signed_in(&app, "admin.web").await;
    let page = province.get("/notifications").await;
    assert!(
        is_page(&page) && page.text.contains("Gửi qua <strong>127.0.0.1:"),
        "{}",
        page.text
    );

    // A webhook address that is not https comes back beside its field, nothing saved.
    let refused = province
        .post(
            "/notifications/webhook",
            &[("url", "http://hook.example.vn/zalo"), ("secret", SECRET)],
        )
        .await;
    assert_eq!(refused.status, Http::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text.contains("id=\"error-url\"") && refused.text.contains("https://"),
        "{}",
        refused.text
    );
    assert_eq!(
        p.admin.get("/api/v1/notifications/webhook").await.ok(200)["url"],
        Value::Null
    );
    let (url, receiver) = start_receiver().await;
    let saved = province
        .post("/notifications/webhook", &[("url", url.as_str()), ("secret", SECRET)])
        .await;
    assert_eq!(saved.location(), "/notifications?done=webhook");

    // Test messages by e-mail and to the webhook arrive; the page lists them as sent.
    province
        .post("/notifications/test", &[("email", "vanthu@soctrang.example.vn")])
        .await;
    province.post("/notifications/test", &[]).await;
    until("both test messages", || {
        sink.mails().len() == 1 && receiver.received.lock().unwrap().len() == 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let listed = province.get("/notifications?status=sent").await;
    assert!(
        listed.text.contains("vanthu@soctrang.example.vn") && listed.text.contains("Thư thử"),
        "{}",
        listed.text
    );
    assert!(listed.text.contains("Đã gửi (2)"), "{}", listed.text);

    // A center sets its address and leaves the webhook; a board may not open the province's page.
    let mut center = Browser::signed_in(&app, "tt.d01").await;
    let mine = center.get("/notifications/mine").await;
    assert!(
        mine.text.contains("Trung tâm Chính trị thành phố Sóc Trăng") && !mine.text.contains("day_before"),
        "{}",
        mine.text
    );
    let bad = center
        .post("/notifications/mine", &[("by_email", "on"), ("email", "ttct@")])
        .await;
    assert_eq!(bad.status, Http::UNPROCESSABLE_ENTITY);
    assert!(bad.text.contains("id=\"error-email\""), "{}", bad.text);
    let ok = center
        .post("/notifications/mine", &[("by_email", "on"), ("email", CENTER)])
        .await;
    assert_eq!(ok.location(), "/notifications/mine?saved=1");
    let coordinator = app.login("tt.d01", crate::helpers::PASSWORD).await;
    let prefs = coordinator
        .get("/api/v1/notifications/preferences")
        .await
        .ok(200)
        .clone();
    assert_eq!(
        (
            prefs["email"].as_str(),
            prefs["by_email"].as_bool(),
            prefs["by_webhook"].as_bool()
        ),
        (Some(CENTER), Some(true), Some(false))
    );
    let mut board = Browser::signed_in(&app, "bt.d01").await;
    assert_eq!(board.get("/notifications").await.status, Http::FORBIDDEN);
    let audit = p
        .admin
        .get("/api/v1/audit?entity=webhook_setting")
        .await
        .ok(200)
        .to_string();
    assert!(audit.contains("secret_changed") && !audit.contains(SECRET), "{audit}");
}

/// Messages to `address` other than reminders.
fn told(sink: &SmtpSink, address: &str) -> usize {
    sink.to(address)
        .iter()
        .filter(|m| !m.subject.starts_with("Nhắc"))
        .count()
}

/// `roster serve` as a real process over `database_url`, sending mail to `smtp_port`; its address.
async fn serve(database_url: &str, smtp_port: u16) -> (tokio::process::Child, String) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["--database-url", database_url, "serve", "--listen", "127.0.0.1:0"])
        .args([
            "--smtp-host",
            "127.0.0.1",
            "--smtp-security",
            "none",
            "--notify-window",
            "3",
        ])
        .args([
            "--smtp-port",
            &smtp_port.to_string(),
            "--smtp-from",
            "lichgiang@tuyengiao.example.vn",
        ])
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the roster binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines
        .next_line()
        .await
        .unwrap()
        .expect("the service prints its address");
    let base = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("an address")
        .to_string();
    (child, base)
}

#[tokio::test]
async fn messages_waiting_when_the_service_is_killed_are_all_delivered_after_it_restarts() {
    let sink = SmtpSink::start().await;
    let (database_url, _dir) = crate::helpers::fresh_database().await;
    let (mut first, base) = serve(&database_url, sink.port).await;
    let app = TestApp::external(base, database_url.clone()).await;
    let p = planning(&app).await;
    addresses(&app, &p).await;
    sessions(&app, &p).await;
    publish(&p.admin).await;
    // Killed (SIGKILL) while the publication's messages wait out their 3 s window.
    first.kill().await.unwrap();
    let waiting = app
        .db
        .read(async |c| roster::notify::outbox::list(c, &AuthUser::system("test"), &Default::default()).await)
        .await
        .unwrap();
    assert!(
        waiting
            .iter()
            .filter(|m| m.kind == "schedule_changed" && m.status == "pending")
            .count()
            >= 4,
        "{waiting:?}"
    );
    let (_second, _) = serve(&database_url, sink.port).await;
    until("every message after the restart", || {
        told(&sink, LAN) == 1 && told(&sink, DUC) == 1 && told(&sink, CENTER) == 2 && told(&sink, BOARD) == 2
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    // The real binary writes reminders as they come due: on some days of the year the test's
    // dates have them; they are not what this test counts.
    let mails: Vec<_> = sink
        .mails()
        .into_iter()
        .filter(|m| !m.subject.starts_with("Nhắc"))
        .collect();
    assert_eq!(mails.len(), 6, "none lost, none twice: {mails:?}");
    let done = app
        .db
        .read(async |c| roster::notify::outbox::list(c, &AuthUser::system("test"), &Default::default()).await)
        .await
        .unwrap();
    assert!(
        done.iter()
            .filter(|m| !matches!(m.kind.as_str(), "session_tomorrow" | "report_due"))
            .all(|m| m.status == "sent"),
        "{done:?}"
    );
}
