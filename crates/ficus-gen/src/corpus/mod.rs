//! Synthetic works: Zipf-popular fandoms with their own characters and
//! relationships, Zipf-distributed additional tags, AO3-like rating /
//! warning / category mixes, log-normal lengths, dates over 15 years.
//!
//! Two profiles: [`Profile::Classic`] for the demo and the import
//! benchmark, and [`Profile::Archive`] for an archive-scale corpus with
//! wrangling ([`CorpusGen::wrangling`]). Bodies are full prose or, for
//! bulk loads, short stand-ins ([`Bodies`]).

use chrono::{Days, NaiveDate};
use ficus_core::html::escape;
use ficus_core::tag::{ARCHIVE_WARNINGS, CATEGORIES, Tag, TagName};
use ficus_core::{NewChapter, NewWork, Rating, TagType, WorkOrigin};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

use crate::archive::{self, Archive};
use crate::seeds::{
    DERIVED_META_SEEDS, FIRST_NAMES, FREEFORM_SEEDS, MEDIA, SEED_METAS, SEED_SYNONYMS, title_case,
};
use crate::vocab::{Vocabulary, sample_cumulative, zipf_cumulative};
use crate::wrangling::{FactSet, WranglingFact};

/// Which tag universe and mixes a corpus follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// The demo and benchmark corpus: fandoms with characters,
    /// relationships made up per work, one warning and one category per
    /// work, all in English. Its works are the same as they always were.
    #[default]
    Classic,
    /// An archive-scale corpus like AO3's: fandoms with their own
    /// relationships, meta fandoms, canonical tags with synonyms that some
    /// works carry, and AO3-like mixes of ratings, warnings, categories,
    /// chapters, completion and languages. See [`GenOptions::archive`].
    Archive,
}

/// How chapter bodies are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Bodies {
    /// Prose of the sampled length.
    #[default]
    Full,
    /// One paragraph of 30–60 words per chapter, whatever the sampled
    /// length, picked from a pool written once per corpus, so a work costs
    /// no time for its length. The sampled length is
    /// [`GeneratedWork::nominal_words`].
    Short,
}

/// Shape of a generated corpus.
#[derive(Debug, Clone)]
pub struct GenOptions {
    /// Everything generated follows from it.
    pub seed: u64,
    /// Median words per work (log-normal).
    pub median_words: f64,
    /// Log-normal sigma; mean = median · e^(σ²/2).
    pub sigma: f64,
    /// Longest work, in words.
    pub max_words: usize,
    /// Most chapters per work (1 for one-chapter text files).
    pub max_chapters: usize,
    /// Fandoms (not counting the archive profile's meta fandoms).
    pub fandoms: usize,
    /// Additional tags, the seed tags included.
    pub freeforms: usize,
    /// Creator names.
    pub creators: usize,
    /// Words in the vocabulary prose and names are made from.
    pub vocabulary: usize,
    /// Tag universe and mixes.
    pub profile: Profile,
    /// Full prose or short stand-in bodies.
    pub bodies: Bodies,
}

impl GenOptions {
    /// A small, varied archive for `serve --demo`.
    pub fn demo(seed: u64) -> GenOptions {
        GenOptions {
            seed,
            median_words: 1_800.0,
            sigma: 0.9,
            max_words: 40_000,
            max_chapters: 12,
            fandoms: 40,
            freeforms: 300,
            creators: 120,
            vocabulary: 4_000,
            profile: Profile::Classic,
            bodies: Bodies::Full,
        }
    }

    /// One-chapter works averaging about 5,000 words, for the import benchmark.
    pub fn benchmark(seed: u64) -> GenOptions {
        GenOptions {
            seed,
            median_words: 3_050.0,
            sigma: 1.0,
            max_words: 150_000,
            max_chapters: 1,
            fandoms: 2_000,
            freeforms: 20_000,
            creators: 5_000,
            vocabulary: 30_000,
            profile: Profile::Classic,
            bodies: Bodies::Full,
        }
    }

