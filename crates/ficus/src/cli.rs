//! Command-line interface.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use ficus_core::account::Role;
use ficus_store::{Backend, Store};

/// Ficus: a fast, self-hostable archive for fan works.
#[derive(Parser, Debug)]
#[command(name = "ficus", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub storage: StorageArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Where the archive lives.
#[derive(Args, Debug, Clone)]
pub struct StorageArgs {
    /// Data directory (SQLite database and, later, the search index);
    /// created on first use.
    #[arg(
        long,
        global = true,
        env = "FICUS_DATA_DIR",
        default_value = "ficus-data"
    )]
    pub data_dir: PathBuf,
    /// Use PostgreSQL instead of the embedded SQLite file (postgres://…).
    #[arg(long, global = true, env = "FICUS_DATABASE_URL")]
    pub database: Option<String>,
}

impl StorageArgs {
    /// The backend these arguments select.
    pub fn backend(&self) -> anyhow::Result<Backend> {
        match &self.database {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Backend::Postgres(url.clone()))
            }
            Some(url) => anyhow::bail!(
                "--database must be a postgres:// URL (got {url:?}); leave it out to use the SQLite file in --data-dir"
            ),
            None => Ok(Backend::in_data_dir(&self.data_dir)),
        }
    }

    /// Opens (creating and migrating) the archive.
    pub fn open(&self) -> anyhow::Result<Store> {
        let backend = self.backend()?;
        Store::open(&backend).with_context(|| match &backend {
            Backend::Sqlite(p) => format!("opening the archive at {}", p.display()),
            Backend::Postgres(_) => "opening the PostgreSQL archive".to_string(),
        })
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the archive over HTTP.
    Serve {
        /// Address to listen on (port 0 picks a free port).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// On an empty archive, first generate sample works to look at.
        #[arg(long)]
        demo: bool,
        /// How many sample works --demo generates.
        #[arg(long, default_value_t = 300)]
        demo_works: usize,
        /// Drafts are deleted this many days after they were created.
        #[arg(long, env = "FICUS_DRAFT_DAYS", default_value_t = 30, value_parser = clap::value_parser!(i64).range(1..=3650))]
        draft_days: i64,
        /// Sign-ups allowed per IP address per hour.
        #[arg(long, env = "FICUS_SIGNUPS_PER_HOUR", default_value_t = 5)]
        signups_per_hour: u32,
        /// General limit: requests per IP address per --request-window
        /// seconds (0 turns it off). Counted in the database, so it holds
        /// across web nodes; it costs one write per request.
        #[arg(long, env = "FICUS_REQUESTS_PER_IP", default_value_t = 0)]
        requests_per_ip: u32,
        /// The general limit's window, in seconds.
        #[arg(long, env = "FICUS_REQUEST_WINDOW", default_value_t = 300)]
        request_window: i64,
        /// Memory for rendered comment threads (MiB), shared by every
        /// work page; 0 renders each page afresh. Entries are keyed on the
        /// work's comments version, so a change is never shown stale.
        #[arg(long, env = "FICUS_COMMENT_CACHE_MIB", default_value_t = 64)]
        comment_cache_mib: u64,
        /// Memory for guests' work pages kept rendered, in MiB (0: none).
        /// A page is dropped on every node as soon as the change log names
        /// its work, so a change is never shown stale.
        #[arg(long, env = "FICUS_PAGE_CACHE_MIB", default_value_t = 128)]
        page_cache_mib: u64,
        /// This node's search index directory (default: DATA_DIR/index).
        /// Each web node keeps its own; all follow the database's change log.
        #[arg(long, env = "FICUS_INDEX_DIR")]
        index_dir: Option<PathBuf>,
        /// A reverse proxy (address or network, e.g. 10.0.0.0/8) whose
        /// X-Forwarded-For and X-Forwarded-Proto are believed; repeat for
        /// several. From anyone else these headers are ignored.
        #[arg(long = "trusted-proxy", value_parser = ficus_web::origin::parse_proxy)]
        trusted_proxies: Vec<ficus_web::origin::IpNet>,
        /// The archive's public address (e.g. https://archive.example.org)
        /// for absolute links in feeds and OPDS; without it they follow the
        /// request's Host header.
        #[arg(long, env = "FICUS_PUBLIC_URL", value_parser = ficus_web::origin::parse_public_url)]
        public_url: Option<String>,
        /// Send mail (comment and kudos notifications) through this SMTP
        /// server, `smtp://HOST[:PORT]` (a relay; no TLS). Without it,
        /// notifications wait in the queue.
        #[arg(long, env = "FICUS_SMTP_URL")]
        smtp_url: Option<String>,
        /// The sender of the archive's mail.
        #[arg(
            long,
            env = "FICUS_MAIL_FROM",
            default_value = "Ficus <noreply@localhost>"
        )]
        mail_from: String,
        /// The first retry of a message the mail server refused waits this
        /// many seconds; each next one twice as long (at most an hour).
        #[arg(long, default_value_t = 30)]
        mail_retry_secs: i64,
    },
    /// Write a deterministic synthetic archive into an empty data directory
    /// (bulk path), wrangle its tags and build the search index.
    GenCorpus {
        /// Number of works.
        #[arg(long, default_value_t = 10_000)]
        works: usize,
        /// Seed: the same seed gives the same archive.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Chapter text: full (log-normal lengths, median 2,500 words) or
        /// short (a paragraph per chapter; word counts stay nominal).
        #[arg(long, value_enum, default_value_t = BodiesArg::Short)]
        bodies: BodiesArg,
    },
    /// Export works as EPUB, HTML or TXT files.
    Export {
        /// The format.
        #[arg(long, value_enum)]
        format: FormatArg,
        /// The directory to write into (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Every posted work.
        #[arg(long)]
        all: bool,
        /// Work ids.
        ids: Vec<i64>,
    },
    /// Rebuild the search index from the database.
    Reindex {
        /// The index directory (default: DATA_DIR/index).
        #[arg(long, env = "FICUS_INDEX_DIR")]
        index_dir: Option<PathBuf>,
        /// Leave the chapters' text out of the index (metadata only).
        #[arg(long)]
        no_bodies: bool,
    },
    /// Import works from files or directories (recursively).
    Import {
        /// Files (.txt, .html, .htm) or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Print one JSON object per file on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Benchmark: generate and import works, then load the work page over
    /// HTTP; or `bench discover` on a generated archive.
    #[command(args_conflicts_with_subcommands = true)]
    Bench {
        #[command(subcommand)]
        kind: Option<BenchKind>,
        #[command(flatten)]
        pages: crate::bench::BenchArgs,
    },
    /// Administer accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
}

