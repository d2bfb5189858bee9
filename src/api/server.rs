//! Serving: a bound listener, HTTP/1.1 connections with read timeouts, graceful shutdown, and
//! beside them the solve-run worker and the notification sender.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower_http::add_extension::AddExtension;

use super::{AppState, app};

/// How long a slow or silent client may hold a connection.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// From the first byte of a request, or from the end of the last one on a kept-alive
    /// connection (the idle timeout), to the end of its headers.
    pub headers: Duration,
    /// Between two pieces of a request body.
    pub body: Duration,
    /// For a whole request, body and handler (408 after it).
    pub request: Duration,
    /// For open requests to finish at shutdown.
    pub drain: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            headers: Duration::from_secs(10),
            body: Duration::from_secs(10),
            request: Duration::from_secs(60),
            drain: Duration::from_secs(30),
        }
    }
}

/// A bound listener and the application; port 0 picks a free port (as the tests do).
pub struct Server {
    listener: TcpListener,
    state: AppState,
    worker: bool,
    timeouts: Timeouts,
}

impl Server {
    pub async fn bind(addr: &str, state: AppState) -> anyhow::Result<Server> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
        Ok(Server {
            listener,
            state,
            worker: true,
            timeouts: Timeouts::default(),
        })
    }

    /// Serves the API only: solve runs and notifications wait in their queues for another
    /// instance's worker and sender.
    pub fn without_worker(mut self) -> Server {
        self.worker = false;
        self
    }

    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Server {
        self.timeouts = timeouts;
        self
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Serves, with a solve-run worker beside unless turned off, until `shutdown` completes;
    /// then lets open requests finish (for [`Timeouts::drain`] at most) and hands a run being
    /// solved back to the queue.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let stop = Arc::new(AtomicBool::new(false));
        let worker = self.worker.then(|| {
            tokio::spawn(crate::scheduling::worker::run(
                self.state.db.clone(),
                self.state.runs_queued.clone(),
                stop.clone(),
            ))
        });
        let sender = self.worker.then(|| {
            tokio::spawn(crate::notify::sender::run(
                self.state.db.clone(),
                self.state.delivery.as_ref().clone(),
                self.state.public_url.clone(),
                stop.clone(),
            ))
        });
        let router = app(self.state.clone(), self.timeouts);
        let mut http = http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(self.timeouts.headers)
            .max_headers(super::limits::HYPER_MAX_HEADERS);
        let connections = GracefulShutdown::new();
        tokio::pin!(shutdown);
        loop {
            let (stream, peer) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors, mostly: wait for some to close.
                        tracing::warn!("accepting a connection: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let service = TowerToHyperService::new(AddExtension::new(router.clone(), ConnectInfo(peer)));
            let connection = connections.watch(http.serve_connection(TokioIo::new(stream), service));
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::debug!("connection from {peer}: {e}");
                }
            });
        }
        drop(self.listener);
        stop.store(true, Ordering::Relaxed);
        self.state.runs_queued.notify_waiters();
        if tokio::time::timeout(self.timeouts.drain, connections.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("requests still open at shutdown were cut");
        }
        if let Some(worker) = worker
            && let Err(e) = worker.await
        {
            tracing::error!("the solve-run worker stopped: {e}");
        }
        if let Some(sender) = sender
            && let Err(e) = sender.await
        {
            tracing::error!("the notification sender stopped: {e}");
        }
        Ok(())
    }
}
