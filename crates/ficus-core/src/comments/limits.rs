//! The archive-wide comment limits an admin sets: the rate limit for
//! guests and new accounts, how long an account counts as new, and the
//! switch that turns guest comments off. Stored as archive settings so
//! every node shares them.

use std::fmt;

/// At most `count` comments in `window_secs` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub count: u32,
    pub window_secs: u64,
}

impl RateLimit {
    /// AO3's: 3 comments in 15 minutes.
    pub const DEFAULT: RateLimit = RateLimit {
        count: 3,
        window_secs: 900,
    };

    /// Parses `"3/900"` (count / seconds). A count of 0 turns the limit
    /// off.
    pub fn parse(value: &str) -> Option<RateLimit> {
        let (count, secs) = value.trim().split_once('/')?;
        let count: u32 = count.trim().parse().ok()?;
        let window_secs: u64 = secs.trim().parse().ok()?;
        if window_secs == 0 || window_secs > 86_400 * 30 {
            return None;
        }
        Some(RateLimit { count, window_secs })
    }

    /// Whether it limits anything.
    pub fn is_on(&self) -> bool {
        self.count > 0
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.count, self.window_secs)
    }
}

/// The comment limits in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommentLimits {
    /// For guests and accounts younger than `new_account_days`.
    pub rate: RateLimit,
    /// Accounts younger than this are rate-limited and spam-checked
    /// (AO3's `account_age_threshold_for_comment_spam_check`); 0 exempts
    /// every account.
    pub new_account_days: u32,
    /// The archive-wide switch: no guest comments at all.
    pub guest_comments_off: bool,
}

impl Default for CommentLimits {
    fn default() -> Self {
        CommentLimits {
            rate: RateLimit::DEFAULT,
            new_account_days: Self::DEFAULT_NEW_ACCOUNT_DAYS,
            guest_comments_off: false,
        }
    }
}

impl CommentLimits {
    /// Setting names in the archive settings.
    pub const RATE_SETTING: &'static str = "comment_rate_limit";
    pub const NEW_ACCOUNT_SETTING: &'static str = "comment_new_account_days";
    pub const GUEST_OFF_SETTING: &'static str = "guest_comments_off";
    pub const DEFAULT_NEW_ACCOUNT_DAYS: u32 = 7;

    /// The limits from archive settings (`get` answers a setting's stored
    /// value); a missing or unreadable value keeps the default.
    pub fn from_settings(get: impl Fn(&str) -> Option<String>) -> CommentLimits {
        let d = CommentLimits::default();
        CommentLimits {
            rate: get(Self::RATE_SETTING)
                .and_then(|v| RateLimit::parse(&v))
                .unwrap_or(d.rate),
            new_account_days: get(Self::NEW_ACCOUNT_SETTING)
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(d.new_account_days),
            guest_comments_off: get(Self::GUEST_OFF_SETTING).is_some_and(|v| v == "true"),
        }
    }

    /// Whether an account created `age_secs` ago counts as new.
    pub fn is_new_account(&self, age_secs: i64) -> bool {
        age_secs < i64::from(self.new_account_days) * 86_400
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_parse() {
        assert_eq!(RateLimit::parse("3/900"), Some(RateLimit::DEFAULT));
        assert_eq!(
            RateLimit::parse(" 0 / 60 "),
            Some(RateLimit {
                count: 0,
                window_secs: 60
            })
        );
        assert_eq!(RateLimit::parse("3"), None);
        assert_eq!(RateLimit::parse("3/0"), None);
        assert_eq!(RateLimit::parse("x/10"), None);
        assert_eq!(RateLimit::DEFAULT.to_string(), "3/900");
    }

    #[test]
    fn limits_from_settings() {
        let l = CommentLimits::from_settings(|name| match name {
            CommentLimits::RATE_SETTING => Some("5/60".into()),
            CommentLimits::GUEST_OFF_SETTING => Some("true".into()),
            CommentLimits::NEW_ACCOUNT_SETTING => Some("nonsense".into()),
            _ => None,
        });
        assert_eq!(l.rate.count, 5);
        assert!(l.guest_comments_off);
        assert_eq!(l.new_account_days, CommentLimits::DEFAULT_NEW_ACCOUNT_DAYS);
        assert!(l.is_new_account(86_400));
        assert!(!l.is_new_account(8 * 86_400));
    }
}
