//! `kit-webhooks send`: POST deliveries exactly as Kit does.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::Request;
use kit_webhooks::Signer;
use tokio::net::TcpStream;

use crate::args::{parse_time, SecretArgs};
use crate::{say, Failure, Status};

/// POST deliveries to a URL exactly as Kit does: raw file bytes, the five headers, a fresh signature.
///
/// Prints each answer's status; exits 0 only if every answer was 2xx.
#[derive(clap::Args)]
#[command(after_help = "Example:\n  \
    kit-webhooks send --url http://127.0.0.1:8787/ --secret whsec_test tests/fixtures/valid/*.json")]
pub struct Args {
    /// Where to POST (http:// only; this is for testing your own endpoint).
    #[arg(long)]
    url: String,
    #[command(flatten)]
    secret: SecretArgs,
    /// Sign at this time (RFC 3339) instead of now.
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    timestamp: Option<DateTime<Utc>>,
    /// The deliveries to send.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
}

pub fn run(args: &Args) -> Result<Status, Failure> {
    send(&args.url, &args.secret.secret, args.timestamp, &args.files)
}

/// An `http://host:port/path` target.
pub struct Target {
    authority: String,
    path: String,
}

impl Target {
    pub fn parse(url: &str) -> Result<Self, Failure> {
        let uri: hyper::Uri = url
            .parse()
            .map_err(|e| Failure::Usage(format!("--url {url:?}: {e}")))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some(other) => {
                return Err(Failure::Usage(format!(
                    "--url {url:?}: only http:// is supported (for local testing), not {other}://"
                )))
            }
            None => return Err(Failure::Usage(format!("--url {url:?}: give a full http:// URL"))),
        }
        let authority = uri
            .authority()
            .ok_or_else(|| Failure::Usage(format!("--url {url:?}: no host")))?;
        let authority = if authority.port().is_some() {
            authority.to_string()
        } else {
            format!("{authority}:80")
        };
        let path = uri.path_and_query().map_or("/".to_owned(), ToString::to_string);
        Ok(Target { authority, path })
    }
}

/// Sends each file once, signed at `timestamp` (now when absent), and prints
/// each answer's status.
fn send(
    url: &str,
    secret: &str,
    timestamp: Option<DateTime<Utc>>,
    files: &[PathBuf],
) -> Result<Status, Failure> {
    let target = Target::parse(url)?;
    let signer = Signer::new(secret);
    let mut bodies = Vec::new();
    for file in files {
        let body = std::fs::read(file).map_err(|e| Failure::Io(file.display().to_string(), e))?;
        bodies.push((file.display().to_string(), body));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Io("the async runtime".into(), e))?;
    runtime.block_on(async {
        let mut status = Status::Ok;
        for (name, body) in bodies {
            let at = timestamp.unwrap_or_else(Utc::now);
            match post(&target, &signer, at, body).await {
                Ok((code, reply)) => {
                    let reply = reply.trim();
                    let line = if reply.is_empty() {
                        format!("{name}: {code}")
                    } else {
                        format!("{name}: {code} {reply}")
                    };
                    say(&line)?;
                    if !(200..300).contains(&code) {
                        status = status.max(Status::Invalid);
                    }
                }
                Err(e) => {
                    say(&format!("{name}: failed: {e}"))?;
                    status = status.max(Status::Invalid);
                }
            }
        }
        Ok(status)
    })
}

/// The body's `event`, for `X-Webhook-Event`, as Kit names the event it
/// delivers (empty when the body has none that can be read).
fn event_of(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Peek<'a> {
        #[serde(borrow, default)]
        event: Option<std::borrow::Cow<'a, str>>,
    }
    serde_json::from_slice::<Peek<'_>>(body)
        .ok()
        .and_then(|p| p.event)
        .map(std::borrow::Cow::into_owned)
        .unwrap_or_default()
}

/// POSTs one signed body on a fresh connection; returns the status and the
/// start of the answer's text.
pub async fn post(
    target: &Target,
    signer: &Signer,
    timestamp: DateTime<Utc>,
    body: Vec<u8>,
) -> Result<(u16, String), Box<dyn std::error::Error + Send + Sync>> {
    let stream = TcpStream::connect(&target.authority).await?;
    stream.set_nodelay(true)?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    let connection = tokio::spawn(connection);
    let mut request = Request::post(&target.path).header(hyper::header::HOST, &target.authority);
    for (name, value) in signer.headers(&event_of(&body), timestamp, &body) {
        request = request.header(name, value);
    }
    let response = sender
        .send_request(request.body(Full::new(Bytes::from(body)))?)
        .await?;
    let code = response.status().as_u16();
    let reply = response.into_body().collect().await?.to_bytes();
    drop(sender);
    let _ = connection.await;
    let mut text = String::from_utf8_lossy(&reply[..reply.len().min(200)]).into_owned();
    text = text.replace(['\n', '\r'], " ");
    Ok((code, text))
}