    /// An AO3-scale archive ([`Profile::Archive`]): 10,000 Zipf-popular
    /// fandoms, 100,000 additional tags, 200,000 creators (set
    /// [`GenOptions::creators`] to about works / 5 for another size),
    /// works of median 2,500 words up to 500,000 in 1–50 chapters.
    /// `full_bodies` picks [`Bodies::Full`], else [`Bodies::Short`]; the
    /// works are otherwise the same either way.
    pub fn archive(seed: u64, full_bodies: bool) -> GenOptions {
        GenOptions {
            seed,
            median_words: 2_500.0,
            sigma: 1.2,
            max_words: 500_000,
            max_chapters: 50,
            fandoms: 10_000,
            freeforms: 100_000,
            creators: 200_000,
            vocabulary: 30_000,
            profile: Profile::Archive,
            bodies: if full_bodies {
                Bodies::Full
            } else {
                Bodies::Short
            },
        }
    }
}

/// Reader statistics of a generated work, heavy-tailed like AO3's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WorkStats {
    /// About 2–10% of hits.
    pub kudos: u64,
    /// Log-normal: median about 800, a few works past a million.
    pub hits: u64,
    /// A small share of kudos.
    pub comments: u64,
    /// A small share of kudos.
    pub bookmarks: u64,
}

/// A generated work: the work itself and its chapters as paragraphs of text.
#[derive(Debug, Clone)]
pub struct GeneratedWork {
    pub work: NewWork,
    /// Plain-text paragraphs per chapter (the HTML bodies are these, escaped, in `<p>`).
    pub chapter_paragraphs: Vec<Vec<String>>,
    /// Serial number in the corpus (0-based).
    pub serial: usize,
    /// The work's length in words: what [`NewWork::word_count`] counts for
    /// [`Bodies::Full`], the sampled length the short body stands in for
    /// with [`Bodies::Short`].
    pub nominal_words: u64,
    /// Kudos, hits, comments and bookmarks to show for the work.
    pub stats: WorkStats,
}

/// The classic profile's tags.
#[derive(Default)]
struct ClassicTags {
    fandoms: Vec<Fandom>,
    fandom_cum: Vec<f64>,
    freeforms: Vec<String>,
    /// For each of `freeforms`, the index in [`FREEFORM_SEEDS`] it was made from.
    freeform_seeds: Vec<usize>,
    freeform_cum: Vec<f64>,
}

struct Fandom {
    name: String,
    characters: Vec<String>,
}

/// The generator; call [`CorpusGen::next_work`] repeatedly.
pub struct CorpusGen {
    /// Draws everything but what the two below draw.
    rng: Pcg64,
    /// Draws the stats, apart, so that adding them changed no other draw.
    stats_rng: Pcg64,
    /// Draws short bodies, and the archive profile's full ones, apart, so
    /// that an archive's works are the same whichever the bodies.
    body_rng: Pcg64,
    opts: GenOptions,
    vocab: Vocabulary,
    classic: ClassicTags,
    /// The archive profile's tags; `None` for the classic profile.
    archive: Option<Box<Archive>>,
    creators: Vec<String>,
    creator_cum: Vec<f64>,
    /// Paragraphs for [`Bodies::Short`]; `None` for full bodies.
    short_pool: Option<ShortPool>,
    serial: usize,
}

/// Seed offsets of the generator's side streams.
const STATS_STREAM: u64 = 0x9E37_79B9_7F4A_7C15;
const BODY_STREAM: u64 = 0xD1B5_4A32_D192_ED03;
const POOL_STREAM: u64 = 0x94D0_49BB_1331_11EB;

/// Shortest work, in words.
const MIN_WORDS: usize = 50;
/// Paragraphs in the [`Bodies::Short`] pool.
const SHORT_POOL_SIZE: usize = 1_024;
/// Median hits; log-normal with [`HITS_SIGMA`], so a few works in a
/// million pass a million hits.
const HITS_MEDIAN: f64 = 800.0;
const HITS_SIGMA: f64 = 1.6;
const MAX_HITS: f64 = 50_000_000.0;

/// A title-cased vocabulary word longer than three letters, for names.
fn name_word(rng: &mut Pcg64, vocab: &Vocabulary) -> String {
    // Skip the most common words so names look like names.
    loop {
        let w = vocab.word(rng);
        if w.len() > 3 {
            return title_case(w);
        }
    }
}

