//! Test support: a real server on port 0 over a fresh database.
//!
//! Tests run on SQLite (a temporary file) unless `ROSTER_TEST_POSTGRES` holds a PostgreSQL
//! server URL; then every test gets a fresh PostgreSQL database on that server, and a server
//! that cannot be reached fails the test rather than skipping it.

use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use roster::api::AppState;
use roster::api::Server;
use roster::auth::AuthUser;
use roster::auth::users::{self, NewUser};
use roster::db::Db;
use roster::vocab::UserRole;
use serde_json::{Value, json};

pub const PASSWORD: &str = "mật-khẩu-thử";

pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub database_url: String,
    client: reqwest::Client,
    _dir: Option<tempfile::TempDir>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The PostgreSQL server the tests were asked to use, if any.
pub fn postgres_server() -> Option<String> {
    std::env::var("ROSTER_TEST_POSTGRES").ok().filter(|v| !v.is_empty())
}

static COUNTER: AtomicU32 = AtomicU32::new(0);
static SWEPT: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();

/// Drops the databases that finished test runs left behind (once per run): those named after
/// a process that no longer exists.
async fn sweep_old_databases(admin: &sqlx::PgPool) {
    let names: Vec<String> = sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'roster_test_%'")
        .fetch_all(admin)
        .await
        .unwrap_or_default();
    for name in names {
        let pid = name.trim_start_matches("roster_test_").split('_').next().unwrap_or("");
        if !pid.is_empty() && !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}")))
                .execute(admin)
                .await;
        }
    }
}

/// A fresh, empty database URL (and the directory holding it, for SQLite).
pub async fn fresh_database() -> (String, Option<tempfile::TempDir>) {
    match postgres_server() {
        Some(server) => {
            let name = format!(
                "roster_test_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst)
            );
            let admin = sqlx::PgPool::connect(&server)
                .await
                .unwrap_or_else(|e| panic!("ROSTER_TEST_POSTGRES={server} is set but unreachable: {e}"));
            SWEPT.get_or_init(|| sweep_old_databases(&admin)).await;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&admin)
                .await
                .unwrap();
            admin.close().await;
            let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b).to_string();
            (format!("{base}/{name}"), None)
        }
        None => {
            let dir = tempfile::tempdir().unwrap();
            (
                format!("sqlite://{}", dir.path().join("roster.db").display()),
                Some(dir),
            )
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn(|state| state, |server| server).await
}

/// An instance that serves the API only: its runs stay queued until a test claims them.
pub async fn spawn_app_without_worker() -> TestApp {
    spawn(|state| state, Server::without_worker).await
}

/// An instance with its state and server configured by the test (limits, timeouts).
pub async fn spawn(state: impl FnOnce(AppState) -> AppState, configure: impl FnOnce(Server) -> Server) -> TestApp {
    // Server-side errors (500s) appear in the failing test's output.
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("roster=error")
        .try_init();
    let (database_url, dir) = fresh_database().await;
    let db = Db::connect(&database_url).await.expect("database opens and migrates");
    let server = configure(
        Server::bind("127.0.0.1:0", state(AppState::new(db.clone())))
            .await
            .unwrap(),
    );
    let base = format!("http://{}", server.local_addr());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(async {
        let _ = rx.await;
    }));
    TestApp {
        base,
        db,
        database_url,
        client: reqwest::Client::new(),
        _dir: dir,
        shutdown: Some(tx),
    }
}

impl TestApp {
    /// A service the test runs elsewhere (the real binary, say) at `base`, over `database_url`.
    pub async fn external(base: String, database_url: String) -> TestApp {
        TestApp {
            base,
            db: Db::connect(&database_url).await.expect("database opens"),
            database_url,
            client: reqwest::Client::new(),
            _dir: None,
            shutdown: None,
        }
    }
}

/// A caller: anonymous, or signed in with a session cookie or a bearer token.
#[derive(Clone)]
pub struct Caller {
    client: reqwest::Client,
    base: String,
    headers: HeaderMap,
}

/// A response: status, headers and the body as JSON (`Value::Null` when empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn content_type(&self) -> &str {
        self.headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts a problem document with this status and code; returns the body.
    #[track_caller]
    pub fn problem(&self, status: u16, code: &str) -> &Value {
        assert_eq!(self.status.as_u16(), status, "status; body: {}", self.body);
        assert_eq!(
            self.content_type(),
            "application/problem+json",
            "content type; body: {}",
            self.body
        );
        assert_eq!(self.body["code"], code, "problem code; body: {}", self.body);
        assert_eq!(self.body["status"], status);
        &self.body
    }

    #[track_caller]
    pub fn ok(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "status; body: {}", self.body);
        &self.body
    }
}

