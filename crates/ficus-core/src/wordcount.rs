//! Word counting exactly as AO3 counts.
//!
//! 1. Each HTML text node is counted on its own, so markup separates words.
//! 2. `--` is a dash and therefore a break.
//! 3. Apostrophes (`'` `’` `‘`) and hyphens are deleted: "don't" and
//!    "arm-rest" are one word each.
//! 4. Every Han, Hiragana, Katakana or Thai character is a word; every other
//!    run of word characters is a word.
//! 5. Punctuation alone counts nothing.

use std::cell::{Cell, RefCell};
use std::sync::LazyLock;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use regex::Regex;

static WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"[\w&&[^\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}]]+|[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}]",
    )
    .expect("word regex is valid")
});

/// Counts the words of one plain-text run (one HTML text node).
pub fn count_text(text: &str) -> u64 {
    if text.is_empty() {
        return 0;
    }
    if text.is_ascii() {
        return count_ascii(text.as_bytes());
    }
    count_by_regex(text)
}

/// [`count_text`] by the rules as written, for any text.
fn count_by_regex(text: &str) -> u64 {
    let dashed = text.replace("--", " ");
    let cleaned: String = dashed
        .chars()
        .filter(|c| !matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '-'))
        .collect();
    WORD.find_iter(&cleaned).count() as u64
}

/// [`count_text`] of ASCII text, in one pass over its bytes: the same
/// rules (`--` a break, `'` and `-` deleted, a word a run of `[A-Za-z0-9_]`,
/// which is what `\w` matches in ASCII) without the regex and copies.
fn count_ascii(text: &[u8]) -> u64 {
    const OTHER: u8 = 0;
    const WORD: u8 = 1;
    const DASH: u8 = 2;
    const GONE: u8 = 3;
    static CLASS: [u8; 128] = {
        let mut class = [OTHER; 128];
        let mut b = 0;
        while b < 128 {
            let c = b as u8;
            class[b] = if c.is_ascii_alphanumeric() || c == b'_' {
                WORD
            } else if c == b'-' {
                DASH
            } else if c == b'\'' {
                GONE
            } else {
                OTHER
            };
            b += 1;
        }
        class
    };
    let mut words = 0;
    let mut in_word = false;
    let mut i = 0;
    while i < text.len() {
        match CLASS[usize::from(text[i] & 0x7f)] {
            WORD => {
                words += u64::from(!in_word);
                in_word = true;
            }
            DASH if text.get(i + 1) == Some(&b'-') => {
                in_word = false;
                i += 1;
            }
            DASH | GONE => {}
            _ => in_word = false,
        }
        i += 1;
    }
    words
}

