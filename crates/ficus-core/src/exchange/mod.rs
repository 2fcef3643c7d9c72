//! Gift exchanges (AO3's challenge type): participants sign up with
//! requests (what they would like to receive) and offers (what they could
//! write), each a set of tags; matching gives every participant one
//! recipient whose requests overlap their offers. The matching itself is
//! [`matching`]: pure, on tag ids, with no storage.

pub mod matching;
pub mod rules;

pub use matching::{Assignment, MatchReport, Unmatched, match_signups, match_signups_greedy};

/// One prompt (a request or an offer): its tags by kind, each list sorted
/// and without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prompt {
    pub fandoms: Vec<i64>,
    pub characters: Vec<i64>,
    pub relationships: Vec<i64>,
    pub freeforms: Vec<i64>,
}

impl Prompt {
    /// A prompt from unsorted tag lists.
    pub fn new(
        mut fandoms: Vec<i64>,
        mut characters: Vec<i64>,
        mut relationships: Vec<i64>,
        mut freeforms: Vec<i64>,
    ) -> Prompt {
        for list in [
            &mut fandoms,
            &mut characters,
            &mut relationships,
            &mut freeforms,
        ] {
            list.sort_unstable();
            list.dedup();
        }
        Prompt {
            fandoms,
            characters,
            relationships,
            freeforms,
        }
    }
}

/// One participant's sign-up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signup {
    /// The participant (an account id, or any key the caller uses).
    pub id: i64,
    pub requests: Vec<Prompt>,
    pub offers: Vec<Prompt>,
}

/// What a potential match needs (AO3's potential-match settings): how
/// many tags of each kind an offer and a request must share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct MatchRules {
    pub fandoms: u32,
    pub characters: u32,
    pub relationships: u32,
    pub freeforms: u32,
}

impl Default for MatchRules {
    /// One shared fandom, as most exchanges ask.
    fn default() -> Self {
        MatchRules {
            fandoms: 1,
            characters: 0,
            relationships: 0,
            freeforms: 0,
        }
    }
}

/// How many ids two sorted lists share.
pub(crate) fn shared(a: &[i64], b: &[i64]) -> u32 {
    let (mut i, mut j, mut n) = (0, 0, 0u32);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// How well an offer meets a request under `rules`: `None` when it does
/// not meet the minima, else the number of tags they share (the match's
/// quality).
pub fn overlap(offer: &Prompt, request: &Prompt, rules: &MatchRules) -> Option<u32> {
    let f = shared(&offer.fandoms, &request.fandoms);
    let c = shared(&offer.characters, &request.characters);
    let r = shared(&offer.relationships, &request.relationships);
    let t = shared(&offer.freeforms, &request.freeforms);
    (f >= rules.fandoms
        && c >= rules.characters
        && r >= rules.relationships
        && t >= rules.freeforms)
        .then_some(f + c + r + t)
}
