//! Sending the queued mail: jobs leased from the store, their messages
//! composed as their recipients may read them now, sent through a
//! [`MailSender`] (SMTP with lettre), marked sent or retried with
//! backoff. Every message carries a one-click unsubscribe link (a token
//! signed with the archive's mail key; RFC 8058 headers) that works
//! without logging in.

use chrono::{Duration, NaiveDateTime};
use ficus_core::mail::{MailPref, MailTopic, SubscriptionMail};
use ficus_store::mail::{MailContent, MailJob, Recipient};
use ficus_store::subscriptions::mail::MailUpdate;
use ficus_store::{Store, StoreError};
use hmac::Mac;

/// One message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The one-click unsubscribe address (`List-Unsubscribe`).
    pub unsubscribe_url: String,
}

/// Where mail goes: SMTP, or anything else that can send a message.
pub trait MailSender: Send + Sync {
    /// Sends one message; `Err` with the reason when it was not accepted.
    fn send(&self, mail: &OutgoingMail) -> Result<(), String>;
}

/// Mail through an SMTP server (`smtp://host:port`, no TLS: a relay on
/// the same machine or network, which forwards with TLS).
pub struct SmtpSender {
    transport: lettre::SmtpTransport,
    from: lettre::message::Mailbox,
}

impl SmtpSender {
    /// A sender for `smtp://host[:port]`, from the address `from`.
    pub fn new(url: &str, from: &str) -> Result<SmtpSender, String> {
        let bad = || format!("{url:?} is not an SMTP address: write smtp://HOST[:PORT]");
        let rest = url.strip_prefix("smtp://").ok_or_else(bad)?;
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().map_err(|_| bad())?),
            None => (rest, 25),
        };
        if host.is_empty() {
            return Err(bad());
        }
        let transport = lettre::SmtpTransport::builder_dangerous(host)
            .port(port)
            .timeout(Some(std::time::Duration::from_secs(10)))
            .build();
        let from = from
            .parse()
            .map_err(|e| format!("{from:?} is not a sender address: {e}"))?;
        Ok(SmtpSender { transport, from })
    }
}

impl MailSender for SmtpSender {
    fn send(&self, mail: &OutgoingMail) -> Result<(), String> {
        use lettre::Transport;
        use lettre::message::header::{ContentType, HeaderName, HeaderValue};
        let to = mail
            .to
            .parse()
            .map_err(|e| format!("{:?} is not an address: {e}", mail.to))?;
        let mut message = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| e.to_string())?;
        let headers = message.headers_mut();
        headers.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{}>", mail.unsubscribe_url),
        ));
        headers.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_string(),
        ));
        self.transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// What messages need to know about the archive.
#[derive(Debug, Clone)]
pub struct MailSite {
    /// The archive's public address, without a trailing slash.
    pub base_url: String,
    pub name: String,
    /// The key unsubscribe tokens are signed with.
    pub key: Vec<u8>,
    /// The first retry waits this long; each next one twice as long (at
    /// most an hour).
    pub retry_base: Duration,
}

/// The setting that holds the mail key.
pub const KEY_SETTING: &str = "mail_key";

/// The archive's mail key (made on first use, shared by every node).
pub fn mail_key(store: &Store) -> Result<Vec<u8>, StoreError> {
    Ok(store
        .setting_or_init(KEY_SETTING, ficus_core::account::random_token)?
        .into_bytes())
}

