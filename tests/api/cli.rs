//! The command line, run as the real `roster` binary: `user add` makes the first admin,
//! `import people FILE` imports a spreadsheet or reports every bad row.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};
use roster::api::AppState;
use roster::api::Server;
use roster::db::Db;
use serde_json::{Value, json};

use crate::helpers::{Caller, fresh_database, spawn_app, world};

/// Runs `roster --database-url URL ARGS…`, writing `stdin` to its standard input.
async fn roster(database_url: &str, args: &[&str], stdin: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_roster"));
    command
        .arg("--database-url")
        .arg(database_url)
        .args(args)
        .env_remove("DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let stdin = stdin.to_string();
    tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().expect("the roster binary starts");
        let mut pipe = child.stdin.take().unwrap();
        // The program may exit before reading (a bad argument); a closed pipe is fine then.
        let _ = pipe.write_all(stdin.as_bytes());
        drop(pipe);
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A server over an existing database, as `roster serve` would run it; stops when dropped.
struct Served {
    base: String,
    client: reqwest::Client,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

async fn serve(database_url: &str) -> Served {
    let db = Db::connect(database_url).await.unwrap();
    let server = Server::bind("127.0.0.1:0", AppState::new(db)).await.unwrap();
    let base = format!("http://{}", server.local_addr());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(async {
        let _ = rx.await;
    }));
    Served {
        base,
        client: reqwest::Client::new(),
        _shutdown: tx,
    }
}

impl Served {
    /// Signs in; returns the status, the body and the session cookie if one was set.
    async fn login(&self, username: &str, password: &str) -> (StatusCode, Value, Option<String>) {
        let resp = self
            .client
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let cookie = resp
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("roster_session="))
            .map(|v| v.split(';').next().unwrap().to_string());
        (status, resp.json().await.unwrap(), cookie)
    }

    async fn get(&self, cookie: &str, path: &str) -> (StatusCode, Value) {
        let resp = self
            .client
            .get(format!("{}{path}", self.base))
            .header(COOKIE, cookie)
            .send()
            .await
            .unwrap();
        (resp.status(), resp.json().await.unwrap())
    }
}

async fn people(admin: &Caller) -> Vec<Value> {
    admin.get("/api/v1/people?per_page=500").await.ok(200)["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// Writes a file into a temporary directory that lives as long as the returned guard.
fn file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path.display().to_string())
}

#[tokio::test]
async fn user_add_creates_the_first_admin_who_can_then_sign_in() {
    // Arrange: a database nothing has touched yet.
    let (url, _dir) = fresh_database().await;
    let password = "mật khẩu đủ dài";

    // Act
    let out = roster(
        &url,
        &[
            "user",
            "add",
            "tinhuy",
            "--name",
            "Ban Tuyên giáo Tỉnh ủy",
            "--role",
            "province_admin",
            "--password-stdin",
        ],
        &format!("{password}\n"),
    )
    .await;

    // Assert: the command reports the account…
    assert!(
        out.status.success(),
        "exit {:?}; stderr: {}",
        out.status,
        text(&out.stderr)
    );
    assert_eq!(
        text(&out.stdout).trim(),
        "Đã tạo tài khoản «tinhuy» (province_admin) / account created."
    );

    // …which signs in through the API with the password read from stdin (without its newline)…
    let app = serve(&url).await;
    let (status, me, cookie) = app.login("tinhuy", password).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(
        (me["username"].as_str(), me["role"].as_str()),
        (Some("tinhuy"), Some("province_admin"))
    );
    assert_eq!(me["display_name"], "Ban Tuyên giáo Tỉnh ủy");
    let cookie = cookie.expect("a session cookie");
    assert_eq!(
        app.login("tinhuy", &format!("{password}\n")).await.0,
        StatusCode::UNAUTHORIZED
    );

    // …and may do what only the province board may: list accounts, read the audit log.
    let (status, users) = app.get(&cookie, "/api/v1/users").await;
    assert_eq!(status, StatusCode::OK, "{users}");
    assert_eq!(users.as_array().unwrap().len(), 1);
    let (status, log) = app.get(&cookie, "/api/v1/audit?entity=user").await;
    assert_eq!(status, StatusCode::OK, "{log}");
    assert_eq!(log["total"], 1);
    assert_eq!(
        (log["items"][0]["action"].as_str(), log["items"][0]["actor"].as_str()),
        (Some("create"), Some("cli"))
    );
}

#[tokio::test]
async fn user_add_takes_a_district_board_scope_by_district_code() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;

    // Act
    let out = roster(
        &app.database_url,
        &[
            "user",
            "add",
            "huyen-d01",
            "--name",
            "Ban Tuyên giáo Thành ủy Sóc Trăng",
            "--role",
            "district_board",
            "--district",
            "D01",
            "--password-stdin",
        ],
        "mật khẩu của huyện\n",
    )
    .await;

    // Assert
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    let board = app.login("huyen-d01", "mật khẩu của huyện").await;
    let me = board.get("/api/v1/me").await.ok(200).clone();
    assert_eq!(
        (me["role"].as_str(), me["district_id"].as_i64()),
        (Some("district_board"), Some(w.d1))
    );
}

