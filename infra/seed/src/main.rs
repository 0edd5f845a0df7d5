//! `seed`: writes the demo data set into the local table, once per seed and size.
//!
//! Usage: `seed [--mentors N] [--learners N] [--seed S] [--credentials N] [--force]
//! [--demo-admin]` (defaults 200, 50, 42, 20), or `seed --admin EMAIL` to make a registered
//! member an admin (`make admin EMAIL=...`), nothing else. Environment: `DYNAMODB_ENDPOINT` (required), `TABLE_NAME`
//! (default `peerlearn-local`, as the dev gateway), `TEMPLATE` (default `template.yaml`),
//! from which the table is created when missing.

use std::path::PathBuf;
use std::process::ExitCode;

use dev_gateway::{Template, local, table};
use seed::{DEMO_PASSWORD, SeedConfig, learner_email, mentor_email};

const USAGE: &str = "usage: seed [--mentors N] [--learners N] [--seed S] [--credentials N] [--force] [--demo-admin]
       seed --admin EMAIL
  --admin EMAIL    make the member with this sign-in address an admin, and nothing else
  --demo-admin     also register the demo admin (once) and make it an admin
  --mentors N      mentors to write (default 200)
  --learners N     learners to write (default 50)
  --seed S         which demo set: same seed, same users (default 42)
  --credentials N  the first N mentors and N learners can sign in (default 20)
  --force          write even if this seed was already seeded at this size
env: DYNAMODB_ENDPOINT (required), TABLE_NAME (default peerlearn-local), TEMPLATE (default template.yaml)";

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("seed: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Parsed command line.
#[derive(Debug, PartialEq)]
struct Args {
    config: SeedConfig,
    force: bool,
    /// Only grant admin to this address.
    admin: Option<String>,
    demo_admin: bool,
}

/// `None` when help was asked for.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut parsed = Args {
        config: SeedConfig { progress: true, ..SeedConfig::default() },
        force: false,
        admin: None,
        demo_admin: false,
    };
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
            None => (arg, None),
        };
        let mut value = |name: &str| -> Result<u64, String> {
            let raw =
                inline.clone().or_else(|| args.next()).ok_or_else(|| format!("{name} needs a number\n{USAGE}"))?;
            raw.trim().parse().map_err(|_| format!("{name} needs a whole number, not {raw:?}\n{USAGE}"))
        };
        let config = &mut parsed.config;
        match flag.as_str() {
            "--mentors" => config.mentors = usize::try_from(value("--mentors")?).map_err(|e| e.to_string())?,
            "--learners" => config.learners = usize::try_from(value("--learners")?).map_err(|e| e.to_string())?,
            "--credentials" => {
                config.credentials_for = usize::try_from(value("--credentials")?).map_err(|e| e.to_string())?;
            }
            "--seed" => config.seed = value("--seed")?,
            "--force" => parsed.force = true,
            "--demo-admin" => parsed.demo_admin = true,
            "--admin" => {
                let email = inline.clone().or_else(|| args.next()).filter(|e| !e.trim().is_empty());
                parsed.admin = Some(email.ok_or_else(|| format!("--admin needs an email address\n{USAGE}"))?);
            }
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(Some(parsed))
}

