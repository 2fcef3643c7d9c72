//! `ficus bench`: the foundation benchmark. Generates N plain-text works,
//! imports them (against a same-run baseline: the same bytes stored as raw
//! rows), then serves the archive from a child process and loads work pages
//! with concurrent clients (against a same-run baseline: the static CSS,
//! which touches no database).

pub mod comments;
pub mod discover;
pub mod export;
pub mod fanout;
pub mod feedback;
pub mod listings;
pub mod matching;
mod raw_sqlite;
mod same_bytes;
mod saved_searches;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use ficus_gen::{CorpusGen, GenOptions};

use crate::cli::StorageArgs;

/// Options of `ficus bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Works to generate and import.
    #[arg(long, default_value_t = 10_000)]
    pub works: usize,
    /// Corpus seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Concurrent HTTP clients.
    #[arg(long, default_value_t = 32)]
    pub clients: usize,
    /// Seconds of HTTP load per measurement.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Keep the generated files and archive here instead of a temp dir.
    #[arg(long)]
    pub keep: Option<PathBuf>,
}

pub(crate) struct ServerChild(pub(crate) Child);

/// An empty store for a benchmark in a new temporary data directory (or
/// on `--database`, which must be empty): the directory (removed when
/// dropped), the storage arguments and the store.
pub(crate) fn empty_store(
    storage: &StorageArgs,
    prefix: &str,
) -> anyhow::Result<(tempfile::TempDir, StorageArgs, ficus_store::Store)> {
    let temp = tempfile::Builder::new().prefix(prefix).tempdir()?;
    let bench_storage = StorageArgs {
        data_dir: temp.path().join("data"),
        database: storage.database.clone(),
    };
    let store = bench_storage.open()?;
    if store.count_works()? > 0 {
        bail!("the database already holds works; give an empty one");
    }
    Ok((temp, bench_storage, store))
}

