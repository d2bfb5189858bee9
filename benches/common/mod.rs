//! What the benchmarks share: a fresh database (a SQLite file, or a new database on the
//! PostgreSQL server in `ROSTER_BENCH_POSTGRES`), the service on loopback, and signing in.

use roster::api::AppState;
use roster::api::Server;
use roster::db::Db;
use serde_json::json;

pub struct BenchDb {
    pub db: Db,
    /// "SQLite" or "PostgreSQL", for the report.
    pub backend: &'static str,
    /// The PostgreSQL server and the database made on it, dropped by [`BenchDb::finish`].
    postgres: Option<(sqlx::PgPool, String)>,
    _dir: tempfile::TempDir,
}

impl BenchDb {
    /// A new, migrated database named after the benchmark and this process.
    pub async fn fresh(bench: &str) -> BenchDb {
        let dir = tempfile::tempdir().unwrap();
        let name = format!("roster_bench_{bench}_{}", std::process::id());
        let (url, backend, postgres) = match std::env::var("ROSTER_BENCH_POSTGRES") {
            Ok(server) => {
                let admin = sqlx::PgPool::connect(&server).await.unwrap();
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&admin)
                    .await
                    .unwrap();
                let url = format!("{}/{name}", server.rsplit_once('/').unwrap().0);
                (url, "PostgreSQL", Some((admin, name)))
            }
            Err(_) => (
                format!("sqlite://{}", dir.path().join("bench.db").display()),
                "SQLite",
                None,
            ),
        };
        BenchDb {
            db: Db::connect(&url).await.unwrap(),
            backend,
            postgres,
            _dir: dir,
        }
    }

    /// Closes the database and drops it from the PostgreSQL server (a SQLite file goes with
    /// its folder).
    pub async fn finish(self) {
        self.db.close().await;
        if let Some((admin, name)) = self.postgres {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&admin)
            .await
            .unwrap();
        }
    }
}

/// Serves the application with this state on a free loopback port; gives its base URL.
pub async fn serve(state: AppState) -> String {
    let server = Server::bind("127.0.0.1:0", state).await.unwrap();
    let base = format!("http://{}", server.local_addr());
    tokio::spawn(server.run(std::future::pending()));
    base
}

/// Signs in through the API; gives the session cookie to send.
pub async fn sign_in(client: &reqwest::Client, base: &str, username: &str, password: &str) -> String {
    let login = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}
