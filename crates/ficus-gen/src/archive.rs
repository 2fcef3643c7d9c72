//! The tag universe and mixes of [`Profile::Archive`](crate::Profile::Archive):
//! Zipf-popular fandoms, each with its own characters and relationships
//! (some grouped under "… - All Media Types" meta fandoms), Zipf-popular
//! additional tags derived from a few seeds, synonyms for a few percent of
//! tags, and AO3-like mixes of ratings, warnings, categories, chapter
//! counts, completion and languages.
//!
//! Every name is claimed once per tag type (by comparison key), so no two
//! tags or synonyms of a type collide.

use std::collections::HashSet;

use chrono::{Days, NaiveDate};
use ficus_core::tag::{ARCHIVE_WARNINGS, CATEGORIES, Tag, TagName};
use ficus_core::{Rating, TagType};
use rand::Rng;
use rand_pcg::Pcg64;

use crate::seeds::{
    DERIVED_META_SEEDS, FIRST_NAMES, FREEFORM_SEEDS, MEDIA, SEED_METAS, SEED_SYNONYMS, title_case,
};
use crate::vocab::{Vocabulary, sample_cumulative, zipf_cumulative};
use crate::wrangling::{FactSet, WranglingFact};

/// One tag in this many gets a synonym.
const SYNONYM_ODDS: u32 = 20;
/// A work uses a tag's synonym instead of its name one time in this many.
const SYNONYM_USE_ODDS: u32 = 3;
/// One franchise in this many has two or three fandoms (media) under a
/// meta fandom, so about one fandom in twenty is grouped.
const GROUP_ODDS: u32 = 40;
/// Every this-many-th additional tag is an unwrangled (non-canonical) one.
const UNWRANGLED_EVERY: usize = 10;
/// Most characters per fandom (and so most relationships).
const MAX_CHARACTERS: usize = 14;
/// Tries at a fresh name before giving up on one tag.
const NAME_TRIES: usize = 8;

/// AO3-like rating mix, in percent.
const RATING_MIX: [(Rating, u32); 5] = [
    (Rating::GeneralAudiences, 25),
    (Rating::TeenAndUpAudiences, 30),
    (Rating::Mature, 15),
    (Rating::Explicit, 20),
    (Rating::NotRated, 10),
];
/// First warning, by index in [`ARCHIVE_WARNINGS`], in percent.
const WARNING_MIX: [(usize, u32); 6] = [(1, 45), (0, 35), (2, 10), (3, 5), (4, 3), (5, 2)];
/// A second warning, for works whose first is not "No Archive Warnings Apply".
const SECOND_WARNING_MIX: [(usize, u32); 4] = [(2, 10), (3, 5), (4, 3), (5, 2)];
/// First category, by index in [`CATEGORIES`], in percent (M/M most common).
const CATEGORY_MIX: [(usize, u32); 6] = [(2, 35), (1, 22), (0, 20), (3, 10), (4, 8), (5, 5)];
/// Relationships per work, 0–3.
const RELATIONSHIP_MIX: [(usize, u32); 4] = [(0, 30), (1, 45), (2, 17), (3, 8)];
/// Characters per work, 1–6.
const CHARACTER_MIX: [(usize, u32); 6] = [(1, 15), (2, 30), (3, 25), (4, 15), (5, 10), (6, 5)];
/// Language codes, per thousand.
const LANGUAGE_MIX: [(&str, u32); 7] = [
    ("en", 880),
    ("es", 30),
    ("fr", 25),
    ("de", 20),
    ("ru", 20),
    ("zh", 15),
    ("ja", 10),
];

/// Picks a value with probability proportional to its weight.
fn weighted<T: Copy>(rng: &mut Pcg64, mix: &[(T, u32)]) -> T {
    let total: u32 = mix.iter().map(|&(_, w)| w).sum();
    let mut x = rng.random_range(0..total.max(1));
    for &(value, weight) in mix {
        if x < weight {
            return value;
        }
        x -= weight;
    }
    // Reached only if every weight is 0. Every mix is one of the non-empty
    // constant tables above, so the index is in bounds.
    mix[mix.len() - 1].0
}

/// A tag name with its synonym, if it has one.
struct Named {
    name: TagName,
    synonym: Option<TagName>,
}

