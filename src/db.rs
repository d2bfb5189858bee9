//! Storage: an embedded SQLite file by default, PostgreSQL when the URL says so.
//!
//! SQL is written once in the dialect both accept (`$1` placeholders, `RETURNING`,
//! `ON CONFLICT`); the [`on!`](crate::on) macro runs one body against whichever backend is in use.

use std::str::FromStr;

use chrono::{DateTime, Utc};

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

/// A connection pool on one of the two supported backends.
#[derive(Clone, Debug)]
pub enum Db {
    /// Reads on a pool of connections; writes one at a time on a connection of their own,
    /// waiting their turn in order. SQLite lets one writer in at a time anyway, and a writer
    /// waiting in SQLite's busy handler would hold one of the readers' connections meanwhile.
    Sqlite {
        reads: SqlitePool,
        writes: SqlitePool,
    },
    Postgres(PgPool),
}

/// A borrowed connection (or transaction) on either backend; see [`on!`](crate::on).
pub enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

impl Conn<'_> {
    /// The same connection for a shorter borrow, to pass on and keep using.
    pub fn reborrow(&mut self) -> Conn<'_> {
        match self {
            Conn::Sqlite(c) => Conn::Sqlite(c),
            Conn::Postgres(c) => Conn::Postgres(c),
        }
    }
}

/// Runs `$body` with `$c` bound to the backend's connection and the type `DB` naming the
/// backend, so one query text serves both.
#[macro_export]
macro_rules! on {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::Conn::Sqlite($c) => {
                #[allow(dead_code)]
                type DB = sqlx::Sqlite;
                $body
            }
            $crate::db::Conn::Postgres($c) => {
                #[allow(dead_code)]
                type DB = sqlx::Postgres;
                $body
            }
        }
    };
}

/// A pooled connection, for reads.
pub enum PooledConn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl PooledConn {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            PooledConn::Sqlite(c) => Conn::Sqlite(c),
            PooledConn::Postgres(c) => Conn::Postgres(c),
        }
    }
}

/// A transaction, for writes: everything in it lands together or not at all.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) => Conn::Sqlite(t),
            Tx::Postgres(t) => Conn::Postgres(t),
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }
}

impl Db {
    /// Opens the database the URL names (`sqlite://…` or `postgres://…`), creating an SQLite
    /// file if it is missing, and brings its schema up to date.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        let db = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            // A write waits for a lock as long as SQLite's busy timeout, then is told `busy`.
            let options = PgConnectOptions::from_str(url)?.options([("lock_timeout", "10s")]);
            Db::Postgres(PgPoolOptions::new().max_connections(10).connect_with(options).await?)
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .foreign_keys(true)
                .busy_timeout(std::time::Duration::from_secs(10));
            // The writer waits for its turn as long as a write waits for a lock on PostgreSQL.
            let writes = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(std::time::Duration::from_secs(10))
                .connect_with(options.clone())
                .await?;
            let reads = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await?;
            Db::Sqlite { reads, writes }
        } else {
            anyhow::bail!("unsupported database URL {url:?}: use sqlite://FILE or postgres://USER@HOST/NAME");
        };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Db::Sqlite { writes, .. } => sqlx::migrate!("migrations/sqlite").run(writes).await?,
            Db::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// A connection for reads (on SQLite, a write through it waits in SQLite's busy handler).
    pub async fn acquire(&self) -> Result<PooledConn, sqlx::Error> {
        Ok(match self {
            Db::Sqlite { reads, .. } => PooledConn::Sqlite(reads.acquire().await?),
            Db::Postgres(p) => PooledConn::Postgres(p.acquire().await?),
        })
    }

    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            // IMMEDIATE takes the write lock up front, so a transaction that reads and then
            // writes never fails on a lock upgrade; other writers wait for `busy_timeout`.
            Db::Sqlite { writes, .. } => Tx::Sqlite(writes.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Runs one write (one operation of a feature module, which records itself in the audit
    /// log) in a transaction, and commits it if it succeeds: all of it lands, or none.
    pub async fn write<T, E: From<sqlx::Error>>(
        &self,
        write: impl AsyncFnOnce(Conn<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut tx = self.begin().await?;
        let done = write(tx.conn()).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// Runs one read on a pooled connection.
    pub async fn read<T, E: From<sqlx::Error>>(
        &self,
        read: impl AsyncFnOnce(Conn<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.acquire().await?;
        read(conn.conn()).await
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { reads, writes } => {
                reads.close().await;
                writes.close().await;
            }
            Db::Postgres(p) => p.close().await,
        }
    }
}

/// Now, to the second: timestamps are stored and compared at that granularity.
/// `$1, $2, …, $n`: the placeholders of an `IN (…)` list of `n` values (both backends read
/// `$n`). Callers keep `n` in the hundreds, well under either backend's limit.
pub fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    t - chrono::Duration::nanoseconds(i64::from(t.timestamp_subsec_nanos()))
}
