//! `ficus bench listings`: listing pages over HTTP against `ficus serve`
//! (a child process) on a generated archive. Every measured request is a
//! combination the server has not answered before — a new excluded tag,
//! sort, direction and page — in four classes:
//!
//! - the largest fandom minus one tag (its sidebar counted),
//! - `/works` minus one tag (every tag of the archive counted),
//!   (both on a page among the first or last 50, and again anywhere in
//!   the middle, as separate classes),
//! - popular fandoms with includes, excludes and a word range,
//! - full-text search.
//!
//! The baseline, in the same run, is the same URLs asked again: the
//! server answers those from its per-generation answer cache, so the
//! difference is the cost of a first answer.

use std::collections::{BTreeSet, HashSet};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use ficus_core::TagType;
use ficus_search::{Request, SearchIndex};
use ficus_store::Store;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

use crate::cli::StorageArgs;

/// Options of `ficus bench listings`.
#[derive(Debug, clap::Args)]
pub struct ListingsArgs {
    /// Requests per class.
    #[arg(long, default_value_t = 200)]
    pub per_class: usize,
    /// Seed of the mix.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
}

const SORTS: [&str; 9] = [
    "revised_at",
    "created_at",
    "word_count",
    "kudos_count",
    "hits",
    "comments_count",
    "bookmarks_count",
    "title_to_sort_on",
    "authors_to_sort_on",
];

struct Class {
    name: &'static str,
    urls: Vec<String>,
}