impl Caller {
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .headers(self.headers.clone());
        if let Some(body) = body {
            req = req.json(&body);
        }
        Self::reply(req.send().await.unwrap()).await
    }

    pub async fn send_bytes(&self, method: Method, path: &str, content_type: &str, bytes: Vec<u8>) -> Reply {
        let req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .headers(self.headers.clone())
            .header(CONTENT_TYPE, content_type)
            .body(bytes);
        Self::reply(req.send().await.unwrap()).await
    }

    async fn reply(resp: reqwest::Response) -> Reply {
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.unwrap().to_vec();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            bytes,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PUT, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None).await
    }

    /// The same caller, asking for answers in this language.
    pub fn language(&self, tag: &str) -> Caller {
        self.with_header(reqwest::header::ACCEPT_LANGUAGE, tag)
    }

    /// The same caller, sending this header too.
    pub fn with_header(&self, name: reqwest::header::HeaderName, value: &str) -> Caller {
        let mut c = self.clone();
        c.headers.insert(name, HeaderValue::from_str(value).unwrap());
        c
    }
}

impl TestApp {
    pub fn anonymous(&self) -> Caller {
        Caller {
            client: self.client.clone(),
            base: self.base.clone(),
            headers: HeaderMap::new(),
        }
    }

    /// Signs in through the API; the session cookie is sent by hand because reqwest keeps
    /// `Secure` cookies for https.
    pub async fn login(&self, username: &str, password: &str) -> Caller {
        let reply = self
            .anonymous()
            .post(
                "/api/v1/auth/login",
                json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "login {username}: {}", reply.body);
        let cookie = reply
            .headers
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("roster_session="))
            .expect("a session cookie")
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::COOKIE, HeaderValue::from_str(&cookie).unwrap());
        Caller {
            client: self.client.clone(),
            base: self.base.clone(),
            headers,
        }
    }

    pub fn bearer(&self, token: &str) -> Caller {
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );
        Caller {
            client: self.client.clone(),
            base: self.base.clone(),
            headers,
        }
    }

    /// Creates an account directly in the database and signs it in.
    pub async fn account(&self, username: &str, role: UserRole, scope: Option<i64>) -> Caller {
        let new = NewUser {
            username: username.to_string(),
            display_name: format!("Tài khoản {username}"),
            password: PASSWORD.to_string(),
            role,
            district_id: (role == UserRole::DistrictBoard).then_some(scope).flatten(),
            center_id: (role == UserRole::CenterCoordinator).then_some(scope).flatten(),
            person_id: (role == UserRole::Lecturer).then_some(scope).flatten(),
        };
        let cli = AuthUser::system("cli");
        self.db
            .write(async |c| users::create(c, &cli, new).await)
            .await
            .unwrap();
        self.login(username, PASSWORD).await
    }

    pub async fn admin(&self) -> Caller {
        self.account("admin", UserRole::ProvinceAdmin, None).await
    }
}

/// A small registry to work on: two districts, a center in each, two topics.
pub struct World {
    pub d1: i64,
    pub d2: i64,
    pub center1: i64,
    pub center2: i64,
    pub module: i64,
    pub resolution: i64,
}

pub async fn world(admin: &Caller) -> World {
    let d1 = admin
        .post(
            "/api/v1/districts",
            json!({"code": "D01", "name": "Thành phố Sóc Trăng"}),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let d2 = admin
        .post("/api/v1/districts", json!({"code": "D11", "name": "Huyện Trần Đề"}))
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let center = |code: &str, name: &str, d: i64| json!({"code": code, "name": name, "kind": "district_center", "district_id": d});
    let center1 = admin
        .post(
            "/api/v1/centers",
            center("TTCT-D01", "Trung tâm Chính trị thành phố Sóc Trăng", d1),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let center2 = admin
        .post(
            "/api/v1/centers",
            center("TTCT-D11", "Trung tâm Chính trị huyện Trần Đề", d2),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let module = admin
        .post(
            "/api/v1/topics",
            json!({"code": "SC-01", "name": "Chủ nghĩa Mác - Lênin", "kind": "module"}),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let resolution = admin
        .post(
            "/api/v1/topics",
            json!({"code": "NQ-TW8-XIII", "name": "Nghị quyết Trung ương 8 khóa XIII", "kind": "resolution"}),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    World {
        d1,
        d2,
        center1,
        center2,
        module,
        resolution,
    }
}

/// A person body with sensible defaults; `extra` overrides fields.
pub fn person(code: &str, name: &str, extra: Value) -> Value {
    let mut p = json!({"code": code, "full_name": name, "roles": ["lecturer_full_time"], "theory_level": "advanced"});
    if let (Some(p), Some(extra)) = (p.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            p.insert(k.clone(), v.clone());
        }
    }
    p
}

pub async fn create_person(admin: &Caller, code: &str, name: &str, extra: Value) -> i64 {
    admin.post("/api/v1/people", person(code, name, extra)).await.ok(201)["id"]
        .as_i64()
        .unwrap()
}
