//! Tests of the synthetic corpus generator.
use std::collections::{HashMap, HashSet};

use ficus_core::tag::tag_key;

use super::*;

#[test]
fn the_same_seed_gives_the_same_corpus() {
    let mut a = CorpusGen::new(GenOptions::demo(7));
    let mut b = CorpusGen::new(GenOptions::demo(7));
    for _ in 0..20 {
        assert_eq!(a.next_work().work, b.next_work().work);
    }
    let mut c = CorpusGen::new(GenOptions::demo(8));
    assert_ne!(
        CorpusGen::new(GenOptions::demo(7)).next_work().work,
        c.next_work().work
    );
}

#[test]
fn generated_works_are_valid_and_lengths_are_log_normal() {
    let mut g = CorpusGen::new(GenOptions::benchmark(1));
    let mut words: Vec<u64> = (0..400)
        .map(|_| {
            let w = g.next_work().work;
            w.validate().expect("valid");
            w.word_count()
        })
        .collect();
    words.sort_unstable();
    let median = words[words.len() / 2];
    let mean = words.iter().sum::<u64>() / words.len() as u64;
    assert!((2_000..4_500).contains(&median), "median {median}");
    assert!((3_500..7_000).contains(&mean), "mean {mean}");
    assert!(words[words.len() - 1] > 3 * median, "a long tail");
}

#[test]
fn classic_works_get_counted_words_and_stats() {
    let mut g = CorpusGen::new(GenOptions::demo(3));
    for _ in 0..10 {
        let w = g.next_work();
        assert_eq!(w.nominal_words, w.work.word_count());
        assert!(w.stats.hits >= 1 && w.stats.kudos <= w.stats.hits);
    }
}

/// The archive profile with a smaller tag universe, so that tests build
/// it fast; the works are drawn the same way.
fn small_archive(seed: u64, full_bodies: bool) -> GenOptions {
    GenOptions {
        fandoms: 1_000,
        freeforms: 3_000,
        creators: 2_000,
        vocabulary: 5_000,
        ..GenOptions::archive(seed, full_bodies)
    }
}

/// Tag (type, comparison key)s.
type Keys = HashSet<(TagType, String)>;

/// Checks that every name is a valid tag name, no tag is canonical
/// twice, and every link names canonical tags; returns the canonical
/// and the synonym (type, key)s.
fn check_wrangling(facts: &[WranglingFact]) -> (Keys, Keys) {
    let valid = |name: &str| {
        assert_eq!(
            TagName::parse(name).map(|n| n.as_str().to_string()),
            Ok(name.to_string())
        );
    };
    let mut canonical = HashSet::new();
    for f in facts {
        if let WranglingFact::Canonical { kind, name } = f {
            valid(name);
            assert!(canonical.insert((*kind, tag_key(name))), "{name} twice");
        }
    }
    let is_canon = |kind: TagType, name: &str| canonical.contains(&(kind, tag_key(name)));
    let mut synonyms = HashSet::new();
    for f in facts {
        match f {
            WranglingFact::Canonical { .. } => {}
            WranglingFact::Synonym {
                kind,
                synonym,
                canonical: target,
            } => {
                valid(synonym);
                assert!(is_canon(*kind, target), "{synonym} → {target}");
                assert!(!is_canon(*kind, synonym), "{synonym} is canonical");
                assert!(
                    synonyms.insert((*kind, tag_key(synonym))),
                    "{synonym} twice"
                );
            }
            WranglingFact::Meta { kind, meta, sub } => {
                assert!(
                    is_canon(*kind, meta) && is_canon(*kind, sub),
                    "{meta} › {sub}"
                );
            }
            WranglingFact::Parent {
                kind,
                child,
                parent_kind,
                parent,
            } => {
                assert!(
                    is_canon(*kind, child) && is_canon(*parent_kind, parent),
                    "{parent} › {child}"
                );
            }
        }
    }
    (canonical, synonyms)
}

#[test]
fn the_same_seed_gives_the_same_archive() {
    let mut a = CorpusGen::new(small_archive(5, false));
    let mut b = CorpusGen::new(small_archive(5, false));
    assert_eq!(a.wrangling(), b.wrangling());
    for _ in 0..100 {
        let (x, y) = (a.next_work(), b.next_work());
        assert_eq!(x.work, y.work);
        assert_eq!(x.chapter_paragraphs, y.chapter_paragraphs);
        assert_eq!((x.nominal_words, x.stats), (y.nominal_words, y.stats));
    }
    let mut c = CorpusGen::new(small_archive(6, false));
    assert_ne!(
        CorpusGen::new(small_archive(5, false)).next_work().work,
        c.next_work().work
    );
}

