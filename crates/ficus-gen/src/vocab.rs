//! An English-like vocabulary with Zipf-distributed word frequencies, so
//! generated prose has realistic word statistics.

use rand::Rng;

/// The most frequent English words, in rank order; the vocabulary continues
/// with made-up words built from syllables.
const COMMON: &[&str] = &[
    "the",
    "and",
    "to",
    "a",
    "of",
    "he",
    "she",
    "was",
    "in",
    "it",
    "that",
    "his",
    "her",
    "you",
    "i",
    "with",
    "for",
    "on",
    "had",
    "at",
    "as",
    "but",
    "they",
    "not",
    "be",
    "him",
    "said",
    "is",
    "from",
    "what",
    "all",
    "were",
    "there",
    "one",
    "so",
    "like",
    "back",
    "out",
    "up",
    "into",
    "them",
    "could",
    "would",
    "just",
    "about",
    "now",
    "then",
    "this",
    "have",
    "know",
    "their",
    "been",
    "when",
    "me",
    "no",
    "eyes",
    "an",
    "over",
    "did",
    "more",
    "hand",
    "before",
    "time",
    "down",
    "only",
    "even",
    "something",
    "head",
    "way",
    "looked",
    "felt",
    "again",
    "never",
    "through",
    "still",
    "room",
    "door",
    "thought",
    "face",
    "away",
    "night",
    "voice",
    "smiled",
    "moment",
    "right",
    "long",
    "little",
    "against",
    "light",
    "turned",
    "quiet",
    "last",
    "breath",
    "home",
    "heart",
    "small",
    "around",
    "want",
    "fingers",
    "morning",
    "window",
    "rain",
    "tea",
];

const ONSETS: &[&str] = &[
    "b", "br", "c", "ch", "d", "dr", "f", "fl", "g", "gr", "h", "j", "k", "l", "m", "n", "p", "pl",
    "r", "s", "sh", "st", "t", "th", "tr", "v", "w", "wh",
];
const NUCLEI: &[&str] = &["a", "e", "i", "o", "u", "ea", "ai", "ou", "ie", "oo"];
const CODAS: &[&str] = &[
    "", "n", "r", "s", "t", "l", "nd", "st", "ng", "ck", "m", "rd",
];

/// A ranked word list with a Zipf sampler.
pub struct Vocabulary {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Vocabulary {
    /// `size` words; rank r has weight 1/(r+1)^s with s ≈ 1.07 (English-like).
    pub fn new(size: usize, rng: &mut impl Rng) -> Vocabulary {
        let mut words: Vec<String> = COMMON.iter().map(|w| w.to_string()).collect();
        let mut seen: std::collections::HashSet<String> = words.iter().cloned().collect();
        while words.len() < size.max(COMMON.len()) {
            let syllables = rng.random_range(1..=3);
            let mut w = String::new();
            for _ in 0..syllables {
                w.push_str(ONSETS[rng.random_range(0..ONSETS.len())]);
                w.push_str(NUCLEI[rng.random_range(0..NUCLEI.len())]);
                w.push_str(CODAS[rng.random_range(0..CODAS.len())]);
            }
            if seen.insert(w.clone()) {
                words.push(w);
            }
        }
        Vocabulary {
            cumulative: zipf_cumulative(words.len(), 1.07),
            words,
        }
    }

    /// One word, Zipf-distributed.
    pub fn word(&self, rng: &mut impl Rng) -> &str {
        &self.words[sample_cumulative(&self.cumulative, rng)]
    }

    /// A sentence of 4–22 words, capitalised, with end punctuation.
    pub fn sentence(&self, rng: &mut impl Rng, out: &mut String) -> usize {
        let n = rng.random_range(4..=22);
        for i in 0..n {
            let w = self.word(rng);
            if i == 0 {
                let mut cs = w.chars();
                if let Some(first) = cs.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(cs.as_str());
                }
            } else {
                out.push(' ');
                out.push_str(w);
                if i + 1 < n && rng.random_ratio(1, 12) {
                    out.push(',');
                }
            }
        }
        out.push(match rng.random_range(0..10) {
            0 => '?',
            1 => '!',
            _ => '.',
        });
        n
    }

    /// Paragraphs totalling about `words` words.
    pub fn paragraphs(&self, rng: &mut impl Rng, words: usize) -> Vec<String> {
        let mut out = Vec::new();
        let mut total = 0;
        while total < words.max(1) {
            let mut p = String::new();
            let sentences = rng.random_range(1..=7);
            for s in 0..sentences {
                if s > 0 {
                    p.push(' ');
                }
                total += self.sentence(rng, &mut p);
                if total >= words {
                    break;
                }
            }
            out.push(p);
        }
        out
    }
}

/// Cumulative Zipf weights for ranks 0..n with exponent `s`, normalised to 1.
pub fn zipf_cumulative(n: usize, s: f64) -> Vec<f64> {
    let mut acc = 0.0;
    let mut out: Vec<f64> = (0..n)
        .map(|r| {
            acc += 1.0 / ((r + 1) as f64).powf(s);
            acc
        })
        .collect();
    for v in &mut out {
        *v /= acc;
    }
    out
}

/// Samples an index from cumulative weights.
pub fn sample_cumulative(cumulative: &[f64], rng: &mut impl Rng) -> usize {
    let x: f64 = rng.random();
    cumulative
        .partition_point(|c| *c < x)
        .min(cumulative.len().saturating_sub(1))
}
