//! `ficus bench fanout`: a work with many subscribers (50,000 by default)
//! gets a new chapter. Reports how long posting the chapter took (the
//! writer's wait: one queued job), then how fast the background fan-out
//! wrote the subscribers' updates (`Store::run_fanout_job`, batches of
//! 1,000 a transaction) with their mail jobs (a message each: a work's
//! subscription's default), next to a baseline measured in the same run
//! on SQLite: the same number of rows of the same shapes inserted by plain
//! SQL statements on the archive's file (the floor of the write itself).
//! Then the saved searches ([`super::saved_searches`]).

use std::time::Instant;

use anyhow::bail;
use ficus_core::account::{Login, Role};
use ficus_store::subscriptions::{NoSearches, SubscriptionKind};
use ficus_store::{Backend, CoCreatorInvites};

use crate::cli::StorageArgs;

/// Options of `ficus bench fanout`.
#[derive(Debug, clap::Args)]
pub struct FanoutArgs {
    /// Subscribers of the work.
    #[arg(long, default_value_t = 50_000)]
    pub subscribers: usize,
    /// Saved searches followed (one per subscriber, at most as many).
    #[arg(long, default_value_t = 1_000)]
    pub searches: usize,
}

/// Runs the benchmark and prints its report.
pub fn run(storage: &StorageArgs, args: &FanoutArgs) -> anyhow::Result<()> {
    let (temp, bench_storage, store) = super::empty_store(storage, "ficus-bench-fanout-")?;
    let now = chrono::Utc::now().naive_utc();
    let today = now.date();
    let writer = store.create_user(
        &Login::parse("writer")?,
        "writer@example.org",
        "$h",
        Role::User,
        now,
    )?;
    let pseud = store.pseuds_of(writer.id)?[0].0;
    let mut work = ficus_core::NewWork::new(
        "Followed By Many",
        "<p>The first chapter.</p>".to_string(),
        today,
    );
    work.pseuds = vec![pseud];
    work.tags = super::saved_searches::seed_tags();
    let invites = CoCreatorInvites {
        pseuds: vec![],
        by: writer.id,
        ..Default::default()
    };
    let work_id = store.post_work(&work, Some(&invites))?.work_id();
    while store.run_fanout_job(now, &NoSearches)?.is_some() {}

    let t = Instant::now();
    let mut readers = Vec::with_capacity(args.subscribers);
    for i in 0..args.subscribers {
        let reader = store.create_user(
            &Login::parse(&format!("reader{i}"))?,
            &format!("reader{i}@example.org"),
            "$h",
            Role::User,
            now,
        )?;
        readers.push(reader.id);
        store.subscribe(
            reader.id,
            SubscriptionKind::Work,
            work_id,
            SubscriptionKind::Work.default_mail(),
            now,
        )?;
    }
    println!(
        "ficus bench fanout: {} subscribers made in {:.1}s (accounts and subscriptions, one write each), backend {}",
        args.subscribers,
        t.elapsed().as_secs_f64(),
        store.backend_name()
    );

    // The writer's wait: the chapter and one queued job.
    let chapter = ficus_core::NewChapter {
        title: Some("Two".into()),
        summary: None,
        notes: None,
        end_notes: None,
        body: "<p>The second chapter.</p>".into(),
        published: None,
    };
    let t = Instant::now();
    store.add_chapter(work_id, &chapter, today)?;
    let posting = t.elapsed();
    println!(
        "posting the chapter (the writer's wait): {:.2} ms",
        posting.as_secs_f64() * 1e3
    );

    // The background fan-out.
    let t = Instant::now();
    let mut queued = 0;
    while let Some(report) = store.run_fanout_job(chrono::Utc::now().naive_utc(), &NoSearches)? {
        queued += report.queued;
    }
    let fanout = t.elapsed().as_secs_f64();
    if queued != args.subscribers {
        bail!(
            "fan-out wrote {queued} updates for {} subscribers",
            args.subscribers
        );
    }
    let rate = queued as f64 / fanout;
    println!(
        "fan-out: {queued} updates and their mail jobs in {fanout:.2}s = {rate:.0} subscribers/s (each subscriber once, checked)"
    );
    if let Some(kib) = super::rss_kib() {
        println!("bench process RSS: {:.0} MiB", kib as f64 / 1024.0);
    }

    super::saved_searches::run(
        &store,
        &temp.path().join("index"),
        &readers,
        pseud,
        writer.id,
        args.searches,
    )?;

    // Baseline: the same number of rows of the same shape, one statement.
    match bench_storage.backend()? {
        Backend::Sqlite(path) => {
            drop(store);
            let mut raw = super::raw_sqlite::RawSqlite::open(&path)?;
            raw.exec(
                "CREATE TABLE bench_updates (user_id BIGINT NOT NULL, chapter_id BIGINT NOT NULL, \
                 work_id BIGINT NOT NULL, event TEXT NOT NULL, reason TEXT NOT NULL, \
                 is_read BOOLEAN NOT NULL DEFAULT 0, created_at TIMESTAMP NOT NULL, \
                 PRIMARY KEY (user_id, chapter_id))",
            )?;
            raw.exec(
                "CREATE TABLE bench_mail (id INTEGER PRIMARY KEY AUTOINCREMENT, \
                 user_id BIGINT NOT NULL, kind TEXT NOT NULL, chapter_id BIGINT, \
                 created_at TIMESTAMP NOT NULL, due_at TIMESTAMP NOT NULL)",
            )?;
            let t = Instant::now();
            raw.exec(&format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {}) \
                 INSERT INTO bench_updates (user_id, chapter_id, work_id, event, reason, created_at) \
                 SELECT i, 2, 1, 'chapter', 'work', '2026-12-07 00:00:00' FROM n",
                args.subscribers
            ))?;
            raw.exec(&format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {}) \
                 INSERT INTO bench_mail (user_id, kind, chapter_id, created_at, due_at) \
                 SELECT i, 'subscription', 2, '2026-12-07 00:00:00', '2026-12-07 00:00:00' FROM n",
                args.subscribers
            ))?;
            let base = t.elapsed().as_secs_f64();
            let base_rate = args.subscribers as f64 / base;
            println!(
                "baseline (two INSERT … SELECT, as many updates and mail jobs, raw SQLite): {base:.3}s = {base_rate:.0} subscribers/s"
            );
            println!("ratio fan-out/baseline throughput: {:.2}", rate / base_rate);
        }
        Backend::Postgres(_) => {
            println!("baseline: measured on SQLite only (raw SQL through the bundled library)");
        }
    }
    Ok(())
}
