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
        AdminCommand::SetRole { login, role } => {
            if !store.set_role(&login, role)? {
                bail!("there is no user named {login:?}");
            }
            println!("{login} is now {}", role.as_str());
        }
    }
    Ok(())
}