/// The unsubscribe token of an account and topic: hex HMAC-SHA256.
pub fn unsubscribe_token(key: &[u8], user_id: i64, topic: MailTopic) -> String {
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(format!("unsubscribe\0{user_id}\0{}", topic.name()).as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `token` is the account's token for the topic (in constant
/// time).
pub fn token_ok(key: &[u8], user_id: i64, topic: MailTopic, token: &str) -> bool {
    let want = unsubscribe_token(key, user_id, topic);
    ficus_core::account::constant_time_eq(&want, token)
}

/// The one-click unsubscribe address.
pub fn unsubscribe_url(site: &MailSite, user_id: i64, topic: MailTopic) -> String {
    format!(
        "{}/unsubscribe/{user_id}/{}/{}",
        site.base_url,
        topic.name(),
        unsubscribe_token(&site.key, user_id, topic)
    )
}

/// Turns the topic's mail off for the account, when the token is its
/// own. Returns whether it was.
pub fn unsubscribe(
    store: &Store,
    key: &[u8],
    user_id: i64,
    topic: MailTopic,
    token: &str,
) -> Result<bool, StoreError> {
    if !token_ok(key, user_id, topic, token) {
        return Ok(false);
    }
    match topic {
        MailTopic::Comments => store.set_mail_prefs(user_id, Some(MailPref::Off), None)?,
        MailTopic::Kudos => store.set_mail_prefs(user_id, None, Some(MailPref::Off))?,
        // A subscription already stopped has no mail to stop: done.
        MailTopic::Subscription(id) => {
            store.set_subscription_mail(user_id, id, SubscriptionMail::Off)?;
        }
        MailTopic::Subscriptions => {
            store.set_all_subscription_mail(user_id, SubscriptionMail::Off)?;
        }
        MailTopic::Challenges => store.set_challenge_mail(user_id, MailPref::Off)?,
    }
    Ok(true)
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The subject and text of a job's message.
pub fn compose(site: &MailSite, to: &Recipient, content: &MailContent) -> (String, String) {
    let comment_url = |id: i64| format!("{}/comments/{id}", site.base_url);
    match content {
        MailContent::Comment(c) => {
            let subject = if c.reply_to_you {
                format!("[{}] Reply to your comment on {}", site.name, c.work_title)
            } else {
                format!("[{}] Comment on {}", site.name, c.work_title)
            };
            let body = format!(
                "Hi {},\n\n{} {} {} (chapter {}):\n\n{}\n\nRead it and reply: {}\n",
                to.login,
                c.author,
                if c.reply_to_you {
                    "replied to your comment on"
                } else {
                    "left a comment on"
                },
                c.work_title,
                c.chapter_position,
                indent(&c.text),
                comment_url(c.comment_id)
            );
            (subject, body)
        }
        MailContent::CommentDigest(all) => {
            let subject = format!(
                "[{}] {} new comment{} today",
                site.name,
                all.len(),
                if all.len() == 1 { "" } else { "s" }
            );
            let mut body = format!("Hi {},\n\nToday's comments:\n", to.login);
            for c in all {
                body.push_str(&format!(
                    "\n{} on {} (chapter {}):\n{}\n{}\n",
                    c.author,
                    c.work_title,
                    c.chapter_position,
                    indent(&c.text),
                    comment_url(c.comment_id)
                ));
            }
            (subject, body)
        }
        MailContent::Subscription(u) => {
            let subject = if u.event == "chapter" {
                format!(
                    "[{}] {} by {}: chapter {}",
                    site.name, u.work_title, u.byline, u.chapter_position
                )
            } else {
                format!("[{}] New work: {} by {}", site.name, u.work_title, u.byline)
            };
            let body = format!("Hi {},\n\n{}", to.login, tell_update(site, u, true));
            (subject, body)
        }
        MailContent::SubscriptionDigest(mail, all) => {
            let period = if *mail == SubscriptionMail::Weekly {
                "this week"
            } else {
                "today"
            };
            let subject = format!(
                "[{}] {} update{} from your subscriptions {period}",
                site.name,
                all.len(),
                if all.len() == 1 { "" } else { "s" }
            );
            let mut body = format!(
                "Hi {},\n\nNew from your subscriptions {period}:\n",
                to.login
            );
            for u in all {
                body.push('\n');
                body.push_str(&tell_update(site, u, false));
            }
            body.push_str(&format!(
                "\nChoose how each subscription reaches you: {}/users/{}/subscriptions\n",
                site.base_url, to.login
            ));
            (subject, body)
        }
        MailContent::Assignment(a) => {
            let subject = format!("[{}] Your assignment for {}", site.name, a.collection_title);
            let due = a
                .due_at
                .map(|d| format!("It is due {} UTC.\n\n", d.format("%Y-%m-%d %H:%M")))
                .unwrap_or_default();
            let body = format!(
                "Hi {},\n\n{} In {}, you are writing a gift for {}. {}Read what they asked for, and post your work from there: {}/collections/{}/assignments/{}\n\nIf you cannot write it, default on that page, and the maintainers will find a pinch hitter.\n",
                to.login,
                if a.pinch_hit {
                    "Thank you for pinch hitting!"
                } else {
                    "Assignments are out!"
                },
                a.collection_title,
                a.recipient,
                due,
                site.base_url,
                a.collection_name,
                a.assignment_id
            );
            (subject, body)
        }
        MailContent::KudosDigest(works) => {
            let total: u64 = works.iter().map(|w| w.names.len() as u64 + w.guests).sum();
            let subject = format!("[{}] {total} kudos on your works today", site.name);
            let mut body = format!("Hi {},\n\nToday's kudos:\n", to.login);
            for w in works {
                let mut who = w.names.join(", ");
                if w.guests > 0 {
                    if !who.is_empty() {
                        who.push_str(" and ");
                    }
                    who.push_str(&format!(
                        "{} guest{}",
                        w.guests,
                        if w.guests == 1 { "" } else { "s" }
                    ));
                }
                body.push_str(&format!(
                    "\n{}: {who}\n{}/works/{}\n",
                    w.work_title, site.base_url, w.work_id
                ));
            }
            (subject, body)
        }
    }
}

/// One update as a message tells it: what is new, where to read it, and
/// which subscription brought it.
fn tell_update(site: &MailSite, u: &MailUpdate, full: bool) -> String {
    let mut out = String::new();
    if u.event == "chapter" {
        out.push_str(&format!(
            "{} by {}: chapter {}{} ({} words)\n{}/works/{}/chapters/{}\n",
            u.work_title,
            u.byline,
            u.chapter_position,
            u.chapter_title
                .as_deref()
                .map(|t| format!(": {t}"))
                .unwrap_or_default(),
            u.chapter_words,
            site.base_url,
            u.work_id,
            u.chapter_id
        ));
    } else {
        out.push_str(&format!(
            "{} by {}{} ({} words)\n{}/works/{}\n",
            u.work_title,
            u.byline,
            if u.fandoms.is_empty() {
                String::new()
            } else {
                format!(" [{}]", u.fandoms.join(", "))
            },
            u.work_words,
            site.base_url,
            u.work_id
        ));
        if full && !u.summary.trim().is_empty() {
            out.push_str(&format!("\nSummary:\n{}\n", indent(u.summary.trim())));
        }
    }
    out.push_str(&format!(
        "(You follow {}.)\n",
        match u.reason.as_str() {
            "work" => "this work",
            "series" => "its series",
            "user" => "its creator",
            "tag" => "one of its tags",
            _ => "a search it matches",
        }
    ));
    out
}

/// What one delivery round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    /// Not sent this time (retried later).
    pub failed: usize,
    /// Nothing to say any more (the comment is gone, say).
    pub dropped: usize,
    /// Sent, or failed, after this node's lease had run out and another
    /// node had taken the job: that node records the outcome (and may
    /// send the message again — delivery is at least once).
    pub late: usize,
}

/// When a job that failed `attempts` times before is tried again.
fn retry_at(site: &MailSite, job: &MailJob, now: NaiveDateTime) -> NaiveDateTime {
    let factor = 1i64 << job.attempts.clamp(0, 16);
    let wait =
        (site.retry_base * i32::try_from(factor).unwrap_or(i32::MAX)).min(Duration::hours(1));
    now + wait
}

/// Sends the jobs due at `now` (at most 50), each once.
pub fn deliver_due(
    store: &Store,
    sender: &dyn MailSender,
    site: &MailSite,
    now: NaiveDateTime,
) -> Result<Delivered, StoreError> {
    let mut done = Delivered::default();
    // The lease outlasts the batch: 50 messages at the transport's 10 s
    // timeout each take at most 500 s, so no other node takes a job this
    // one is still sending.
    for job in store.lease_mail_jobs(now, 50, Duration::minutes(15))? {
        let Some((to, content)) = store.mail_content(&job)? else {
            store.mail_job_done(&job, now)?;
            done.dropped += 1;
            continue;
        };
        let (subject, body) = compose(site, &to, &content);
        let unsubscribe = unsubscribe_url(site, to.user_id, content.topic());
        let body = format!(
            "{body}\n--\nStop these messages (one click, no log-in needed): {unsubscribe}\n"
        );
        let mail = OutgoingMail {
            to: to.email.clone(),
            subject,
            body,
            unsubscribe_url: unsubscribe,
        };
        match sender.send(&mail) {
            // A lease lost meanwhile (this batch outlived it) leaves the
            // outcome to the node that took the job over.
            Ok(()) => {
                if !store.mail_job_done(&job, now)? {
                    done.late += 1;
                }
                // Subscription updates told are not told again; a digest
                // queues the next one for updates written meanwhile.
                match &content {
                    MailContent::Subscription(u) => {
                        store.updates_mailed(to.user_id, &[u.chapter_id], None, now)?
                    }
                    MailContent::SubscriptionDigest(mail, all) => {
                        let chapters: Vec<i64> = all.iter().map(|u| u.chapter_id).collect();
                        store.updates_mailed(to.user_id, &chapters, Some(*mail), now)?
                    }
                    _ => {}
                }
                done.sent += 1;
            }
            Err(e) => {
                if !store.mail_job_failed(&job, &e, retry_at(site, &job, now))? {
                    done.late += 1;
                }
                done.failed += 1;
            }
        }
    }
    Ok(done)
}
