//! The files `listen` keeps deliveries in and `replay` moves them between:
//! `--out` (one payload per line) and the quarantine (one JSON record per
//! line, the body in `body` or `body_base64`). Each is held under an
//! exclusive lock by the one process that writes it.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use base64::Engine as _;

/// Opens `path` for appending, under an exclusive lock (`who` is named when
/// another process holds it). A torn last line (from a process killed in the
/// middle of a write, so never acknowledged) is cut off first, so that lines
/// appended after a restart stay whole.
pub fn open_for_append(path: &Path, who: &str) -> io::Result<File> {
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)?;
    lock(&file)?;
    let len = file.metadata()?.len();
    if len > 0 {
        let mut keep = len;
        let mut buf = [0u8; 4096];
        loop {
            let start = keep.saturating_sub(buf.len() as u64);
            let n = usize::try_from(keep - start).unwrap_or(buf.len());
            file.seek(SeekFrom::Start(start))?;
            file.read_exact(&mut buf[..n])?;
            if let Some(i) = buf[..n].iter().rposition(|&b| b == b'\n') {
                keep = start + i as u64 + 1;
                break;
            }
            if start == 0 {
                keep = 0;
                break;
            }
            keep = start;
        }
        if keep != len {
            eprintln!(
                "kit-webhooks {who}: {}: cut off a torn last line ({} bytes, never acknowledged)",
                path.display(),
                len - keep
            );
            file.set_len(keep)?;
            file.sync_data()?;
        }
    }
    Ok(file)
}

/// Takes the exclusive lock of `file`, or says who may hold it.
pub fn lock(file: &File) -> io::Result<()> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => Err(io::Error::new(
            io::ErrorKind::WouldBlock,
            "another process holds this file (a `kit-webhooks listen` or `replay` on it?)",
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// The delivery's payload on one line, as `--out` holds it. A valid body
/// holds no raw newline inside a string, so replacing line breaks by spaces
/// changes only whitespace.
pub fn payload_line(body: &[u8]) -> Vec<u8> {
    body.iter()
        .map(|&b| if b == b'\n' || b == b'\r' { b' ' } else { b })
        .collect()
}

/// The body a quarantine record holds.
pub fn quarantined_body(record: &[u8]) -> Option<Vec<u8>> {
    let record: serde_json::Value = serde_json::from_slice(record).ok()?;
    match (record.get("body"), record.get("body_base64")) {
        (Some(serde_json::Value::String(text)), _) => Some(text.clone().into_bytes()),
        (_, Some(serde_json::Value::String(encoded))) => {
            base64::engine::general_purpose::STANDARD.decode(encoded).ok()
        }
        _ => None,
    }
}
