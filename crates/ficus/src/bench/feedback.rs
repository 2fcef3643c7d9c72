//! `ficus bench feedback`: many readers at once leaving kudos and reading
//! work pages (hits), over HTTP against a server child process, then the
//! exact counts checked against what the clients were told; next to the
//! plain work page measured in the same run.
//!
//! Each client is an account with an API token. It alternates: read a
//! work page as a guest from one of a few addresses (through the trusted
//! loopback proxy, so visitors repeat and must be counted once a day), and
//! leave kudos on a random work through the API (most works get asked
//! again and again by the same account: only the first may count).

use std::collections::{HashMap, HashSet};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use ficus_core::account::{Login, Role, new_api_token, token_hash};
use ficus_store::Store;
use tokio::sync::Mutex;

use crate::cli::StorageArgs;

/// Options of `ficus bench feedback`.
#[derive(Debug, clap::Args)]
pub struct FeedbackArgs {
    /// Works in the archive.
    #[arg(long, default_value_t = 500)]
    pub works: usize,
    /// Concurrent clients (each an account).
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
    /// Seconds of load per measurement.
    #[arg(long, default_value_t = 30)]
    pub seconds: u64,
}

/// What the clients were told: kudos accepted per work, and the distinct
/// (work, address) visits that got a page.
#[derive(Default)]
struct Told {
    kudos: HashMap<i64, i64>,
    visits: HashSet<(i64, String)>,
    kudos_requests: usize,
}

struct Measured {
    requests: usize,
    rps: f64,
    p50: Duration,
    p99: Duration,
}

impl Measured {
    fn print(&self, what: &str) {
        println!(
            "{what}: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms ({} requests)",
            self.rps,
            self.p50.as_secs_f64() * 1e3,
            self.p99.as_secs_f64() * 1e3,
            self.requests
        );
    }
}

fn measured(mut latencies: Vec<Duration>, elapsed: f64) -> Measured {
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Measured {
        requests: latencies.len(),
        rps: latencies.len() as f64 / elapsed,
        p50: pct(0.5),
        p99: pct(0.99),
    }
}