/// Counts the words of an HTML fragment, text node by text node.
///
/// Uses html5ever's tokenizer without building a tree: every tag, comment
/// or doctype ends a text node, and character references are decoded, so
/// the result equals counting the text nodes of the parsed fragment.
pub fn count_html(html: &str) -> u64 {
    if !html.contains('<') && !html.contains('&') {
        return count_text(html);
    }
    let tokenizer = Tokenizer::new(TextNodeCounter::default(), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.flush();
    tokenizer.sink.words.get()
}

/// Collects character tokens into text nodes and counts each node's words.
#[derive(Default)]
struct TextNodeCounter {
    words: Cell<u64>,
    pending: RefCell<String>,
}

impl TextNodeCounter {
    fn flush(&self) {
        let mut pending = self.pending.borrow_mut();
        if !pending.is_empty() {
            self.words.set(self.words.get() + count_text(&pending));
            pending.clear();
        }
    }
}

impl TokenSink for TextNodeCounter {
    type Handle = ();

    fn process_token(&self, token: Token, _line_number: u64) -> TokenSinkResult<()> {
        match token {
            Token::CharacterTokens(text) => self.pending.borrow_mut().push_str(&text),
            Token::NullCharacterToken | Token::ParseError(_) => {}
            Token::TagToken(_)
            | Token::CommentToken(_)
            | Token::DoctypeToken(_)
            | Token::EOFToken => self.flush(),
        }
        TokenSinkResult::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ascii_pass_counts_as_the_rules_do() {
        // Every string of up to five characters over the characters that
        // matter, and longer pseudo-random ones.
        let alphabet: Vec<char> = "a1_ -'.\n".chars().collect();
        let mut strings: Vec<String> = vec![String::new()];
        let mut level: Vec<String> = vec![String::new()];
        for _ in 0..5 {
            level = level
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            strings.extend(level.iter().cloned());
        }
        let mut seed: u64 = 7;
        for _ in 0..2_000 {
            let s: String = (0..40)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    alphabet[(seed >> 33) as usize % alphabet.len()]
                })
                .collect();
            strings.push(s);
        }
        for s in &strings {
            assert_eq!(count_ascii(s.as_bytes()), count_by_regex(s), "{s:?}");
        }
    }

    #[test]
    fn plain_words() {
        assert_eq!(count_text("The quick brown fox."), 4);
        assert_eq!(count_text("  spaced   out\n\nwords \t here "), 4);
        assert_eq!(count_text(""), 0);
        assert_eq!(count_text("   \n\t "), 0);
    }

    #[test]
    fn apostrophes_join_words() {
        assert_eq!(count_text("don't"), 1);
        assert_eq!(count_text("don’t won‘t it's"), 3);
        assert_eq!(count_text("'quoted'"), 1);
        assert_eq!(count_text("rock 'n' roll"), 3);
    }

    #[test]
    fn hyphens_join_words_and_double_dash_breaks() {
        assert_eq!(count_text("arm-rest"), 1);
        assert_eq!(count_text("one--two"), 2);
        assert_eq!(count_text("one---two"), 2);
        assert_eq!(count_text("mother-in-law"), 1);
        assert_eq!(count_text("a - b"), 2);
        assert_eq!(
            count_text("one—two"),
            2,
            "an em dash is not a word character"
        );
        assert_eq!(
            count_text("one–two"),
            2,
            "an en dash is not a word character"
        );
    }

    #[test]
    fn punctuation_alone_is_nothing() {
        assert_eq!(count_text("..."), 0);
        assert_eq!(count_text("!?!? -- ... ' ’ —"), 0);
        assert_eq!(count_text("* * *"), 0);
    }

    #[test]
    fn numbers_and_underscores_are_word_characters() {
        // "3.5" is two words: the point is punctuation and breaks the run.
        assert_eq!(count_text("In 1999 there were 3.5 million"), 7);
        assert_eq!(count_text("snake_case"), 1);
    }

    #[test]
    fn cjk_and_thai_count_per_character() {
        assert_eq!(count_text("一个简单の栗子"), 7);
        assert_eq!(count_text("カタカナ"), 4);
        assert_eq!(count_text("ひらがな"), 4);
        assert_eq!(count_text("สวัสดี"), 6);
        assert_eq!(count_text("Hello 世界"), 3);
        assert_eq!(
            count_text("한국어 문장"),
            2,
            "Hangul is not counted per character"
        );
        assert_eq!(count_text("abc漢字def"), 4);
    }

    #[test]
    fn other_scripts_are_runs() {
        assert_eq!(count_text("Привет, мир"), 2);
        assert_eq!(count_text("Καλημέρα κόσμε"), 2);
        assert_eq!(count_text("مرحبا بالعالم"), 2);
        assert_eq!(count_text("café naïve"), 2);
    }

    #[test]
    fn html_text_nodes_count_separately() {
        assert_eq!(count_html("<p>Hello <b>world</b></p>"), 2);
        assert_eq!(count_html("<p>one</p><p>two</p>"), 2);
        assert_eq!(
            count_html("un<i>believ</i>able"),
            3,
            "markup separates words"
        );
        assert_eq!(count_html("<p>don&#39;t &amp; can&rsquo;t</p>"), 2);
        assert_eq!(count_html("<p>a<br>b<br/>c</p>"), 3);
        assert_eq!(count_html("<p title=\"not counted here\">x</p>"), 1);
        assert_eq!(count_html("<p></p><hr>"), 0);
    }

    #[test]
    fn comments_and_split_character_runs() {
        assert_eq!(count_html("one<!-- two three -->four"), 2);
        assert_eq!(
            count_html("caf&eacute; au lait"),
            3,
            "an entity inside a word keeps it one word"
        );
        assert_eq!(count_html("ca&amp;t"), 2, "& is punctuation");
        assert_eq!(count_html("<p>a&nbsp;b&#x4e00;c</p>"), 4);
    }

    #[test]
    fn html_entities_decode_before_counting() {
        assert_eq!(count_html("one&mdash;two"), 2);
        assert_eq!(count_html("one&nbsp;two"), 2);
        assert_eq!(count_html("&lt;tag&gt;"), 1);
    }
}
