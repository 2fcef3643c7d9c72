//! Reports to the moderators, and an account's standing (suspended until
//! a date, or banned): the rules, with AO3's limits.

use chrono::NaiveDateTime;

/// What is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportTarget {
    Work(i64),
    Comment(i64),
    /// An account, by id.
    Account(i64),
}

impl ReportTarget {
    pub fn kind(self) -> &'static str {
        match self {
            ReportTarget::Work(_) => "work",
            ReportTarget::Comment(_) => "comment",
            ReportTarget::Account(_) => "user",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            ReportTarget::Work(id) | ReportTarget::Comment(id) | ReportTarget::Account(id) => id,
        }
    }

    /// Reports about one target allowed per period (AO3's: 5 per 31 days
    /// for works and accounts, 3 per 30 days for comments).
    pub fn limit(self) -> (i64, i64) {
        match self {
            ReportTarget::Work(_) | ReportTarget::Account(_) => (5, 31),
            ReportTarget::Comment(_) => (3, 30),
        }
    }
}

/// Reports one e-mail address may make a day (AO3's).
pub const REPORTS_PER_EMAIL_PER_DAY: i64 = 5;
/// The description's length limit.
pub const MAX_DESCRIPTION_CHARS: usize = 5_000;

/// Why something is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportReason {
    Spam,
    Harassment,
    Hate,
    PersonalInformation,
    Plagiarism,
    NotAFanwork,
    Other,
}

impl ReportReason {
    pub const ALL: [ReportReason; 7] = [
        ReportReason::Spam,
        ReportReason::Harassment,
        ReportReason::Hate,
        ReportReason::PersonalInformation,
        ReportReason::Plagiarism,
        ReportReason::NotAFanwork,
        ReportReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportReason::Spam => "spam",
            ReportReason::Harassment => "harassment",
            ReportReason::Hate => "hate",
            ReportReason::PersonalInformation => "personal_information",
            ReportReason::Plagiarism => "plagiarism",
            ReportReason::NotAFanwork => "not_a_fanwork",
            ReportReason::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<ReportReason> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ReportReason::Spam => "Spam or commercial content",
            ReportReason::Harassment => "Harassment or threats",
            ReportReason::Hate => "Hateful content",
            ReportReason::PersonalInformation => "Someone's personal information",
            ReportReason::Plagiarism => "Plagiarism",
            ReportReason::NotAFanwork => "Not a fanwork",
            ReportReason::Other => "Something else",
        }
    }
}

/// Why a report was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportRefusal {
    #[error("Please give a link to a work, a comment or an account on this archive.")]
    BadTarget,
    #[error("Please choose what kind of problem it is.")]
    NoReason,
    #[error("Please describe what you are reporting.")]
    NoDescription,
    #[error("Your description must be at most {MAX_DESCRIPTION_CHARS} characters long.")]
    TooLong,
    #[error("Please enter a valid email address.")]
    BadEmail,
    #[error("This has been reported several times already; the moderators will look at it.")]
    TargetLimit,
    #[error(
        "You have reached our daily reporting limit. To keep our volunteers from being overwhelmed, please do not seek out violations to report, but only report violations you encounter during your normal use of the Archive."
    )]
    EmailLimit,
}

/// Checks a report's description, returning it trimmed.
pub fn check_description(text: &str) -> Result<String, ReportRefusal> {
    let text = crate::text::clean_block(text.trim()).into_owned();
    if text.is_empty() {
        return Err(ReportRefusal::NoDescription);
    }
    if text.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(ReportRefusal::TooLong);
    }
    Ok(text)
}

/// An account's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Standing {
    #[default]
    Good,
    Suspended {
        until: NaiveDateTime,
    },
    Banned,
}

impl Standing {
    /// The standing at `now` from the stored facts.
    pub fn of(
        banned: bool,
        suspended_until: Option<NaiveDateTime>,
        now: NaiveDateTime,
    ) -> Standing {
        match (banned, suspended_until) {
            (true, _) => Standing::Banned,
            (false, Some(until)) if until > now => Standing::Suspended { until },
            _ => Standing::Good,
        }
    }

    /// Whether the account may post, comment or leave kudos (it may
    /// always read).
    pub fn may_act(self) -> bool {
        self == Standing::Good
    }

    /// What the account is told when it tries.
    pub fn refusal(self) -> Option<String> {
        match self {
            Standing::Good => None,
            Standing::Suspended { until } => Some(format!(
                "Your account is suspended until {} UTC: you can read, but not post, comment or leave kudos.",
                until.format("%Y-%m-%d %H:%M")
            )),
            Standing::Banned => Some(
                "Your account has been banned: you can read, but not post, comment or leave kudos."
                    .into(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standing_and_limits() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 12, 6)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .expect("time");
        let later = now + chrono::Duration::days(3);
        assert_eq!(Standing::of(false, None, now), Standing::Good);
        assert_eq!(
            Standing::of(false, Some(later), now),
            Standing::Suspended { until: later }
        );
        assert_eq!(
            Standing::of(false, Some(later), later),
            Standing::Good,
            "over"
        );
        assert_eq!(Standing::of(true, None, now), Standing::Banned);
        assert!(!Standing::Banned.may_act());
        assert!(
            Standing::Suspended { until: later }
                .refusal()
                .expect("text")
                .contains("2026-12-09")
        );
        assert_eq!(ReportTarget::Comment(1).limit(), (3, 30));
        assert_eq!(check_description("  "), Err(ReportRefusal::NoDescription));
        for r in ReportReason::ALL {
            assert_eq!(ReportReason::parse(r.as_str()), Some(r));
        }
    }
}
