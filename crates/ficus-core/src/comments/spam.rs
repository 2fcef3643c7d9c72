//! The built-in spam heuristic for comments. A real service (Akismet,
//! for one) plugs in through the application's `SpamCheck` trait instead.

/// A comment offered to a spam check.
#[derive(Debug, Clone, Copy)]
pub struct SpamCandidate<'a> {
    /// The comment's text (sanitized HTML).
    pub body: &'a str,
    /// The name it is posted under.
    pub author: &'a str,
    /// The guest's e-mail, if a guest.
    pub email: Option<&'a str>,
    pub is_guest: bool,
}

/// Phrases that mark a comment as spam in the built-in check.
const SPAM_PHRASES: &[&str] = &[
    "buy now",
    "casino",
    "viagra",
    "cialis",
    "payday loan",
    "crypto investment",
    "bitcoin investment",
    "forex signal",
    "click here",
    "work from home and earn",
    "earn money fast",
    "free money",
    "escort service",
    "seo service",
    "backlinks",
    "cheap followers",
    "onlyfans",
    "telegram me",
    "whatsapp me",
];

/// The built-in spam heuristic: a score from links, known phrases and
/// repeated text; 5 or more is spam. A real service (Akismet, for one)
/// plugs in through the application's `SpamCheck` trait instead.
pub fn spam_score(c: &SpamCandidate<'_>) -> u32 {
    let text = crate::html::plain_text(c.body).to_lowercase();
    let lower_body = c.body.to_lowercase();
    let mut score = 0u32;
    let links = lower_body.matches("<a ").count()
        + text.matches("http://").count()
        + text.matches("https://").count()
        + text.matches("www.").count();
    score += match links {
        0 => 0,
        1 => 1,
        2 => 2,
        _ => 5,
    };
    let phrases = SPAM_PHRASES
        .iter()
        .filter(|p| text.contains(*p) || c.author.to_lowercase().contains(*p))
        .count() as u32;
    score += 3 * phrases;
    // Repeated text: few distinct words among many.
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() >= 20 {
        let mut distinct: Vec<&str> = words.clone();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() * 4 < words.len() {
            score += 5;
        }
    }
    // A long run of one character.
    let mut run = 0usize;
    let mut last = None;
    for ch in text.chars().filter(|c| !c.is_whitespace()) {
        if Some(ch) == last {
            run += 1;
            if run >= 40 {
                score += 3;
                break;
            }
        } else {
            run = 1;
            last = Some(ch);
        }
    }
    score
}

/// Whether the built-in heuristic calls it spam.
pub fn looks_like_spam(c: &SpamCandidate<'_>) -> bool {
    spam_score(c) >= 5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heuristic() {
        let c = |body: &'static str| SpamCandidate {
            body,
            author: "someone",
            email: None,
            is_guest: true,
        };
        assert!(!looks_like_spam(&c(
            "<p>I loved the ending, thank you!</p>"
        )));
        assert!(looks_like_spam(&c(
            "<p>Buy now at <a href=\"https://x.example\">x</a> casino https://y.example https://z.example</p>"
        )));
        assert!(looks_like_spam(&c(
            "<p>spam spam spam spam spam spam spam spam spam spam spam spam spam spam spam spam spam spam spam spam spam</p>"
        )));
        assert!(!looks_like_spam(&c(
            "<p>One link is fine: <a href=\"https://fic.example\">my fic</a></p>"
        )));
    }
}