/// `ficus admin …`
#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create an account. The password is read from the first line of
    /// standard input (or FICUS_PASSWORD), never from the command line.
    CreateUser {
        login: String,
        #[arg(long)]
        email: String,
        /// user, tag_wrangler, moderator or admin.
        #[arg(long, default_value = "user", value_parser = parse_role)]
        role: Role,
    },
    /// Make a one-use link that lets an account claim the imported works
    /// of a creator name (prints the path to give them).
    ClaimLink {
        /// The creator name as it appears on the imported works.
        name: String,
    },
    /// Open sign-ups to everyone, or require an invitation code.
    Signups {
        #[arg(value_parser = ["open", "invitation"])]
        mode: String,
    },
    /// Comment limits, shared by every node: the rate limit for guests
    /// and new accounts, how long an account counts as new, the switch
    /// for guest comments. Prints the limits in force.
    Comments {
        /// At most N comments in S seconds, as "N/S" (AO3: 3/900; 0/1
        /// turns the limit off).
        #[arg(long, value_parser = parse_rate)]
        rate: Option<ficus_core::comments::RateLimit>,
        /// Accounts younger than this many days are rate-limited and
        /// spam-checked (0: none).
        #[arg(long)]
        new_account_days: Option<u32>,
        /// Guest comments across the archive: on or off.
        #[arg(long, value_parser = ["on", "off"])]
        guests: Option<String>,
    },
    /// Send the mail that is due now (or at --as-of) through an SMTP
    /// server, once, and print what happened and what waits.
    Mail {
        /// `smtp://HOST[:PORT]`.
        #[arg(long, env = "FICUS_SMTP_URL")]
        smtp_url: String,
        #[arg(
            long,
            env = "FICUS_MAIL_FROM",
            default_value = "Ficus <noreply@localhost>"
        )]
        mail_from: String,
        /// The archive's public address, for the links in messages.
        #[arg(
            long,
            env = "FICUS_PUBLIC_URL",
            default_value = "http://localhost:3000"
        )]
        public_url: String,
        /// Send what is due at this UTC time (YYYY-MM-DDTHH:MM:SS) instead
        /// of now: a day's digests are due when the day is over.
        #[arg(long)]
        as_of: Option<chrono::NaiveDateTime>,
    },
    /// Make one-use sign-up invitation codes (printed one per line).
    InviteCodes {
        #[arg(long, default_value_t = 1)]
        count: usize,
    },
    /// Run every stored work, chapter and series text through the current
    /// sanitizer again (after an upgrade that tightened its rules).
    Resanitize,
    /// Change an account's role.
    SetRole {
        login: String,
        #[arg(value_parser = parse_role)]
        role: Role,
    },
}

fn parse_rate(s: &str) -> Result<ficus_core::comments::RateLimit, String> {
    ficus_core::comments::RateLimit::parse(s)
        .ok_or_else(|| format!("{s:?} is not a rate: write COUNT/SECONDS, for example 3/900"))
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s)
        .ok_or_else(|| format!("{s:?} is not a role: use user, tag_wrangler, moderator or admin"))
}

