//! The HTTP/1 server under `listen`, with the limits a public endpoint needs.
//!
//! axum's `serve` exposes none of hyper's connection settings, so connections
//! are served here with hyper's own `http1::Builder`: its header-read timer
//! (which also closes idle keep-alive connections), its header count and size
//! caps, and hyper-util's graceful shutdown. A semaphore caps the connections
//! open at once: at the cap, `listen` stops accepting, so further connections
//! wait in the kernel's accept queue (oldest first) until one closes.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// The limits `listen` holds every connection to.
#[derive(clap::Args, Clone, Debug)]
pub struct Limits {
    /// Seconds a connection may take to send a whole request head, counted
    /// from when it opens or from the end of its last response. It closes
    /// slow-header clients and idle keep-alive connections alike.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout: u64,
    /// Seconds a request may take to send its whole body once its head is in.
    /// When it runs out the delivery was never received: it is answered 503,
    /// so that a real sender retries, and the connection is closed.
    #[arg(long, value_name = "SECONDS", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    pub body_timeout: u64,
    /// Connections open at once. At the cap no more are accepted: they wait in
    /// the operating system's accept queue until one closes (none is reset).
    #[arg(long, value_name = "N", default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// Header fields a request may carry (more: 431).
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_headers: u32,
    /// Bytes the request line and headers may take together (more: 431).
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024, value_parser = clap::value_parser!(u32).range(1024..))]
    pub max_header_bytes: u32,
}

impl Limits {
    pub fn body_timeout(&self) -> Duration {
        Duration::from_secs(self.body_timeout)
    }

    fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout)
    }
}

/// Warns when `--max-connections` cannot be reached: each connection holds a
/// file descriptor, and the process may open only so many (`ulimit -n`).
/// Past that, accepting fails and the cap protects nothing. Linux only: it
/// reads the soft limit from /proc; elsewhere it says nothing.
pub fn warn_if_over_open_files(limits: &Limits) {
    let Ok(text) = std::fs::read_to_string("/proc/self/limits") else {
        return;
    };
    let soft = text
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|n| n.parse::<u64>().ok());
    // Headroom for the listener, the two output files, standard streams and the runtime.
    if let Some(soft) = soft.filter(|soft| u64::from(limits.max_connections) + 32 > *soft) {
        eprintln!(
            "kit-webhooks listen: warning: --max-connections {} is over what this process may open \
             (ulimit -n is {soft}): raise the limit or lower --max-connections",
            limits.max_connections
        );
    }
}

/// How long a stop waits for requests in flight before it gives up on them
/// (none of those has been answered, so none was acknowledged).
const DRAIN: Duration = Duration::from_secs(5);

/// Serves `router` on `listener` until `stop` completes, then stops
/// accepting, lets requests in flight finish (up to [`DRAIN`]) and returns.
/// `open` counts the open connections, for the metrics.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: &Limits,
    open: Option<std::sync::Arc<std::sync::atomic::AtomicI64>>,
    stop: impl Future<Output = ()>,
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout())
        .max_headers(limits.max_headers as usize)
        .max_header_size(limits.max_header_bytes as usize)
        .keep_alive(true);
    let slots = std::sync::Arc::new(Semaphore::new(limits.max_connections as usize));
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, say: wait, as axum's serve does.
                    eprintln!("kit-webhooks listen: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(router.clone()));
        let connection = graceful.watch(connection);
        let open = open.clone();
        if let Some(open) = &open {
            open.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        tokio::spawn(async move {
            // Timeouts, resets and malformed requests end here; hyper has
            // answered what could be answered.
            let _ = connection.await;
            if let Some(open) = open {
                open.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
            }
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(DRAIN) => {
            eprintln!("kit-webhooks listen: requests still in flight after {DRAIN:?} were dropped unanswered");
        }
    }
}
