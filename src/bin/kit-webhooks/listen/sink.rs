//! The line sinks `listen` keeps deliveries in: append-only, group-committed
//! by one writer thread, synced to disk (files) or flushed (standard output)
//! before a request is answered.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::mpsc;

use tokio::sync::oneshot;

/// Where kept deliveries go.
enum Target {
    File(File),
    Stdout,
}

type Job = (Vec<u8>, oneshot::Sender<Result<(), String>>);

/// An append-only, durably flushed line sink served by one writer thread.
pub struct Sink {
    jobs: mpsc::Sender<Job>,
}

impl Sink {
    /// Appends to the file at `path`, or to standard output when there is none.
    pub fn open(path: Option<&Path>) -> io::Result<Sink> {
        let target = match path {
            None => Target::Stdout,
            Some(path) => Target::File(crate::files::open_for_append(path, "listen")?),
        };
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("kit-webhooks-writer".into())
            .spawn(move || write_loop(target, &queue))?;
        Ok(Sink { jobs })
    }

    /// Appends one line (without its newline) and returns once it is durable.
    pub async fn append(&self, mut line: Vec<u8>) -> Result<(), String> {
        line.push(b'\n');
        let (done, wait) = oneshot::channel();
        self.jobs
            .send((line, done))
            .map_err(|_| "the writer has stopped".to_owned())?;
        wait.await.map_err(|_| "the writer has stopped".to_owned())?
    }
}

fn write_loop(mut target: Target, queue: &mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::new();
    let mut buffer = Vec::new();
    while let Ok(first) = queue.recv() {
        batch.push(first);
        while batch.len() < 4096 {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        buffer.clear();
        for (line, _) in &batch {
            buffer.extend_from_slice(line);
        }
        let written = match &mut target {
            Target::File(file) => file.write_all(&buffer).and_then(|()| file.sync_data()),
            Target::Stdout => {
                let mut out = io::stdout().lock();
                out.write_all(&buffer).and_then(|()| out.flush())
            }
        };
        let outcome = written.map_err(|e| e.to_string());
        for (_, done) in batch.drain(..) {
            let _ = done.send(outcome.clone());
        }
    }
}
