//! E-mail about feedback: what a job is, and what a reader chose.

/// What a queued message tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// One new comment (on your work, or a reply to you).
    Comment,
    /// A day's comments in one message.
    CommentDigest,
    /// A day's kudos on your works in one message.
    KudosDigest,
    /// One subscription update (a new work or chapter).
    Subscription,
    /// A day's subscription updates in one message.
    SubscriptionDaily,
    /// A week's subscription updates in one message.
    SubscriptionWeekly,
    /// A gift exchange assignment to write (sent out, or pinch hit).
    Assignment,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Comment => "comment",
            MailKind::CommentDigest => "comment_digest",
            MailKind::KudosDigest => "kudos_digest",
            MailKind::Subscription => "subscription",
            MailKind::SubscriptionDaily => "subscription_daily",
            MailKind::SubscriptionWeekly => "subscription_weekly",
            MailKind::Assignment => "assignment",
        }
    }

    pub fn parse(s: &str) -> Option<MailKind> {
        [
            MailKind::Comment,
            MailKind::CommentDigest,
            MailKind::KudosDigest,
            MailKind::Subscription,
            MailKind::SubscriptionDaily,
            MailKind::SubscriptionWeekly,
            MailKind::Assignment,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// What a reader may stop getting mail about (what an unsubscribe link
/// turns off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailTopic {
    Comments,
    Kudos,
    /// Mail from one subscription (its id).
    Subscription(i64),
    /// Mail from every subscription of the account (a digest's link).
    Subscriptions,
    /// Gift exchange assignments.
    Challenges,
}

impl MailTopic {
    /// The topic as it appears in an unsubscribe address.
    pub fn name(self) -> String {
        match self {
            MailTopic::Comments => "comments".into(),
            MailTopic::Kudos => "kudos".into(),
            MailTopic::Subscription(id) => format!("subscription-{id}"),
            MailTopic::Subscriptions => "subscriptions".into(),
            MailTopic::Challenges => "challenges".into(),
        }
    }

    pub fn parse(s: &str) -> Option<MailTopic> {
        match s {
            "comments" => Some(MailTopic::Comments),
            "kudos" => Some(MailTopic::Kudos),
            "subscriptions" => Some(MailTopic::Subscriptions),
            "challenges" => Some(MailTopic::Challenges),
            other => {
                let id = other.strip_prefix("subscription-")?;
                // Digits only: "+1" or "01" would name the same id twice.
                if id.is_empty() || id.starts_with('0') || !id.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                id.parse().ok().map(MailTopic::Subscription)
            }
        }
    }

    /// What a person unsubscribing stops, in words.
    pub fn words(self) -> &'static str {
        match self {
            MailTopic::Comments => "comments",
            MailTopic::Kudos => "kudos",
            MailTopic::Subscription(_) => "this subscription",
            MailTopic::Subscriptions => "your subscriptions",
            MailTopic::Challenges => "gift exchange assignments",
        }
    }
}

/// How often a subscription's updates come by e-mail (each update is
/// also in the subscriber's inbox, whatever this says).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SubscriptionMail {
    /// A message for each update.
    #[default]
    Immediate,
    /// One digest a day.
    Daily,
    /// One digest a week (Monday to Sunday, UTC).
    Weekly,
    /// The inbox only.
    Off,
}

impl SubscriptionMail {
    pub const ALL: [SubscriptionMail; 4] = [
        SubscriptionMail::Immediate,
        SubscriptionMail::Daily,
        SubscriptionMail::Weekly,
        SubscriptionMail::Off,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionMail::Immediate => "immediate",
            SubscriptionMail::Daily => "daily",
            SubscriptionMail::Weekly => "weekly",
            SubscriptionMail::Off => "off",
        }
    }

    pub fn parse(s: &str) -> Option<SubscriptionMail> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            SubscriptionMail::Immediate => "A message for each update",
            SubscriptionMail::Daily => "One digest a day",
            SubscriptionMail::Weekly => "One digest a week",
            SubscriptionMail::Off => "No e-mail (inbox only)",
        }
    }

    /// Of two subscriptions that bring the same update, the one whose
    /// mail is sooner wins (a message beats a digest beats none).
    pub fn sooner(self, other: SubscriptionMail) -> bool {
        self.rank() < other.rank()
    }

    fn rank(self) -> u8 {
        match self {
            SubscriptionMail::Immediate => 0,
            SubscriptionMail::Daily => 1,
            SubscriptionMail::Weekly => 2,
            SubscriptionMail::Off => 3,
        }
    }
}

/// How often a reader gets mail on a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MailPref {
    /// A message for each (comments' default, as AO3).
    #[default]
    Immediate,
    /// One digest a day (kudos' default).
    Daily,
    Off,
}

impl MailPref {
    pub fn as_str(self) -> &'static str {
        match self {
            MailPref::Immediate => "immediate",
            MailPref::Daily => "daily",
            MailPref::Off => "off",
        }
    }

    pub fn parse(s: &str) -> Option<MailPref> {
        [MailPref::Immediate, MailPref::Daily, MailPref::Off]
            .into_iter()
            .find(|p| p.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            MailPref::Immediate => "A message for each",
            MailPref::Daily => "One digest a day",
            MailPref::Off => "No e-mail",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in [
            MailKind::Comment,
            MailKind::CommentDigest,
            MailKind::KudosDigest,
        ] {
            assert_eq!(MailKind::parse(k.as_str()), Some(k));
        }
        for p in [MailPref::Immediate, MailPref::Daily, MailPref::Off] {
            assert_eq!(MailPref::parse(p.as_str()), Some(p));
        }
        assert_eq!(MailTopic::parse("kudos"), Some(MailTopic::Kudos));
        assert_eq!(MailPref::parse("weekly"), None);
        for t in [
            MailTopic::Comments,
            MailTopic::Kudos,
            MailTopic::Subscription(42),
            MailTopic::Subscriptions,
            MailTopic::Challenges,
        ] {
            assert_eq!(MailTopic::parse(&t.name()), Some(t));
        }
        for bad in [
            "subscription-",
            "subscription-01",
            "subscription-+1",
            "subscription-x",
        ] {
            assert_eq!(MailTopic::parse(bad), None, "{bad}");
        }
        for m in SubscriptionMail::ALL {
            assert_eq!(SubscriptionMail::parse(m.as_str()), Some(m));
        }
        assert!(SubscriptionMail::Immediate.sooner(SubscriptionMail::Weekly));
        assert!(!SubscriptionMail::Off.sooner(SubscriptionMail::Daily));
    }
}
