//! `ficus import`: files and directories into the archive — parsed, made
//! ready and stored by one worker per core, in batches (one transaction
//! per batch, a savepoint per file: a bad file fails alone) — with a
//! progress bar on terminals, a summary, optional JSON lines.

use std::io::Write;
use std::path::{Path, PathBuf};

use ficus_store::{InsertOutcome, PreparedWork, Store};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

/// Counts of a finished import.
#[derive(Debug, Default, Clone, Copy)]
pub struct Summary {
    pub imported: usize,
    pub existing: usize,
    pub failed: usize,
}

/// What happened to one file (also the `--json` line).
#[derive(Debug, Serialize)]
pub struct FileReport {
    pub path: String,
    pub status: &'static str,
    pub work_id: Option<i64>,
    pub title: Option<String>,
    pub creators: Vec<String>,
    pub word_count: Option<u64>,
    pub error: Option<String>,
}

/// Collects the files to import: named files as given, directories walked
/// recursively for importable files, in sorted order. Unreadable
/// directories are reported as failures.
pub fn collect(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<FileReport>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut files, &mut problems);
        } else {
            files.push(path.clone());
        }
    }
    (files, problems)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<FileReport>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(failed(dir, format!("cannot read directory: {e}")));
            return;
        }
    };
    let mut children: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    children.sort();
    for child in children {
        if child.is_dir() {
            walk(&child, files, problems);
        } else if ficus_formats::is_importable(&child) {
            files.push(child);
        }
    }
}

fn failed(path: &Path, error: String) -> FileReport {
    FileReport {
        path: path.display().to_string(),
        status: "failed",
        work_id: None,
        title: None,
        creators: Vec::new(),
        word_count: None,
        error: Some(error),
    }
}

/// Imports one file in its own transaction.
/// A file read, parsed and made ready to store, or what became of it.
enum Prepared {
    /// Failed, or imported before: nothing to store.
    Done(FileReport),
    Ready(PathBuf, Box<PreparedWork>),
}

/// Reads, checks for earlier imports, parses and prepares one file (CPU
/// work, no lock held).
fn prepare_file(store: &Store, path: &Path, today: chrono::NaiveDate) -> Prepared {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return Prepared::Done(failed(path, format!("cannot read file: {e}"))),
    };
    let hash = ficus_formats::content_hash(&bytes);
    match store.work_id_by_content_hash(&hash) {
        Ok(Some(id)) => return Prepared::Done(existing(store, path, id)),
        Ok(None) => {}
        Err(e) => return Prepared::Done(failed(path, format!("database: {e}"))),
    }
    let work = match ficus_formats::parse_file_hashed(path, &bytes, hash, today) {
        Ok(w) => w,
        Err(e) => return Prepared::Done(failed(path, e.to_string())),
    };
    match PreparedWork::of(&work) {
        Ok(p) => Prepared::Ready(path.to_path_buf(), Box::new(p)),
        Err(e) => Prepared::Done(failed(path, e.to_string())),
    }
}

/// Stores prepared files in one transaction; a report for each, in order.
/// When the transaction itself fails (on PostgreSQL, a deadlock with
/// another importer's batch over a series or a duplicate file), each
/// file is stored again in a transaction of its own.
fn store_batch(store: &Store, batch: Vec<(PathBuf, PreparedWork)>) -> Vec<FileReport> {
    let (paths, works): (Vec<PathBuf>, Vec<PreparedWork>) = batch.into_iter().unzip();
    let outcomes = match store.insert_prepared(&works) {
        Ok(outcomes) => outcomes,
        Err(_) if works.len() > 1 => works
            .chunks(1)
            .map(|one| match store.insert_prepared(one) {
                Ok(mut outcome) => outcome.pop().unwrap_or_else(|| {
                    Err(ficus_store::StoreError::Corrupt(
                        "a batch of one came back empty".into(),
                    ))
                }),
                Err(e) => Err(e),
            })
            .collect(),
        Err(e) => {
            return paths
                .iter()
                .map(|path| failed(path, format!("database: {e}")))
                .collect();
        }
    };
    paths
        .iter()
        .zip(&works)
        .zip(outcomes)
        .map(|((path, prepared), outcome)| match outcome {
            Ok(InsertOutcome::Inserted { id, word_count }) => FileReport {
                path: path.display().to_string(),
                status: "imported",
                work_id: Some(id),
                title: Some(prepared.work().title.trim().to_string()),
                creators: prepared.work().creators.clone(),
                word_count: u64::try_from(word_count).ok(),
                error: None,
            },
            Ok(InsertOutcome::AlreadyExists(id)) => existing(store, path, id),
            Err(e) => failed(path, e.to_string()),
        })
        .collect()
}

