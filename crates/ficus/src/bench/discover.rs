//! `ficus bench discover`: a fixed, seeded mix of filter and full-text
//! queries on a generated archive, answered by the search index and, in
//! the same run, the straightforward way in plain SQL (tag join tables with
//! their indexes; SQLite FTS5 for text), with the baseline capped per query.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use ficus_core::TagType;
use ficus_core::search_query::{self, NumericField, SortColumn, SortDirection};
use ficus_search::{Request, ResolvedQuery, SearchIndex};
use ficus_store::{Backend, Store};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

use super::raw_sqlite::{Outcome, RawSqlite};
use crate::cli::StorageArgs;

/// Options of `ficus bench discover`.
#[derive(Debug, clap::Args)]
pub struct DiscoverArgs {
    /// Filter queries to run through the index.
    #[arg(long, default_value_t = 300)]
    pub queries: usize,
    /// Of those, how many also run through the SQL baseline.
    #[arg(long, default_value_t = 40)]
    pub baseline_queries: usize,
    /// Full-text queries (needs an archive generated with --bodies full).
    #[arg(long, default_value_t = 0)]
    pub text_queries: usize,
    /// Seed of the query mix.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// The baseline's time cap per query, in milliseconds.
    #[arg(long, default_value_t = 5_000)]
    pub cap_ms: u64,
}

const SORTS: [SortColumn; 9] = [
    SortColumn::Updated,
    SortColumn::Posted,
    SortColumn::Words,
    SortColumn::Kudos,
    SortColumn::Hits,
    SortColumn::Comments,
    SortColumn::Bookmarks,
    SortColumn::Title,
    SortColumn::Creator,
];

/// Timings of one side, in microseconds.
#[derive(Default)]
struct Timings {
    micros: Vec<u64>,
    capped: usize,
}

impl Timings {
    fn pct(&self, p: f64) -> f64 {
        if self.micros.is_empty() {
            return 0.0;
        }
        let mut v = self.micros.clone();
        v.sort_unstable();
        let i = ((v.len() as f64 - 1.0) * p).round() as usize;
        v[i] as f64 / 1000.0
    }
    fn qps(&self) -> f64 {
        let total: u64 = self.micros.iter().sum();
        self.micros.len() as f64 / (total as f64 / 1e6).max(1e-9)
    }
    fn line(&self, name: &str) -> String {
        let capped = if self.capped > 0 {
            format!("  ({} of {} > cap)", self.capped, self.micros.len())
        } else {
            String::new()
        };
        format!(
            "  {name:<10} p50 {:>9.2} ms  p95 {:>9.2} ms  p99 {:>9.2} ms  {:>9.1} q/s{capped}",
            self.pct(0.5),
            self.pct(0.95),
            self.pct(0.99),
            self.qps()
        )
    }
}

struct FilterCase {
    req: Request,
    /// Tag groups as expanded raw tag ids, for the SQL side.
    include_raw: Vec<Vec<i64>>,
    exclude_raw: Vec<i64>,
}