#[tokio::test]
async fn user_add_with_an_unknown_role_or_a_short_password_fails_readably() {
    // Arrange
    let (url, _dir) = fresh_database().await;

    // Act
    let bad_role = roster(
        &url,
        &["user", "add", "x", "--name", "X", "--role", "pilot", "--password-stdin"],
        "mật khẩu đủ dài\n",
    )
    .await;
    let short = roster(
        &url,
        &[
            "user",
            "add",
            "x",
            "--name",
            "X",
            "--role",
            "province_admin",
            "--password-stdin",
        ],
        "ngắn\n",
    )
    .await;

    // Assert
    assert!(!bad_role.status.success());
    let stderr = text(&bad_role.stderr);
    assert!(stderr.contains("'pilot'"), "{stderr}");
    assert!(
        stderr.contains("expected one of province_admin, district_board, center_coordinator, lecturer"),
        "{stderr}"
    );
    assert!(!short.status.success());
    let stderr = text(&short.stderr);
    assert!(
        stderr.contains("Mật khẩu cần ít nhất 8 ký tự. / A password needs at least 8 characters."),
        "{stderr}"
    );

    // Nothing was created: no one can sign in as `x`.
    let app = serve(&url).await;
    assert_eq!(app.login("x", "mật khẩu đủ dài").await.0, StatusCode::UNAUTHORIZED);
}

const GOOD_CSV: &str = "\u{feff}STT;Họ và tên;Mã;Loại;Cấp báo cáo viên;Huyện;Chuyên đề;Ngôn ngữ;Điện thoại\r\n\
    1;Nguyễn Thị Lan;GV-0001;Giảng viên kiêm chức, Báo cáo viên;Cấp huyện;Huyện Trần Đề;SC-01, NQ-TW8-XIII;Tiếng Khmer, vi;912345678\r\n\
    2;Trần Văn Đức;GV-0002;Giảng viên chuyên trách;;D01;SC-01;Tiếng Việt;0299 3822 111\r\n";

#[tokio::test]
async fn import_people_prints_the_counts_and_imports_the_file() {
    // Arrange: districts and topics the file refers to.
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    let (_dir, path) = file("danh-sach.csv", GOOD_CSV.as_bytes());

    // Act
    let first = roster(&app.database_url, &["import", "people", &path], "").await;
    let second = roster(&app.database_url, &["import", "people", &path], "").await;

    // Assert
    assert!(first.status.success(), "stderr: {}", text(&first.stderr));
    assert_eq!(
        text(&first.stdout).trim(),
        "Đã nhập / imported: 2 mới / created, 0 cập nhật / updated, 0 không đổi / unchanged."
    );
    assert!(second.status.success(), "stderr: {}", text(&second.stderr));
    assert_eq!(
        text(&second.stdout).trim(),
        "Đã nhập / imported: 0 mới / created, 0 cập nhật / updated, 2 không đổi / unchanged."
    );
    let people = people(&admin).await;
    assert_eq!(people.len(), 2);
    let lan = people.iter().find(|p| p["code"] == "GV-0001").unwrap();
    assert_eq!(lan["full_name"], "Nguyễn Thị Lan");
    assert_eq!(lan["roles"], json!(["lecturer_part_time", "rapporteur"]));
    assert_eq!(lan["rapporteur_level"], "district");
    assert_eq!(lan["home_district_id"], w.d2);
    assert_eq!(lan["qualification_ids"], json!([w.module, w.resolution]));
    assert_eq!(lan["languages"], json!(["km", "vi"]));
    assert_eq!(lan["phone"], "0912345678");
    let duc = people.iter().find(|p| p["code"] == "GV-0002").unwrap();
    assert_eq!(
        (duc["home_district_id"].as_i64(), duc["full_name"].as_str()),
        (Some(w.d1), Some("Trần Văn Đức"))
    );
    let log = admin.get("/api/v1/audit?entity=person").await.ok(200).clone();
    assert_eq!(log["total"], 2);
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["action"] == "import" && e["actor"] == "cli")
    );
}

#[tokio::test]
async fn import_people_with_bad_rows_names_each_row_and_column_and_imports_nothing() {
    // Arrange: row 2 is sound, row 3 has an unknown kind, row 4 an unknown district.
    let app = spawn_app().await;
    let admin = app.admin().await;
    world(&admin).await;
    let csv = "Họ và tên,Mã,Loại,Huyện\n\
               Nguyễn Thị Lan,GV-0001,Giảng viên chuyên trách,D01\n\
               Lê Văn Tám,GV-0002,Phóng viên,D01\n\
               Trần Văn Đức,GV-0003,Giảng viên chuyên trách,Huyện Không Có\n";
    let (_dir, path) = file("loi.csv", csv.as_bytes());

    // Act
    let out = roster(&app.database_url, &["import", "people", &path], "").await;

    // Assert
    assert!(!out.status.success());
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("2 dòng có lỗi; chưa nhập dòng nào. / 2 rows have errors; nothing was imported."),
        "{stderr}"
    );
    assert!(
        stderr.contains("dòng 3, cột Loại: «Phóng viên»: không phải loại đã biết"),
        "{stderr}"
    );
    assert!(
        stderr.contains("dòng 4, cột Huyện: «Huyện Không Có»: không có huyện này trong danh mục."),
        "{stderr}"
    );
    assert!(!stderr.contains("dòng 2,"), "{stderr}");
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    assert_eq!(people(&admin).await.len(), 0);
    assert_eq!(admin.get("/api/v1/audit?entity=person").await.ok(200)["total"], 0);
}

#[tokio::test]
async fn import_people_of_a_missing_file_says_which_file() {
    // Arrange
    let (url, _dir) = fresh_database().await;
    let missing = std::env::temp_dir().join("roster-no-such-dir").join("khong-co.xlsx");

    // Act
    let out = roster(&url, &["import", "people", &missing.display().to_string()], "").await;

    // Assert
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains(&format!("reading {}", missing.display())), "{stderr}");
}