fn existing(store: &Store, path: &Path, id: i64) -> FileReport {
    let work = store
        .work(id, ficus_core::access::Viewer::System)
        .ok()
        .flatten();
    FileReport {
        path: path.display().to_string(),
        status: "exists",
        work_id: Some(id),
        title: work.as_ref().map(|w| w.title.clone()),
        creators: work
            .as_ref()
            .map(|w| w.creators.clone())
            .unwrap_or_default(),
        word_count: work.as_ref().map(|w| w.word_count as u64),
        error: Some(format!("already imported as work {id}")),
    }
}

/// Files stored per write transaction: enough to spread a commit's cost
/// thin, few enough to keep parsed works small in memory and the progress
/// bar moving.
const BATCH: usize = 32;

/// Threads that store batches: SQLite has one writer at a time (a second
/// would only wait for its lock, in the busy handler's sleeps); on
/// PostgreSQL two batches are stored side by side (their new names are
/// created in one sorted pass first, see `Store::insert_prepared`, so
/// they do not deadlock on them).
fn writers(store: &Store) -> usize {
    match store.backend_name() {
        "sqlite" => 1,
        _ => 2,
    }
}

/// Imports `files`, calling `on_report` on this thread as each file is
/// done. One worker per core reads, parses and prepares files (CPU work,
/// no lock held) and hands them to the writers ([`writers`]), which
/// store what is ready, up to [`BATCH`] files a transaction, while the
/// workers go on preparing.
pub fn import_all(
    store: &Store,
    files: &[PathBuf],
    today: chrono::NaiveDate,
    mut on_report: impl FnMut(FileReport),
) {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel();
    let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel::<(PathBuf, PreparedWork)>(BATCH * 2);
    // Owned by the writers: once they are all gone (even by a panic), a
    // worker's send fails and it stops instead of waiting forever.
    let ready_rx = std::sync::Arc::new(std::sync::Mutex::new(ready_rx));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let ready_tx = ready_tx.clone();
            let next = &next;
            scope.spawn(move || {
                while let Some(path) =
                    files.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                {
                    let sent = match prepare_file(store, path, today) {
                        Prepared::Done(report) => tx.send(report).is_ok(),
                        Prepared::Ready(path, work) => ready_tx.send((path, *work)).is_ok(),
                    };
                    if !sent {
                        return;
                    }
                }
            });
        }
        drop(ready_tx);
        for _ in 0..writers(store) {
            let tx = tx.clone();
            let ready_rx = ready_rx.clone();
            scope.spawn(move || {
                loop {
                    // A full batch (the workers fill the next meanwhile),
                    // or what is left at the end.
                    let batch: Vec<(PathBuf, PreparedWork)> = {
                        let Ok(ready) = ready_rx.lock() else {
                            return;
                        };
                        ready.iter().take(BATCH).collect()
                    };
                    if batch.is_empty() {
                        return;
                    }
                    for report in store_batch(store, batch) {
                        if tx.send(report).is_err() {
                            return;
                        }
                    }
                }
            });
        }
        drop(ready_rx);
        drop(tx);
        for report in rx {
            on_report(report);
        }
    });
}

/// Runs the import command and prints per-file lines and the summary.
pub fn run(store: &Store, paths: &[PathBuf], json: bool) -> anyhow::Result<Summary> {
    let (files, problems) = collect(paths);
    let today = chrono::Local::now().date_naive();
    let bar = ProgressBar::new(files.len() as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec}, eta {eta}) {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut summary = Summary::default();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut write_error = None;
    let mut record = |report: FileReport| {
        match report.status {
            "imported" => summary.imported += 1,
            "exists" => summary.existing += 1,
            _ => summary.failed += 1,
        }
        if json {
            let line = serde_json::to_string(&report).map_err(std::io::Error::other);
            if let Err(e) = line.and_then(|l| writeln!(out, "{l}")) {
                write_error.get_or_insert(e);
            }
        } else {
            let line = match report.status {
                "imported" => format!(
                    "imported {} as work {}: {}",
                    report.path,
                    report.work_id.unwrap_or_default(),
                    report.title.as_deref().unwrap_or("")
                ),
                "exists" => format!(
                    "skipped {}: {}",
                    report.path,
                    report.error.as_deref().unwrap_or("")
                ),
                _ => format!(
                    "failed {}: {}",
                    report.path,
                    report.error.as_deref().unwrap_or("")
                ),
            };
            bar.suspend(|| eprintln!("{line}"));
        }
    };
    for problem in problems {
        record(problem);
    }
    import_all(store, &files, today, |report| {
        bar.inc(1);
        record(report);
    });
    if summary.imported > 0 {
        bar.set_message("updating statistics");
        store.refresh_statistics()?;
    }
    if let Some(e) = write_error {
        return Err(e.into());
    }
    bar.finish_and_clear();
    eprintln!(
        "{} imported, {} already there, {} failed",
        summary.imported, summary.existing, summary.failed
    );
    Ok(summary)
}