#[test]
fn full_and_short_bodies_give_the_same_works_otherwise() {
    fn without_bodies(w: &NewWork) -> NewWork {
        let chapters = w
            .chapters
            .iter()
            .map(|c| NewChapter {
                body: String::new(),
                ..c.clone()
            })
            .collect();
        NewWork {
            chapters,
            ..w.clone()
        }
    }
    let mut full = CorpusGen::new(small_archive(3, true));
    let mut short = CorpusGen::new(small_archive(3, false));
    for _ in 0..40 {
        let (f, s) = (full.next_work(), short.next_work());
        assert_eq!(without_bodies(&f.work), without_bodies(&s.work));
        assert_eq!((f.nominal_words, f.stats), (s.nominal_words, s.stats));
        if f.nominal_words < 20_000 {
            assert_eq!(f.work.word_count(), f.nominal_words);
        }
    }
}

#[test]
fn short_bodies_are_short() {
    let mut g = CorpusGen::new(small_archive(4, false));
    for _ in 0..500 {
        let w = g.next_work();
        w.work.validate().expect("valid");
        assert!(w.nominal_words >= 50);
        assert_eq!(w.chapter_paragraphs.len(), w.work.chapters.len());
        for (paragraphs, chapter) in w.chapter_paragraphs.iter().zip(&w.work.chapters) {
            assert_eq!(paragraphs.len(), 1);
            let words = paragraphs[0].split_whitespace().count();
            assert!((30..=60).contains(&words), "{words} words");
            assert!(chapter.body.len() < 2_000);
        }
    }
}

#[test]
fn archive_mixes_are_roughly_ao3_like() {
    const N: usize = 20_000;
    let mut g = CorpusGen::new(small_archive(9, false));
    let first_day = NaiveDate::from_ymd_opt(2011, 1, 1).expect("a date");
    let last_day = NaiveDate::from_ymd_opt(2025, 12, 31).expect("a date");
    let mut words = Vec::with_capacity(N);
    let mut hits = Vec::with_capacity(N);
    let mut count = HashMap::<&str, usize>::new();
    for _ in 0..N {
        let generated = g.next_work();
        let (w, stats) = (&generated.work, generated.stats);
        words.push(generated.nominal_words);
        hits.push(stats.hits);
        assert!(stats.kudos <= stats.hits);
        assert!(stats.comments <= stats.kudos && stats.bookmarks <= stats.kudos);
        assert!((1..=50).contains(&w.chapters.len()));
        assert!(first_day <= w.published && w.published <= w.updated);
        assert!(w.updated <= last_day);
        let n = |kind| w.tags_of(kind).count();
        assert!((1..=2).contains(&n(TagType::ArchiveWarning)));
        assert!((1..=2).contains(&n(TagType::Category)));
        assert!((1..=2).contains(&n(TagType::Fandom)));
        assert!(n(TagType::Relationship) <= 3);
        assert!((1..=6).contains(&n(TagType::Character)));
        assert!(n(TagType::Freeform) <= 8);
        let mm = w
            .tags_of(TagType::Category)
            .any(|t| t.name.as_str() == "M/M");
        for (key, hit) in [
            ("one chapter", w.chapters.len() == 1),
            ("complete", w.complete),
            ("en", w.language.as_deref() == Some("en")),
            ("crossover", n(TagType::Fandom) == 2),
            ("general", w.rating == Rating::GeneralAudiences),
            ("explicit", w.rating == Rating::Explicit),
            ("m/m", mm),
            ("over 20,000 words", generated.nominal_words > 20_000),
        ] {
            *count.entry(key).or_default() += usize::from(hit);
        }
    }
    let share = |key: &str| count.get(key).copied().unwrap_or(0) as f64 / N as f64;
    for (key, range) in [
        ("one chapter", 0.66..0.74),
        ("complete", 0.55..0.65),
        ("en", 0.84..0.92),
        ("crossover", 0.03..0.07),
        ("general", 0.22..0.28),
        ("explicit", 0.17..0.23),
        ("m/m", 0.33..0.45),
        ("over 20,000 words", 0.01..0.10),
    ] {
        assert!(range.contains(&share(key)), "{key}: {}", share(key));
    }
    words.sort_unstable();
    hits.sort_unstable();
    let median = words[N / 2];
    assert!((2_000..=3_200).contains(&median), "median {median} words");
    assert!(words[N - 1] <= 500_000);
    assert!(
        (500..1_300).contains(&hits[N / 2]),
        "median {} hits",
        hits[N / 2]
    );
}