impl Named {
    /// The name a work carries: sometimes the synonym, when there is one.
    fn pick(&self, rng: &mut Pcg64) -> TagName {
        match &self.synonym {
            Some(s) if rng.random_ratio(1, SYNONYM_USE_ODDS) => s.clone(),
            _ => self.name.clone(),
        }
    }
}

struct Relationship {
    tag: Named,
    /// Its two characters, by index in the fandom's characters.
    pair: (usize, usize),
}

struct Fandom {
    tag: Named,
    /// Its medium, one of [`MEDIA`]: its parent tag.
    media: &'static str,
    characters: Vec<Named>,
    relationships: Vec<Relationship>,
}

/// "X - All Media Types": canonical, never on a work.
struct MetaFandom {
    name: TagName,
    /// Indices of its fandoms.
    subs: Vec<usize>,
}

struct Freeform {
    tag: Named,
    canonical: bool,
    /// The index in [`FREEFORM_SEEDS`] of its meta tag, if it has one.
    meta_seed: Option<usize>,
}

/// Names claimed so far, by type and comparison key.
#[derive(Default)]
struct Names(HashSet<(TagType, String)>);

impl Names {
    /// `raw` as a tag name of `kind`, if it is valid and not yet taken.
    fn claim(&mut self, kind: TagType, raw: &str) -> Option<TagName> {
        let name = TagName::parse(raw).ok()?;
        self.0.insert((kind, name.key())).then_some(name)
    }

    /// The first valid, untaken name `make` gives in a few tries.
    fn fresh(&mut self, kind: TagType, mut make: impl FnMut() -> String) -> Option<TagName> {
        (0..NAME_TRIES).find_map(|_| self.claim(kind, &make()))
    }

    /// One time in [`SYNONYM_ODDS`], `variant` as a synonym name, if free.
    fn maybe_synonym(
        &mut self,
        rng: &mut Pcg64,
        kind: TagType,
        variant: impl FnOnce() -> String,
    ) -> Option<TagName> {
        if rng.random_ratio(1, SYNONYM_ODDS) {
            self.claim(kind, &variant())
        } else {
            None
        }
    }
}

/// The archive's tags and the tables to draw them from.
pub(crate) struct Archive {
    fandoms: Vec<Fandom>,
    fandom_cum: Vec<f64>,
    meta_fandoms: Vec<MetaFandom>,
    freeforms: Vec<Freeform>,
    freeform_cum: Vec<f64>,
    /// Zipf weights for a list of each length up to [`MAX_CHARACTERS`]:
    /// a fandom's characters and relationships.
    small_cum: Vec<Vec<f64>>,
    warnings: [Option<Tag>; 6],
    categories: [Option<Tag>; 6],
    first_day: NaiveDate,
    days: u64,
}

impl Archive {
    /// Builds the tag universe of `n_fandoms` fandoms (at least one) and
    /// `n_freeforms` additional tags
    /// ([`GenOptions::fandoms`](crate::GenOptions::fandoms) and
    /// [`GenOptions::freeforms`](crate::GenOptions::freeforms)) from `rng`.
    pub(crate) fn new(
        n_fandoms: usize,
        n_freeforms: usize,
        rng: &mut Pcg64,
        vocab: &Vocabulary,
    ) -> Archive {
        let small_cum: Vec<Vec<f64>> = (0..=MAX_CHARACTERS)
            .map(|n| zipf_cumulative(n, 1.0))
            .collect();
        let mut names = Names::default();
        let (fandoms, meta_fandoms) =
            build_fandoms(n_fandoms.max(1), rng, vocab, &mut names, &small_cum);
        let freeforms = build_freeforms(n_freeforms, rng, vocab, &mut names);
        // Both dates are valid constants.
        let first_day = NaiveDate::from_ymd_opt(2011, 1, 1).unwrap_or_default();
        let last_day = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default();
        let days = u64::try_from((last_day - first_day).num_days()).unwrap_or(0) + 1;
        let fixed = |kind, name: &str| TagName::parse(name).ok().map(|name| Tag { kind, name });
        Archive {
            fandom_cum: zipf_cumulative(fandoms.len(), 1.0),
            freeform_cum: zipf_cumulative(freeforms.len(), 1.0),
            fandoms,
            meta_fandoms,
            freeforms,
            small_cum,
            warnings: ARCHIVE_WARNINGS.map(|w| fixed(TagType::ArchiveWarning, w)),
            categories: CATEGORIES.map(|c| fixed(TagType::Category, c)),
            first_day,
            days,
        }
    }

