//! `listen --sink nats://…`: NATS JetStream as the durable sink, shared by
//! every receiver that publishes to the same stream.
//!
//! Each kept delivery is one message: the body byte for byte, on the subject
//! `kit.webhooks.<event>` (quarantined ones on `kit.quarantine.<event>`,
//! with the first error as a header), with `Nats-Msg-Id: <delivery key>`,
//! so that JetStream stores an exact copy delivered to any receiver within
//! the stream's duplicate window once. A 2xx is answered only after
//! JetStream acknowledged the message as stored; no acknowledgement within
//! `--sink-timeout` (a broker down, unreachable or slow) is a 503, and Kit
//! retries. Publishes from concurrent requests are in flight together.

use std::path::PathBuf;
use std::time::Duration;

use async_nats::jetstream::{self, stream};
use async_nats::HeaderMap;

/// The subjects every stream `listen` publishes to must capture.
pub const KEPT: &str = "kit.webhooks";
pub const QUARANTINED: &str = "kit.quarantine";
/// The last token of the subject of an event whose name is not a valid
/// sequence of subject tokens (or a delivery without one).
pub const FALLBACK: &str = "_invalid";

/// The NATS options of `listen`.
#[derive(clap::Args, Clone)]
pub struct NatsArgs {
    /// Keep deliveries in NATS JetStream instead of files: the seed servers
    /// of the broker or cluster (nats://HOST:PORT or tls://HOST:PORT;
    /// repeatable or comma-separated).
    #[arg(long = "sink", value_name = "URL", value_delimiter = ',', conflicts_with_all = ["out", "quarantine", "dedupe"])]
    pub servers: Vec<String>,
    /// The JetStream stream (created when missing, with file storage).
    #[arg(
        long,
        value_name = "NAME",
        default_value = "KIT_WEBHOOKS",
        requires = "servers"
    )]
    pub stream: String,
    /// Replicas of a stream `listen` creates.
    #[arg(long, value_name = "N", default_value_t = 1, requires = "servers")]
    pub replicas: usize,
    /// The duplicate window of a stream `listen` creates, in seconds: an
    /// exact copy of a delivery stored within it is stored once.
    #[arg(long, value_name = "SECONDS", default_value_t = 86_400, requires = "servers")]
    pub dedupe_window: u64,
    /// How long to wait for JetStream's acknowledgement before answering
    /// 503, in seconds (Kit gives up on a request after 30).
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0, requires = "servers")]
    pub sink_timeout: f64,
    /// A NATS credentials file (JWT and NKey seed).
    #[arg(long, value_name = "FILE", requires = "servers")]
    pub nats_creds: Option<PathBuf>,
    /// A NATS authentication token.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "KIT_NATS_TOKEN",
        hide_env_values = true,
        requires = "servers"
    )]
    pub nats_token: Option<String>,
    /// A CA certificate (PEM) to trust for tls:// servers.
    #[arg(long, value_name = "FILE", requires = "servers")]
    pub nats_ca: Option<PathBuf>,
}

