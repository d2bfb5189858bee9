//! Resource limits against clients that never sign in: password hashing, guessing, slow and
//! oversized requests.

use std::time::Duration;

use roster::api::Timeouts;
use roster::auth::throttle::{ACCOUNT_FREE_FAILURES, ADDRESS_FREE_FAILURES, SignInLimits};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{PASSWORD, Reply, TestApp, spawn, spawn_app};

async fn guess(app: &TestApp, username: &str, password: &str) -> Reply {
    app.anonymous()
        .post(
            "/api/v1/auth/login",
            json!({"username": username, "password": password}),
        )
        .await
}

fn retry_after(reply: &Reply) -> u64 {
    reply.headers["retry-after"].to_str().unwrap().parse().unwrap()
}

/// argon2 takes 19 MiB a hash: a crowd of sign-ins must not hash all at once.
#[tokio::test]
async fn sign_ins_beyond_the_hashing_slots_are_refused_with_503() {
    let app = spawn(|s| s.with_sign_in_limits(SignInLimits::new(1, 1)), |s| s).await;
    let calls: Vec<_> = (0..24)
        .map(|i| {
            let caller = app.anonymous();
            tokio::spawn(async move {
                let body = json!({"username": format!("nobody{i}"), "password": "wrong-password"});
                caller.post("/api/v1/auth/login", body).await
            })
        })
        .collect();
    let mut refused = 0;
    for call in calls {
        let reply = call.await.unwrap();
        match reply.status.as_u16() {
            401 => {}
            503 => {
                reply.problem(503, "busy");
                assert!(retry_after(&reply) >= 1);
                refused += 1;
            }
            other => panic!("{other}: {}", reply.body),
        }
    }
    assert!(refused > 0, "24 sign-ins at once with one slot and one waiting");
}

#[tokio::test]
async fn an_account_is_closed_for_seconds_after_repeated_failures_and_they_are_audited() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for _ in 0..ACCOUNT_FREE_FAILURES {
        guess(&app, "admin", "wrong-password")
            .await
            .problem(401, "bad_credentials");
    }
    // Closed even to the right password: a guesser learns nothing while it is.
    let closed = guess(&app, "admin", PASSWORD).await;
    closed.problem(429, "too_many_attempts");
    let wait = retry_after(&closed);
    assert!((1..=30).contains(&wait), "{wait}");
    // The sign-in page says so on its form, in words, with when to try again.
    let mut page = crate::pages::Browser::new(&app);
    let refused = page
        .post("/login", &[("username", "admin"), ("password", PASSWORD)])
        .await;
    assert_eq!(refused.status, reqwest::StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers.contains_key(reqwest::header::RETRY_AFTER));
    assert!(
        refused.text.contains("<form method=\"post\" action=\"/login\">") && refused.text.contains("class=\"error\""),
        "{}",
        refused.text
    );
    tokio::time::sleep(Duration::from_secs(wait)).await;
    guess(&app, "admin", PASSWORD).await.ok(200);
    // A success ends the run: the next failure is a plain 401 again.
    guess(&app, "admin", "wrong-password")
        .await
        .problem(401, "bad_credentials");
    let log = admin.get("/api/v1/audit?entity=user").await;
    let failed: Vec<_> = log.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "sign_in_failed")
        .collect();
    assert_eq!(failed.len(), 1, "{}", log.body);
    assert_eq!(failed[0]["after"]["failures"], ACCOUNT_FREE_FAILURES);
    assert_eq!(failed[0]["after"]["address"], "127.0.0.1");
}

#[tokio::test]
async fn one_address_guessing_many_accounts_is_throttled() {
    let app = spawn_app().await;
    for i in 0..ADDRESS_FREE_FAILURES {
        guess(&app, &format!("user{i}"), "wrong-password")
            .await
            .problem(401, "bad_credentials");
    }
    let closed = guess(&app, "someone-else", "wrong-password").await;
    closed.problem(429, "too_many_attempts");
    assert!(retry_after(&closed) >= 1);
}

fn short_timeouts() -> Timeouts {
    Timeouts {
        headers: Duration::from_millis(500),
        body: Duration::from_millis(500),
        request: Duration::from_secs(5),
        drain: Duration::from_secs(1),
    }
}

/// Reads until the server closes the connection; gives what it sent.
async fn until_closed(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn half_sent_heads_silent_connections_and_stalled_bodies_are_closed() {
    let app = spawn(|s| s, |s| s.with_timeouts(short_timeouts())).await;
    let addr = app.base.trim_start_matches("http://").to_string();

    let mut half_head = TcpStream::connect(&addr).await.unwrap();
    half_head
        .write_all(b"GET /api/v1/districts HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut silent = TcpStream::connect(&addr).await.unwrap();
    until_closed(&mut half_head).await;
    until_closed(&mut silent).await;

    let mut stalled = TcpStream::connect(&addr).await.unwrap();
    let head =
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{";
    stalled.write_all(head.as_bytes()).await.unwrap();
    let answer = until_closed(&mut stalled).await;
    assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
}

#[tokio::test]
async fn over_long_addresses_and_headers_are_problems() {
    let app = spawn_app().await;
    let long = format!("/api/v1/people?q={}", "a".repeat(10_000));
    app.anonymous().get(&long).await.problem(414, "uri_too_long");
    let big = app.anonymous().with_header(
        reqwest::header::HeaderName::from_static("x-filler"),
        &"b".repeat(20_000),
    );
    big.get("/api/v1/districts").await.problem(431, "headers_too_large");
}