/// A standard normal deviate (Box–Muller).
fn standard_normal(rng: &mut Pcg64) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// A log-normal length in words, between [`MIN_WORDS`] and `max_words`.
fn log_normal_words(rng: &mut Pcg64, median: f64, sigma: f64, max_words: usize) -> usize {
    let z = standard_normal(rng);
    let words = (median.ln() + sigma * z).exp();
    (words as usize).clamp(MIN_WORDS.min(max_words), max_words)
}

/// Hits log-normal around [`HITS_MEDIAN`]; kudos 2–10% of hits; comments
/// and bookmarks fractions of kudos.
fn sample_stats(rng: &mut Pcg64) -> WorkStats {
    fn part(n: u64, share: f64) -> u64 {
        (n as f64 * share).round() as u64
    }
    let z = standard_normal(rng);
    let hits = (HITS_MEDIAN.ln() + HITS_SIGMA * z)
        .exp()
        .clamp(1.0, MAX_HITS) as u64;
    let kudos = part(hits, rng.random_range(0.02..0.10));
    let comments = part(kudos, rng.random_range(0.02..0.25));
    let bookmarks = part(kudos, rng.random_range(0.05..0.30));
    WorkStats {
        kudos,
        hits,
        comments,
        bookmarks,
    }
}

/// One creator, or two one time in fifteen, Zipf-popular.
fn pick_creators(creators: &[String], cum: &[f64], rng: &mut Pcg64) -> Vec<String> {
    let n = if rng.random_ratio(1, 15) { 2 } else { 1 };
    (0..n)
        .map(|_| creators[sample_cumulative(cum, rng)].clone())
        .fold(Vec::new(), |mut acc, c| {
            if !acc.contains(&c) {
                acc.push(c);
            }
            acc
        })
}

/// Paragraphs and the chapter body HTML made of them.
fn html_body(paragraphs: Vec<String>) -> (Vec<String>, String) {
    let body = paragraphs
        .iter()
        .map(|p| format!("<p>{}</p>\n", escape(p)))
        .collect();
    (paragraphs, body)
}

/// Short paragraphs written once, for [`Bodies::Short`].
struct ShortPool {
    paragraphs: Vec<String>,
    html: Vec<String>,
}

impl ShortPool {
    fn new(vocab: &Vocabulary, seed: u64) -> ShortPool {
        let mut rng = Pcg64::seed_from_u64(seed ^ POOL_STREAM);
        let paragraphs: Vec<String> = (0..SHORT_POOL_SIZE)
            .map(|_| {
                let words = rng.random_range(30..=60);
                vocab.paragraph_of(&mut rng, words)
            })
            .collect();
        let html = paragraphs
            .iter()
            .map(|p| format!("<p>{}</p>\n", escape(p)))
            .collect();
        ShortPool { paragraphs, html }
    }

    /// One paragraph and its HTML: two copies, no prose written.
    fn pick(&self, rng: &mut Pcg64) -> (Vec<String>, String) {
        // The pool holds SHORT_POOL_SIZE (> 0) paragraphs and as many HTML
        // bodies, so the range is not empty and the index is in bounds.
        let i = rng.random_range(0..self.paragraphs.len());
        (vec![self.paragraphs[i].clone()], self.html[i].clone())
    }
}

