//! `ficus bench comments`: a work page with 1,000 comments in 200 threads
//! (each a comment and four replies, nested), page 1 of its comments
//! (`show_comments=true`: 25 threads, 125 comments rendered) read over
//! HTTP by many clients at once — next to the same work page without its
//! comments and to a work with none, measured in the same run, in
//! interleaved rounds (each page's median round reported). Page 1 is
//! measured twice: from a node with the comment cache (repeat readers)
//! and from a second node on the same database without it (each page
//! rendered afresh, as the first request after a change is); then by a
//! logged-in reader with no comment on the work (served from the cache)
//! and by one of the commenters (rendered for them).

use std::sync::Arc;
use std::time::Duration;

use ficus_core::access::Viewer;
use ficus_core::account::{Login, Role};
use ficus_core::comments::{CommentPermission, Commenter};
use ficus_store::comments::{CommentTarget, NewComment};

use crate::cli::StorageArgs;

/// Options of `ficus bench comments`.
#[derive(Debug, clap::Args)]
pub struct CommentsArgs {
    /// Comment threads on the work (each a comment and four replies).
    #[arg(long, default_value_t = 200)]
    pub threads: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
    /// Seconds of load per measurement in each round.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// Rounds: the four pages are measured in turn, round after round, and
    /// each page's median round is reported (this machine's throughput
    /// drifts by ±15% over a minute; interleaving keeps the ratios fair).
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
}

