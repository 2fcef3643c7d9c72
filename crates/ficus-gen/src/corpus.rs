//! Synthetic works: Zipf-popular fandoms with their own characters and
//! relationships, Zipf-distributed additional tags, AO3-like rating /
//! warning / category mixes, log-normal lengths, dates over 15 years.

use chrono::{Days, NaiveDate};
use ficus_core::html::escape;
use ficus_core::tag::{ARCHIVE_WARNINGS, CATEGORIES, Tag, TagName};
use ficus_core::{NewChapter, NewWork, Rating, TagType, WorkOrigin};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

use crate::vocab::{Vocabulary, sample_cumulative, zipf_cumulative};

/// Shape of a generated corpus.
#[derive(Debug, Clone)]
pub struct GenOptions {
    pub seed: u64,
    /// Median words per work (log-normal).
    pub median_words: f64,
    /// Log-normal sigma; mean = median · e^(σ²/2).
    pub sigma: f64,
    /// Longest work, in words.
    pub max_words: usize,
    /// Most chapters per work (1 for one-chapter text files).
    pub max_chapters: usize,
    pub fandoms: usize,
    pub freeforms: usize,
    pub creators: usize,
    pub vocabulary: usize,
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
        }
    }
}

struct Fandom {
    name: String,
    characters: Vec<String>,
}

/// A generated work: the work itself and its chapters as paragraphs of text.
pub struct GeneratedWork {
    pub work: NewWork,
    /// Plain-text paragraphs per chapter (the HTML bodies are these, escaped, in `<p>`).
    pub chapter_paragraphs: Vec<Vec<String>>,
    /// Serial number in the corpus (0-based).
    pub serial: usize,
}

/// The generator; call [`CorpusGen::next_work`] repeatedly.
pub struct CorpusGen {
    rng: Pcg64,
    opts: GenOptions,
    vocab: Vocabulary,
    fandoms: Vec<Fandom>,
    fandom_cum: Vec<f64>,
    freeforms: Vec<String>,
    freeform_cum: Vec<f64>,
    creators: Vec<String>,
    creator_cum: Vec<f64>,
    serial: usize,
}

const FIRST_NAMES: &[&str] = &[
    "Ada", "Ben", "Cass", "Dmitri", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonah", "Kira",
    "Leon", "Mara", "Nico", "Oona", "Pavel", "Quinn", "Rosa", "Sami", "Tess", "Uma", "Viktor",
    "Wren", "Xia", "Yusuf", "Zoe",
];
const MEDIA: &[&str] = &[
    "TV",
    "Movies",
    "Video Game",
    "Books",
    "Anime",
    "Comics",
    "Podcast",
];
const FREEFORM_SEEDS: &[&str] = &[
    "Fluff",
    "Angst",
    "Hurt/Comfort",
    "Slow Burn",
    "Alternate Universe",
    "Found Family",
    "Enemies to Lovers",
    "Happy Ending",
    "Canon Divergence",
    "Friendship",
    "Humor",
    "Romance",
    "Coffee Shops & Cafés",
    "Post-Canon",
    "Missing Scene",
];

fn title_case(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl CorpusGen {
    /// A generator for `opts`; deterministic in `opts.seed`.
    pub fn new(opts: GenOptions) -> CorpusGen {
        let mut rng = Pcg64::seed_from_u64(opts.seed);
        let vocab = Vocabulary::new(opts.vocabulary, &mut rng);
        let rare = |rng: &mut Pcg64, vocab: &Vocabulary| -> String {
            // Skip the most common words so names look like names.
            loop {
                let w = vocab.word(rng);
                if w.len() > 3 {
                    return title_case(w);
                }
            }
        };
        let mut fandoms = Vec::with_capacity(opts.fandoms);
        for i in 0..opts.fandoms.max(1) {
            let name = format!(
                "{} {} ({})",
                rare(&mut rng, &vocab),
                rare(&mut rng, &vocab),
                MEDIA[i % MEDIA.len()]
            );
            let n_chars = rng.random_range(4..=14);
            let characters = (0..n_chars)
                .map(|_| {
                    format!(
                        "{} {}",
                        FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())],
                        rare(&mut rng, &vocab)
                    )
                })
                .collect();
            fandoms.push(Fandom { name, characters });
        }
        let mut freeforms: Vec<String> = FREEFORM_SEEDS.iter().map(|s| s.to_string()).collect();
        while freeforms.len() < opts.freeforms.max(FREEFORM_SEEDS.len()) {
            let base = FREEFORM_SEEDS[rng.random_range(0..FREEFORM_SEEDS.len())];
            freeforms.push(format!("{} {}", rare(&mut rng, &vocab), base));
        }
        let creators = (0..opts.creators.max(1))
            .map(|i| format!("{}{}", rare(&mut rng, &vocab).to_lowercase(), i))
            .collect();
        CorpusGen {
            fandom_cum: zipf_cumulative(fandoms.len(), 1.0),
            freeform_cum: zipf_cumulative(freeforms.len(), 1.0),
            creator_cum: zipf_cumulative(opts.creators.max(1), 0.8),
            rng,
            vocab,
            fandoms,
            freeforms,
            creators,
            opts,
            serial: 0,
        }
    }

    fn log_normal(&mut self) -> usize {
        // Box–Muller.
        let u1: f64 = self.rng.random_range(f64::EPSILON..1.0);
        let u2: f64 = self.rng.random();
        let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        let words = (self.opts.median_words.ln() + self.opts.sigma * z).exp();
        (words as usize).clamp(50, self.opts.max_words)
    }

    fn tag(kind: TagType, name: &str) -> Option<Tag> {
        TagName::parse(name).ok().map(|name| Tag { kind, name })
    }

    /// The next work of the corpus.
    pub fn next_work(&mut self) -> GeneratedWork {
        let serial = self.serial;
        self.serial += 1;
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

        let n_fandoms = if rng.random_ratio(1, 8) { 2 } else { 1 };
        let mut fandom_ids = Vec::new();
        for _ in 0..n_fandoms {
            let f = sample_cumulative(&self.fandom_cum, rng);
            if !fandom_ids.contains(&f) {
                fandom_ids.push(f);
            }
        }
        let mut characters: Vec<String> = Vec::new();
        for &f in &fandom_ids {
            let fandom = &self.fandoms[f];
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
            let f = &self.freeforms[sample_cumulative(&self.freeform_cum, rng)];
            if let Some(t) = Self::tag(TagType::Freeform, f)
                && !tags.contains(&t)
            {
                tags.push(t);
            }
        }
        let n_creators = if rng.random_ratio(1, 15) { 2 } else { 1 };
        let creators: Vec<String> = (0..n_creators)
            .map(|_| self.creators[sample_cumulative(&self.creator_cum, rng)].clone())
            .fold(Vec::new(), |mut acc, c| {
                if !acc.contains(&c) {
                    acc.push(c);
                }
                acc
            });

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

        let total_words = self.log_normal();
        let max_ch = self.opts.max_chapters.max(1);
        let rng = &mut self.rng;
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
        for i in 0..n_chapters {
            let paragraphs = self
                .vocab
                .paragraphs(&mut self.rng, total_words / n_chapters);
            let body: String = paragraphs
                .iter()
                .map(|p| format!("<p>{}</p>\n", escape(p)))
                .collect();
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
            posted: true,
            chapters,
            origin: WorkOrigin::default(),
        };
        GeneratedWork {
            work,
            chapter_paragraphs,
            serial,
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
mod tests {
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
}
