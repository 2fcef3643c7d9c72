//! `ficus admin`: account administration from the command line.

use std::io::BufRead;

use anyhow::{Context, bail};
use ficus_core::account::{self, Login};
use ficus_store::Store;

use crate::cli::AdminCommand;

fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("FICUS_PASSWORD") {
        return Ok(p);
    }
    eprintln!("Password (one line on standard input):");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Runs an admin subcommand.
pub fn run(store: &Store, cmd: AdminCommand) -> anyhow::Result<()> {
    match cmd {
        AdminCommand::CreateUser { login, email, role } => {
            let login = Login::parse(&login)?;
            let email = account::parse_email(&email)?;
            let password = read_password()?;
            account::check_password(&password)?;
            let hash = account::hash_password(&password)?;
            let user =
                store.create_user(&login, &email, &hash, role, chrono::Utc::now().naive_utc())?;
            println!(
                "created user {} (id {}) with role {}",
                user.login,
                user.id,
                role.as_str()
            );
        }
        AdminCommand::ClaimLink { name } => {
            let Some((creator, name, works)) = store.unclaimed_creator(&name)? else {
                bail!(
                    "no imported works are credited to a creator named {name:?} (or they were claimed already)"
                );
            };
            let token = account::random_token();
            store.create_claim(&account::token_hash(&token), creator)?;
            println!("/claims/{token}");
            eprintln!(
                "Give this path (on your archive's address) to the person who wrote as {name:?}: it claims {works} work(s), once."
            );
        }
        AdminCommand::Signups { mode } => {
            store.set_setting(ficus_store::claims::SIGNUPS_SETTING, &mode)?;
            println!("sign-ups are now {mode}");
        }
        AdminCommand::Comments {
            rate,
            new_account_days,
            guests,
        } => {
            use ficus_core::comments::CommentLimits;
            if let Some(rate) = rate {
                store.set_setting(CommentLimits::RATE_SETTING, &rate.to_string())?;
            }
            if let Some(days) = new_account_days {
                store.set_setting(CommentLimits::NEW_ACCOUNT_SETTING, &days.to_string())?;
            }
            if let Some(guests) = guests {
                let off = if guests == "off" { "true" } else { "false" };
                store.set_setting(CommentLimits::GUEST_OFF_SETTING, off)?;
            }
            let limits = store.comment_limits()?;
            println!(
                "comments: at most {} per {} s for guests and accounts younger than {} days; guest comments {}",
                limits.rate.count,
                limits.rate.window_secs,
                limits.new_account_days,
                if limits.guest_comments_off {
                    "off"
                } else {
                    "on"
                }
            );
        }
        AdminCommand::Mail {
            smtp_url,
            mail_from,
            public_url,
            as_of,
        } => {
            let sender = ficus_app::mail::SmtpSender::new(&smtp_url, &mail_from)
                .map_err(|e| anyhow::anyhow!(e))?;
            let site = ficus_app::mail::MailSite {
                base_url: public_url.trim_end_matches('/').to_string(),
                name: ficus_web::templates::SITE_NAME.to_string(),
                key: ficus_app::mail::mail_key(store)?,
                retry_base: chrono::Duration::seconds(30),
            };
            let now = as_of.unwrap_or_else(|| chrono::Utc::now().naive_utc());
            let done = ficus_app::mail::deliver_due(store, &sender, &site, now)?;
            let (waiting, dead) = store.mail_backlog()?;
            println!(
                "sent {}, failed {}, dropped {}, after the lease ran out {}; waiting {waiting}, given up {dead}",
                done.sent, done.failed, done.dropped, done.late
            );
        }
        AdminCommand::InviteCodes { count } => {
            for _ in 0..count {
                let code = account::random_token()[..20].to_string();
                store.create_invitation_code(&account::token_hash(&code))?;
                println!("{code}");
            }
        }
        AdminCommand::Resanitize => {
            let changed = store.resanitize_all()?;
            println!("re-sanitized: {changed} rows changed");
        }
        AdminCommand::SetRole { login, role } => {
            if !store.set_role(&login, role)? {
                bail!("there is no user named {login:?}");
            }
            println!("{login} is now {}", role.as_str());
        }
    }
    Ok(())
}
