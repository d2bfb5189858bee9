//! The command line: `roster serve`, `roster user add`, `roster import people`.

use std::io::BufRead;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::api::{AppState, Server, shutdown_signal};
use crate::auth::AuthUser;
use crate::auth::users::{self, NewUser};
use crate::db::Db;
use crate::error::ApiError;
use crate::notify::{Delivery, Smtp, SmtpSecurity};
use crate::vocab::UserRole;

#[derive(Debug, Parser)]
#[command(
    name = "roster",
    version,
    about = "Giảng viên, báo cáo viên và lịch giảng / Lecturers, rapporteurs and their schedules"
)]
pub struct Cli {
    /// Database: sqlite://FILE (created if missing) or postgres://USER@HOST/NAME.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://roster.db", global = true)]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    #[command(flatten)]
    Database(DatabaseCommand),
    #[command(flatten)]
    Schedule(ScheduleCommand),
}

/// Commands that work on the database.
#[derive(Debug, Subcommand)]
enum DatabaseCommand {
    /// Run the service.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "ROSTER_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// The address users reach the service at, for the calendar links it hands out
        /// (default: the host each request came to, over http).
        #[arg(long, env = "ROSTER_PUBLIC_URL")]
        public_url: Option<String>,
        /// Load the demo province into an empty database and print the demo logins.
        #[arg(long)]
        demo: bool,
        /// Serve the API only and leave solve runs and notifications to other instances sharing
        /// the database.
        #[arg(long, env = "ROSTER_NO_WORKER")]
        no_worker: bool,
        #[command(flatten)]
        mail: MailArgs,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Import from spreadsheets.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
}

/// How notifications are delivered by e-mail.
#[derive(Debug, clap::Args)]
struct MailArgs {
    /// The mail server notifications are sent through (none: e-mail is not sent).
    #[arg(long, env = "ROSTER_SMTP_HOST")]
    smtp_host: Option<String>,
    /// Its port: 587 for STARTTLS, 465 for TLS.
    #[arg(long, env = "ROSTER_SMTP_PORT", default_value_t = 587)]
    smtp_port: u16,
    /// starttls, tls, or none (only for a relay on this machine).
    #[arg(long, env = "ROSTER_SMTP_SECURITY", value_enum, default_value_t = SmtpSecurity::Starttls)]
    smtp_security: SmtpSecurity,
    #[arg(long, env = "ROSTER_SMTP_USER")]
    smtp_user: Option<String>,
    /// Better given in the environment than on the command line.
    #[arg(long, env = "ROSTER_SMTP_PASSWORD", hide_env_values = true)]
    smtp_password: Option<String>,
    /// The sender, e.g. "Ban Tuyên giáo Tỉnh ủy <lichgiang@tuyengiao.example.vn>".
    #[arg(long, env = "ROSTER_SMTP_FROM")]
    smtp_from: Option<String>,
    /// Seconds a message waits so that changes soon after go in the same message.
    #[arg(long, env = "ROSTER_NOTIFY_WINDOW", default_value_t = 120)]
    notify_window: u64,
}

impl MailArgs {
    fn delivery(self) -> anyhow::Result<Delivery> {
        let smtp = match self.smtp_host {
            None => None,
            Some(host) => {
                let Some(from) = self.smtp_from else {
                    bail!("--smtp-from is needed with --smtp-host: the address messages are sent from");
                };
                from.parse::<lettre::message::Mailbox>()
                    .map_err(|e| anyhow::anyhow!("--smtp-from {from:?} is not an address: {e}"))?;
                let credentials = match (self.smtp_user, self.smtp_password) {
                    (Some(user), Some(password)) => Some((user, password)),
                    (None, None) => None,
                    _ => bail!("--smtp-user and --smtp-password go together"),
                };
                Some(Smtp {
                    host,
                    port: self.smtp_port,
                    security: self.smtp_security,
                    credentials,
                    from,
                })
            }
        };
        Ok(Delivery {
            smtp,
            window: std::time::Duration::from_secs(self.notify_window),
            ..Delivery::default()
        })
    }
}