async fn run() -> Result<(), String> {
    let Some(Args { config, force, admin, demo_admin }) = parse_args(std::env::args().skip(1))? else {
        println!("{USAGE}");
        return Ok(());
    };
    let env = |name: &str, default: &str| {
        std::env::var(name).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| default.to_owned())
    };
    let endpoint = std::env::var("DYNAMODB_ENDPOINT").ok().filter(|v| !v.is_empty()).ok_or(
        "DYNAMODB_ENDPOINT is not set: run `make seed` (or infra/stack.sh seed -- ARGS), which starts DynamoDB Local",
    )?;
    let table_name = env("TABLE_NAME", "peerlearn-local");
    let template_path = PathBuf::from(env("TEMPLATE", "template.yaml"));

    let client = local::dynamo_client(&endpoint);
    let template = Template::load(&template_path).map_err(|e| e.to_string())?;
    let created = table::ensure_table(&client, &template, &table_name)
        .await
        .map_err(|e| format!("{e} (is DynamoDB Local up at {endpoint}?)"))?;
    if created {
        println!("Created table {table_name} from {}", template_path.display());
    }
    if let Some(raw) = admin {
        let email = shared::domain::Email::parse(&raw).map_err(|e| format!("--admin {raw:?}: {e}"))?;
        let user = seed::admins::grant(&client, &endpoint, &table_name, &email).await.map_err(|e| e.to_string())?;
        println!("{} ({}) is an admin; the role is in their next sign-in's token.", email.as_str(), user.id);
        return Ok(());
    }

    let existing = seed::marker(&client, &table_name, config.seed).await.map_err(|e| e.to_string())?;
    let logins = match existing {
        Some(marker) if !force && marker.covers(&config) => {
            println!(
                "Demo data (seed {}) already in {table_name}: {} mentors, {} learners. Skipping; --force reseeds.",
                config.seed, marker.mentors, marker.learners
            );
            (marker.credentials_for.min(marker.mentors), marker.credentials_for.min(marker.learners))
        }
        _ => {
            let report = seed::seed(&client, &table_name, &config).await.map_err(|e| e.to_string())?;
            println!(
                "Seeded {} mentors and {} learners (seed {}) into {table_name}: {} items in {:.1} s ({:.0} items/s), {} retries.",
                config.mentors,
                config.learners,
                config.seed,
                report.items,
                report.seconds,
                report.items as f64 / report.seconds.max(0.001),
                report.retries
            );
            (config.credentials_for.min(config.mentors), config.credentials_for.min(config.learners))
        }
    };
    print_logins(logins);
    if demo_admin {
        seed::admins::ensure_demo_admin(&client, &endpoint, &table_name).await.map_err(|e| e.to_string())?;
        println!("Demo admin: {} / \"{DEMO_PASSWORD}\"", seed::admins::DEMO_ADMIN_EMAIL);
    }
    Ok(())
}

fn print_logins((mentors, learners): (usize, usize)) {
    if mentors + learners == 0 {
        return;
    }
    println!("Demo logins, password \"{DEMO_PASSWORD}\":");
    let range = |count: usize, email: fn(usize) -> String| match count {
        0 => None,
        1 => Some(email(0)),
        n => Some(format!("{} … {}", email(0), email(n - 1))),
    };
    for line in [range(mentors, mentor_email), range(learners, learner_email)].into_iter().flatten() {
        println!("  {line}");
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Option<Args>, String> {
        parse_args(line.split_whitespace().map(str::to_owned))
    }

    #[test]
    fn defaults_are_the_make_dev_set() {
        let args = parse("").unwrap().unwrap();
        assert_eq!((args.config.mentors, args.config.learners, args.config.seed), (200, 50, 42));
        assert_eq!(args.config.credentials_for, 20);
        assert!(!args.force && !args.demo_admin && args.admin.is_none());
    }

    #[test]
    fn admins_are_asked_for_by_address() {
        assert_eq!(parse("--admin ana@example.com").unwrap().unwrap().admin.as_deref(), Some("ana@example.com"));
        assert!(parse("--demo-admin").unwrap().unwrap().demo_admin);
        assert!(parse("--admin").unwrap_err().contains("needs an email"));
    }

    #[test]
    fn flags_parse_in_both_spellings() {
        let args = parse("--mentors 100000 --learners=1000 --seed 7 --credentials 3 --force").unwrap().unwrap();
        assert_eq!(args.config.mentors, 100_000);
        assert_eq!(args.config.learners, 1000);
        assert_eq!(args.config.seed, 7);
        assert_eq!(args.config.credentials_for, 3);
        assert!(args.force);
    }

    #[test]
    fn bad_input_is_explained() {
        assert!(parse("--mentors").unwrap_err().contains("needs a number"));
        assert!(parse("--mentors lots").unwrap_err().contains("whole number"));
        assert!(parse("--frobnicate").unwrap_err().contains("unknown argument"));
        assert!(parse("--help").unwrap().is_none());
    }
}
