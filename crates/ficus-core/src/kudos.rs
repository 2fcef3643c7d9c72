//! Kudos: who may leave them, and what the work page says about them.
//!
//! Kudos go on works only, one per account per work and one per guest
//! visitor per work (a keyed hash of the address, never the address),
//! never on your own work, and not as a guest on a work for registered
//! users only. The database holds the one-per rule with unique indexes,
//! so double clicks and races never make two.

use crate::access::{Viewer, WorkAccess};

/// Names shown under a work before "N more users" (AO3's number); also
/// the size of a page of the full list.
pub const NAMES_SHOWN: usize = 50;

/// Why kudos were not left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KudosRefusal {
    #[error("You can't leave kudos on your own work.")]
    OwnWork,
    #[error("You can't leave guest kudos on a restricted work.")]
    GuestOnRestricted,
    #[error("You have already left kudos here. :)")]
    AlreadyLeft,
    #[error("Sorry, you have been blocked by one or more of this work's creators.")]
    Blocked,
    #[error("You cannot leave kudos while your account is suspended or banned.")]
    Suspended,
    /// No such work, or not one this viewer may see.
    #[error("There is no such work.")]
    NotFound,
}

/// Whether `viewer` may leave kudos on a work with `access`.
pub fn check(viewer: Viewer, access: &WorkAccess<'_>) -> Result<(), KudosRefusal> {
    if viewer.must_log_in(access) {
        return Err(KudosRefusal::GuestOnRestricted);
    }
    if !viewer.may_see(access) || !access.posted || access.hidden {
        return Err(KudosRefusal::NotFound);
    }
    if viewer.owns(access) {
        return Err(KudosRefusal::OwnWork);
    }
    Ok(())
}

/// The sentence under a work (AO3's wording): the newest names (links,
/// rendered by the caller), then "N more users", then "as well as N
/// guests", then "left kudos on this work!". `None` when nobody has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KudosSentence {
    /// Account names shown, newest first (at most [`NAMES_SHOWN`]).
    pub names: Vec<String>,
    /// Accounts beyond those shown.
    pub more_users: u64,
    /// Guests (and deleted accounts) who left kudos.
    pub guests: u64,
}

impl KudosSentence {
    /// Whether anybody left kudos.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && self.more_users == 0 && self.guests == 0
    }

    /// The connector before name `i` of `n` items (names plus the "more"
    /// link): "", ", ", " and " or ", and " as English lists go.
    pub fn connector(i: usize, n: usize) -> &'static str {
        match (i, n) {
            (0, _) => "",
            (1, 2) => " and ",
            (i, n) if i + 1 == n => ", and ",
            _ => ", ",
        }
    }

    /// "1 more user" / "N more users".
    pub fn more_text(&self) -> String {
        plural(self.more_users, "more user", "more users")
    }

    /// "1 guest" / "N guests".
    pub fn guests_text(&self) -> String {
        plural(self.guests, "guest", "guests")
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Role;

    fn work<'a>(restricted: bool, owners: &'a [i64]) -> WorkAccess<'a> {
        WorkAccess {
            posted: true,
            restricted,
            hidden: false,
            unrevealed: false,
            owners,
        }
    }

    #[test]
    fn who_may_leave_kudos() {
        let reader = Viewer::User {
            id: 2,
            role: Role::User,
        };
        assert_eq!(check(reader, &work(false, &[1])), Ok(()));
        assert_eq!(check(Viewer::Guest, &work(false, &[1])), Ok(()));
        assert_eq!(check(reader, &work(true, &[1])), Ok(()));
        assert_eq!(
            check(Viewer::Guest, &work(true, &[1])),
            Err(KudosRefusal::GuestOnRestricted)
        );
        assert_eq!(
            check(reader, &work(false, &[2])),
            Err(KudosRefusal::OwnWork)
        );
        let draft = WorkAccess {
            posted: false,
            ..work(false, &[2])
        };
        assert_eq!(check(reader, &draft), Err(KudosRefusal::NotFound));
        let hidden = WorkAccess {
            hidden: true,
            ..work(false, &[1])
        };
        let admin = Viewer::User {
            id: 9,
            role: Role::Admin,
        };
        assert_eq!(check(admin, &hidden), Err(KudosRefusal::NotFound));
    }

    #[test]
    fn the_sentence_joins_like_english() {
        let joined = |n: usize| {
            (0..n)
                .map(|i| format!("{}{i}", KudosSentence::connector(i, n)))
                .collect::<String>()
        };
        assert_eq!(joined(1), "0");
        assert_eq!(joined(2), "0 and 1");
        assert_eq!(joined(3), "0, 1, and 2");
        let s = KudosSentence {
            names: vec![],
            more_users: 1,
            guests: 2,
        };
        assert_eq!(s.more_text(), "1 more user");
        assert_eq!(s.guests_text(), "2 guests");
    }
}
