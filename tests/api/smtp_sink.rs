//! An SMTP server for the notification tests and benchmark: it keeps every message it is
//! sent, parsed; stopped, it refuses connections until it resumes on the same port.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use roster::notify::{Delivery, Smtp, SmtpSecurity};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A message the SMTP server received.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: String,
}

/// An SMTP server that keeps what it is sent; stopped, it refuses connections.
pub struct SmtpSink {
    pub port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let mut sink = SmtpSink {
            port: 0,
            mails: Arc::default(),
            task: None,
        };
        sink.resume().await;
        sink
    }

    /// Listens (again) on its port.
    pub async fn resume(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.port = listener.local_addr().unwrap().port();
        let mails = self.mails.clone();
        // Sessions belong to the listening task: stopping it closes open connections too.
        self.task = Some(tokio::spawn(async move {
            let mut sessions = tokio::task::JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                while sessions.try_join_next().is_some() {}
                sessions.spawn(smtp_session(stream, mails.clone()));
            }
        }));
    }

    /// Stops listening and closes open connections: connections are refused until it resumes.
    pub fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    /// The messages to `address`.
    pub fn to(&self, address: &str) -> Vec<Mail> {
        self.mails()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == address))
            .collect()
    }

    /// Delivery to this server: `window`, quick retries, two senders, no reminders of its own.
    pub fn delivery(&self, window: Duration) -> Delivery {
        Delivery {
            smtp: Some(Smtp {
                host: "127.0.0.1".into(),
                port: self.port,
                security: SmtpSecurity::None,
                credentials: None,
                from: "Ban Tuyên giáo Tỉnh ủy <lichgiang@tuyengiao.example.vn>".into(),
            }),
            window,
            retry_base: Duration::from_millis(200),
            max_attempts: 30,
            senders: 2,
            // Tests write reminders for the days they choose, not today's.
            reminders: false,
        }
    }
}

async fn smtp_session(stream: tokio::net::TcpStream, mails: Arc<Mutex<Vec<Mail>>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    write.write_all(b"220 sink ESMTP\r\n").await?;
    let mut to = Vec::new();
    loop {
        let mut line = String::new();
        if read.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") {
            b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if command.starts_with("MAIL FROM") {
            to.clear();
            b"250 OK\r\n"
        } else if command.starts_with("RCPT TO") {
            let address = line.trim()[8..].trim().trim_start_matches('<');
            to.push(address.split('>').next().unwrap_or_default().to_string());
            b"250 OK\r\n"
        } else if command.starts_with("DATA") {
            write.write_all(b"354 go on\r\n").await?;
            let mut raw = Vec::new();
            loop {
                let mut data = Vec::new();
                read.read_until(b'\n', &mut data).await?;
                if data.is_empty() || data == b".\r\n" {
                    break;
                }
                raw.extend_from_slice(data.strip_prefix(b".").unwrap_or(&data));
            }
            let parsed = mail_parser::MessageParser::default()
                .parse(&raw)
                .expect("a parsable message");
            mails.lock().unwrap().push(Mail {
                to: to.clone(),
                subject: parsed.subject().unwrap_or_default().to_string(),
                text: parsed.body_text(0).unwrap_or_default().to_string(),
                html: parsed.body_html(0).unwrap_or_default().to_string(),
                message_id: parsed.message_id().unwrap_or_default().to_string(),
            });
            b"250 queued\r\n"
        } else if command.starts_with("QUIT") {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"250 OK\r\n"
        };
        write.write_all(reply).await?;
    }
}
