//! Mutes. An account's are stored ([`apply_to_account`], one
//! transaction); a guest's live in a session cookie, as dot-separated
//! `t<tag id>` and `c<creator id>` — [`GuestMutes`] is the one reader and
//! writer of that value.

use ficus_store::{Store, StoreError};

/// Most tags and creators a guest may mute (the cookie stays small).
pub const MAX_GUEST_MUTES: usize = 200;

/// One muted thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MuteToken {
    Tag(i64),
    Creator(i64),
}

/// A guest's mutes, in the order they were added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuestMutes(pub Vec<MuteToken>);

impl GuestMutes {
    /// Reads the cookie value: only positive integers are kept, duplicates
    /// dropped, at most [`MAX_GUEST_MUTES`]; anything else is ignored.
    pub fn parse(raw: &str) -> GuestMutes {
        let mut out: Vec<MuteToken> = Vec::new();
        for part in raw.split('.').take(4 * MAX_GUEST_MUTES) {
            let number = |n: &str| {
                if n.bytes().all(|b| b.is_ascii_digit()) {
                    n.parse::<i64>().ok().filter(|n| *n > 0)
                } else {
                    None
                }
            };
            let token = if let Some(n) = part.strip_prefix('t') {
                number(n).map(MuteToken::Tag)
            } else if let Some(n) = part.strip_prefix('c') {
                number(n).map(MuteToken::Creator)
            } else {
                None
            };
            if let Some(t) = token
                && !out.contains(&t)
            {
                out.push(t);
            }
            if out.len() >= MAX_GUEST_MUTES {
                break;
            }
        }
        GuestMutes(out)
    }

    /// The cookie value (empty when nothing is muted).
    pub fn cookie_value(&self) -> String {
        self.0
            .iter()
            .map(|t| match t {
                MuteToken::Tag(n) => format!("t{n}"),
                MuteToken::Creator(n) => format!("c{n}"),
            })
            .collect::<Vec<_>>()
            .join(".")
    }

    /// The muted tags' ids.
    pub fn tag_ids(&self) -> Vec<i64> {
        self.0
            .iter()
            .filter_map(|t| match t {
                MuteToken::Tag(n) => Some(*n),
                MuteToken::Creator(_) => None,
            })
            .collect()
    }

    /// The muted byline entries' ids.
    pub fn creator_ids(&self) -> Vec<i64> {
        self.0
            .iter()
            .filter_map(|t| match t {
                MuteToken::Creator(n) => Some(*n),
                MuteToken::Tag(_) => None,
            })
            .collect()
    }

    /// Adds `tokens` (those not muted yet). False, and nothing added, when
    /// that would pass [`MAX_GUEST_MUTES`].
    pub fn mute(&mut self, tokens: &[MuteToken]) -> bool {
        let mut next = self.0.clone();
        for t in tokens {
            if !next.contains(t) {
                next.push(*t);
            }
        }
        if next.len() > MAX_GUEST_MUTES {
            return false;
        }
        self.0 = next;
        true
    }

    /// Removes `tokens`.
    pub fn unmute(&mut self, tokens: &[MuteToken]) {
        self.0.retain(|t| !tokens.contains(t));
    }
}

/// Mutes (or unmutes) `tokens` for the account `user_id`, in one
/// transaction.
pub fn apply_to_account(
    store: &Store,
    user_id: i64,
    tokens: &[MuteToken],
    mute: bool,
) -> Result<(), StoreError> {
    let mutes = GuestMutes(tokens.to_vec());
    store.set_muted(user_id, &mutes.tag_ids(), &mutes.creator_ids(), mute)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_positive_integers_are_read() {
        let mutes = GuestMutes::parse("t5.c7.t5.x1.t-3.t0.c+2.t99999999999999999999.t12");
        assert_eq!(
            mutes.0,
            vec![MuteToken::Tag(5), MuteToken::Creator(7), MuteToken::Tag(12)]
        );
        assert_eq!(mutes.cookie_value(), "t5.c7.t12");
        assert_eq!(
            (mutes.tag_ids(), mutes.creator_ids()),
            (vec![5, 12], vec![7])
        );
        assert!(GuestMutes::parse("").0.is_empty());
    }

    #[test]
    fn the_cookie_is_capped() {
        let raw: Vec<String> = (1..=500).map(|n| format!("t{n}")).collect();
        let mut mutes = GuestMutes::parse(&raw.join("."));
        assert_eq!(mutes.0.len(), MAX_GUEST_MUTES);
        assert!(!mutes.mute(&[MuteToken::Creator(1)]), "one more is refused");
        assert_eq!(mutes.0.len(), MAX_GUEST_MUTES);
        mutes.unmute(&[MuteToken::Tag(1)]);
        assert!(mutes.mute(&[MuteToken::Creator(1)]));
    }
}