/// Starts `ficus serve` on a free loopback port as a child process (with
/// `extra` arguments after `serve`); returns it and its base URL.
pub(crate) fn start_server(
    data_dir: &std::path::Path,
    database: Option<&str>,
    extra: &[&str],
) -> anyhow::Result<(ServerChild, String)> {
    let exe = std::env::current_exe()?;
    let mut cmd = Command::new(exe);
    cmd.arg("--data-dir").arg(data_dir);
    if let Some(url) = database {
        cmd.arg("--database").arg(url);
    }
    let mut child = cmd
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .env("FICUS_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .context("starting the server")?;
    let stdout = child.stdout.take().context("server stdout")?;
    let server = ServerChild(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .context("server did not report its address")?
        .to_string();
    Ok((server, base))
}

impl Drop for ServerChild {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the benchmark and prints its report.
pub fn run(storage: &StorageArgs, args: &BenchArgs) -> anyhow::Result<()> {
    let temp;
    let root = match &args.keep {
        Some(dir) => dir.clone(),
        None => {
            temp = tempfile::Builder::new().prefix("ficus-bench-").tempdir()?;
            temp.path().to_path_buf()
        }
    };
    let files_dir = root.join("files");
    let data_dir = root.join("data");
    std::fs::create_dir_all(&files_dir)?;
    if storage.database.is_none() && data_dir.join(ficus_store::conn::SQLITE_FILE).exists() {
        bail!(
            "{} already holds an archive; give an empty --keep directory",
            data_dir.display()
        );
    }
    let bench_storage = StorageArgs {
        data_dir: data_dir.clone(),
        database: storage.database.clone(),
    };
    println!(
        "ficus bench: {} works, seed {}, backend {}",
        args.works,
        args.seed,
        if storage.database.is_some() {
            "postgres"
        } else {
            "sqlite"
        }
    );

    // 1. Generate.
    let t = Instant::now();
    let mut corpus = CorpusGen::new(GenOptions::benchmark(args.seed));
    let mut paths = Vec::with_capacity(args.works);
    let mut total_bytes = 0usize;
    let mut total_words = 0u64;
    for i in 0..args.works {
        let g = corpus.next_work();
        let text = g.to_text_file();
        total_words += g.work.chapters.first().map(|c| c.word_count()).unwrap_or(0);
        total_bytes += text.len();
        let path = files_dir.join(format!("{:03}/{i:06}.txt", i / 1000));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text)?;
        paths.push(path);
    }
    let mb = total_bytes as f64 / 1e6;
    println!(
        "generated {} files, {:.1} MB, {} words (mean {:.0} words/work) in {:.1}s",
        args.works,
        mb,
        total_words,
        total_words as f64 / args.works.max(1) as f64,
        t.elapsed().as_secs_f64()
    );

    // 2. Import through the real importer and store.
    let store = bench_storage.open()?;
    let today = chrono::Local::now().date_naive();
    let t = Instant::now();
    let mut failed = 0;
    crate::import::import_all(&store, &paths, today, |report| {
        if report.status == "failed" {
            failed += 1;
            if failed <= 3 {
                eprintln!(
                    "import failed: {}: {}",
                    report.path,
                    report.error.unwrap_or_default()
                );
            }
        }
    });
    store.refresh_statistics()?;
    let import_secs = t.elapsed().as_secs_f64();
    if failed > 0 {
        bail!("{failed} generated files failed to import");
    }
    let rss_after_import = rss_kib();

    // Baseline: the same files read and stored as raw rows, one transaction each.
    let baseline_secs = raw_insert_baseline(&bench_storage, &paths)?;
    println!(
        "import:   {:>8.0} works/s {:>7.1} MB/s  ({import_secs:.2}s)",
        args.works as f64 / import_secs,
        mb / import_secs
    );
    println!(
        "baseline: {:>8.0} works/s {:>7.1} MB/s  ({baseline_secs:.2}s; read + one raw INSERT per file, no parsing)",
        args.works as f64 / baseline_secs,
        mb / baseline_secs
    );
    println!(
        "ratio import/baseline time: {:.2}x",
        import_secs / baseline_secs
    );
    if let Some(kib) = rss_after_import {
        println!(
            "bench process RSS after import: {:.0} MiB",
            kib as f64 / 1024.0
        );
    }
    // A signed-in reader (the `user` role, no relation to the works).
    let reader = store.create_user(
        &ficus_core::account::Login::parse("benchreader")?,
        "benchreader@example.org",
        "$h",
        ficus_core::account::Role::User,
        chrono::Utc::now().naive_utc(),
    )?;
    let session = {
        let token = ficus_core::account::random_token();
        let at = chrono::Utc::now().naive_utc();
        store.create_session(
            &ficus_core::account::token_hash(&token),
            reader.id,
            at,
            at + chrono::Duration::hours(2),
        )?;
        format!("ficus_session={token}")
    };
    drop(store);

    // 3. Serve from a child process and load it: first with the page
    // cache off, so every request renders its page as a first visit
    // does, next to the static stylesheet of the same server.
    let sweep = |n: usize| {
        let ids: Vec<i64> = (1..=n as i64).collect();
        Arc::new(move |i: u64| {
            format!(
                "/works/{}?view_adult=true",
                ids[(i as usize * 7919) % ids.len()]
            )
        }) as Arc<dyn Fn(u64) -> String + Send + Sync>
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let duration = Duration::from_secs(args.seconds);
    let db = storage.database.as_deref();
    {
        let (_server, base) = start_server(&data_dir, db, &["--page-cache-mib", "0"])?;
        let pages = runtime.block_on(load(&base, args.clients, duration, sweep(args.works)))?;
        let css = runtime.block_on(load(
            &base,
            args.clients,
            duration,
            Arc::new(|_| "/static/ficus.css".to_string()),
        ))?;
        pages.print("work pages, each rendered (no page cache: a first visit)");
        css.print("static css (baseline, no database)");
        println!(
            "ratio static/work-page throughput: {:.2}x",
            css.rps / pages.rps
        );
    }

    // 4. With the page cache (the default): one page read over and over
    // by a returning guest, next to the same bytes served statically;
    // then every work in turn.
    let (server, base) = start_server(&data_dir, db, &[])?;
    let cookie = format!("ficus_csrf={}", "0123456789abcdef".repeat(4));
    let account = format!("{cookie}; {session}");
    same_bytes::compare(
        &base,
        "/works/1?view_adult=true",
        &cookie,
        Some(&account),
        64,
        args.seconds,
    )?;
    let cached = runtime.block_on(load(&base, args.clients, duration, sweep(args.works)))?;
    cached.print("work pages, every work in turn (page cache)");
    if let Some(kib) = rss_kib_of(server.0.id()) {
        println!("server RSS after load: {:.0} MiB", kib as f64 / 1024.0);
    }
    Ok(())
}

fn raw_insert_baseline(storage: &StorageArgs, paths: &[PathBuf]) -> anyhow::Result<f64> {
    let dir = tempfile::Builder::new()
        .prefix("ficus-bench-baseline-")
        .tempdir()?;
    let baseline = match &storage.database {
        Some(url) => ficus_store::Backend::Postgres(url.clone()),
        None => ficus_store::Backend::in_data_dir(dir.path()),
    };
    let store = ficus_store::Store::open(&baseline)?;
    store.raw_baseline_reset()?;
    let t = Instant::now();
    for path in paths {
        let bytes = std::fs::read(path)?;
        let text = String::from_utf8_lossy(&bytes);
        store.raw_baseline_insert(&text)?;
    }
    let secs = t.elapsed().as_secs_f64();
    store.raw_baseline_reset()?;
    Ok(secs)
}

pub(crate) struct LoadResult {
    pub(crate) requests: usize,
    pub(crate) rps: f64,
    pub(crate) p50: Duration,
    pub(crate) p99: Duration,
    bytes: usize,
    clients: usize,
}

impl LoadResult {
    pub(crate) fn print(&self, what: &str) {
        println!(
            "{what}: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms ({} requests, {} clients, {:.1} KB/response)",
            self.rps,
            self.p50.as_secs_f64() * 1e3,
            self.p99.as_secs_f64() * 1e3,
            self.requests,
            self.clients,
            self.bytes as f64 / self.requests.max(1) as f64 / 1e3
        );
    }
}

pub(crate) async fn load(
    base: &str,
    clients: usize,
    duration: Duration,
    path: Arc<dyn Fn(u64) -> String + Send + Sync>,
) -> anyhow::Result<LoadResult> {
    load_as(base, clients, duration, path, None).await
}

/// [`load`] with a `Cookie` header on every request (a logged-in reader).
pub(crate) async fn load_as(
    base: &str,
    clients: usize,
    duration: Duration,
    path: Arc<dyn Fn(u64) -> String + Send + Sync>,
    cookie: Option<&str>,
) -> anyhow::Result<LoadResult> {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(cookie) = cookie {
        headers.insert(reqwest::header::COOKIE, cookie.parse()?);
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .default_headers(headers)
        .build()?;
    // Warm up.
    for i in 0..50 {
        client
            .get(format!("{base}{}", path(i)))
            .send()
            .await?
            .bytes()
            .await?;
    }
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let client = client.clone();
        let base = base.to_string();
        let path = path.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut bytes = 0usize;
            let mut i = c as u64;
            while start.elapsed() < duration {
                let t = Instant::now();
                let resp = client.get(format!("{base}{}", path(i))).send().await?;
                if !resp.status().is_success() {
                    anyhow::bail!("{} answered {}", path(i), resp.status());
                }
                bytes += resp.bytes().await?.len();
                latencies.push(t.elapsed());
                i += clients as u64;
            }
            Ok::<_, anyhow::Error>((latencies, bytes))
        }));
    }
    let mut all = Vec::new();
    let mut bytes = 0;
    for t in tasks {
        let (l, b) = t.await??;
        all.extend(l);
        bytes += b;
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Ok(LoadResult {
        requests: all.len(),
        rps: all.len() as f64 / elapsed,
        p50: pct(0.50),
        p99: pct(0.99),
        bytes,
        clients,
    })
}

/// This process's resident set size in KiB (Linux).
pub(crate) fn rss_kib() -> Option<u64> {
    rss_kib_of(std::process::id())
}

pub(crate) fn rss_kib_of(pid: u32) -> Option<u64> {
    status_kib(pid, "VmRSS:")
}

/// A KiB figure of `/proc/{pid}/status` (`VmRSS:`, `VmHWM:`, …).
pub(crate) fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