    /// An index into a list of `len` (a fandom's characters or
    /// relationships), Zipf-weighted; `None` for an empty list.
    fn pick_small(&self, len: usize, rng: &mut Pcg64) -> Option<usize> {
        match (len, self.small_cum.get(len)) {
            (0, _) => None,
            (_, Some(cum)) => Some(sample_cumulative(cum, rng)),
            (_, None) => Some(rng.random_range(0..len)),
        }
    }

    /// A work's tags in AO3's order: warnings, categories, fandoms,
    /// relationships, characters, additional tags.
    pub(crate) fn tags(&self, rng: &mut Pcg64) -> Vec<Tag> {
        let mut tags = Vec::with_capacity(20);
        self.push_warnings(rng, &mut tags);
        self.push_categories(rng, &mut tags);
        let fandoms = self.pick_fandoms(rng);
        for &f in &fandoms {
            let name = self.fandoms[f].tag.pick(rng);
            tags.push(Tag {
                kind: TagType::Fandom,
                name,
            });
        }
        let relationships = self.pick_relationships(rng, &fandoms);
        let characters = self.pick_characters(rng, &fandoms, &relationships);
        for &(f, r) in &relationships {
            let name = self.fandoms[f].relationships[r].tag.pick(rng);
            tags.push(Tag {
                kind: TagType::Relationship,
                name,
            });
        }
        for &(f, c) in &characters {
            let name = self.fandoms[f].characters[c].pick(rng);
            tags.push(Tag {
                kind: TagType::Character,
                name,
            });
        }
        for i in self.pick_freeforms(rng) {
            let name = self.freeforms[i].tag.pick(rng);
            tags.push(Tag {
                kind: TagType::Freeform,
                name,
            });
        }
        tags
    }

    /// One warning, and sometimes a second one.
    fn push_warnings(&self, rng: &mut Pcg64, tags: &mut Vec<Tag>) {
        let first = weighted(rng, &WARNING_MIX);
        tags.extend(self.warnings[first].clone());
        // "No Archive Warnings Apply" goes alone.
        if first != 1 && rng.random_ratio(1, 4) {
            let second = weighted(rng, &SECOND_WARNING_MIX);
            if second != first {
                tags.extend(self.warnings[second].clone());
            }
        }
    }

    /// One category, sometimes two.
    fn push_categories(&self, rng: &mut Pcg64, tags: &mut Vec<Tag>) {
        let first = weighted(rng, &CATEGORY_MIX);
        tags.extend(self.categories[first].clone());
        if rng.random_ratio(1, 8) {
            let second = weighted(rng, &CATEGORY_MIX);
            if second != first {
                tags.extend(self.categories[second].clone());
            }
        }
    }

    /// One fandom, Zipf-popular; two for a crossover (one work in twenty).
    fn pick_fandoms(&self, rng: &mut Pcg64) -> Vec<usize> {
        if self.fandoms.is_empty() {
            return Vec::new();
        }
        let first = sample_cumulative(&self.fandom_cum, rng);
        let mut out = vec![first];
        if rng.random_ratio(1, 20) {
            let second = (0..4)
                .map(|_| sample_cumulative(&self.fandom_cum, rng))
                .find(|&f| f != first);
            out.extend(second);
        }
        out
    }

