//! Admins for the local stack, through the same use case as the operator's `grant-admin`
//! function (`App::grant_admin`): `make admin EMAIL=...` grants a registered member, and
//! `make dev` makes a demo admin once.

use std::sync::Arc;

use aws_sdk_dynamodb::Client;
use shared::app::{AppError, Registration};
use shared::domain::{DisplayName, Email, Password, Roles, User};

use crate::DEMO_PASSWORD;

/// The demo admin's sign-in address (password [`DEMO_PASSWORD`]).
pub const DEMO_ADMIN_EMAIL: &str = "admin@demo.peerlearn.dev";

/// Why an admin could not be made.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The local configuration could not be built.
    #[error("local configuration: {0}")]
    Config(String),
    /// No member has that address.
    #[error("no member signs in with {0}: register first (POST /auth/register)")]
    NoSuchMember(String),
    /// The use case failed.
    #[error(transparent)]
    App(#[from] AppError),
}

fn app(client: &Client, endpoint: &str, table: &str) -> Result<shared::App, AdminError> {
    let config = dev_gateway::local::config(table, endpoint).map_err(|e| AdminError::Config(e.to_string()))?;
    let clients = shared::startup::Clients::new(client.clone());
    Ok(shared::startup::build(&config, clients, Arc::new(shared::ports::SystemClock)))
}

/// Makes the member signing in with `email` an admin (their next sign-in carries the role).
pub async fn grant(client: &Client, endpoint: &str, table: &str, email: &Email) -> Result<User, AdminError> {
    match app(client, endpoint, table)?.grant_admin(email).await {
        Err(AppError::UserNotFound) => Err(AdminError::NoSuchMember(email.to_string())),
        other => Ok(other?),
    }
}

/// Registers the demo admin unless it exists, and makes it an admin (once: a second run
/// changes nothing).
pub async fn ensure_demo_admin(client: &Client, endpoint: &str, table: &str) -> Result<User, AdminError> {
    let app = app(client, endpoint, table)?;
    let invalid = |e: shared::domain::Invalid| AdminError::Config(e.to_string());
    let email = Email::parse(DEMO_ADMIN_EMAIL).map_err(invalid)?;
    let registration = Registration {
        password: Password::parse(DEMO_PASSWORD, &email).map_err(invalid)?,
        email: email.clone(),
        // "Admin" is a reserved word in display names: a member must not pass for staff.
        name: DisplayName::parse("Demo Operator").map_err(invalid)?,
        roles: Roles::from_requested("learner").map_err(invalid)?,
    };
    match app.register(registration).await {
        Ok(_) | Err(AppError::EmailTaken) => {}
        Err(error) => return Err(error.into()),
    }
    Ok(app.grant_admin(&email).await?)
}
