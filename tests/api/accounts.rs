//! Sign-in, sessions, API tokens, account management and the audit log.

use roster::vocab::UserRole;
use serde_json::json;

use crate::helpers::{PASSWORD, create_person, spawn_app, world};

#[tokio::test]
async fn login_sets_a_secure_cookie_and_logout_ends_the_session() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let me = admin.get("/api/v1/me").await;
    assert_eq!(me.ok(200)["username"], "admin");
    assert_eq!(me.body["role"], "province_admin");

    let reply = app
        .anonymous()
        .post("/api/v1/auth/login", json!({"username": "admin", "password": PASSWORD}))
        .await;
    let cookie = reply.headers["set-cookie"].to_str().unwrap();
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }

    admin.post("/api/v1/auth/logout", json!({})).await.ok(204);
    admin.get("/api/v1/me").await.problem(401, "unauthorized");
}

#[tokio::test]
async fn wrong_passwords_and_unknown_users_get_the_same_answer() {
    let app = spawn_app().await;
    app.admin().await;
    let wrong = app
        .anonymous()
        .post(
            "/api/v1/auth/login",
            json!({"username": "admin", "password": "sai-mật-khẩu"}),
        )
        .await;
    let unknown = app
        .anonymous()
        .post(
            "/api/v1/auth/login",
            json!({"username": "ai-đó", "password": "sai-mật-khẩu"}),
        )
        .await;
    assert_eq!(
        wrong.problem(401, "bad_credentials")["detail"],
        unknown.problem(401, "bad_credentials")["detail"]
    );
    app.anonymous().get("/api/v1/me").await.problem(401, "unauthorized");
}

#[tokio::test]
async fn api_tokens_are_shown_once_work_as_bearer_and_stop_when_revoked() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created = admin
        .post("/api/v1/tokens", json!({"name": "xuất dữ liệu hằng đêm"}))
        .await;
    let secret = created.ok(201)["token_secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("rst_"));
    let id = created.body["id"].as_i64().unwrap();

    let script = app.bearer(&secret);
    assert_eq!(script.get("/api/v1/me").await.ok(200)["username"], "admin");
    let listed = admin.get("/api/v1/tokens").await;
    let listed = listed.ok(200).as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], "xuất dữ liệu hằng đêm");
    assert!(listed[0].get("token_secret").is_none());
    assert!(!listed[0]["last_used_at"].is_null());

    admin.delete(&format!("/api/v1/tokens/{id}")).await.ok(204);
    script.get("/api/v1/me").await.problem(401, "unauthorized");
    admin
        .delete(&format!("/api/v1/tokens/{id}"))
        .await
        .problem(404, "not_found");
    app.bearer("rst_made-up")
        .get("/api/v1/me")
        .await
        .problem(401, "unauthorized");
}

#[tokio::test]
async fn tokens_belong_to_their_owner() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    let board = app.account("bantg.d01", UserRole::DistrictBoard, Some(w.d1)).await;
    let id = admin.post("/api/v1/tokens", json!({"name": "admin"})).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    assert_eq!(board.get("/api/v1/tokens").await.ok(200).as_array().unwrap().len(), 0);
    board
        .delete(&format!("/api/v1/tokens/{id}"))
        .await
        .problem(404, "not_found");
}

#[tokio::test]
async fn accounts_are_created_with_a_scope_that_matches_their_role() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    let new = |role: &str, extra: serde_json::Value| {
        let mut body = json!({"username": format!("u.{role}"), "display_name": "Nguyễn Văn Bình", "password": PASSWORD, "role": role});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    admin
        .post("/api/v1/users", new("district_board", json!({})))
        .await
        .problem(422, "missing_scope");
    admin
        .post("/api/v1/users", new("lecturer", json!({"district_id": w.d1})))
        .await
        .problem(422, "unexpected_scope");
    admin
        .post("/api/v1/users", new("center_coordinator", json!({"center_id": 999})))
        .await
        .problem(422, "unknown_reference");
    admin
        .post(
            "/api/v1/users",
            new("district_board", json!({"district_id": w.d1, "password": "ngắn"})),
        )
        .await
        .problem(422, "weak_password");
    let created = admin
        .post("/api/v1/users", new("district_board", json!({"district_id": w.d1})))
        .await;
    assert_eq!(created.ok(201)["district_id"], w.d1);
    assert!(created.body.get("password_hash").is_none());
    admin
        .post("/api/v1/users", new("district_board", json!({"district_id": w.d2})))
        .await
        .problem(409, "duplicate_username");
    let board = app.login("u.district_board", PASSWORD).await;
    assert_eq!(board.get("/api/v1/me").await.ok(200)["display_name"], "Nguyễn Văn Bình");
}