    /// 0–3 relationships of the work's fandoms, as (fandom, relationship).
    fn pick_relationships(&self, rng: &mut Pcg64, fandoms: &[usize]) -> Vec<(usize, usize)> {
        if fandoms.is_empty() {
            return Vec::new();
        }
        let n = weighted(rng, &RELATIONSHIP_MIX);
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let f = fandoms[rng.random_range(0..fandoms.len())];
            if let Some(r) = self.pick_small(self.fandoms[f].relationships.len(), rng)
                && !out.contains(&(f, r))
            {
                out.push((f, r));
            }
        }
        out
    }

    /// The relationships' characters, then others of the work's fandoms,
    /// up to 1–6 in all, as (fandom, character).
    fn pick_characters(
        &self,
        rng: &mut Pcg64,
        fandoms: &[usize],
        relationships: &[(usize, usize)],
    ) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = Vec::with_capacity(6);
        for &(f, r) in relationships {
            let (a, b) = self.fandoms[f].relationships[r].pair;
            for c in [a, b] {
                if !out.contains(&(f, c)) {
                    out.push((f, c));
                }
            }
        }
        if fandoms.is_empty() {
            return out;
        }
        let target = weighted(rng, &CHARACTER_MIX);
        for _ in 0..3 * target {
            if out.len() >= target {
                break;
            }
            let f = fandoms[rng.random_range(0..fandoms.len())];
            if let Some(c) = self.pick_small(self.fandoms[f].characters.len(), rng)
                && !out.contains(&(f, c))
            {
                out.push((f, c));
            }
        }
        out
    }

    /// 0–8 additional tags, Zipf-popular, by index.
    fn pick_freeforms(&self, rng: &mut Pcg64) -> Vec<usize> {
        if self.freeforms.is_empty() {
            return Vec::new();
        }
        let n = rng.random_range(0..=8);
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let i = sample_cumulative(&self.freeform_cum, rng);
            if !out.contains(&i) {
                out.push(i);
            }
        }
        out
    }

    /// The dates of `n` chapters: the first (the published date) uniform
    /// over 2011–2025, the others 1–45 days apart, none after 2025.
    pub(crate) fn chapter_dates(&self, rng: &mut Pcg64, n: usize) -> Vec<NaiveDate> {
        let last_day = self.first_day + Days::new(self.days - 1);
        let mut date = self.first_day + Days::new(rng.random_range(0..self.days));
        let mut out = Vec::with_capacity(n.max(1));
        out.push(date);
        for _ in 1..n {
            date = (date + Days::new(rng.random_range(1..=45))).min(last_day);
            out.push(date);
        }
        out
    }

    /// The archive's wrangling: every medium, fandom (meta fandoms too),
    /// character, relationship and wrangled additional tag is canonical;
    /// synonyms; meta fandoms over their fandoms and seed tags over the
    /// tags made from them ("Romance" › "Slow Burn" › "… Slow Burn"); each
    /// fandom has its medium as parent, each character and relationship
    /// its fandom.
    pub(crate) fn wrangling(&self) -> Vec<WranglingFact> {
        let mut facts = FactSet::default();
        let named = |facts: &mut FactSet, kind, tag: &Named| {
            facts.canonical(kind, tag.name.as_str());
            if let Some(s) = &tag.synonym {
                facts.synonym(kind, s.as_str(), tag.name.as_str());
            }
        };
        for media in MEDIA {
            facts.canonical(TagType::Media, media);
        }
        for fandom in &self.fandoms {
            let parent = fandom.tag.name.as_str();
            named(&mut facts, TagType::Fandom, &fandom.tag);
            facts.parent(TagType::Fandom, parent, TagType::Media, fandom.media);
            for c in &fandom.characters {
                named(&mut facts, TagType::Character, c);
                facts.parent(TagType::Character, c.name.as_str(), TagType::Fandom, parent);
            }
            for r in &fandom.relationships {
                named(&mut facts, TagType::Relationship, &r.tag);
                let child = r.tag.name.as_str();
                facts.parent(TagType::Relationship, child, TagType::Fandom, parent);
            }
        }
        for meta in &self.meta_fandoms {
            facts.canonical(TagType::Fandom, meta.name.as_str());
            for &s in &meta.subs {
                let sub = self.fandoms[s].tag.name.as_str();
                facts.meta(TagType::Fandom, meta.name.as_str(), sub);
            }
        }
        for f in self.freeforms.iter().filter(|f| f.canonical) {
            named(&mut facts, TagType::Freeform, &f.tag);
            if let Some(seed) = f.meta_seed {
                let sub = f.tag.name.as_str();
                facts.meta(TagType::Freeform, FREEFORM_SEEDS[seed], sub);
            }
        }
        for (meta, sub) in SEED_METAS {
            facts.meta(TagType::Freeform, meta, sub);
        }
        facts.into_facts()
    }
}