#[test]
fn archive_wrangling_is_consistent_and_works_use_its_names() {
    let mut g = CorpusGen::new(small_archive(2, false));
    let facts = g.wrangling();
    let (canonical, synonyms) = check_wrangling(&facts);

    // Every character and relationship has its fandom as parent.
    let parented: HashSet<(TagType, String)> = facts
        .iter()
        .filter_map(|f| match f {
            WranglingFact::Parent {
                kind,
                child,
                parent_kind: TagType::Fandom,
                ..
            } => Some((*kind, tag_key(child))),
            _ => None,
        })
        .collect();
    for (kind, key) in &canonical {
        if matches!(kind, TagType::Character | TagType::Relationship) {
            assert!(
                parented.contains(&(*kind, key.clone())),
                "{key} has no fandom"
            );
        }
    }

    // Meta fandoms group about one fandom in twenty; some meta tag has
    // a meta tag of its own.
    let mut metas_of: HashMap<(TagType, String), Vec<String>> = HashMap::new();
    let mut meta_fandoms = HashSet::new();
    let mut grouped = HashSet::new();
    for f in &facts {
        if let WranglingFact::Meta { kind, meta, sub } = f {
            metas_of
                .entry((*kind, tag_key(sub)))
                .or_default()
                .push(tag_key(meta));
            if *kind == TagType::Fandom {
                meta_fandoms.insert(tag_key(meta));
                grouped.insert(tag_key(sub));
            }
        }
    }
    let fandoms = canonical
        .iter()
        .filter(|(kind, _)| *kind == TagType::Fandom)
        .count()
        - meta_fandoms.len();
    let grouped_share = grouped.len() as f64 / fandoms as f64;
    assert!((0.02..0.12).contains(&grouped_share), "{grouped_share}");
    let depth_two = metas_of.iter().any(|((kind, _), metas)| {
        metas
            .iter()
            .any(|m| metas_of.contains_key(&(*kind, m.clone())))
    });
    assert!(depth_two, "no meta tag has a meta tag");

    // Works carry valid names, canonical or synonyms (or unwrangled
    // additional tags), never a meta fandom.
    let (mut uses, mut synonym_uses, mut unwrangled) = (0usize, 0usize, 0usize);
    for _ in 0..2_000 {
        let w = g.next_work().work;
        w.validate().expect("valid");
        for t in &w.tags {
            assert_eq!(TagName::parse(t.name.as_str()).as_ref(), Ok(&t.name));
            if !t.kind.is_free() {
                continue;
            }
            let key = (t.kind, t.name.key());
            assert!(
                t.kind != TagType::Fandom || !meta_fandoms.contains(&key.1),
                "a work carries meta fandom {}",
                t.name
            );
            uses += 1;
            if synonyms.contains(&key) {
                synonym_uses += 1;
            } else if !canonical.contains(&key) {
                assert_eq!(t.kind, TagType::Freeform, "{} is not wrangled", t.name);
                unwrangled += 1;
            }
        }
    }
    assert!(
        synonym_uses > 0 && synonym_uses * 10 < uses,
        "{synonym_uses} synonym uses of {uses}"
    );
    assert!(
        unwrangled > 0 && unwrangled * 4 < uses,
        "{unwrangled} of {uses}"
    );
}

#[test]
fn classic_wrangling_is_small_and_consistent() {
    let mut g = CorpusGen::new(GenOptions::demo(7));
    let facts = g.wrangling();
    assert!(facts.len() < 2_000, "{} facts", facts.len());
    let (canonical, synonyms) = check_wrangling(&facts);
    assert!(!synonyms.is_empty());
    for _ in 0..50 {
        let w = g.next_work().work;
        for t in w
            .tags_of(TagType::Fandom)
            .chain(w.tags_of(TagType::Freeform))
        {
            assert!(canonical.contains(&(t.kind, t.name.key())), "{}", t.name);
        }
    }
}

/// `cargo test --release -p ficus-gen -- --ignored --nocapture`: the
/// full-size archive's wrangling is consistent, and short-body works
/// cost well under 10 µs each.
#[test]
#[ignore = "full size and timing; run in release"]
fn full_size_archive_is_consistent_and_cheap() {
    let t = std::time::Instant::now();
    let mut g = CorpusGen::new(GenOptions::archive(1, false));
    let facts = g.wrangling();
    eprintln!(
        "built in {:.2}s, {} wrangling facts",
        t.elapsed().as_secs_f64(),
        facts.len()
    );
    check_wrangling(&facts);
    let n = 200_000;
    let t = std::time::Instant::now();
    let mut words = 0;
    for _ in 0..n {
        words += g.next_work().nominal_words;
    }
    let micros = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    eprintln!("{micros:.2} µs per work, {words} nominal words");
    if !cfg!(debug_assertions) {
        assert!(micros < 10.0, "{micros:.2} µs per work");
    }
}
