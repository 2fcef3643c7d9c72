//! Gifts (AO3's): a work given to an account's pseud or to a name that is
//! not an account. Accounts accept gifts only when they allow them ("Allow
//! anyone to gift me works.", off for new accounts) and never from an
//! account they blocked; a recipient may refuse a gift.

/// The longest recipient name that is not an account (AO3's limit).
pub const MAX_NAME_CHARS: usize = 100;

/// The most recipients one work names.
pub const MAX_RECIPIENTS: usize = 20;

/// Whom a work is given to, resolved.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GiftTo {
    /// An account's pseud (and the account's id).
    Pseud { pseud_id: i64, user_id: i64 },
    /// A name that is not an account's.
    Name(String),
}

/// Why a recipient was refused, worded as AO3 words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GiftRefusal {
    #[error("{0} does not accept gifts.")]
    NotAccepted(String),
    #[error("{0} does not accept gifts from you.")]
    Blocked(String),
    #[error(
        "A gift recipient's name must be at most {MAX_NAME_CHARS} characters and hold a letter or a digit: {0:?}."
    )]
    BadName(String),
    #[error("You cannot give a work to yourself.")]
    ToSelf,
    #[error("A work can be given to at most {MAX_RECIPIENTS} recipients.")]
    TooMany,
}

/// Checks a recipient name that is not an account.
pub fn check_name(raw: &str) -> Result<String, GiftRefusal> {
    let name = crate::text::clean_line(raw).trim().to_string();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || !name.chars().any(char::is_alphanumeric)
    {
        return Err(GiftRefusal::BadName(raw.trim().chars().take(40).collect()));
    }
    Ok(name)
}

/// Whether an account (`allows`: its preference; `blocked_giver`: it
/// blocked the giver) takes a gift from the giver, named by `byline`.
pub fn may_give(allows: bool, blocked_giver: bool, byline: &str) -> Result<(), GiftRefusal> {
    if blocked_giver {
        return Err(GiftRefusal::Blocked(byline.to_string()));
    }
    if !allows {
        return Err(GiftRefusal::NotAccepted(byline.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_consent() {
        assert_eq!(check_name("  My Friend ").as_deref(), Ok("My Friend"));
        assert!(matches!(check_name("!!!"), Err(GiftRefusal::BadName(_))));
        assert!(matches!(
            check_name(&"x".repeat(MAX_NAME_CHARS + 1)),
            Err(GiftRefusal::BadName(_))
        ));
        assert!(check_name(&"x".repeat(MAX_NAME_CHARS)).is_ok());
        assert_eq!(
            may_give(false, false, "ada").map_err(|e| e.to_string()),
            Err("ada does not accept gifts.".into())
        );
        assert_eq!(
            may_give(true, true, "ada").map_err(|e| e.to_string()),
            Err("ada does not accept gifts from you.".into())
        );
        assert_eq!(may_give(true, false, "ada"), Ok(()));
    }
}