/// Commands on scheduling files; they need no database.
#[derive(Debug, Subcommand)]
enum ScheduleCommand {
    /// Solve a roster-problem/1 file; writes a roster-solution/1 file.
    Solve {
        problem: PathBuf,
        /// Where to write the solution (standard output when absent).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Seconds; overrides the problem's time_limit_seconds.
        #[arg(long)]
        time_limit: Option<f64>,
        /// Threads for HiGHS.
        #[arg(long, default_value_t = 2)]
        threads: u32,
    },
    /// Check a solution against its problem; exits 1 on any violation.
    Check { problem: PathBuf, solution: PathBuf },
    /// Write a realistic province problem (10 districts) for tests and benchmarks.
    GenerateProblem {
        #[arg(long)]
        people: usize,
        #[arg(long)]
        sessions: usize,
        #[arg(long, default_value_t = 1)]
        months: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// plain: modules of two half-days; harder: longer modules, pins, a published plan to
        /// keep and sessions nobody may take; tight: harder, with few qualifications per person.
        #[arg(long, value_enum, default_value_t = Shape::Plain)]
        shape: Shape,
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Shape {
    Plain,
    Harder,
    Tight,
}

impl From<Shape> for roster_solver::generate::Shape {
    fn from(shape: Shape) -> Self {
        match shape {
            Shape::Plain => Self::Plain,
            Shape::Harder => Self::Harder,
            Shape::Tight => Self::Tight,
        }
    }
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account, e.g. the first `province_admin`. Asks for the password.
    Add {
        username: String,
        /// The name shown in the service, e.g. "Ban Tuyên giáo Tỉnh ủy".
        #[arg(long)]
        name: String,
        /// province_admin, district_board, center_coordinator or lecturer.
        #[arg(long, value_parser = parse_role)]
        role: UserRole,
        /// District code, for a district_board account.
        #[arg(long)]
        district: Option<String>,
        /// Center code, for a center_coordinator account.
        #[arg(long)]
        center: Option<String>,
        /// Person code, for a lecturer account.
        #[arg(long)]
        person: Option<String>,
        /// Read the password from the first line of standard input instead of asking.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Import people from an XLSX or CSV file with the template's Vietnamese headers.
    People { file: PathBuf },
}

fn parse_role(text: &str) -> Result<UserRole, String> {
    UserRole::parse(text).ok_or_else(|| {
        let all: Vec<&str> = UserRole::ALL.iter().map(|r| r.as_str()).collect();
        format!("expected one of {}", all.join(", "))
    })
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        match self.command {
            Command::Schedule(command) => command.run(),
            Command::Database(command) => {
                let db = Db::connect(&self.database_url)
                    .await
                    .with_context(|| format!("opening {}", self.database_url))?;
                let result = command.run(&db).await;
                db.close().await;
                result
            }
        }
    }
}

impl ScheduleCommand {
    fn run(self) -> anyhow::Result<()> {
        match self {
            ScheduleCommand::Solve {
                problem,
                output,
                time_limit,
                threads,
            } => crate::schedule_cli::solve(&problem, output.as_deref(), time_limit, threads),
            ScheduleCommand::Check { problem, solution } => crate::schedule_cli::check(&problem, &solution),
            ScheduleCommand::GenerateProblem {
                people,
                sessions,
                months,
                seed,
                shape,
                output,
            } => {
                let size = roster_solver::generate::Size {
                    people,
                    sessions,
                    months,
                    seed,
                };
                crate::schedule_cli::generate(size, shape.into(), output.as_deref())
            }
        }
    }
}

impl DatabaseCommand {
    async fn run(self, db: &Db) -> anyhow::Result<()> {
        match self {
            DatabaseCommand::Serve {
                listen,
                public_url,
                demo,
                no_worker,
                mail,
            } => serve(db, &listen, public_url, demo, no_worker, mail.delivery()?).await,
            DatabaseCommand::User {
                command:
                    UserCommand::Add {
                        username,
                        name,
                        role,
                        district,
                        center,
                        person,
                        password_stdin,
                    },
            } => {
                let password = read_password(password_stdin)?;
                let new = NewUser {
                    username,
                    display_name: name,
                    password,
                    role,
                    district_id: id_of(db, "district", district.as_deref()).await?,
                    center_id: id_of(db, "center", center.as_deref()).await?,
                    person_id: id_of(db, "person", person.as_deref()).await?,
                };
                let user = db
                    .write(async |c| users::create(c, &AuthUser::system("cli"), new).await)
                    .await
                    .map_err(readable)?;
                println!(
                    "Đã tạo tài khoản «{}» ({}) / account created.",
                    user.username,
                    role.as_str()
                );
                Ok(())
            }
            DatabaseCommand::Import {
                command: ImportCommand::People { file },
            } => {
                let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
                let report = crate::import::import(db, &AuthUser::system("cli"), bytes)
                    .await
                    .map_err(readable)?;
                println!(
                    "Đã nhập / imported: {} mới / created, {} cập nhật / updated, {} không đổi / unchanged.",
                    report.created, report.updated, report.unchanged
                );
                Ok(())
            }
        }
    }
}

async fn serve(
    db: &Db,
    listen: &str,
    public_url: Option<String>,
    demo: bool,
    no_worker: bool,
    delivery: Delivery,
) -> anyhow::Result<()> {
    let logins = if demo { Some(crate::demo::load(db).await?) } else { None };
    if public_url.is_none() {
        tracing::warn!(
            "no --public-url: calendar links are handed out only to browsers on this machine \
             (localhost); in production, set it to the address users reach the service at"
        );
    }
    if delivery.smtp.is_none() {
        tracing::warn!("no --smtp-host: notifications are not sent by e-mail");
    }
    let state = AppState::new(db.clone())
        .with_public_url(public_url)
        .with_delivery(delivery);
    let mut server = Server::bind(listen, state).await?;
    if no_worker {
        server = server.without_worker();
    }
    let url = format!("http://{}", server.local_addr());
    println!("Roster: {url}  (API: {url}/api/v1, tài liệu / docs: {url}/api/docs)");
    if let Some(logins) = logins {
        println!("Tài khoản thử / demo logins:");
        for (username, password, what) in logins {
            println!("  {username:<14} {password:<16} {what}");
        }
    }
    server.run(shutdown_signal()).await
}

/// The id of the row of `table` with this code.
async fn id_of(db: &Db, table: &'static str, code: Option<&str>) -> anyhow::Result<Option<i64>> {
    let Some(code) = code else { return Ok(None) };
    let id = db
        .read(async |c| crate::references::id_by_code(c, table, code).await)
        .await?;
    match id {
        Some(id) => Ok(Some(id)),
        None => bail!("no {table} with code {code:?}"),
    }
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password("Mật khẩu / password: ")?;
    let again = rpassword::prompt_password("Nhập lại / again: ")?;
    if first != again {
        bail!("the two passwords differ");
    }
    Ok(first)
}

/// An API error as command-line text, with every row of a rejected import.
fn readable(e: ApiError) -> anyhow::Error {
    let mut text = format!("{} / {}", e.vi, e.en);
    if let Some(field) = &e.field {
        text.push_str(&format!(" [{field}]"));
    }
    if let Some(rows) = e.errors.as_ref().and_then(|v| v.as_array()) {
        for r in rows {
            let at = match (r.get("row"), r.get("column")) {
                (Some(row), Some(col)) => format!("dòng {row}, cột {}", col.as_str().unwrap_or("")),
                _ => r.get("field").and_then(|f| f.as_str()).unwrap_or("").to_string(),
            };
            let message = r
                .get("message")
                .or_else(|| r.get("detail"))
                .and_then(|m| m.as_str())
                .unwrap_or("");
            text.push_str(&format!("\n  {at}: {message}"));
        }
    }
    anyhow::anyhow!(text)
}