/// Runs the benchmark.
pub fn run(storage: &StorageArgs, args: &DiscoverArgs) -> anyhow::Result<()> {
    let backend = storage.backend()?;
    let Backend::Sqlite(db_path) = &backend else {
        bail!("bench discover compares against SQLite and FTS5; run it on the embedded default");
    };
    let store = Store::open(&backend)?;
    let index = SearchIndex::open(&storage.data_dir.join(ficus_search::INDEX_DIR))?;
    if index.doc_count() == 0 {
        bail!("the search index is empty: run `ficus gen-corpus` (or `ficus reindex`) first");
    }
    let graph = store.tag_graph()?;
    let works = index.doc_count();
    println!(
        "archive: {works} indexed works in {}",
        storage.data_dir.display()
    );
    let mut rng = Pcg64::seed_from_u64(args.seed);
    let all = index.search(&Request {
        members: true,
        limit: 0,
        facets: true,
        ..Request::default()
    })?;
    let top = |kind: TagType, n: usize| -> Vec<i64> {
        all.facets
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, l)| l.iter().take(n).map(|(t, _)| *t).collect())
            .unwrap_or_default()
    };
    let fandoms = top(TagType::Fandom, 300);
    let ratings = top(TagType::Rating, 5);
    if fandoms.is_empty() {
        bail!("no fandoms in the index");
    }
    let mut cases = Vec::new();
    for i in 0..args.queries {
        let fandom = fandoms[rng.random_range(0..fandoms.len())];
        let within = index.search(&Request {
            members: true,
            include: vec![vec![fandom]],
            limit: 0,
            facets: true,
            ..Request::default()
        })?;
        let pick = |kind: TagType, rng: &mut Pcg64, n: usize| -> Vec<i64> {
            let list: Vec<i64> = within
                .facets
                .iter()
                .find(|(k, _)| *k == kind)
                .map(|(_, l)| l.iter().take(30).map(|(t, _)| *t).collect())
                .unwrap_or_default();
            let mut out = BTreeSet::new();
            for _ in 0..n {
                if !list.is_empty() {
                    out.insert(list[rng.random_range(0..list.len())]);
                }
            }
            out.into_iter().filter(|t| *t != fandom).collect()
        };
        let n_inc = rng.random_range(0..=3);
        let kinds = [TagType::Character, TagType::Relationship, TagType::Freeform];
        let mut include = vec![vec![fandom]];
        for _ in 0..n_inc {
            let kind = kinds[rng.random_range(0..kinds.len())];
            for t in pick(kind, &mut rng, 1) {
                include.push(vec![t]);
            }
        }
        let n_exc = rng.random_range(0..=2);
        let exclude = pick(TagType::Freeform, &mut rng, n_exc);
        let exclude: Vec<i64> = exclude
            .into_iter()
            .filter(|t| include.iter().all(|g| !g.contains(t)))
            .collect();
        if !ratings.is_empty() && rng.random_bool(0.5) {
            let n = rng.random_range(1..=2.min(ratings.len()));
            let mut group = BTreeSet::new();
            while group.len() < n {
                group.insert(ratings[rng.random_range(0..ratings.len())]);
            }
            include.push(group.into_iter().collect());
        }
        let words = match rng.random_range(0..4) {
            0 => None,
            1 => Some((Some(1_000), None)),
            2 => Some((None, Some(5_000))),
            _ => Some((Some(2_000), Some(20_000))),
        };
        let sort = SORTS[i % SORTS.len()];
        let direction = if rng.random_bool(0.8) {
            sort.default_direction()
        } else {
            sort.default_direction().reversed()
        };
        let mut req = Request {
            include: include.clone(),
            exclude: exclude.clone(),
            members: true,
            sort,
            direction,
            limit: 20,
            facets: true,
            ..Request::default()
        };
        if let Some((lo, hi)) = words {
            req.numbers.push((NumericField::Words, lo, hi));
        }
        // Every other query asks for a deep page: the middle or the last.
        if i % 2 == 1 {
            let total = index
                .search(&Request {
                    limit: 0,
                    facets: false,
                    ..req.clone()
                })?
                .total as usize;
            let pages = total.div_ceil(20).max(1);
            let page = if i % 4 == 1 { pages / 2 + 1 } else { pages };
            req.offset = (page.min(pages) - 1) * 20;
        }
        let expand = |t: i64| graph.expand_down(t).into_iter().collect::<Vec<_>>();
        cases.push(FilterCase {
            include_raw: include
                .iter()
                .map(|g| g.iter().flat_map(|&t| expand(t)).collect())
                .collect(),
            exclude_raw: exclude.iter().flat_map(|&t| expand(t)).collect(),
            req,
        });
    }

    // Ficus: the index query with exact total and sidebar counts, plus
    // loading the page's 20 works from the database.
    let mut ficus = Timings::default();
    for case in &cases {
        let t = Instant::now();
        let hits = index.search_uncached(&index.searcher(), &case.req)?;
        let page = store.works_by_ids(&hits.ids)?;
        std::hint::black_box(page);
        ficus.micros.push(t.elapsed().as_micros() as u64);
    }
    let mut raw = RawSqlite::open(db_path)?;
    let cap = Duration::from_millis(args.cap_ms);
    let mut baseline = Timings::default();
    for case in cases.iter().take(args.baseline_queries) {
        let (micros, capped) = sql_filter(&mut raw, case, cap)?;
        baseline.micros.push(micros);
        baseline.capped += usize::from(capped);
    }
    println!(
        "filter pages (one canonical tag + 0-3 includes + 0-2 excludes, ratings, word ranges, every sort, first and deep pages; exact total and sidebar counts):"
    );
    let same = Timings {
        micros: ficus
            .micros
            .iter()
            .take(baseline.micros.len())
            .copied()
            .collect(),
        capped: 0,
    };
    println!("{}", ficus.line("ficus"));
    println!("{}", same.line("ficus*"));
    println!("{}", baseline.line("sql*"));
    println!(
        "  * the same {} queries; ratio (sql/ficus): p50 {:.0}x  p99 {:.0}x{}",
        baseline.micros.len(),
        baseline.pct(0.5) / same.pct(0.5).max(1e-6),
        baseline.pct(0.99) / same.pct(0.99).max(1e-6),
        if baseline.capped > 0 {
            " (baseline capped: true ratio larger)"
        } else {
            ""
        }
    );
    if args.text_queries > 0 {
        text_bench(&index, &store, &mut raw, args, &mut rng, cap)?;
    }
    if let Some(rss) = rss_mib() {
        println!("process RSS: {rss:.0} MiB");
    }
    Ok(())
}

