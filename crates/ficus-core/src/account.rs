//! Accounts: login names, e-mail addresses, passwords, roles, and the
//! random tokens sessions and forms use. Password hashing is argon2id.

use std::fmt;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::{Deserialize, Serialize};

/// Shortest and longest login name, in characters.
pub const LOGIN_CHARS: std::ops::RangeInclusive<usize> = 3..=40;
/// Shortest and longest password, in characters.
pub const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 8..=200;
/// Longest e-mail address, in bytes.
pub const MAX_EMAIL_BYTES: usize = 254;

/// Why account details were refused. Messages are shown to the person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error(
        "User name must be 3 to 40 characters: letters, digits and underscores, starting with a letter or digit."
    )]
    BadLogin,
    #[error("Please enter a valid e-mail address.")]
    BadEmail,
    #[error("Password must be 8 to 200 characters long.")]
    BadPassword,
    #[error("Pseud names are 1 to 40 letters, digits, spaces, underscores or hyphens.")]
    BadPseud,
    #[error("That user name is reserved; please choose another.")]
    Reserved,
    #[error("The password confirmation does not match.")]
    PasswordMismatch,
    #[error("could not hash the password: {0}")]
    Hash(String),
}

/// A valid login name: ASCII letters, digits and underscores.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Login(String);

impl Login {
    /// Validates a login name.
    pub fn parse(raw: &str) -> Result<Login, AccountError> {
        let name = raw.trim();
        let ok_chars = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        let ok_start = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        if !ok_chars || !ok_start || !LOGIN_CHARS.contains(&name.chars().count()) {
            return Err(AccountError::BadLogin);
        }
        Ok(Login(name.to_string()))
    }

    /// The name as typed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Case-insensitive comparison key.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The account orphaned works move to.
pub const ORPHAN_LOGIN: &str = "orphan_account";

/// Days a deleted account's login stays out of sign-up, so nobody can
/// take a known name at once and pass as its former owner.
pub const RETIRED_LOGIN_DAYS: i64 = 90;

/// Login names nobody may sign up with.
pub fn is_reserved(login: &Login) -> bool {
    matches!(
        login.key().as_str(),
        ORPHAN_LOGIN | "admin" | "administrator" | "moderator" | "ficus" | "anonymous"
    )
}

/// Longest pseud name, in characters.
pub const MAX_PSEUD_CHARS: usize = 40;
/// Longest pseud description, in characters.
pub const MAX_PSEUD_DESCRIPTION_CHARS: usize = 500;

/// Checks a pseud name: 1–40 letters, digits, spaces, underscores or
/// hyphens, with at least one letter or digit. Returns it trimmed.
pub fn parse_pseud_name(raw: &str) -> Result<String, AccountError> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let ok = !name.is_empty()
        && name.chars().count() <= MAX_PSEUD_CHARS
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || c == '_' || c == '-')
        && name.chars().any(char::is_alphanumeric);
    if ok {
        Ok(name)
    } else {
        Err(AccountError::BadPseud)
    }
}

/// Checks the shape of an e-mail address (one `@`, a dot in the domain, no spaces).
pub fn parse_email(raw: &str) -> Result<String, AccountError> {
    let email = raw.trim();
    let valid = email.len() <= MAX_EMAIL_BYTES
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if valid {
        Ok(email.to_string())
    } else {
        Err(AccountError::BadEmail)
    }
}

/// Checks a new password against the length rule.
pub fn check_password(password: &str) -> Result<(), AccountError> {
    if PASSWORD_CHARS.contains(&password.chars().count()) {
        Ok(())
    } else {
        Err(AccountError::BadPassword)
    }
}

/// Hashes a password with argon2id and a random salt (PHC string format).
pub fn hash_password(password: &str) -> Result<String, AccountError> {
    let mut salt_bytes = [0u8; 16];
    getrandom::fill(&mut salt_bytes).map_err(|e| AccountError::Hash(e.to_string()))?;
    let salt =
        SaltString::encode_b64(&salt_bytes).map_err(|e| AccountError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

/// Whether `password` matches a stored PHC hash. A malformed hash never matches.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash to verify against when the account does not exist, so that a
/// failed log-in takes the same time either way.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a real password").unwrap_or_default())
}

/// What every personal API token starts with, so leaked tokens are easy
/// to recognise (by people and by secret scanners).
pub const API_TOKEN_PREFIX: &str = "ficus_";

/// A new personal API token: the prefix and 64 random hex characters.
pub fn new_api_token() -> String {
    format!("{API_TOKEN_PREFIX}{}", random_token())
}

/// Whether `token` has the shape of a personal API token (checked before
/// any lookup).
pub fn is_api_token(token: &str) -> bool {
    token
        .strip_prefix(API_TOKEN_PREFIX)
        .is_some_and(|rest| rest.len() == 64 && rest.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// 32 random bytes as 64 hex characters (session ids, CSRF tokens).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // The OS random source does not fail on supported platforms; if it
    // ever does, refusing to run beats issuing guessable tokens.
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    hex(&bytes)
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

/// What an account may do beyond posting and reading.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    #[default]
    User,
    TagWrangler,
    Moderator,
    Admin,
}

impl Role {
    /// Stored and command-line name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::TagWrangler => "tag_wrangler",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }

    /// Parses [`Role::as_str`] output.
    pub fn parse(s: &str) -> Option<Role> {
        [Role::User, Role::TagWrangler, Role::Moderator, Role::Admin]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// The form a session token is stored in: hex SHA-256, so a copy of the
/// database holds no usable session.
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod api_token_tests {
    use super::*;

    #[test]
    fn api_tokens_have_the_prefix_and_64_hex_characters() {
        let token = new_api_token();
        assert!(is_api_token(&token), "{token}");
        assert!(!is_api_token(&token[..token.len() - 1]));
        assert!(!is_api_token(&token.replace("ficus_", "other_")));
        assert!(!is_api_token(&format!("{}g", &token[..token.len() - 1])));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins() {
        assert_eq!(
            Login::parse(" Ada_99 ").map(|l| l.key()),
            Ok("ada_99".into())
        );
        for bad in ["ab", "_ada", "ada lovelace", "adá", "a<b", &"x".repeat(41)] {
            assert_eq!(Login::parse(bad), Err(AccountError::BadLogin), "{bad}");
        }
    }

    #[test]
    fn pseud_names() {
        assert_eq!(parse_pseud_name("  Night   Owl "), Ok("Night Owl".into()));
        assert_eq!(parse_pseud_name("夜の鳥"), Ok("夜の鳥".into()));
        for bad in ["", "  ", "--", "a/b", "<x>", &"x".repeat(41)] {
            assert_eq!(parse_pseud_name(bad), Err(AccountError::BadPseud), "{bad}");
        }
    }

    #[test]
    fn emails() {
        assert!(parse_email("ada@example.org").is_ok());
        for bad in [
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a b@example.org",
            "a@b@c.org",
            "ada@.org",
        ] {
            assert_eq!(parse_email(bad), Err(AccountError::BadEmail), "{bad}");
        }
    }

    #[test]
    fn passwords_hash_and_verify() {
        assert_eq!(check_password("short"), Err(AccountError::BadPassword));
        let hash = hash_password("correct horse").expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
        assert_ne!(
            hash,
            hash_password("correct horse").expect("hash"),
            "salted"
        );
    }

    #[test]
    fn token_hashes_and_comparison() {
        assert_eq!(token_hash("abc").len(), 64);
        assert_ne!(token_hash("abc"), token_hash("abd"));
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }

    #[test]
    fn tokens_are_random_hex() {
        let a = random_token();
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, random_token());
    }
}