#[tokio::test]
async fn deactivating_an_account_or_changing_its_password_ends_its_sessions() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    let board = app.account("bantg.d01", UserRole::DistrictBoard, Some(w.d1)).await;
    let id = board.get("/api/v1/me").await.ok(200)["id"].as_i64().unwrap();

    admin
        .patch(&format!("/api/v1/users/{id}"), json!({"password": "mật-khẩu-mới-2027"}))
        .await
        .ok(200);
    board.get("/api/v1/me").await.problem(401, "unauthorized");
    let board = app.login("bantg.d01", "mật-khẩu-mới-2027").await;
    let token = board.post("/api/v1/tokens", json!({"name": "script"})).await.ok(201)["token_secret"]
        .as_str()
        .unwrap()
        .to_string();

    admin
        .patch(&format!("/api/v1/users/{id}"), json!({"active": false}))
        .await
        .ok(200);
    board.get("/api/v1/me").await.problem(401, "unauthorized");
    app.bearer(&token).get("/api/v1/me").await.problem(401, "unauthorized");
    app.anonymous()
        .post(
            "/api/v1/auth/login",
            json!({"username": "bantg.d01", "password": "mật-khẩu-mới-2027"}),
        )
        .await
        .problem(401, "bad_credentials");

    let own = admin.get("/api/v1/me").await.ok(200)["id"].as_i64().unwrap();
    admin
        .patch(&format!("/api/v1/users/{own}"), json!({"active": false}))
        .await
        .problem(409, "own_account");
}

#[tokio::test]
async fn every_write_is_audited_with_who_what_and_before_after() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    let id = create_person(&admin, "GV-1", "Lê Văn Tám", json!({"home_district_id": w.d1})).await;
    let mut changed = crate::helpers::person("GV-1", "Lê Văn Tám", json!({"home_district_id": w.d2}));
    admin.put(&format!("/api/v1/people/{id}"), changed.take()).await.ok(200);

    let log = admin.get(&format!("/api/v1/audit?entity=person&entity_id={id}")).await;
    let entries = log.ok(200)["items"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let update = &entries[0];
    assert_eq!(
        (update["action"].as_str(), update["actor"].as_str()),
        (Some("update"), Some("admin"))
    );
    assert_eq!(update["before"]["home_district_id"], w.d1);
    assert_eq!(update["after"]["home_district_id"], w.d2);
    assert_eq!(entries[1]["action"], "create");
    assert!(entries[1]["before"].is_null());

    // Districts, centers and topics from `world` and the person's two writes, and the account.
    let all = admin.get("/api/v1/audit?per_page=100").await;
    assert_eq!(all.ok(200)["total"], 9);
    let board = app.account("bantg.d01", UserRole::DistrictBoard, Some(w.d1)).await;
    board.get("/api/v1/audit").await.problem(403, "forbidden");
}

#[tokio::test]
async fn the_audit_log_filters_by_local_days() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    world(&admin).await;
    let today = chrono::Utc::now().with_timezone(&roster::time::ZONE).date_naive();
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let on = |from: chrono::NaiveDate, to: chrono::NaiveDate| {
        format!("/api/v1/audit?entity=district&from={}&to={}", day(from), day(to))
    };
    assert_eq!(admin.get(&on(today, today)).await.ok(200)["total"], 2);
    let yesterday = today.pred_opt().unwrap();
    assert_eq!(admin.get(&on(yesterday, yesterday)).await.ok(200)["total"], 0);
    let tomorrow = today.succ_opt().unwrap();
    assert_eq!(admin.get(&on(tomorrow, tomorrow)).await.ok(200)["total"], 0);
    assert_eq!(
        admin
            .get(&format!("/api/v1/audit?entity=district&from={}", day(yesterday)))
            .await
            .ok(200)["total"],
        2
    );
    admin.get(&on(today, yesterday)).await.problem(400, "reversed_period");
}