impl ClassicTags {
    /// The classic fandoms and additional tags, drawn exactly as they
    /// always were.
    fn new(opts: &GenOptions, rng: &mut Pcg64, vocab: &Vocabulary) -> ClassicTags {
        let mut fandoms = Vec::with_capacity(opts.fandoms);
        for i in 0..opts.fandoms.max(1) {
            let name = format!(
                "{} {} ({})",
                name_word(rng, vocab),
                name_word(rng, vocab),
                MEDIA[i % MEDIA.len()]
            );
            let n_chars = rng.random_range(4..=14);
            let characters = (0..n_chars)
                .map(|_| {
                    format!(
                        "{} {}",
                        FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())],
                        name_word(rng, vocab)
                    )
                })
                .collect();
            fandoms.push(Fandom { name, characters });
        }
        let mut freeforms: Vec<String> = FREEFORM_SEEDS.iter().map(|s| s.to_string()).collect();
        let mut freeform_seeds: Vec<usize> = (0..FREEFORM_SEEDS.len()).collect();
        while freeforms.len() < opts.freeforms.max(FREEFORM_SEEDS.len()) {
            let seed = rng.random_range(0..FREEFORM_SEEDS.len());
            freeforms.push(format!(
                "{} {}",
                name_word(rng, vocab),
                FREEFORM_SEEDS[seed]
            ));
            freeform_seeds.push(seed);
        }
        ClassicTags {
            fandom_cum: zipf_cumulative(fandoms.len(), 1.0),
            freeform_cum: zipf_cumulative(freeforms.len(), 1.0),
            fandoms,
            freeforms,
            freeform_seeds,
        }
    }

    /// Media, fandoms (medium as parent), characters (fandom as parent)
    /// and additional tags are canonical; seed synonyms and metas as in the
    /// archive profile. Relationships are made up per work and are left out.
    fn wrangling(&self) -> Vec<WranglingFact> {
        let mut facts = FactSet::default();
        for media in MEDIA {
            facts.canonical(TagType::Media, media);
        }
        for (i, fandom) in self.fandoms.iter().enumerate() {
            facts.canonical(TagType::Fandom, &fandom.name);
            // The medium the name was made with in `ClassicTags::new`.
            let media = MEDIA[i % MEDIA.len()];
            facts.parent(TagType::Fandom, &fandom.name, TagType::Media, media);
            for c in &fandom.characters {
                facts.canonical(TagType::Character, c);
                facts.parent(TagType::Character, c, TagType::Fandom, &fandom.name);
            }
        }
        for (name, &seed) in self.freeforms.iter().zip(&self.freeform_seeds) {
            facts.canonical(TagType::Freeform, name);
            // Seed indices come from ranges over FREEFORM_SEEDS.
            let base = FREEFORM_SEEDS[seed];
            if name.as_str() != base && DERIVED_META_SEEDS.contains(&base) {
                facts.meta(TagType::Freeform, base, name);
            }
        }
        for (canonical, synonym) in SEED_SYNONYMS {
            facts.synonym(TagType::Freeform, synonym, canonical);
        }
        for (meta, sub) in SEED_METAS {
            facts.meta(TagType::Freeform, meta, sub);
        }
        facts.into_facts()
    }
}

impl CorpusGen {
    /// A generator for `opts`; deterministic in `opts.seed`.
    pub fn new(opts: GenOptions) -> CorpusGen {
        let mut rng = Pcg64::seed_from_u64(opts.seed);
        let vocab = Vocabulary::new(opts.vocabulary, &mut rng);
        let (classic, archive) = match opts.profile {
            Profile::Classic => (ClassicTags::new(&opts, &mut rng, &vocab), None),
            Profile::Archive => (
                ClassicTags::default(),
                Some(Box::new(Archive::new(
                    opts.fandoms,
                    opts.freeforms,
                    &mut rng,
                    &vocab,
                ))),
            ),
        };
        let creators = (0..opts.creators.max(1))
            .map(|i| format!("{}{}", name_word(&mut rng, &vocab).to_lowercase(), i))
            .collect();
        let short_pool = (opts.bodies == Bodies::Short).then(|| ShortPool::new(&vocab, opts.seed));
        CorpusGen {
            creator_cum: zipf_cumulative(opts.creators.max(1), 0.8),
            rng,
            stats_rng: Pcg64::seed_from_u64(opts.seed ^ STATS_STREAM),
            body_rng: Pcg64::seed_from_u64(opts.seed ^ BODY_STREAM),
            vocab,
            classic,
            archive,
            creators,
            short_pool,
            opts,
            serial: 0,
        }
    }

    /// The options the generator was made with.
    pub fn options(&self) -> &GenOptions {
        &self.opts
    }