/// Runs the benchmark and prints its report.
pub fn run(storage: &StorageArgs, args: &FeedbackArgs) -> anyhow::Result<()> {
    let (_temp, bench_storage, store) = super::empty_store(storage, "ficus-bench-feedback-")?;
    println!(
        "ficus bench feedback: {} works, {} clients, {} s, backend {}",
        args.works,
        args.clients,
        args.seconds,
        store.backend_name()
    );
    let now = chrono::Utc::now().naive_utc();
    let writer = store.create_user(
        &Login::parse("writer")?,
        "writer@example.org",
        "$h",
        Role::User,
        now,
    )?;
    let pseud = store.pseuds_of(writer.id)?[0].0;
    let mut ids = Vec::with_capacity(args.works);
    let today = chrono::Utc::now().date_naive();
    for i in 0..args.works {
        let mut work = ficus_core::NewWork::new(
            format!("Feedback Work {i}"),
            format!("<p>{}</p>", "A sentence of the story. ".repeat(400)),
            today,
        );
        work.pseuds = vec![pseud];
        ids.push(store.insert_work(&work)?.work_id());
    }
    let mut tokens = Vec::with_capacity(args.clients);
    for c in 0..args.clients {
        let user = store.create_user(
            &Login::parse(&format!("reader{c}"))?,
            &format!("reader{c}@example.org"),
            "$h",
            Role::User,
            now,
        )?;
        let token = new_api_token();
        store.create_api_token(user.id, "bench", &token_hash(&token), now)?;
        tokens.push(token);
    }

    let (mut server, base) = super::start_server(
        &bench_storage.data_dir,
        storage.database.as_deref(),
        &["--trusted-proxy", "127.0.0.1"],
    )?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let duration = Duration::from_secs(args.seconds);
    let ids = Arc::new(ids);
    let tokens = Arc::new(tokens);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients)
        .build()?;

    // Baseline in the same run: the plain work page, read by one guest
    // address, no kudos.
    let (baseline, baseline_read) = runtime.block_on({
        let client = client.clone();
        let base = base.clone();
        let ids = ids.clone();
        let clients = args.clients;
        async move {
            let start = Instant::now();
            let mut tasks = Vec::new();
            for c in 0..clients {
                let (client, base, ids) = (client.clone(), base.clone(), ids.clone());
                tasks.push(tokio::spawn(async move {
                    let mut lat = Vec::new();
                    let mut read = HashSet::new();
                    let mut i = c;
                    while start.elapsed() < duration {
                        let id = ids[(i * 7919) % ids.len()];
                        let t = Instant::now();
                        let page = client
                            .get(format!("{base}/works/{id}?view_adult=true"))
                            .header("user-agent", "Mozilla/5.0 bench")
                            .header("x-forwarded-for", "10.255.255.254")
                            .send()
                            .await?;
                        if !page.status().is_success() {
                            anyhow::bail!("work page answered {}", page.status());
                        }
                        page.bytes().await?;
                        lat.push(t.elapsed());
                        read.insert(id);
                        i += clients;
                    }
                    Ok::<_, anyhow::Error>((lat, read))
                }));
            }
            let mut all = Vec::new();
            let mut read = HashSet::new();
            for t in tasks {
                let (l, r) = t.await??;
                all.extend(l);
                read.extend(r);
            }
            Ok::<_, anyhow::Error>((measured(all, start.elapsed().as_secs_f64()), read))
        }
    })?;

    // The mixed load: pages read by repeating guests, kudos by accounts.
    let told = Arc::new(Mutex::new(Told::default()));
    let (pages, kudos) = runtime.block_on({
        let client = client.clone();
        let base = base.clone();
        let ids = ids.clone();
        let tokens = tokens.clone();
        let told = told.clone();
        let clients = args.clients;
        async move {
            let start = Instant::now();
            let mut tasks = Vec::new();
            for c in 0..clients {
                let (client, base, ids, tokens, told) = (
                    client.clone(),
                    base.clone(),
                    ids.clone(),
                    tokens.clone(),
                    told.clone(),
                );
                tasks.push(tokio::spawn(async move {
                    let (mut page_lat, mut kudos_lat) = (Vec::new(), Vec::new());
                    let mut i: usize = c;
                    while start.elapsed() < duration {
                        // A guest among 16 addresses per client reads a work.
                        let id = ids[(i * 7919) % ids.len()];
                        let ip = format!("10.{}.{}.{}", c / 256, c % 256, i % 16);
                        let t = Instant::now();
                        let page = client
                            .get(format!("{base}/works/{id}?view_adult=true"))
                            .header("user-agent", "Mozilla/5.0 bench")
                            .header("x-forwarded-for", &ip)
                            .send()
                            .await?;
                        if !page.status().is_success() {
                            anyhow::bail!("work page answered {}", page.status());
                        }
                        page.bytes().await?;
                        page_lat.push(t.elapsed());
                        told.lock().await.visits.insert((id, ip));
                        // The client's account asks for kudos on a work
                        // among the first 100 (so most asks repeat).
                        let target = ids[(i * 31 + c * 17) % ids.len().min(100)];
                        let t = Instant::now();
                        let resp = client
                            .post(format!("{base}/api/v1/works/{target}/kudos"))
                            .bearer_auth(&tokens[c])
                            .send()
                            .await?;
                        let status = resp.status().as_u16();
                        resp.bytes().await?;
                        kudos_lat.push(t.elapsed());
                        let mut told = told.lock().await;
                        told.kudos_requests += 1;
                        match status {
                            201 => *told.kudos.entry(target).or_default() += 1,
                            422 => {}
                            other => anyhow::bail!("kudos answered {other}"),
                        }
                        i += clients;
                    }
                    Ok::<_, anyhow::Error>((page_lat, kudos_lat))
                }));
            }
            let (mut pages, mut kudos) = (Vec::new(), Vec::new());
            for t in tasks {
                let (p, k) = t.await??;
                pages.extend(p);
                kudos.extend(k);
            }
            let elapsed = start.elapsed().as_secs_f64();
            Ok::<_, anyhow::Error>((measured(pages, elapsed), measured(kudos, elapsed)))
        }
    })?;
    let rss = super::rss_kib_of(server.0.id());

    // Stop the server as a service manager does: it flushes its hits.
    let pid = server.0.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status()?;
    let stopped = server.0.wait()?;
    if !stopped.success() {
        bail!("the server stopped with {stopped}");
    }

    let told = runtime.block_on(async { std::mem::take(&mut *told.lock().await) });
    let (kudos_ok, hits_ok) = check_counts(&store, &ids, &told, &baseline_read)?;
    baseline.print("work page alone (baseline)");
    pages.print("work page under kudos load");
    kudos.print("kudos (API)");
    println!(
        "ratio baseline/work-page-under-load throughput: {:.2}x",
        baseline.rps / pages.rps
    );
    println!(
        "kudos: {} accepted of {} asked; hits: {} distinct visitor-days; counts exact: kudos {kudos_ok}, hits {hits_ok}",
        told.kudos.values().sum::<i64>(),
        told.kudos_requests,
        told.visits.len(),
    );
    if let Some(kib) = rss {
        println!("server RSS after load: {:.0} MiB", kib as f64 / 1024.0);
    }
    if !(kudos_ok && hits_ok) {
        bail!("the stored counts differ from what the clients were told");
    }
    Ok(())
}

/// Whether every work's stored kudos and hits equal what the clients were
/// told (hits: the baseline's one visitor counts once on each work it read).
fn check_counts(
    store: &Store,
    ids: &[i64],
    told: &Told,
    baseline_read: &HashSet<i64>,
) -> anyhow::Result<(bool, bool)> {
    let mut kudos_ok = true;
    let mut hits_ok = true;
    let mut expected_hits: HashMap<i64, i64> = HashMap::new();
    for (id, _) in &told.visits {
        *expected_hits.entry(*id).or_default() += 1;
    }
    let records = store.works_by_ids(ids)?;
    for w in records {
        let want_kudos = told.kudos.get(&w.id).copied().unwrap_or(0);
        if w.stats.kudos != want_kudos {
            eprintln!(
                "work {}: {} kudos stored, {want_kudos} accepted",
                w.id, w.stats.kudos
            );
            kudos_ok = false;
        }
        let want_hits = expected_hits.get(&w.id).copied().unwrap_or(0)
            + i64::from(baseline_read.contains(&w.id));
        if w.stats.hits != want_hits {
            eprintln!(
                "work {}: {} hits stored, {want_hits} visitor-days",
                w.id, w.stats.hits
            );
            hits_ok = false;
        }
    }
    Ok((kudos_ok, hits_ok))
}