/// A work's rating.
pub(crate) fn rating(rng: &mut Pcg64) -> Rating {
    weighted(rng, &RATING_MIX)
}

/// A work's language code: mostly "en".
pub(crate) fn language(rng: &mut Pcg64) -> &'static str {
    weighted(rng, &LANGUAGE_MIX)
}

/// Chapters for a work of `words` words: one for 70% of works, else 2–50
/// (mostly few), at most `max_chapters` and at most one per 200 words.
pub(crate) fn chapter_count(rng: &mut Pcg64, words: usize, max_chapters: usize) -> usize {
    if max_chapters <= 1 || rng.random_ratio(7, 10) {
        return 1;
    }
    let u: f64 = rng.random();
    let n = 2 + (u * u * u * 49.0) as usize;
    n.min(max_chapters).min((words / 200).max(2))
}

/// Whether a work of `n` chapters is complete (60% of works: three
/// one-shots in four, one multi-chapter work in four), and its expected
/// chapter count: `n` when complete, else unknown or a few more.
pub(crate) fn completion(rng: &mut Pcg64, n: usize) -> (bool, Option<u32>) {
    let complete = if n <= 1 {
        rng.random_ratio(3, 4)
    } else {
        rng.random_ratio(1, 4)
    };
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    let expected = if complete {
        Some(n)
    } else if rng.random_ratio(1, 2) {
        None
    } else {
        Some(n.saturating_add(rng.random_range(1..=10)))
    };
    (complete, expected)
}

/// `n` fandoms (a few grouped under meta fandoms), each with 4–14
/// characters and relationships between them.
fn build_fandoms(
    n: usize,
    rng: &mut Pcg64,
    vocab: &Vocabulary,
    names: &mut Names,
    small_cum: &[Vec<f64>],
) -> (Vec<Fandom>, Vec<MetaFandom>) {
    let mut fandoms = Vec::with_capacity(n);
    let mut metas = Vec::new();
    let mut franchises: HashSet<String> = HashSet::with_capacity(n);
    // Bounded, so a tiny vocabulary cannot loop forever.
    for _ in 0..4 * n + 64 {
        if fandoms.len() >= n {
            break;
        }
        let franchise = format!(
            "{} {}",
            title_case(vocab.invented(rng)),
            title_case(vocab.invented(rng))
        );
        if !franchises.insert(franchise.to_lowercase()) {
            continue;
        }
        let group = if rng.random_ratio(1, GROUP_ODDS) {
            rng.random_range(2..=3)
        } else {
            1
        };
        let first_media = rng.random_range(0..MEDIA.len());
        let mut members = Vec::with_capacity(group);
        for j in 0..group.min(n - fandoms.len()) {
            let media = MEDIA[(first_media + j) % MEDIA.len()];
            let Some(name) = names.claim(TagType::Fandom, &format!("{franchise} ({media})")) else {
                continue;
            };
            let synonym =
                names.maybe_synonym(rng, TagType::Fandom, || format!("{franchise} - {media}"));
            let characters = build_characters(rng, vocab, names);
            let cum = small_cum
                .get(characters.len())
                .map_or(&[][..], Vec::as_slice);
            let relationships = build_relationships(&characters, rng, names, cum);
            members.push(fandoms.len());
            fandoms.push(Fandom {
                tag: Named { name, synonym },
                media,
                characters,
                relationships,
            });
        }
        if members.len() >= 2
            && let Some(name) =
                names.claim(TagType::Fandom, &format!("{franchise} - All Media Types"))
        {
            metas.push(MetaFandom {
                name,
                subs: members,
            });
        }
    }
    (fandoms, metas)
}

/// 4–14 characters, "First Surname"; a synonym is "Surname First".
fn build_characters(rng: &mut Pcg64, vocab: &Vocabulary, names: &mut Names) -> Vec<Named> {
    let n = rng.random_range(4..=MAX_CHARACTERS);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let mut parts = (String::new(), String::new());
        let made = names.fresh(TagType::Character, || {
            let first = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
            parts = (first.to_string(), title_case(vocab.invented(rng)));
            format!("{} {}", parts.0, parts.1)
        });
        if let Some(name) = made {
            let (first, last) = &parts;
            let synonym =
                names.maybe_synonym(rng, TagType::Character, || format!("{last} {first}"));
            out.push(Named { name, synonym });
        }
    }
    out
}

