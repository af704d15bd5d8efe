//! Reading deliveries from files or standard input, never holding much more
//! than the size limit.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// One input: a file or standard input, with its display name.
pub struct Input {
    pub name: String,
    pub reader: Box<dyn BufRead + Send>,
}

/// Opens a file, or standard input for `None` or `-`.
pub fn open(path: Option<&Path>) -> io::Result<Input> {
    match path {
        None => Ok(Input {
            name: "-".into(),
            reader: Box::new(BufReader::with_capacity(1 << 16, io::stdin())),
        }),
        Some(p) if p.as_os_str() == "-" => open(None),
        Some(p) => {
            let file = File::open(p)?;
            if file.metadata()?.is_dir() {
                return Err(io::Error::new(io::ErrorKind::InvalidInput, "is a directory"));
            }
            Ok(Input {
                name: p.display().to_string(),
                reader: Box::new(BufReader::with_capacity(1 << 16, file)),
            })
        }
    }
}

/// The display name of a path argument (`-` for standard input).
pub fn name(path: Option<&Path>) -> String {
    path.map_or_else(|| "-".into(), |p| p.display().to_string())
}

/// A body read up to the limit, or how large it turned out to be beyond it.
pub enum Body {
    Whole(Vec<u8>),
    TooLarge(usize),
}

/// Reads everything, keeping at most `limit` bytes (the rest is counted, not stored).
pub fn read_all(reader: &mut dyn BufRead, limit: usize) -> io::Result<Body> {
    let mut body = Vec::new();
    reader.take(limit as u64 + 1).read_to_end(&mut body)?;
    if body.len() <= limit {
        return Ok(Body::Whole(body));
    }
    let mut size = body.len();
    drop(body);
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            return Ok(Body::TooLarge(size));
        }
        let n = chunk.len();
        size += n;
        reader.consume(n);
    }
}

/// Reads the next line (without its `\n`, or `\r\n`), keeping at most
/// `limit` bytes. Returns `None` at the end of input.
pub fn read_line(reader: &mut dyn BufRead, limit: usize) -> io::Result<Option<Body>> {
    let mut line = Vec::new();
    let mut size = 0usize;
    let mut seen_any = false;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        seen_any = true;
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        if size + take <= limit {
            line.extend_from_slice(&chunk[..take]);
        }
        size += take;
        reader.consume(take + usize::from(done));
        if done {
            break;
        }
    }
    if !seen_any {
        return Ok(None);
    }
    if line.last() == Some(&b'\r') && size <= limit {
        line.pop();
        size -= 1;
    }
    if size > limit {
        return Ok(Some(Body::TooLarge(size)));
    }
    Ok(Some(Body::Whole(line)))
}

/// Reads a whole body for signing or verifying: no size limit, these read
/// what the user gives them.
pub fn read_unlimited(path: Option<&Path>) -> io::Result<Vec<u8>> {
    let mut input = open(path)?;
    let mut body = Vec::new();
    input.reader.read_to_end(&mut body)?;
    Ok(body)
}
