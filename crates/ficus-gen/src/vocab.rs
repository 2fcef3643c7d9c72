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

    /// How many words the vocabulary has (at least the common words).
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the vocabulary has no words (never: it always has the common words).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// One made-up word (ranked after the common English words), uniformly,
    /// for names: uniform so that names spread over the whole vocabulary.
    /// Falls back to the last common word when there are no made-up words.
    pub fn invented(&self, rng: &mut impl Rng) -> &str {
        // `words` always holds the common words, so it is not empty and
        // `start..len` is not empty either.
        let start = COMMON.len().min(self.words.len().saturating_sub(1));
        &self.words[rng.random_range(start..self.words.len())]
    }

    /// A sentence of 4–22 words, capitalised, with end punctuation.
    pub fn sentence(&self, rng: &mut impl Rng, out: &mut String) -> usize {
        let n: usize = rng.random_range(4..=22);
        self.sentence_of(rng, n, out)
    }

    /// A sentence of exactly `n` words (give at least one), capitalised,
    /// with end punctuation; returns `n`.
    pub fn sentence_of(&self, rng: &mut impl Rng, n: usize, out: &mut String) -> usize {
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

    /// Paragraphs of 1–7 sentences of up to 22 words, totalling exactly
    /// `words` words (at least one).
    pub fn paragraphs_exact(&self, rng: &mut impl Rng, words: usize) -> Vec<String> {
        let mut left = words.max(1);
        let mut out = Vec::new();
        while left > 0 {
            let sentences = rng.random_range(1..=7);
            out.push(self.fill_paragraph(rng, &mut left, sentences));
        }
        out
    }

    /// One paragraph of exactly `words` words (at least one), in sentences
    /// of up to 22 words.
    pub fn paragraph_of(&self, rng: &mut impl Rng, words: usize) -> String {
        let mut left = words.max(1);
        self.fill_paragraph(rng, &mut left, usize::MAX)
    }

    /// A paragraph of at most `max_sentences` sentences of 4–22 words (the
    /// last one shorter if need be), taking its words from `left`.
    fn fill_paragraph(&self, rng: &mut impl Rng, left: &mut usize, max_sentences: usize) -> String {
        let mut p = String::new();
        let mut sentences = 0;
        while *left > 0 && sentences < max_sentences {
            if sentences > 0 {
                p.push(' ');
            }
            let n = rng.random_range(4..=22usize).min(*left);
            *left -= self.sentence_of(rng, n, &mut p);
            sentences += 1;
        }
        p
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