    /// The wrangling of the corpus's tags, deterministic in the options:
    /// [`WranglingFact::Canonical`] facts first, then synonyms, metas and
    /// parents, each naming only canonical tags (a synonym's own name
    /// excepted). The classic profile gives a small list: fandoms,
    /// characters and additional tags, and the seed tags' synonyms and
    /// metas.
    pub fn wrangling(&self) -> Vec<WranglingFact> {
        match &self.archive {
            Some(archive) => archive.wrangling(),
            None => self.classic.wrangling(),
        }
    }

    fn tag(kind: TagType, name: &str) -> Option<Tag> {
        TagName::parse(name).ok().map(|name| Tag { kind, name })
    }

    /// The next work of the corpus.
    pub fn next_work(&mut self) -> GeneratedWork {
        let serial = self.serial;
        self.serial += 1;
        match self.archive.take() {
            Some(archive) => {
                let work = self.archive_work(&archive, serial);
                self.archive = Some(archive);
                work
            }
            None => self.classic_work(serial),
        }
    }

    /// A chapter body for the archive profile: pooled, or exactly `words`
    /// words of prose.
    fn archive_body(&mut self, words: usize) -> (Vec<String>, String) {
        match &self.short_pool {
            Some(pool) => pool.pick(&mut self.body_rng),
            None => html_body(self.vocab.paragraphs_exact(&mut self.body_rng, words)),
        }
    }

    /// The next work of the archive profile.
    fn archive_work(&mut self, archive: &Archive, serial: usize) -> GeneratedWork {
        let rng = &mut self.rng;
        let rating = archive::rating(rng);
        let tags = archive.tags(rng);
        let creators = pick_creators(&self.creators, &self.creator_cum, rng);
        let title_words = rng.random_range(1..=6);
        let mut title = String::new();
        self.vocab.sentence_of(rng, title_words, &mut title);
        let title = title_case(&title.trim_end_matches(['.', '?', '!']).replace(',', ""));
        let mut summary = String::new();
        for i in 0..rng.random_range(1..=3) {
            if i > 0 {
                summary.push(' ');
            }
            self.vocab.sentence(rng, &mut summary);
        }
        let words = log_normal_words(
            rng,
            self.opts.median_words,
            self.opts.sigma,
            self.opts.max_words,
        );
        let n_chapters = archive::chapter_count(rng, words, self.opts.max_chapters);
        let dates = archive.chapter_dates(rng, n_chapters);
        let (complete, expected_chapters) = archive::completion(rng, n_chapters);
        let language = archive::language(rng);
        let notes = rng
            .random_ratio(1, 3)
            .then(|| "<p>Thanks for reading!</p>".to_string());
        let end_notes = rng
            .random_ratio(1, 5)
            .then(|| "<p>Comments are loved.</p>".to_string());

        let mut chapters = Vec::with_capacity(dates.len());
        let mut chapter_paragraphs = Vec::with_capacity(dates.len());
        let n = dates.len();
        for (i, &date) in dates.iter().enumerate() {
            // Split `words` exactly: the first `words % n` chapters get one more.
            let (paragraphs, body) = self.archive_body(words / n + usize::from(i < words % n));
            chapters.push(NewChapter {
                title: (n > 1).then(|| format!("Part {}", i + 1)),
                body,
                published: Some(date),
                ..NewChapter::default()
            });
            chapter_paragraphs.push(paragraphs);
        }
        let published = dates.first().copied().unwrap_or_default();
        let updated = dates.last().copied().unwrap_or(published);
        let work = NewWork {
            title,
            summary: Some(format!("<p>{}</p>", escape(&summary))),
            notes,
            end_notes,
            language: Some(language.to_string()),
            rating,
            tags,
            pseuds: Vec::new(),
            creators,
            published,
            updated,
            complete,
            expected_chapters,
            restricted: false,
            comments: Default::default(),
            posted: true,
            chapters,
            origin: WorkOrigin::default(),
            series: Vec::new(),
        };
        GeneratedWork {
            work,
            chapter_paragraphs,
            serial,
            nominal_words: words as u64,
            stats: sample_stats(&mut self.stats_rng),
        }
    }