fn order_column(sort: SortColumn) -> &'static str {
    match sort {
        SortColumn::Posted => "w.published_on",
        SortColumn::Words => "w.word_count",
        SortColumn::Kudos => "w.kudos_count",
        SortColumn::Hits => "w.hits_count",
        SortColumn::Comments => "w.comments_count",
        SortColumn::Bookmarks => "w.bookmarks_count",
        SortColumn::Title => "lower(w.title)",
        SortColumn::Creator => {
            "(SELECT lower(c.name) FROM work_creators wc JOIN creators c ON c.id = wc.creator_id WHERE wc.work_id = w.id ORDER BY wc.position LIMIT 1)"
        }
        SortColumn::Updated | SortColumn::BestMatch => "w.updated_on",
    }
}

fn ids(list: &[i64]) -> String {
    list.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The page, the count and the sidebar counts in plain SQL. Returns
/// (microseconds, capped).
fn sql_filter(
    raw: &mut RawSqlite,
    case: &FilterCase,
    cap: Duration,
) -> anyhow::Result<(u64, bool)> {
    let mut filter = String::from("w.posted = 1 AND w.hidden = 0");
    for g in &case.include_raw {
        filter.push_str(&format!(
            " AND w.id IN (SELECT work_id FROM taggings WHERE tag_id IN ({}))",
            ids(g)
        ));
    }
    if !case.exclude_raw.is_empty() {
        filter.push_str(&format!(
            " AND w.id NOT IN (SELECT work_id FROM taggings WHERE tag_id IN ({}))",
            ids(&case.exclude_raw)
        ));
    }
    for (field, lo, hi) in &case.req.numbers {
        if *field == NumericField::Words {
            if let Some(lo) = lo {
                filter.push_str(&format!(" AND w.word_count >= {lo}"));
            }
            if let Some(hi) = hi {
                filter.push_str(&format!(" AND w.word_count <= {hi}"));
            }
        }
    }
    let dir = if case.req.direction == SortDirection::Desc {
        "DESC"
    } else {
        "ASC"
    };
    let page = format!(
        "SELECT w.id FROM works w WHERE {filter} ORDER BY {} {dir}, w.id {dir} LIMIT 20 OFFSET {}",
        order_column(case.req.sort),
        case.req.offset
    );
    let count = format!("SELECT count(*) FROM works w WHERE {filter}");
    let sidebar = format!(
        "SELECT t.tag_id, count(*) FROM taggings t WHERE t.work_id IN (SELECT w.id FROM works w WHERE {filter}) GROUP BY t.tag_id ORDER BY 2 DESC"
    );
    let started = Instant::now();
    let deadline = started + cap;
    for sql in [page, count, sidebar] {
        match raw.query(&sql, &[], deadline)? {
            Outcome::Capped => return Ok((cap.as_micros() as u64, true)),
            Outcome::Rows(rows) => {
                std::hint::black_box(rows);
            }
        }
    }
    Ok((started.elapsed().as_micros() as u64, false))
}

fn text_bench(
    index: &SearchIndex,
    store: &Store,
    raw: &mut RawSqlite,
    args: &DiscoverArgs,
    rng: &mut Pcg64,
    cap: Duration,
) -> anyhow::Result<()> {
    // Terms come from the archive's own text, so they occur.
    let sample_ids = store.indexable_work_ids(0, 200)?;
    let mut vocabulary: Vec<String> = Vec::new();
    for id in sample_ids.iter().take(50) {
        for c in store.chapters_full(*id)? {
            let text = ficus_core::html::text_of(&c.body);
            vocabulary.extend(
                text.split_whitespace()
                    .map(|w| {
                        w.trim_matches(|c: char| !c.is_alphanumeric())
                            .to_lowercase()
                    })
                    .filter(|w| w.len() > 3)
                    .take(400),
            );
        }
    }
    if vocabulary.is_empty() {
        bail!("no chapter text to sample query terms from (generate with --bodies full)");
    }
    println!("building the FTS5 baseline table (once per archive)…");
    let t = Instant::now();
    raw.exec(
        "CREATE VIRTUAL TABLE IF NOT EXISTS bench_fts USING fts5(body, tokenize = 'unicode61');
         INSERT INTO bench_fts (rowid, body)
             SELECT c.work_id, group_concat(c.body, ' ') FROM chapters c
             WHERE NOT EXISTS (SELECT 1 FROM bench_fts WHERE rowid = c.work_id)
             GROUP BY c.work_id;",
    )
    .context("building the FTS5 table")?;
    println!("  FTS5 ready in {:.1} s", t.elapsed().as_secs_f64());
    let mut queries = Vec::new();
    for _ in 0..args.text_queries {
        let n = rng.random_range(1..=3);
        let words: Vec<&str> = (0..n)
            .map(|_| vocabulary[rng.random_range(0..vocabulary.len())].as_str())
            .collect();
        let phrase = n > 1 && rng.random_bool(0.3);
        let text = if phrase {
            format!("\"{}\"", words.join(" "))
        } else {
            words.join(" ")
        };
        queries.push(text);
    }
    let today = chrono::Utc::now().date_naive();
    let mut ficus = Timings::default();
    let mut fts = Timings::default();
    for text in &queries {
        let parsed = search_query::parse(text).context("query")?;
        let req = Request {
            members: true,
            sort: SortColumn::BestMatch,
            query: Some(ResolvedQuery::resolve(parsed, today, |_, _| Vec::new())),
            limit: 20,
            ..Request::default()
        };
        let t = Instant::now();
        let hits = index.search_uncached(&index.searcher(), &req)?;
        std::hint::black_box(store.works_by_ids(&hits.ids)?);
        ficus.micros.push(t.elapsed().as_micros() as u64);
        let started = Instant::now();
        let deadline = started + cap;
        let mut capped = false;
        for sql in [
            "SELECT rowid FROM bench_fts WHERE bench_fts MATCH ?1 ORDER BY rank LIMIT 20",
            "SELECT count(*) FROM bench_fts WHERE bench_fts MATCH ?1",
        ] {
            match raw.query(sql, &[text], deadline)? {
                Outcome::Capped => {
                    capped = true;
                    break;
                }
                Outcome::Rows(rows) => {
                    std::hint::black_box(rows);
                }
            }
        }
        fts.micros.push(if capped {
            cap.as_micros() as u64
        } else {
            started.elapsed().as_micros() as u64
        });
        fts.capped += usize::from(capped);
    }
    println!("full-text queries (1-3 terms, some phrases; best match, exact total):");
    println!("{}", ficus.line("ficus"));
    println!("{}", fts.line("fts5"));
    println!(
        "  ratio (fts5/ficus): p50 {:.1}x  p99 {:.1}x",
        fts.pct(0.5) / ficus.pct(0.5).max(1e-6),
        fts.pct(0.99) / ficus.pct(0.99).max(1e-6)
    );
    Ok(())
}

/// Resident set size of this process.
fn rss_mib() -> Option<f64> {
    super::rss_kib().map(|kib| kib as f64 / 1024.0)
}
