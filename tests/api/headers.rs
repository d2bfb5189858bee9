//! Security headers: the pages' Content-Security-Policy allows exactly the inline scripts they
//! carry, nothing may frame them, and the API viewer is pinned under a policy of its own.

use base64::Engine;
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};
use sha2::{Digest, Sha256};

use crate::helpers::{spawn, spawn_app, spawn_app_without_worker};
use crate::pages::Browser;
use crate::planning::{one_account_of_each_kind, planning};
use crate::scheduling::sessions;

fn policy(headers: &HeaderMap) -> String {
    headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_string()
}

/// The text of every `<script>` without a `src`, as the browser would hash it.
fn inline_scripts(html: &str) -> Vec<&str> {
    html.split("<script")
        .skip(1)
        .filter_map(|rest| {
            let (attributes, body) = rest.split_once('>')?;
            let (body, _) = body.split_once("</script>")?;
            (!attributes.contains("src=") && !attributes.contains("application/json")).then_some(body)
        })
        .collect()
}

fn assert_page_headers(headers: &HeaderMap) {
    let csp = policy(headers);
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let scripts = csp.split(';').find(|d| d.trim().starts_with("script-src")).unwrap();
    assert!(!scripts.contains("unsafe-inline"), "{csp}");
    assert!(
        !csp.contains("jsdelivr"),
        "the pages never trust the viewer's CDN: {csp}"
    );
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
}

#[tokio::test]
async fn every_inline_script_of_a_page_is_allowed_by_its_hash_and_no_other() {
    let app = spawn_app_without_worker().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    one_account_of_each_kind(&app, &p).await;
    let mut admin = Browser::signed_in(&app, "admin.web").await;
    let started = admin
        .post("/planning/runs", &[("from", "2027-03-01"), ("to", "2027-03-31")])
        .await;
    let run_page = started.location().to_string();
    let mut scripts_seen = 0;
    for path in [
        "/login",
        "/planning",
        run_page.as_str(),
        "/people",
        "/registry",
        "/coverage",
        "/no-such-page",
    ] {
        let got = admin.get(path).await;
        assert!(
            got.status.is_success() || got.status == StatusCode::NOT_FOUND,
            "{path}: {}",
            got.status
        );
        assert_page_headers(&got.headers);
        let csp = policy(&got.headers);
        for script in inline_scripts(&got.text) {
            let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()));
            assert!(
                csp.contains(&format!("'sha256-{hash}'")),
                "{path}: an inline script the policy refuses"
            );
            scripts_seen += 1;
        }
        for handler in [" onclick=", " onchange=", " onsubmit=", " onload=", "javascript:"] {
            assert!(
                !got.text.contains(handler),
                "{path}: {handler} never runs under the policy"
            );
        }
    }
    assert!(scripts_seen > 0, "the run page's live view is an inline script");
}

#[tokio::test]
async fn api_answers_carry_the_headers_and_hsts_only_over_https() {
    let app = spawn_app().await;
    let got = app.anonymous().get("/api/v1/me").await;
    assert_page_headers(&got.headers);
    assert!(got.headers.get(header::STRICT_TRANSPORT_SECURITY).is_none());
    let https = spawn(|s| s.with_public_url(Some("https://lich.example.vn".into())), |s| s).await;
    let got = https.anonymous().get("/login").await;
    assert!(
        got.headers[header::STRICT_TRANSPORT_SECURITY]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
}

#[tokio::test]
async fn the_api_viewer_is_pinned_by_integrity_under_its_own_policy() {
    let app = spawn_app().await;
    let got = app.anonymous().get("/api/docs").await;
    assert_eq!(got.status, 200);
    let html = String::from_utf8(got.bytes.clone()).unwrap();
    let tag = html
        .split("<script src=")
        .nth(1)
        .expect("the viewer's script")
        .split('>')
        .next()
        .unwrap();
    assert!(tag.contains("@scalar/api-reference@1."), "a pinned version: {tag}");
    assert!(
        tag.contains("integrity=\"sha384-") && tag.contains("crossorigin"),
        "{tag}"
    );
    assert!(
        inline_scripts(&html).is_empty(),
        "the viewer page runs no inline script"
    );
    let csp = policy(&got.headers);
    assert!(
        csp.contains("script-src https://cdn.jsdelivr.net;") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
}