    /// The next work of the classic profile: the same draws, in the same
    /// order, as ever (bodies excepted when they are short).
    fn classic_work(&mut self, serial: usize) -> GeneratedWork {
        let rng = &mut self.rng;

        let rating = match rng.random_range(0..100) {
            0..=9 => Rating::NotRated,
            10..=34 => Rating::GeneralAudiences,
            35..=64 => Rating::TeenAndUpAudiences,
            65..=82 => Rating::Mature,
            _ => Rating::Explicit,
        };
        let mut tags = Vec::new();
        let warning = match rng.random_range(0..100) {
            0..=39 => ARCHIVE_WARNINGS[1],
            40..=74 => ARCHIVE_WARNINGS[0],
            75..=89 => ARCHIVE_WARNINGS[2],
            90..=96 => ARCHIVE_WARNINGS[3],
            _ => ARCHIVE_WARNINGS[4],
        };
        tags.extend(Self::tag(TagType::ArchiveWarning, warning));
        let category = match rng.random_range(0..100) {
            0..=29 => CATEGORIES[2],
            30..=49 => CATEGORIES[0],
            50..=69 => CATEGORIES[1],
            70..=84 => CATEGORIES[3],
            85..=94 => CATEGORIES[4],
            _ => CATEGORIES[5],
        };
        tags.extend(Self::tag(TagType::Category, category));

        let classic = &self.classic;
        let n_fandoms = if rng.random_ratio(1, 8) { 2 } else { 1 };
        let mut fandom_ids = Vec::new();
        for _ in 0..n_fandoms {
            let f = sample_cumulative(&classic.fandom_cum, rng);
            if !fandom_ids.contains(&f) {
                fandom_ids.push(f);
            }
        }
        let mut characters: Vec<String> = Vec::new();
        for &f in &fandom_ids {
            let fandom = &classic.fandoms[f];
            tags.extend(Self::tag(TagType::Fandom, &fandom.name));
            let n = rng.random_range(1..=4);
            for _ in 0..n {
                let c = &fandom.characters[rng.random_range(0..fandom.characters.len())];
                if !characters.contains(c) {
                    characters.push(c.clone());
                }
            }
        }
        if characters.len() >= 2 && rng.random_ratio(4, 5) {
            let sep = if category == "Gen" { " & " } else { "/" };
            tags.extend(Self::tag(
                TagType::Relationship,
                &format!("{}{sep}{}", characters[0], characters[1]),
            ));
        }
        for c in &characters {
            tags.extend(Self::tag(TagType::Character, c));
        }
        let n_free = rng.random_range(0..=8);
        for _ in 0..n_free {
            let f = &classic.freeforms[sample_cumulative(&classic.freeform_cum, rng)];
            if let Some(t) = Self::tag(TagType::Freeform, f)
                && !tags.contains(&t)
            {
                tags.push(t);
            }
        }
        let creators = pick_creators(&self.creators, &self.creator_cum, rng);

        let mut title = String::new();
        self.vocab.sentence(rng, &mut title);
        let title: String = title
            .trim_end_matches(['.', '?', '!'])
            .split(' ')
            .take(rng.random_range(1..=6))
            .collect::<Vec<_>>()
            .join(" ");
        let title = title_case(&title.replace(',', ""));
        let mut summary = String::new();
        self.vocab.sentence(rng, &mut summary);
        summary.push(' ');
        self.vocab.sentence(rng, &mut summary);

        let total_words = log_normal_words(
            rng,
            self.opts.median_words,
            self.opts.sigma,
            self.opts.max_words,
        );
        let max_ch = self.opts.max_chapters.max(1);
        let n_chapters = if max_ch == 1 || rng.random_ratio(3, 4) {
            1
        } else {
            rng.random_range(2..=max_ch.min(1 + total_words / 500).max(2))
        };
        let start = NaiveDate::from_ymd_opt(2011, 1, 1).unwrap_or_default();
        let published = start + Days::new(rng.random_range(0..15 * 365));
        let mut chapters = Vec::with_capacity(n_chapters);
        let mut chapter_paragraphs = Vec::with_capacity(n_chapters);
        let mut date = published;
        let mut counted_words = 0;
        for i in 0..n_chapters {
            let (paragraphs, body) = match &self.short_pool {
                Some(pool) => pool.pick(&mut self.body_rng),
                None => html_body(
                    self.vocab
                        .paragraphs(&mut self.rng, total_words / n_chapters),
                ),
            };
            counted_words += paragraphs
                .iter()
                .map(|p| p.split_whitespace().count() as u64)
                .sum::<u64>();
            if i > 0 {
                date = date + Days::new(self.rng.random_range(1..60));
            }
            chapters.push(NewChapter {
                title: (n_chapters > 1).then(|| format!("Part {}", i + 1)),
                body,
                published: Some(date),
                ..NewChapter::default()
            });
            chapter_paragraphs.push(paragraphs);
        }
        let rng = &mut self.rng;
        let complete = n_chapters == 1 || rng.random_ratio(2, 3);
        let expected_chapters = if complete {
            Some(n_chapters as u32)
        } else if rng.random_ratio(1, 2) {
            Some(n_chapters as u32 + rng.random_range(1..5))
        } else {
            None
        };
        let work = NewWork {
            title,
            summary: Some(format!("<p>{}</p>", escape(&summary))),
            notes: rng
                .random_ratio(1, 3)
                .then(|| "<p>Thanks for reading!</p>".to_string()),
            end_notes: rng
                .random_ratio(1, 5)
                .then(|| "<p>Comments are loved.</p>".to_string()),
            language: Some("English".to_string()),
            rating,
            tags,
            pseuds: Vec::new(),
            creators,
            published,
            updated: date,
            complete,
            expected_chapters,
            restricted: false,
            comments: Default::default(),
            posted: true,
            chapters,
            origin: WorkOrigin::default(),
            series: Vec::new(),
        };
        let nominal_words = match self.short_pool {
            Some(_) => total_words as u64,
            None => counted_words,
        };
        GeneratedWork {
            work,
            chapter_paragraphs,
            serial,
            nominal_words,
            stats: sample_stats(&mut self.stats_rng),
        }
    }
}