impl std::fmt::Debug for NatsArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsArgs")
            .field("servers", &self.servers)
            .field("stream", &self.stream)
            .field("nats_token", &self.nats_token.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// What JetStream said of a publish.
pub enum Stored {
    /// Stored now.
    New,
    /// A copy with the same key was stored within the duplicate window.
    Duplicate,
}

/// The stream, through one connection.
pub struct NatsSink {
    client: async_nats::Client,
    js: jetstream::Context,
    timeout: Duration,
}

impl NatsSink {
    /// Connects to the seed servers and makes sure the stream exists and
    /// captures both subjects.
    pub async fn connect(args: &NatsArgs) -> Result<NatsSink, String> {
        let timeout = Duration::from_secs_f64(args.sink_timeout.max(0.001));
        let mut options = async_nats::ConnectOptions::new()
            .connection_timeout(timeout)
            .name("kit-webhooks listen");
        if let Some(creds) = &args.nats_creds {
            options = options
                .credentials_file(creds)
                .await
                .map_err(|e| format!("--nats-creds {}: {e}", creds.display()))?;
        }
        if let Some(token) = &args.nats_token {
            options = options.token(token.clone());
        }
        if let Some(ca) = &args.nats_ca {
            options = options.add_root_certificates(ca.clone()).require_tls(true);
        }
        let servers: Vec<async_nats::ServerAddr> = args
            .servers
            .iter()
            .map(|s| s.trim().parse().map_err(|e| format!("--sink {s}: {e}")))
            .collect::<Result<_, _>>()?;
        let client = async_nats::connect_with_options(servers, options)
            .await
            .map_err(|e| format!("--sink {}: {e}", args.servers.join(",")))?;
        let mut js = jetstream::new(client.clone());
        js.set_timeout(timeout);
        ensure_stream(&js, args).await?;
        Ok(NatsSink { client, js, timeout })
    }

    /// Publishes one delivery and waits for JetStream to store it.
    pub async fn publish(
        &self,
        subject: String,
        headers: HeaderMap,
        body: bytes::Bytes,
    ) -> Result<Stored, String> {
        // No broker to acknowledge: say so now rather than at the deadline.
        // (The client reconnects by itself; service resumes with it.)
        if self.client.connection_state() != async_nats::connection::State::Connected {
            return Err("not connected to the broker".into());
        }
        let stored = tokio::time::timeout(self.timeout, async {
            let ack = self
                .js
                .publish_with_headers(subject, headers, body)
                .await
                .map_err(|e| e.to_string())?;
            ack.await.map_err(|e| e.to_string())
        })
        .await
        .map_err(|_| format!("no acknowledgement from JetStream within {:?}", self.timeout))??;
        Ok(if stored.duplicate {
            Stored::Duplicate
        } else {
            Stored::New
        })
    }
}

/// The existing stream, checked to capture both subjects, or a new one.
async fn ensure_stream(js: &jetstream::Context, args: &NatsArgs) -> Result<(), String> {
    let wanted = [format!("{KEPT}.>"), format!("{QUARANTINED}.>")];
    match js.get_stream(&args.stream).await {
        Ok(mut existing) => {
            let info = existing
                .info()
                .await
                .map_err(|e| format!("stream {}: {e}", args.stream))?;
            for subject in &wanted {
                if !info.config.subjects.iter().any(|filter| covers(filter, subject)) {
                    return Err(format!(
                        "stream {} does not capture {subject} (its subjects: {:?}); add it, or name another stream with --stream",
                        args.stream, info.config.subjects
                    ));
                }
            }
            eprintln!("kit-webhooks listen: using the existing stream {}", args.stream);
            Ok(())
        }
        Err(e)
            if matches!(
                e.kind(),
                jetstream::context::GetStreamErrorKind::JetStream(ref error)
                    if error.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND
            ) =>
        {
            let config = stream::Config {
                name: args.stream.clone(),
                subjects: wanted.to_vec(),
                storage: stream::StorageType::File,
                num_replicas: args.replicas,
                duplicate_window: Duration::from_secs(args.dedupe_window),
                ..Default::default()
            };
            js.create_stream(config)
                .await
                .map_err(|e| format!("creating stream {}: {e}", args.stream))?;
            eprintln!(
                "kit-webhooks listen: created the stream {} ({} replicas, duplicate window {} s)",
                args.stream, args.replicas, args.dedupe_window
            );
            Ok(())
        }
        Err(e) => Err(format!("stream {}: {e}", args.stream)),
    }
}

/// Whether the subject filter `filter` captures every subject `wanted`
/// (which may end in `>`) captures.
pub fn covers(filter: &str, wanted: &str) -> bool {
    let (filter, wanted): (Vec<&str>, Vec<&str>) = (filter.split('.').collect(), wanted.split('.').collect());
    for (i, want) in wanted.iter().enumerate() {
        match filter.get(i) {
            Some(&">") => return true,
            None => return false,
            Some(&"*") if *want != ">" => {}
            Some(token) if token == want && *want != ">" => {}
            _ => return false,
        }
    }
    filter.len() == wanted.len()
}

/// `prefix.<event>`, or `prefix._invalid` when the event name is not a
/// sequence of valid subject tokens (no empty token, no white space, no
/// `*` or `>`).
pub fn subject(prefix: &str, event: Option<&str>) -> String {
    let valid = |name: &str| {
        !name.is_empty()
            && name.len() <= 128
            && name.split('.').all(|token| {
                !token.is_empty()
                    && token
                        .chars()
                        .all(|c| !c.is_whitespace() && !c.is_control() && c != '*' && c != '>')
            })
    };
    match event {
        Some(name) if valid(name) => format!("{prefix}.{name}"),
        _ => format!("{prefix}.{FALLBACK}"),
    }
}

/// A header value: control characters replaced, at most 1 KiB.
pub fn header_value(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if out.len() > 1024 {
        let mut cut = 1024;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_cover_what_they_should() {
        assert!(covers("kit.webhooks.>", "kit.webhooks.>"));
        assert!(covers("kit.>", "kit.webhooks.>"));
        assert!(covers(">", "kit.quarantine.>"));
        assert!(covers("kit.*.>", "kit.quarantine.>"));
        assert!(!covers("kit.webhooks.*", "kit.webhooks.>"));
        assert!(!covers("kit.webhooks", "kit.webhooks.>"));
        assert!(!covers("kit.quarantine.>", "kit.webhooks.>"));
    }

    #[test]
    fn subjects_fall_back_for_names_that_are_not_tokens() {
        assert_eq!(
            subject(KEPT, Some("offer.accepted")),
            "kit.webhooks.offer.accepted"
        );
        assert_eq!(
            subject(KEPT, Some("candidate.merged")),
            "kit.webhooks.candidate.merged"
        );
        for bad in ["", "a..b", "a b", "a.*", "a.>", ".a", "a.", "a\tb"] {
            assert_eq!(
                subject(QUARANTINED, Some(bad)),
                "kit.quarantine._invalid",
                "{bad:?}"
            );
        }
        assert_eq!(subject(QUARANTINED, None), "kit.quarantine._invalid");
    }

    #[test]
    fn header_values_are_one_line_and_bounded() {
        assert_eq!(header_value("a\r\nb"), "a  b");
        assert_eq!(header_value(&"é".repeat(1000)).len(), 1024);
    }
}