/// 2–n relationships between a fandom's `n` characters, popular characters
/// more often: "A/B" (seven in ten) or "A & B"; a synonym swaps the names.
/// `cum` is the Zipf table for `characters.len()`.
fn build_relationships(
    characters: &[Named],
    rng: &mut Pcg64,
    names: &mut Names,
    cum: &[f64],
) -> Vec<Relationship> {
    if characters.len() < 2 || cum.len() != characters.len() {
        return Vec::new();
    }
    let n = rng.random_range(2..=characters.len());
    let mut out = Vec::with_capacity(n);
    for _ in 0..3 * n {
        if out.len() >= n {
            break;
        }
        let (x, y) = (sample_cumulative(cum, rng), sample_cumulative(cum, rng));
        if x == y {
            continue;
        }
        let (a, b) = (x.min(y), x.max(y));
        let sep = if rng.random_ratio(7, 10) { "/" } else { " & " };
        let (an, bn) = (characters[a].name.as_str(), characters[b].name.as_str());
        let Some(name) = names.claim(TagType::Relationship, &format!("{an}{sep}{bn}")) else {
            continue;
        };
        let synonym = names.maybe_synonym(rng, TagType::Relationship, || format!("{bn}{sep}{an}"));
        out.push(Relationship {
            tag: Named { name, synonym },
            pair: (a, b),
        });
    }
    out
}

/// The seeds, then `n` additional tags in all: one in ten an unwrangled
/// lowercase phrase, the rest "Word Seed" made from the seeds in turn
/// (subs of their seed for [`DERIVED_META_SEEDS`]); a synonym of those is
/// "Seed (Word)".
fn build_freeforms(
    n: usize,
    rng: &mut Pcg64,
    vocab: &Vocabulary,
    names: &mut Names,
) -> Vec<Freeform> {
    let mut out = Vec::with_capacity(n.max(FREEFORM_SEEDS.len()));
    for seed in FREEFORM_SEEDS {
        if let Some(name) = names.claim(TagType::Freeform, seed) {
            let synonym = SEED_SYNONYMS
                .iter()
                .find(|(canonical, _)| canonical == seed)
                .and_then(|(_, s)| names.claim(TagType::Freeform, s));
            out.push(Freeform {
                tag: Named { name, synonym },
                canonical: true,
                meta_seed: None,
            });
        }
    }
    for i in FREEFORM_SEEDS.len()..n {
        let made = if i.is_multiple_of(UNWRANGLED_EVERY) {
            unwrangled_freeform(rng, vocab, names)
        } else {
            derived_freeform(i % FREEFORM_SEEDS.len(), rng, vocab, names)
        };
        out.extend(made);
    }
    out
}

/// "Word Seed", canonical, a sub of its seed when the seed is a meta tag.
fn derived_freeform(
    seed: usize,
    rng: &mut Pcg64,
    vocab: &Vocabulary,
    names: &mut Names,
) -> Option<Freeform> {
    let base = FREEFORM_SEEDS[seed];
    let mut word = String::new();
    let name = names.fresh(TagType::Freeform, || {
        word = title_case(vocab.invented(rng));
        format!("{word} {base}")
    })?;
    let synonym = names.maybe_synonym(rng, TagType::Freeform, || format!("{base} ({word})"));
    Some(Freeform {
        tag: Named { name, synonym },
        canonical: true,
        meta_seed: DERIVED_META_SEEDS.contains(&base).then_some(seed),
    })
}

/// A lowercase phrase of 2–5 words, as writers tag freely; not canonical.
fn unwrangled_freeform(rng: &mut Pcg64, vocab: &Vocabulary, names: &mut Names) -> Option<Freeform> {
    let name = names.fresh(TagType::Freeform, || {
        let n = rng.random_range(2..=5);
        (0..n)
            .map(|_| vocab.word(rng))
            .collect::<Vec<_>>()
            .join(" ")
    })?;
    Some(Freeform {
        tag: Named {
            name,
            synonym: None,
        },
        canonical: false,
        meta_seed: None,
    })
}