impl GeneratedWork {
    /// The work as a plain-text file the importer reads: even serials in the
    /// AO3 text layout, odd ones with an old-style fan-fiction header.
    /// Only the first chapter is written.
    pub fn to_text_file(&self) -> String {
        let w = &self.work;
        let names = |kind| {
            w.tags_of(kind)
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let body = self
            .chapter_paragraphs
            .first()
            .map(|p| p.join("\n\n"))
            .unwrap_or_default();
        let summary = ficus_core::html::text_of(w.summary.as_deref().unwrap_or(""));
        let by = w.creators.join(", ");
        if self.serial.is_multiple_of(2) {
            format!(
                "Work Header\n\n{title}\n\nRating: {rating}\nArchive Warning: {warn}\nCategory: {cat}\nFandom: {fandom}\nRelationship: {rel}\nCharacter: {chars}\nAdditional Tags: {free}\nLanguage: English\nStats: Published: {published}\n\nby {by}\n\nWork Text:\n\n{title}\n\n{body}\n",
                title = w.title,
                rating = w.rating.name(),
                warn = names(TagType::ArchiveWarning),
                cat = names(TagType::Category),
                fandom = names(TagType::Fandom),
                rel = names(TagType::Relationship),
                chars = names(TagType::Character),
                free = names(TagType::Freeform),
                published = w.published,
            )
        } else {
            let legacy = match w.rating {
                Rating::GeneralAudiences => "G",
                Rating::TeenAndUpAudiences => "PG-13",
                Rating::Mature => "R",
                Rating::Explicit => "NC-17",
                Rating::NotRated => "Not rated",
            };
            format!(
                "{title}\nby {by}\n\nFandom: {fandom}\nPairing: {rel}\nCharacters: {chars}\nRating: {legacy}\nSummary: {summary}\nDisclaimer: Not mine; no profit is made.\nFeedback: Always welcome.\n\n-----\n\n{body}\n",
                title = w.title,
                fandom = names(TagType::Fandom),
                rel = names(TagType::Relationship),
                chars = names(TagType::Character),
            )
        }
    }
}

#[cfg(test)]
mod tests;