/// The benchmarks besides the default import-and-pages one.
#[derive(Debug, clap::Subcommand)]
pub enum BenchKind {
    /// Filter and full-text queries on a generated archive, next to plain
    /// SQL and FTS5 on the same database.
    Discover(crate::bench::discover::DiscoverArgs),
    /// Build EPUB/HTML/TXT of a generated long work, next to Calibre.
    Export(crate::bench::export::ExportArgs),
    /// Readers leaving kudos and reading pages (hits) at once, with the
    /// exact counts checked, next to the plain work page.
    Feedback(crate::bench::feedback::FeedbackArgs),
    /// A work page with 1,000 comments in 200 threads, page 1 of its
    /// comments, next to the plain work page.
    Comments(crate::bench::comments::CommentsArgs),
    /// A new chapter of a work with many subscribers: the writer's wait
    /// and the background fan-out's rate, next to a raw insert.
    Fanout(crate::bench::fanout::FanoutArgs),
    /// A gift exchange's matching (5,000 generated sign-ups), next to a
    /// greedy first-fit baseline: time, share matched, mean overlap.
    Matching(crate::bench::matching::MatchingArgs),
    /// Listing pages over HTTP on a generated archive, each a combination
    /// the server has not answered before, next to the same pages asked
    /// again (the answer cache).
    Listings(crate::bench::listings::ListingsArgs),
}

/// `--format` of export (AZW3 and MOBI are left out: Kindles read EPUB).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Epub,
    Pdf,
    Html,
    Txt,
}

/// `--bodies` of gen-corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BodiesArg {
    Full,
    Short,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve {
            addr,
            demo,
            demo_works,
            draft_days,
            signups_per_hour,
            requests_per_ip,
            request_window,
            comment_cache_mib,
            page_cache_mib,
            index_dir,
            trusted_proxies,
            public_url,
            smtp_url,
            mail_from,
            mail_retry_secs,
        } => {
            let store = cli.storage.open()?;
            if demo {
                crate::demo::fill_if_empty(&store, demo_works)?;
            }
            let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
            runtime
                .block_on(ficus_web::serve(
                    addr,
                    store,
                    &index_dir
                        .unwrap_or_else(|| cli.storage.data_dir.join(ficus_search::INDEX_DIR)),
                    &cli.storage.data_dir.join("downloads"),
                    ficus_web::ServeOptions {
                        draft_days,
                        signups_per_hour,
                        requests_per_ip,
                        request_window_secs: request_window,
                        comment_cache_bytes: comment_cache_mib.saturating_mul(1024 * 1024),
                        page_cache_bytes: page_cache_mib.saturating_mul(1024 * 1024),
                        origin: ficus_web::origin::Origin {
                            trusted_proxies,
                            public_url,
                        },
                        mail: ficus_web::mail::MailOptions {
                            smtp_url,
                            from: mail_from,
                            retry_base_secs: mail_retry_secs,
                        },
                    },
                ))
                .with_context(|| format!("serving on {addr}"))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::GenCorpus {
            works,
            seed,
            bodies,
        } => {
            let store = cli.storage.open()?;
            let dir = cli.storage.data_dir.join(ficus_search::INDEX_DIR);
            crate::gen_corpus::run(&store, &dir, works, seed, bodies == BodiesArg::Full)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            format,
            out,
            all,
            ids,
        } => {
            let store = cli.storage.open()?;
            let format = match format {
                FormatArg::Epub => ficus_export::Format::Epub,
                FormatArg::Pdf => ficus_export::Format::Pdf,
                FormatArg::Html => ficus_export::Format::Html,
                FormatArg::Txt => ficus_export::Format::Txt,
            };
            crate::export::run(&store, format, &out, &ids, all)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Reindex {
            index_dir,
            no_bodies,
        } => {
            let store = cli.storage.open()?;
            let dir =
                index_dir.unwrap_or_else(|| cli.storage.data_dir.join(ficus_search::INDEX_DIR));
            crate::reindex::run(&store, &dir, !no_bodies)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { paths, json } => {
            let store = cli.storage.open()?;
            let summary = crate::import::run(&store, &paths, json)?;
            Ok(if summary.failed > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Admin(cmd) => {
            let store = cli.storage.open()?;
            crate::admin::run(&store, cmd)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            kind: Some(BenchKind::Discover(args)),
            ..
        } => {
            crate::bench::discover::run(&cli.storage, &args)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            kind: Some(BenchKind::Listings(args)),
            ..
        } => {
            crate::bench::listings::run(&cli.storage, &args)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            kind: Some(BenchKind::Export(args)),
            ..
        } => {
            crate::bench::export::run(&args)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            kind: Some(BenchKind::Feedback(args)),
            ..
        } => {
            crate::bench::feedback::run(&cli.storage, &args)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            kind: Some(BenchKind::Comments(args)),
            ..
        } => {
            crate::bench::comments::run(&cli.storage, &args)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            kind: Some(BenchKind::Fanout(args)),
            ..
        } => {
            crate::bench::fanout::run(&cli.storage, &args)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            kind: Some(BenchKind::Matching(args)),
            ..
        } => {
            crate::bench::matching::run(&args);
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench { kind: None, pages } => {
            crate::bench::run(&cli.storage, &pages)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