/// Runs the benchmark.
pub fn run(storage: &StorageArgs, args: &ListingsArgs) -> anyhow::Result<()> {
    let store = storage.open()?;
    let classes = {
        let index = SearchIndex::open(&storage.data_dir.join(ficus_search::INDEX_DIR))?;
        if index.doc_count() == 0 {
            bail!("the search index is empty: run `ficus gen-corpus` (or `ficus reindex`) first");
        }
        println!(
            "archive: {} indexed works in {}",
            index.doc_count(),
            storage.data_dir.display()
        );
        mix(&store, &index, args)?
    };
    drop(store);
    let (server, base) = super::start_server(&storage.data_dir, storage.database.as_deref(), &[])?;
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    // Warm the connection and the process (not measured, not in the mix).
    for _ in 0..20 {
        client
            .get(format!("{base}/static/ficus.css"))
            .send()?
            .bytes()?;
    }
    println!(
        "{:<44} {:>5} {:>9} {:>9} {:>9} | {:>9} {:>9} | {:>7}",
        "class (first time)", "n", "p50", "p99", "max", "again p50", "again p99", "p99 × "
    );
    for class in &classes {
        let first = time_all(&client, &base, &class.urls)?;
        let again = time_all(&client, &base, &class.urls)?;
        println!(
            "{:<44} {:>5} {:>7.2}ms {:>7.2}ms {:>7.2}ms | {:>7.2}ms {:>7.2}ms | {:>6.1}x",
            class.name,
            class.urls.len(),
            ms(pct(&first, 0.50)),
            ms(pct(&first, 0.99)),
            ms(pct(&first, 1.0)),
            ms(pct(&again, 0.50)),
            ms(pct(&again, 0.99)),
            ms(pct(&first, 0.99)) / ms(pct(&again, 0.99)).max(1e-6),
        );
    }
    if let Some(kib) = super::rss_kib_of(server.0.id()) {
        println!("server RSS after the mix: {:.0} MiB", kib as f64 / 1024.0);
    }
    if let Some(kib) = super::status_kib(server.0.id(), "VmHWM:") {
        println!("server peak RSS: {:.0} MiB", kib as f64 / 1024.0);
    }
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

/// Each URL once, in order; the sorted latencies (status 200 required).
fn time_all(
    client: &reqwest::blocking::Client,
    base: &str,
    urls: &[String],
) -> anyhow::Result<Vec<Duration>> {
    let mut out = Vec::with_capacity(urls.len());
    for url in urls {
        let t = Instant::now();
        let resp = client.get(format!("{base}{url}")).send()?;
        let status = resp.status();
        let body = resp.bytes()?;
        out.push(t.elapsed());
        if !status.is_success() {
            bail!("{url} answered {status}");
        }
        if body.len() < 1_000 {
            bail!("{url} answered a short page ({} bytes)", body.len());
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// The seeded mix of first-time requests.
fn mix(store: &Store, index: &SearchIndex, args: &ListingsArgs) -> anyhow::Result<Vec<Class>> {
    let mut rng = Pcg64::seed_from_u64(args.seed);
    let counted = |include: Vec<Vec<i64>>| {
        index.search(&Request {
            members: false,
            include,
            limit: 0,
            facets: true,
            ..Request::default()
        })
    };
    let all = counted(Vec::new())?;
    let of_kind = |hits: &ficus_search::Hits, kind: TagType, n: usize| -> Vec<(i64, u32)> {
        hits.facets
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, l)| l.iter().take(n).copied().collect())
            .unwrap_or_default()
    };
    let fandoms = of_kind(&all, TagType::Fandom, 50);
    let (largest, largest_count) = *fandoms.first().context("no fandoms in the index")?;
    let in_largest = counted(vec![vec![largest]])?;
    let name_of = |id: i64| -> anyhow::Result<String> {
        let tags = store.tags_by_ids(&[id])?;
        Ok(tags.into_iter().next().context("a tag of the index")?.name)
    };
    let largest_name = name_of(largest)?;
    let pages = |count: u64| count.div_ceil(20).max(1);
    let mut seen = HashSet::new();
    let mut unique = |url: String| seen.insert(url.clone()).then_some(url);
    let sort = |rng: &mut Pcg64| {
        format!(
            "work_search[sort_column]={}&work_search[sort_direction]={}",
            SORTS[rng.random_range(0..SORTS.len())],
            if rng.random_bool(0.5) { "desc" } else { "asc" }
        )
    };
    // A page near either end (the first 50 or the last 50: what readers
    // click through, and the last page), or anywhere in the middle.
    let page = |rng: &mut Pcg64, pages: u64, middle: bool| {
        if middle {
            return rng.random_range(1..=pages);
        }
        let near = rng.random_range(1..=50.min(pages));
        if rng.random_bool(0.5) {
            near
        } else {
            pages + 1 - near
        }
    };

    let (mut minus_fandom, mut minus_fandom_middle) = (Vec::new(), Vec::new());
    let candidates: Vec<(i64, u32)> = of_kind(&in_largest, TagType::Freeform, 400)
        .into_iter()
        .chain(of_kind(&in_largest, TagType::Character, 200))
        .chain(of_kind(&in_largest, TagType::Relationship, 200))
        .collect();
    let fandom_path = format!(
        "/tags/{}/works",
        ficus_web::view::encode_segment(&largest_name)
    );
    while minus_fandom_middle.len() < args.per_class && !candidates.is_empty() {
        let (tag, n) = candidates[rng.random_range(0..candidates.len())];
        let total = u64::from(largest_count) - u64::from(n);
        let middle = minus_fandom.len() >= args.per_class;
        let url = format!(
            "{fandom_path}?work_search[excluded_tag_ids][]={tag}&{}&page={}",
            sort(&mut rng),
            page(&mut rng, pages(total), middle)
        );
        if middle {
            minus_fandom_middle.extend(unique(url));
        } else {
            minus_fandom.extend(unique(url));
        }
    }

    let (mut minus_all, mut minus_all_middle) = (Vec::new(), Vec::new());
    let candidates: Vec<(i64, u32)> = of_kind(&all, TagType::Freeform, 600)
        .into_iter()
        .chain(of_kind(&all, TagType::Character, 200))
        .collect();
    while minus_all_middle.len() < args.per_class && !candidates.is_empty() {
        let (tag, n) = candidates[rng.random_range(0..candidates.len())];
        let total = all.total - u64::from(n);
        let middle = minus_all.len() >= args.per_class;
        let url = format!(
            "/works?work_search[excluded_tag_ids][]={tag}&{}&page={}",
            sort(&mut rng),
            page(&mut rng, pages(total), middle)
        );
        if middle {
            minus_all_middle.extend(unique(url));
        } else {
            minus_all.extend(unique(url));
        }
    }

    let mut popular = Vec::new();
    while popular.len() < args.per_class {
        let (fandom, _) = fandoms[rng.random_range(0..fandoms.len())];
        let within = counted(vec![vec![fandom]])?;
        let pick = |rng: &mut Pcg64, kind: TagType| -> Option<i64> {
            let list = of_kind(&within, kind, 30);
            (!list.is_empty()).then(|| list[rng.random_range(0..list.len())].0)
        };
        let mut include = BTreeSet::new();
        for _ in 0..rng.random_range(0..=2) {
            let kind = [TagType::Character, TagType::Relationship, TagType::Freeform]
                [rng.random_range(0..3)];
            include.extend(pick(&mut rng, kind));
        }
        let mut exclude = BTreeSet::new();
        for _ in 0..rng.random_range(0..=2) {
            exclude.extend(pick(&mut rng, TagType::Freeform).filter(|t| !include.contains(t)));
        }
        let mut url = format!(
            "/tags/{}/works?{}&work_search[words_from]={}",
            ficus_web::view::encode_segment(&name_of(fandom)?),
            sort(&mut rng),
            [100, 1_000, 5_000, 10_000][rng.random_range(0..4)]
        );
        for t in include {
            url.push_str(&format!("&work_search[freeform_ids][]={t}"));
        }
        for t in exclude {
            url.push_str(&format!("&work_search[excluded_tag_ids][]={t}"));
        }
        url.push_str("&page=1");
        popular.extend(unique(url));
    }

    // Words from the archive's own titles and tags.
    let mut words: Vec<String> = Vec::new();
    let sample = store.indexable_work_ids(0, 2_000)?;
    for w in store.works_by_ids(&sample)? {
        words.extend(
            w.title
                .split(|c: char| !c.is_alphanumeric())
                .filter(|s| s.len() >= 4)
                .map(str::to_lowercase),
        );
    }
    words.sort();
    words.dedup();
    if words.is_empty() {
        bail!("no words in the archive's titles");
    }
    let mut text = Vec::new();
    let mut tries = 0;
    while text.len() < args.per_class && tries < args.per_class * 20 {
        tries += 1;
        let mut query = words[rng.random_range(0..words.len())].clone();
        if rng.random_bool(0.4) {
            query.push(' ');
            query.push_str(&words[rng.random_range(0..words.len())]);
        }
        let url = format!(
            "/works/search?work_search[query]={}&{}",
            ficus_web::view::encode_segment(&query),
            sort(&mut rng),
        );
        text.extend(unique(url));
    }
    Ok(vec![
        Class {
            name: "largest fandom minus one tag",
            urls: minus_fandom,
        },
        Class {
            name: "/works minus one tag",
            urls: minus_all,
        },
        Class {
            name: "largest fandom minus a tag, middle page",
            urls: minus_fandom_middle,
        },
        Class {
            name: "/works minus a tag, middle page",
            urls: minus_all_middle,
        },
        Class {
            name: "popular fandoms, includes/excludes/range",
            urls: popular,
        },
        Class {
            name: "full-text search",
            urls: text,
        },
    ])
}