/// Runs the benchmark and prints its report.
pub fn run(storage: &StorageArgs, args: &CommentsArgs) -> anyhow::Result<()> {
    let (_temp, bench_storage, store) = super::empty_store(storage, "ficus-bench-comments-")?;
    let now = chrono::Utc::now().naive_utc();
    let writer = store.create_user(
        &Login::parse("writer")?,
        "writer@example.org",
        "$h",
        Role::User,
        now,
    )?;
    let pseud = store.pseuds_of(writer.id)?[0].0;
    let today = chrono::Utc::now().date_naive();
    let work = |title: &str| -> anyhow::Result<i64> {
        let mut w = ficus_core::NewWork::new(
            title,
            format!("<p>{}</p>", "A sentence of the story. ".repeat(400)),
            today,
        );
        w.pseuds = vec![pseud];
        w.comments.permission = CommentPermission::Everyone;
        Ok(store.insert_work(&w)?.work_id())
    };
    let commented = work("Much Discussed")?;
    let plain = work("Not Discussed Yet")?;
    // Readers' comments: 200 threads, each a comment and four replies
    // below one another, from a few accounts (and the creator, who is
    // not rate-limited on their own work: limits are lifted here).
    store.set_setting("comment_rate_limit", "0/60")?;
    let mut readers = Vec::new();
    for r in 0..8 {
        let user = store.create_user(
            &Login::parse(&format!("reader{r}"))?,
            &format!("reader{r}@example.org"),
            "$h",
            Role::User,
            now,
        )?;
        let pseud = store.pseuds_of(user.id)?[0].0;
        readers.push(Commenter::Account {
            viewer: Viewer::User {
                id: user.id,
                role: Role::User,
            },
            user_id: user.id,
            pseud_id: pseud,
        });
    }
    let t = std::time::Instant::now();
    let mut n = 0;
    for thread in 0..args.threads {
        let mut target = CommentTarget::Work(commented);
        for depth in 0..5 {
            let who = &readers[(thread + depth) % readers.len()];
            let body = format!(
                "<p>Comment {n}: {}</p>",
                "what a chapter, I loved the part with the lighthouse. ".repeat(3)
            );
            let posted = store
                .post_comment(
                    &NewComment {
                        target,
                        commenter: who,
                        visitor_key: None,
                        body: &body,
                        spam: false,
                    },
                    chrono::Utc::now().naive_utc(),
                )?
                .map_err(|r| anyhow::anyhow!("comment refused: {r}"))?;
            target = CommentTarget::Reply(posted.id);
            n += 1;
        }
    }
    let stored_secs = t.elapsed().as_secs_f64();
    // A logged-in reader with no comment on the work (a plain reader: the
    // comment cache serves them) and one of the commenters (their own
    // comments carry their actions: rendered for them).
    let session_of = |user_id: i64| -> anyhow::Result<String> {
        let token = ficus_core::account::random_token();
        let at = chrono::Utc::now().naive_utc();
        store.create_session(
            &ficus_core::account::token_hash(&token),
            user_id,
            at,
            at + chrono::Duration::hours(2),
        )?;
        Ok(format!("ficus_session={token}"))
    };
    let plain_reader = store.create_user(
        &Login::parse("plainreader")?,
        "plainreader@example.org",
        "$h",
        Role::User,
        now,
    )?;
    let plain_cookie = session_of(plain_reader.id)?;
    let Commenter::Account {
        user_id: commenter_id,
        ..
    } = readers[0]
    else {
        anyhow::bail!("reader0 is an account");
    };
    let commenter_cookie = session_of(commenter_id)?;
    println!(
        "ficus bench comments: {n} comments in {} threads stored in {stored_secs:.2}s ({:.0}/s, one transaction each), {} clients, {} s a measurement, {} interleaved rounds (medians shown), backend {}",
        args.threads,
        n as f64 / stored_secs,
        args.clients,
        args.seconds,
        args.rounds.max(1),
        store.backend_name()
    );
    drop(store);

    let (server, base) =
        super::start_server(&bench_storage.data_dir, storage.database.as_deref(), &[])?;
    // A second node on the same database with no comment cache: every
    // page of comments rendered as the first request after a change is.
    let cold_index = bench_storage.data_dir.join("index-cold");
    let cold_index = cold_index.to_string_lossy();
    let (_cold_server, cold_base) = super::start_server(
        &bench_storage.data_dir,
        storage.database.as_deref(),
        &["--comment-cache-mib", "0", "--index-dir", &cold_index],
    )?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let duration = Duration::from_secs(args.seconds);
    let measure = |base: &str, path: String, cookie: Option<&str>| {
        runtime.block_on(super::load_as(
            base,
            args.clients,
            duration,
            Arc::new(move |_| path.clone()),
            cookie,
        ))
    };
    let last = (args.threads as u32).div_ceil(ficus_core::comments::THREADS_PER_PAGE);
    let page_one = format!("/works/{commented}?show_comments=true&view_adult=true");
    let pages = [
        (&base, format!("/works/{plain}?view_adult=true"), None),
        (&base, format!("/works/{commented}?view_adult=true"), None),
        (&base, page_one.clone(), None),
        (
            &base,
            format!("/works/{commented}?show_comments=true&view_adult=true&page={last}"),
            None,
        ),
        (&cold_base, format!("/works/{plain}?view_adult=true"), None),
        (&cold_base, page_one.clone(), None),
        (&base, page_one.clone(), Some(plain_cookie.as_str())),
        (&base, page_one, Some(commenter_cookie.as_str())),
    ];
    let mut rounds: [Vec<super::LoadResult>; 8] = Default::default();
    for _ in 0..args.rounds.max(1) {
        for ((base, page, cookie), results) in pages.iter().zip(rounds.iter_mut()) {
            results.push(measure(base, page.clone(), *cookie)?);
        }
    }
    let [
        plain_page,
        folded,
        shown,
        last_page,
        cold_plain,
        cold_shown,
        account_shown,
        commenter_shown,
    ] = rounds.map(|mut results| {
        results.sort_by(|a, b| a.rps.total_cmp(&b.rps));
        results.swap_remove(results.len() / 2)
    });
    plain_page.print("work page, no comments (baseline)");
    folded.print("work page with 1,000 comments, folded");
    shown.print("its comments, page 1 (show_comments=true), repeat readers");
    last_page.print(&format!("its comments, page {last}"));
    cold_plain.print("no comment cache: work page, no comments");
    cold_shown.print("no comment cache: its comments, page 1 (each rendered afresh, as the first request after a change)");
    account_shown.print("its comments, page 1, a logged-in reader with no comment there");
    commenter_shown.print("its comments, page 1, a logged-in commenter (rendered for them)");
    println!(
        "ratio comments-page-1/baseline throughput: {:.2} (goal >= 0.50)",
        shown.rps / plain_page.rps
    );
    println!(
        "ratio last-page/baseline throughput: {:.2}",
        last_page.rps / plain_page.rps
    );
    println!(
        "ratio comments-page-1 rendered afresh/baseline throughput: {:.2} (against the uncached node's own plain page: {:.2})",
        cold_shown.rps / plain_page.rps,
        cold_shown.rps / cold_plain.rps
    );
    println!(
        "ratio comments-page-1 logged in/baseline throughput: {:.2} (plain reader), {:.2} (commenter)",
        account_shown.rps / plain_page.rps,
        commenter_shown.rps / plain_page.rps
    );
    if let Some(kib) = super::rss_kib_of(server.0.id()) {
        println!("server RSS after load: {:.0} MiB", kib as f64 / 1024.0);
    }
    Ok(())
}
