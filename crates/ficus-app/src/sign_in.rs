//! Proving who you are with a login and a password: the log-in form and
//! HTTP Basic authentication (e-reader apps on OPDS and downloads) both
//! call [`authenticate`], so both obey the same limits.
//!
//! The limits count **failures only**, in the database (shared by every
//! node), keyed on the normalized account (the login as it is looked up:
//! trimmed, lower case) and on the client's address:
//! - an address with [`FAILURES_PER_IP`] failures in the window is refused
//!   whatever account it names;
//! - an account with [`FAILURES_PER_ACCOUNT`] failures is refused to every
//!   address that has failed in the window; an address that has not
//!   failed may still try the right password, so a guesser cannot lock
//!   the owner (or the owner's reader app) out.
//!
//! An unknown account costs the same time as a known one: the password is
//! verified against a dummy hash.

use ficus_core::account;
use ficus_store::{Store, StoreError, Throttle, UserRecord};

/// Failed attempts allowed per window and account.
pub const FAILURES_PER_ACCOUNT: u32 = 5;
/// Failed attempts allowed per window and address (higher: many people
/// can share one address).
pub const FAILURES_PER_IP: u32 = 10;
/// The window, in seconds.
pub const WINDOW_SECS: i64 = 20;

/// Why the credentials were not accepted.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Wrong login or password (never says which).
    #[error("the user name or password doesn't match our records")]
    WrongCredentials,
    /// Too many failures; try again after `retry_after` seconds.
    #[error("too many failed log-in attempts {from}")]
    Throttled {
        retry_after: u64,
        /// "from your address" or "for this account".
        from: &'static str,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn ip_bucket(ip: &str) -> String {
    format!("signin:fail:ip:{ip}")
}

fn account_bucket(key: &str) -> String {
    format!("signin:fail:user:{key}")
}

/// Checks `login` and `password` from the client at `ip`, at `now`
/// (seconds since the epoch), under the limits of this module.
pub fn authenticate(
    store: &Store,
    login: &str,
    password: &str,
    ip: &str,
    now: i64,
) -> Result<UserRecord, SignInError> {
    let key = login.trim().to_ascii_lowercase();
    let ip_failures: Throttle = store.throttle_peek(&ip_bucket(ip), WINDOW_SECS, now)?;
    if ip_failures.hits() >= FAILURES_PER_IP {
        return Err(SignInError::Throttled {
            retry_after: ip_failures.retry_after(FAILURES_PER_IP),
            from: "from your address",
        });
    }
    if !key.is_empty() && ip_failures.hits() > 0 {
        let account_failures = store.throttle_peek(&account_bucket(&key), WINDOW_SECS, now)?;
        if account_failures.hits() >= FAILURES_PER_ACCOUNT {
            return Err(SignInError::Throttled {
                retry_after: account_failures.retry_after(FAILURES_PER_ACCOUNT),
                from: "for this account",
            });
        }
    }
    let found = if key.is_empty() {
        None
    } else {
        store.user_for_login(&key)?
    };
    // Verify against a dummy hash when there is no account, so both cases
    // take the same time.
    let hash = found
        .as_ref()
        .map(|(_, h)| h.as_str())
        .unwrap_or(account::dummy_hash());
    let ok = account::verify_password(password, hash);
    match found {
        Some((user, _)) if ok => Ok(user),
        _ => {
            store.throttle_hit(&ip_bucket(ip), WINDOW_SECS, now)?;
            if !key.is_empty() {
                store.throttle_hit(&account_bucket(&key), WINDOW_SECS, now)?;
            }
            Err(SignInError::WrongCredentials)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ficus_core::account::{Login, Role, hash_password};
    use ficus_store::testing::TestStore;

    #[test]
    fn only_failures_count_and_the_owner_is_not_locked_out() {
        for test_store in TestStore::all() {
            let store: &Store = &test_store;
            let login = Login::parse("ada").expect("login");
            let hash = hash_password("correct horse battery").expect("hash");
            let now_naive = chrono::Utc::now().naive_utc();
            store
                .create_user(&login, "ada@example.org", &hash, Role::User, now_naive)
                .expect("user");
            let t = 2_000_000_000;
            let ok = |ip: &str, at| authenticate(store, "ada", "correct horse battery", ip, at);
            // A reader app with the right password is never throttled.
            for i in 0..20 {
                assert!(ok("10.0.0.1", t + i % 3).is_ok(), "request {i}");
            }
            // Whitespace and case name the same account: five guesses
            // from one address lock it for that address…
            for (i, name) in [" ada", "ADA", "  ada", "ada ", "Ada"].iter().enumerate() {
                let e = authenticate(store, name, "guess", "10.0.0.2", t + 1);
                assert!(
                    matches!(e, Err(SignInError::WrongCredentials)),
                    "{i}: {e:?}"
                );
            }
            let e = authenticate(store, "ada", "correct horse battery", "10.0.0.2", t + 2);
            assert!(matches!(e, Err(SignInError::Throttled { .. })), "{e:?}");
            // …but not for the owner's address, which has not failed.
            assert!(ok("10.0.0.1", t + 2).is_ok());
            // One address, many accounts: ten failures and it is refused.
            for i in 0..10 {
                let e = authenticate(store, &format!("nobody{i}"), "x", "10.0.0.3", t + 3);
                assert!(matches!(e, Err(SignInError::WrongCredentials)), "{i}");
            }
            let e = authenticate(store, "ada", "correct horse battery", "10.0.0.3", t + 3);
            assert!(
                matches!(e, Err(SignInError::Throttled { retry_after, .. }) if retry_after >= 1),
                "{e:?}"
            );
            // After the window (and the one it slides over), all is well.
            assert!(ok("10.0.0.2", t + 60).is_ok());
        }
    }
}
